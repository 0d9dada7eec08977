/**
 * <chart-settings>: the view settings every chart shares (smoothing, step or wall-time x axis,
 * log x), shown once above the charts. It shows the settings it is given and fires
 * 'settings-change' with all of them when the user changes one; per-chart log y stays on each
 * chart.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { XAxisKind } from './chart/run-line';
import { controlStyles } from './control-styles';

export interface ChartViewSettings {
  /** 0 (none) to 0.99. */
  smoothing: number;
  xAxis: XAxisKind;
  logX: boolean;
}

export const DEFAULT_VIEW: ChartViewSettings = { smoothing: 0.6, xAxis: 'step', logX: false };

/** Smoothing as the slider allows it: 0 to 0.99 in hundredths. */
export function clampSmoothing(value: number): number {
  return Math.min(0.99, Math.max(0, Math.round(value * 100) / 100));
}

@customElement('chart-settings')
export class ChartSettings extends LitElement {
  @property({ attribute: false }) settings: ChartViewSettings = DEFAULT_VIEW;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1.5rem;
        font-size: 0.875rem;
      }
      label,
      fieldset {
        display: inline-flex;
        align-items: center;
        gap: 0.45rem;
        white-space: nowrap;
      }
      fieldset {
        border: none;
        margin: 0;
        padding: 0;
      }
      legend {
        float: left;
        padding: 0;
        margin-right: 0.45rem;
      }
      input[type='range'] {
        width: 9rem;
      }
      output {
        display: inline-block;
        width: 2.5rem;
        font-variant-numeric: tabular-nums;
        color: var(--text-muted);
      }
    `,
  ];

  override render() {
    const s = this.settings;
    return html`
      <label>
        Smoothing
        <input id="smoothing" type="range" min="0" max="0.99" step="0.01" .value=${String(s.smoothing)}
          aria-valuetext=${s.smoothing.toFixed(2)} @input=${this.onSmoothing} />
        <output for="smoothing">${s.smoothing.toFixed(2)}</output>
      </label>
      <fieldset>
        <legend>x axis</legend>
        <label><input type="radio" name="x-axis" value="step" .checked=${s.xAxis === 'step'} @change=${this.onXAxis} />step</label>
        <label><input type="radio" name="x-axis" value="time" .checked=${s.xAxis === 'time'} @change=${this.onXAxis} />wall time</label>
      </fieldset>
      <label><input type="checkbox" .checked=${s.logX} @change=${this.onLogX} />Log x axis (all charts)</label>
    `;
  }

  private onSmoothing(event: Event): void {
    this.fire({ ...this.settings, smoothing: clampSmoothing(Number((event.target as HTMLInputElement).value)) });
  }

  private onXAxis(event: Event): void {
    this.fire({ ...this.settings, xAxis: (event.target as HTMLInputElement).value as XAxisKind });
  }

  private onLogX(event: Event): void {
    this.fire({ ...this.settings, logX: (event.target as HTMLInputElement).checked });
  }

  private fire(settings: ChartViewSettings): void {
    this.settings = settings;
    this.dispatchEvent(new CustomEvent<ChartViewSettings>('settings-change', { detail: settings, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chart-settings': ChartSettings;
  }
}
