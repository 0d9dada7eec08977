/**
 * What every diagnostics view fed by DiagnosticsFeed shares (gate saturation, spectral norm,
 * histograms, the validation example): the workspace property, the feed, redrawing its canvases
 * through the shared frame scheduler after an update, a resize or a colour-scheme change, and the
 * runs it shows (the visible ones). A view renders its template and draws in `draw()`.
 */
import { LitElement, type CSSResultGroup } from 'lit';
import { property } from 'lit/decorators.js';
import { chartDrawScheduler, type DrawJob } from './chart/draw-scheduler';
import { ColorSchemeController } from './color-scheme';
import { DiagnosticsFeed } from './diagnostics-feed';
import { diagnosticsViewStyles } from './diagnostics-styles';
import type { Workspace } from './workspace';

export abstract class DiagnosticsFeedView extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;

  protected readonly feed = new DiagnosticsFeed(this);
  private readonly job: DrawJob = { draw: () => this.draw() };
  private readonly resize = new ResizeObserver(() => chartDrawScheduler.request(this.job));

  static override styles: CSSResultGroup = diagnosticsViewStyles;

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

  protected override willUpdate(): void {
    this.feed.controller.setWorkspace(this.workspace);
  }

  protected override updated(): void {
    chartDrawScheduler.request(this.job);
  }

  /** The experiment's runs that are not hidden, in its order. */
  protected runs() {
    return (this.feed.controller.experiment?.doc.runs ?? []).filter((r) => !r.hidden);
  }

  /** Draws the view's canvases (called at most once per animation frame). */
  protected abstract draw(): void;
}
