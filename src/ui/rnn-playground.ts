/**
 * <rnn-playground>: the page around one TrainingSession: controls with a step budget, a stats
 * row per run, the shared chart settings, and charts of loss, gradient norm (with clip
 * thresholds), learning rate and per-layer gradient norms; keyboard shortcuts and their help.
 * It subscribes through SessionController, stamps and pushes step records into the charts, and
 * turns control events and keys into session calls. No GPU code here.
 */
import { LitElement, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { SessionSnapshot, StepRecord, TrainingSession } from '../experiments/session';
import { GroupSession } from '../experiments/group-session';
import type { ChartRun, ChartThreshold } from './chart/chart-run';
import { DEFAULT_VIEW, clampSmoothing, type ChartViewSettings } from './chart-settings';
import type { MetricChart, RunToggleDetail } from './metric-chart';
import { GRAD_NORM_CHART, chartSpecs, clipThresholds, firstNonFiniteLoss, runPoints, type ChartSpec } from './playground-charts';
import { playgroundStyles } from './rnn-playground-styles';
import type { BudgetChangeDetail } from './run-controls';
import type { RunState, RunStatsRow } from './run-stats';
import { SessionController } from './session-controller';
import type { ShortcutHelp } from './shortcut-help';
import { keyTargetOf, shortcutFor, type ShortcutAction } from './shortcuts';
import { TrainingClock } from './training-clock';
import './chart-settings';
import './metric-chart';
import './run-controls';
import './run-stats';
import './shortcut-help';

@customElement('rnn-playground')
export class RnnPlayground extends LitElement {
  @property({ attribute: false }) session?: TrainingSession;
  /** One line saying what the experiment is. */
  @property() description = '';
  /** The GPU adapter in words, shown small at the bottom. */
  @property() adapter = '';

  /** A Step or Reset is running. */
  @state() private _busy = false;
  /** Why the last Step or Reset failed, if it did. */
  @state() private _actionError = '';
  @state() private _view: ChartViewSettings = DEFAULT_VIEW;
  @state() private _hidden: ReadonlySet<string> = new Set();
  @state() private _logY: Readonly<Record<string, boolean>> = {};
  /** Pause when training reaches this step; 0 = none. */
  @state() private _budget = 0;
  /** Each run's latest finite loss, and the step of its first non-finite one. */
  @state() private _loss: ReadonlyMap<string, number> = new Map();
  @state() private _diverged: ReadonlyMap<string, number> = new Map();

  @query('shortcut-help') private help?: ShortcutHelp;

  private readonly sessionController = new SessionController(this, {
    onRecords: (records) => this.pushRecords(records),
    onStatus: (snapshot) => this.onStatus(snapshot),
    onReset: () => this.clearCharts(),
  });
  private readonly clock = new TrainingClock();
  private specs: ChartSpec[] = [];
  private chartRuns: ChartRun[] = [];
  private thresholds: ChartThreshold[] = [];
  /** Records (with their times) that came before the charts were rendered. */
  private pending: { records: readonly StepRecord[]; times: number[] }[] = [];
  private lastStep = 0;
  /** A Step is training: the clock runs though the session says paused. */
  private stepping = false;

  static override styles = playgroundStyles;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeyDown);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('session')) {
      this.sessionController.setSession(this.session);
      const session = this.session;
      this.specs = chartSpecs(session?.layerNames ?? []);
      this._logY = Object.fromEntries(this.specs.map((spec) => [spec.id, spec.logY]));
      this.thresholds = session instanceof GroupSession ? clipThresholds(session.spec.runs) : [];
      this.pending = [];
      this._loss = new Map();
      this._diverged = new Map();
      this._actionError = '';
      this.clock.reset();
      this.clock.stop();
      if (session?.snapshot().status === 'playing') this.clock.start();
    }
    if (changed.has('session') || changed.has('_hidden')) {
      this.chartRuns = (this.session?.runs ?? []).map((run) => ({ ...run, hidden: this._hidden.has(run.id) }));
    }
  }

  protected override updated(): void {
    if (this.pending.length === 0 || !this.chart(this.specs[0]?.id)) return;
    const pending = this.pending;
    this.pending = [];
    for (const { records, times } of pending) this.appendToCharts(records, times);
  }

  override render() {
    const snap = this.sessionController.snapshot;
    const error = snap.status === 'error' ? snap.error || 'training stopped on an error' : this._actionError;
    return html`
      <header>
        <div>
          <h1>RNN Playground</h1>
          ${this.description ? html`<p>${this.description}</p>` : null}
        </div>
        <button type="button" class="help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => this.help?.show()}>
          Shortcuts <kbd aria-hidden="true">?</kbd>
        </button>
      </header>
      <section class="panel" aria-label="Training">
        <run-controls
          .status=${this.session ? snap.status : 'starting'}
          .step=${snap.step}
          .budget=${this._budget}
          .stepsPerSecond=${snap.stepsPerSecond}
          ?busy=${this._busy}
          @play=${() => this.session?.play()}
          @pause=${() => this.session?.pause()}
          @step=${() => this.step()}
          @reset=${() => this.reset()}
          @budget-change=${(e: CustomEvent<BudgetChangeDetail>) => (this._budget = e.detail.budget)}
        ></run-controls>
        ${error ? html`<p class="alert" role="alert">${error}</p>` : null}
        <run-stats .rows=${this.statsRows(snap)}></run-stats>
      </section>
      <chart-settings class="view" .settings=${this._view}
        @settings-change=${(e: CustomEvent<ChartViewSettings>) => (this._view = e.detail)}></chart-settings>
      <div class="charts" @run-toggle=${this.onRunToggle}>${this.specs.map((spec) => this.renderChart(spec))}</div>
      ${this.adapter ? html`<footer>GPU adapter: <span data-testid="adapter">${this.adapter}</span></footer>` : null}
      <shortcut-help></shortcut-help>
    `;
  }

  private renderChart(spec: ChartSpec) {
    return html`<metric-chart
      class="card"
      id=${spec.id}
      label=${spec.label}
      .runs=${this.chartRuns}
      .thresholds=${spec.id === GRAD_NORM_CHART ? this.thresholds : []}
      .smoothing=${this._view.smoothing}
      .xAxis=${this._view.xAxis}
      ?log-x=${this._view.logX}
      ?log-y=${this._logY[spec.id] ?? false}
      @log-y-change=${(e: CustomEvent<{ logY: boolean }>) => (this._logY = { ...this._logY, [spec.id]: e.detail.logY })}
    ></metric-chart>`;
  }

  private statsRows(snap: SessionSnapshot): RunStatsRow[] {
    const base: Exclude<RunState['kind'], 'diverged'> =
      snap.status === 'playing' ? 'training'
      : snap.status === 'paused' ? (this._budget > 0 && snap.step >= this._budget ? 'done' : 'paused')
      : snap.status;
    return (this.session?.runs ?? []).map((run) => {
      const diverged = this._diverged.get(run.id);
      return {
        ...run,
        step: snap.step,
        stepsPerSecond: snap.stepsPerSecond,
        loss: this._loss.get(run.id),
        state: diverged !== undefined ? { kind: 'diverged', step: diverged } : { kind: base },
      };
    });
  }

  private chart(id: string | undefined): MetricChart | null {
    return id ? this.renderRoot.querySelector<MetricChart>(`metric-chart#${id}`) : null;
  }

  private pushRecords(records: readonly StepRecord[]): void {
    if (records.length === 0) return;
    const times = this.clock.stamp(records.map((record) => record.step));
    if (this.chart(this.specs[0]?.id)) this.appendToCharts(records, times);
    else this.pending.push({ records, times });
    const runIds = (this.session?.runs ?? []).map((run) => run.id);
    const loss = new Map(this._loss);
    for (const record of records) {
      record.runs.forEach((m, r) => {
        if (Number.isFinite(m.loss) && runIds[r] !== undefined) loss.set(runIds[r], m.loss);
      });
    }
    this._loss = loss;
    const diverged = firstNonFiniteLoss(records, runIds, this._diverged);
    if (diverged.size !== this._diverged.size) this._diverged = diverged;
  }

  private appendToCharts(records: readonly StepRecord[], times: number[]): void {
    const runs = this.session?.runs ?? [];
    for (const spec of this.specs) {
      const chart = this.chart(spec.id);
      if (!chart) continue;
      runs.forEach((run, r) => chart.appendPoints(run.id, runPoints(records, times, r, spec)));
    }
  }

  private clearCharts(): void {
    this.pending = [];
    this._loss = new Map();
    this._diverged = new Map();
    this.lastStep = 0;
    this.clock.reset();
    for (const spec of this.specs) this.chart(spec.id)?.clear();
  }

  private onStatus(snapshot: SessionSnapshot): void {
    if (snapshot.status === 'playing') this.clock.start();
    else if (!this.stepping) this.clock.stop();
    // The budget pauses training once, when the step count crosses it; Play goes on past it.
    if (snapshot.status === 'playing' && this._budget > 0 && this.lastStep < this._budget && snapshot.step >= this._budget) {
      this.session?.pause();
    }
    this.lastStep = snapshot.step;
  }

  private onRunToggle(event: CustomEvent<RunToggleDetail>): void {
    const hidden = new Set(this._hidden);
    if (event.detail.hidden) hidden.add(event.detail.runId);
    else hidden.delete(event.detail.runId);
    this._hidden = hidden;
  }

  private step(): Promise<void> {
    return this.runAction(async (session) => {
      this.stepping = true;
      this.clock.start();
      try {
        await session.step();
      } finally {
        this.stepping = false;
        this.clock.stop();
      }
    });
  }

  /** Back to step 0; training goes on if it was playing (the Reset button says so). */
  private reset(): Promise<void> {
    return this.runAction(async (session) => {
      const wasPlaying = session.snapshot().status === 'playing';
      await session.reset();
      if (wasPlaying) session.play();
    });
  }

  /** Step and Reset: one at a time, failures shown on the page. */
  private async runAction(action: (session: TrainingSession) => Promise<void>): Promise<void> {
    if (!this.session || this._busy) return;
    this._busy = true;
    this._actionError = '';
    try {
      await action(this.session);
    } catch (e) {
      this._actionError = e instanceof Error ? e.message : String(e);
    } finally {
      this._busy = false;
    }
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || this.help?.open) return;
    const target = event.composedPath()[0];
    const element = target instanceof HTMLElement ? target : undefined;
    const action = shortcutFor({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      target: keyTargetOf(element && { tagName: element.tagName, type: (element as HTMLInputElement).type, isContentEditable: element.isContentEditable, role: element.getAttribute('role') }),
    });
    if (!action || (event.repeat && action !== 'step' && !action.startsWith('smoothing'))) return;
    event.preventDefault();
    this.perform(action);
  };

  private perform(action: ShortcutAction): void {
    const status = this.sessionController.snapshot.status;
    switch (action) {
      case 'toggle-play':
        if (this._busy) return;
        if (status === 'playing') this.session?.pause();
        else this.session?.play();
        return;
      case 'step':
        if (status === 'paused') void this.step();
        return;
      case 'reset':
        if (status === 'playing' || status === 'paused') void this.reset();
        return;
      case 'log-y': {
        const allLog = this.specs.every((spec) => this._logY[spec.id]);
        this._logY = Object.fromEntries(this.specs.map((spec) => [spec.id, !allLog]));
        return;
      }
      case 'x-axis':
        this._view = { ...this._view, xAxis: this._view.xAxis === 'step' ? 'time' : 'step' };
        return;
      case 'smoothing-down':
      case 'smoothing-up':
        this._view = { ...this._view, smoothing: clampSmoothing(this._view.smoothing + (action === 'smoothing-up' ? 0.1 : -0.1)) };
        return;
      case 'help':
        this.help?.show();
        return;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rnn-playground': RnnPlayground;
  }
}
