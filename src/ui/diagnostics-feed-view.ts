/**
 * What every diagnostics view fed by DiagnosticsFeed shares (gate saturation, spectral norm,
 * histograms, the validation example): the feed, following the workspace, and the runs it shows
 * (the visible ones); the redrawing comes from CanvasView. A view renders its template and draws
 * in `draw()`.
 */
import type { CSSResultGroup } from 'lit';
import { CanvasView } from './canvas-view';
import { DiagnosticsFeed } from './diagnostics-feed';
import { diagnosticsViewStyles } from './diagnostics-styles';

export abstract class DiagnosticsFeedView extends CanvasView {
  protected readonly feed = new DiagnosticsFeed(this);

  static override styles: CSSResultGroup = diagnosticsViewStyles;

  protected override willUpdate(): void {
    this.feed.controller.setWorkspace(this.workspace);
  }

  /** The experiment's runs that are not hidden, in its order. */
  protected runs() {
    return (this.feed.controller.experiment?.doc.runs ?? []).filter((r) => !r.hidden);
  }
}
