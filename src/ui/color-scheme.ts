/**
 * Light and dark themes for the components: the colours are CSS custom properties set in
 * index.html (:root, and again under prefers-color-scheme: dark). Canvas drawing cannot use
 * var(), so charts read the properties here and redraw when the system scheme changes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ChartTheme {
  surface: string;
  text: string;
  muted: string;
  grid: string;
  tooltipBackground: string;
  tooltipText: string;
  /** Opacity of the raw line behind a smoothed one (dark backgrounds need more). */
  rawAlpha: number;
}

function prop(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/** The theme's colours as resolved at `el` (custom properties inherit into shadow roots). */
export function readChartTheme(el: Element): ChartTheme {
  const style = getComputedStyle(el);
  return {
    surface: prop(style, '--surface', '#ffffff'),
    text: prop(style, '--text', '#1f2937'),
    muted: prop(style, '--text-muted', '#4b5563'),
    grid: prop(style, '--chart-grid', 'rgba(0, 0, 0, 0.08)'),
    tooltipBackground: prop(style, '--tooltip-bg', 'rgba(17, 24, 39, 0.92)'),
    tooltipText: prop(style, '--tooltip-text', '#f9fafb'),
    rawAlpha: Number(prop(style, '--chart-raw-alpha', '0.28')),
  };
}

/** Calls `onChange` (and re-renders the host) when the system switches light and dark. */
export class ColorSchemeController implements ReactiveController {
  private query?: MediaQueryList;
  private readonly listener = () => {
    this.onChange();
    this.host.requestUpdate();
  };

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onChange: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.query = window.matchMedia('(prefers-color-scheme: dark)');
    this.query.addEventListener('change', this.listener);
  }

  hostDisconnected(): void {
    this.query?.removeEventListener('change', this.listener);
    this.query = undefined;
  }
}
