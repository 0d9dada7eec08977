/**
 * What a view that paints its own canvases shares (the diagnostics views, the gradient flow): the
 * workspace property, and a redraw through the shared frame scheduler after an update, a resize or
 * a colour-scheme change, cancelled when the view leaves the page. A view renders its template and
 * paints in `draw()`.
 */
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { chartDrawScheduler, type DrawJob } from './chart/draw-scheduler';
import { ColorSchemeController } from './color-scheme';
import type { Workspace } from './workspace';

export abstract class CanvasView extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;

  private readonly job: DrawJob = { draw: () => this.draw() };
  private readonly resize = new ResizeObserver(() => chartDrawScheduler.request(this.job));

  constructor() {
    super();
    new ColorSchemeController(this, () => chartDrawScheduler.request(this.job));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    chartDrawScheduler.cancel(this.job);
  }

  protected override updated(): void {
    chartDrawScheduler.request(this.job);
  }

  /** Paints the view's canvases (called at most once per animation frame). */
  protected abstract draw(): void;
}
