/**
 * <experiment-charts>: every chart of the open experiment (playground-charts.ts says which),
 * fed from its records through an ExperimentController: new records are appended, a replaced
 * history (a restart, a fork, a restore) is set anew, and a run that goes is cleared. Charts
 * that appear later (a deeper run, a sparsity column) get the points that came before they
 * rendered. Per-chart log y lives here; the shared view settings come down from the page.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ExperimentDoc } from '../config/experiment';
import type { Experiment } from '../experiments/experiment';
import type { RunHistory, RunRecord } from '../experiments/history';
import type { ChartRun } from './chart/chart-run';
import type { MetricPoint } from './chart/run-history';
import { DEFAULT_VIEW, type ChartViewSettings } from './chart-settings';
import { ExperimentController } from './experiment-controller';
import type { MetricChart } from './metric-chart';
import { ClipWindow, GRAD_NORM_CHART, chartPoints, chartSpecs, clipThresholds, extraColumns, type ChartSpec } from './playground-charts';
import type { Workspace } from './workspace';
import './metric-chart';

const NO_VALUES: readonly number[] = [];

/** Points waiting for their chart to render: appended, or replacing the run's line. */
interface Pending {
  replace: boolean;
  points: MetricPoint[];
}

@customElement('experiment-charts')
export class ExperimentCharts extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;
  @property({ attribute: false }) view: ChartViewSettings = DEFAULT_VIEW;

  /** Numeric record columns beyond the usual ones that some run reported (each gets a chart). */
  @state() private _extras: readonly string[] = [];
  @state() private _logY: Readonly<Record<string, boolean>> = {};

  private readonly controller = new ExperimentController(this, {
    onRecords: (id, records) => this.appendRecords(id, records),
    onHistory: (id, history) => this.replace(id, history),
    onExperiment: (experiment) => this.reload(experiment),
    onRuns: (runs) => this.dropGone(new Set(runs.map((r) => r.config.id))),
  });
  private windows = new Map<string, ClipWindow>();
  private pending = new Map<string, Map<string, Pending[]>>();
  private specCache?: { doc: ExperimentDoc; extras: readonly string[]; specs: ChartSpec[] };

  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr));
      gap: 1rem;
    }
    metric-chart {
      /* Legend numbers change several times a second: keep their layout and paint inside the card. */
      contain: content;
      background: var(--surface);
      border: 1px solid var(--border);
      border-radius: 8px;
      padding: 0.6rem 0.9rem 0.75rem;
      min-width: 0;
    }
  `;

  /** Log y on every chart, or linear on every chart when all were log (the L key). */
  toggleLogY(): void {
    const specs = this.specs();
    const allLog = specs.every((s) => this.isLogY(s));
    this._logY = Object.fromEntries(specs.map((s) => [s.id, !allLog]));
  }

  /** The chart with this id, for tests and downloads. */
  chart(id: string): MetricChart | null {
    return this.renderRoot.querySelector<MetricChart>(`metric-chart#${CSS.escape(id)}`);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('workspace')) this.controller.setWorkspace(this.workspace);
  }

  protected override updated(): void {
    for (const [chartId, byRun] of this.pending) {
      const chart = this.chart(chartId);
      if (!chart) continue;
      for (const [runId, list] of byRun) {
        for (const p of list) {
          if (p.replace) chart.setPoints(runId, p.points);
          else chart.appendPoints(runId, p.points);
        }
      }
      this.pending.delete(chartId);
    }
  }

  override render() {
    const doc = this.controller.experiment?.doc;
    if (!doc) return null;
    const runs: ChartRun[] = doc.runs.map((r) => ({ id: r.id, label: r.label, color: r.color, hidden: r.hidden }));
    const thresholds = clipThresholds(doc.runs);
    return this.specs().map(
      (spec) => html`<metric-chart
        id=${spec.id}
        label=${spec.label}
        .runs=${runs}
        .thresholds=${spec.id === GRAD_NORM_CHART ? thresholds : []}
        .smoothing=${this.view.smoothing}
        .xAxis=${this.view.xAxis}
        ?log-x=${this.view.logX}
        ?log-y=${this.isLogY(spec)}
        ?markers=${spec.sparse ?? false}
        .yIncludes=${spec.yIncludes ?? NO_VALUES}
        @log-y-change=${(e: CustomEvent<{ logY: boolean }>) => (this._logY = { ...this._logY, [spec.id]: e.detail.logY })}
      ></metric-chart>`,
    );
  }

  private isLogY(spec: ChartSpec): boolean {
    return this._logY[spec.id] ?? spec.logY;
  }

  private specs(): ChartSpec[] {
    const doc = this.controller.experiment?.doc;
    if (!doc) return [];
    const cache = this.specCache;
    if (cache && cache.doc === doc && cache.extras === this._extras) return cache.specs;
    const specs = chartSpecs(doc, this._extras);
    this.specCache = { doc, extras: this._extras, specs };
    return specs;
  }

  private windowOf(runId: string): ClipWindow {
    let w = this.windows.get(runId);
    if (!w) this.windows.set(runId, (w = new ClipWindow()));
    return w;
  }

  private noteExtras(record: RunRecord | undefined): void {
    if (!record) return;
    const found = extraColumns(record).filter((c) => !this._extras.includes(c));
    if (found.length > 0) this._extras = [...this._extras, ...found];
  }

  private appendRecords(runId: string, records: readonly RunRecord[]): void {
    this.noteExtras(records.at(-1));
    this.deliver(runId, chartPoints(records, this.specs(), this.windowOf(runId)), false);
  }

  private replace(runId: string, history: RunHistory): void {
    const records = Array.from({ length: history.length }, (_, i) => history.record(i));
    this.noteExtras(records.at(-1));
    this.windows.set(runId, new ClipWindow());
    this.deliver(runId, chartPoints(records, this.specs(), this.windowOf(runId)), true);
  }

  /** Points to their charts now, or once the chart has rendered (after anything already waiting). */
  private deliver(runId: string, points: Map<string, MetricPoint[]>, replace: boolean): void {
    for (const [chartId, list] of points) {
      const chart = this.pending.has(chartId) ? null : this.chart(chartId);
      if (chart) {
        if (replace) chart.setPoints(runId, list);
        else chart.appendPoints(runId, list);
        continue;
      }
      let byRun = this.pending.get(chartId);
      if (!byRun) this.pending.set(chartId, (byRun = new Map()));
      const queue = replace ? [] : (byRun.get(runId) ?? []);
      queue.push({ replace, points: list });
      byRun.set(runId, queue);
      this.requestUpdate();
    }
  }

  private reload(experiment: Experiment | undefined): void {
    this.pending = new Map();
    this.windows = new Map();
    this._extras = [];
    this.specCache = undefined;
    for (const chart of this.renderRoot.querySelectorAll<MetricChart>('metric-chart')) chart.clear();
    for (const run of experiment?.runs() ?? []) {
      const history = experiment!.history(run.config.id);
      if (history && history.length > 0) this.replace(run.config.id, history);
    }
  }

  private dropGone(ids: ReadonlySet<string>): void {
    for (const id of [...this.windows.keys()]) {
      if (ids.has(id)) continue;
      this.windows.delete(id);
      for (const chart of this.renderRoot.querySelectorAll<MetricChart>('metric-chart')) chart.clear(id);
      for (const byRun of this.pending.values()) byRun.delete(id);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'experiment-charts': ExperimentCharts;
  }
}
