/**
 * <rnn-playground>: the page around one TrainingSession: controls, a stats line, the legend of
 * runs and the loss and gradient-norm charts. It subscribes through SessionController, pushes
 * step records into the charts, and turns control events into session calls. No GPU code here.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { RunStepMetrics, StepRecord, TrainingSession } from '../experiments/session';
import { SessionController } from './session-controller';
import './run-controls';
import './metric-chart';
import type { MetricChart } from './metric-chart';

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
  /** Runs whose loss went NaN or infinite since the last reset. */
  @state() private _diverged: boolean[] = [];

  @query('#loss') private lossChart?: MetricChart;
  @query('#grad-norm') private gradChart?: MetricChart;

  private readonly sessionController = new SessionController(this, {
    onRecords: (records) => this.pushRecords(records),
    onReset: () => this.clearCharts(),
  });
  /** Records that came before the charts were rendered. */
  private pending: StepRecord[] = [];

  static override styles = css`
    :host {
      display: block;
      max-width: 1400px;
      margin: 0 auto;
      padding: 1rem 1.25rem 2rem;
    }
    header h1 {
      font-size: 1.5rem;
      margin: 0 0 0.25rem;
    }
    header p {
      margin: 0 0 1rem;
      color: #4b5563;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.75rem 1.5rem;
      margin-bottom: 0.75rem;
    }
    .stats {
      font-variant-numeric: tabular-nums;
      color: #374151;
    }
    .status {
      font-weight: 600;
    }
    .alert {
      color: #b91c1c;
      margin: 0 0 0.75rem;
    }
    .legend {
      list-style: none;
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1.5rem;
      margin: 0 0 1rem;
      padding: 0;
    }
    .legend li {
      display: inline-flex;
      align-items: center;
      gap: 0.45rem;
    }
    .swatch {
      width: 0.85rem;
      height: 0.85rem;
      border-radius: 3px;
    }
    .diverged {
      color: #b91c1c;
      font-size: 0.85rem;
      font-weight: 600;
    }
    .charts {
      display: grid;
      /* Two columns only where both chart headings fit on one line, so the plots line up. */
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr));
      gap: 1rem;
    }
    .card {
      background: #fff;
      border: 1px solid #e2e6eb;
      border-radius: 8px;
      padding: 0.75rem 1rem 0.9rem;
      min-width: 0;
    }
    footer {
      margin-top: 1.25rem;
      font-size: 0.8rem;
      color: #6b7280;
    }
  `;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('session')) {
      this.sessionController.setSession(this.session);
      this.pending = [];
      this._diverged = [];
      this._actionError = '';
    }
  }

  protected override firstUpdated(): void {
    const pending = this.pending;
    this.pending = [];
    if (pending.length > 0) this.pushRecords(pending);
  }

  override render() {
    const snap = this.sessionController.snapshot;
    const runs = this.session?.runs ?? [];
    const error = snap.status === 'error' ? snap.error || 'training stopped on an error' : this._actionError;
    return html`
      <header>
        <h1>RNN Playground</h1>
        ${this.description ? html`<p>${this.description}</p>` : null}
      </header>
      <div class="bar">
        <run-controls
          .status=${this.session ? snap.status : 'starting'}
          ?busy=${this._busy}
          @play=${() => this.session?.play()}
          @pause=${() => this.session?.pause()}
          @step=${() => this.runAction((s) => s.step())}
          @reset=${() => this.runAction((s) => s.reset())}
        ></run-controls>
        <span class="stats">
          step <span data-testid="step">${snap.step}</span> · ${snap.stepsPerSecond.toFixed(1)} steps/s ·
          <span class="status" data-testid="status">${snap.status}</span>
        </span>
      </div>
      ${error ? html`<p class="alert" role="alert">${error}</p>` : null}
      <ul class="legend" aria-label="runs">
        ${runs.map(
          (run, r) => html`
            <li>
              <span class="swatch" style="background:${run.color}"></span>
              <span>${run.label}</span>
              ${this._diverged[r] ? html`<span class="diverged">diverged</span>` : null}
            </li>
          `,
        )}
      </ul>
      <div class="charts">
        <metric-chart class="card" id="loss" label="Loss" .runs=${runs}></metric-chart>
        <metric-chart class="card" id="grad-norm" label="Gradient norm (global L2, before clipping)" .runs=${runs}></metric-chart>
      </div>
      ${this.adapter ? html`<footer>GPU adapter: <span data-testid="adapter">${this.adapter}</span></footer>` : null}
    `;
  }

  private pushRecords(records: readonly StepRecord[]): void {
    if (!this.lossChart || !this.gradChart) {
      this.pending.push(...records);
      return;
    }
    const steps = records.map((record) => record.step);
    const column = (r: number, pick: (m: RunStepMetrics) => number) => records.map((record) => pick(record.runs[r]));
    const runCount = this.session?.runs.length ?? 0;
    const runIndices = Array.from({ length: runCount }, (_, r) => r);
    const losses = runIndices.map((r) => column(r, (m) => m.loss));
    this.lossChart.appendRecords(steps, losses);
    this.gradChart.appendRecords(steps, runIndices.map((r) => column(r, (m) => m.gradNorm)));
    if (losses.some((values, r) => !this._diverged[r] && values.some((v) => !Number.isFinite(v)))) {
      this._diverged = losses.map((values, r) => this._diverged[r] || values.some((v) => !Number.isFinite(v)));
    }
  }

  private clearCharts(): void {
    this.pending = [];
    this._diverged = [];
    this.lossChart?.clear();
    this.gradChart?.clear();
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
}

declare global {
  interface HTMLElementTagNameMap {
    'rnn-playground': RnnPlayground;
  }
}
