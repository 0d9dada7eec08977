/**
 * <diagnostics-panel>: the page's "Diagnostics" section: gradient flow, gate saturation, spectral
 * norms, weight and gradient histograms, and a validation example's hidden state and prediction. Each view opens and closes as a <details>; while any is open the experiment computes its diagnostics every N steps
 * (Experiment.setDiagnosticsEvery), and when all are closed it is set back to 0, so hidden views
 * cost no dispatch. An experiment opened later gets the same setting.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Experiment } from '../experiments/experiment';
import { controlStyles } from './control-styles';
import { ExperimentController } from './experiment-controller';
import { messageOf, type Workspace } from './workspace';
import './gate-saturation-view';
import './gradient-flow-view';
import './spectral-norm-view';
import './validation-example-view';
import './weight-histogram-view';

/** The views, in page order: the key, the summary's text, and the view's element. */
const VIEWS = [
  { key: 'gradient-flow', title: 'Gradient flow through time', view: (ws?: Workspace) => html`<gradient-flow-view .workspace=${ws}></gradient-flow-view>` },
  { key: 'gate-saturation', title: 'Gate saturation (LSTM, GRU)', view: (ws?: Workspace) => html`<gate-saturation-view .workspace=${ws}></gate-saturation-view>` },
  { key: 'spectral-norm', title: 'Spectral norm of the recurrent weights', view: (ws?: Workspace) => html`<spectral-norm-view .workspace=${ws}></spectral-norm-view>` },
  { key: 'histograms', title: 'Weight and gradient histograms', view: (ws?: Workspace) => html`<weight-histogram-view .workspace=${ws}></weight-histogram-view>` },
  { key: 'example', title: 'Hidden state and prediction on a validation example', view: (ws?: Workspace) => html`<validation-example-view .workspace=${ws}></validation-example-view>` },
] as const;

/** Steps between diagnostics while a view is open, unless the user picks another interval. */
export const DEFAULT_DIAGNOSTICS_EVERY = 10;
const MAX_EVERY = 1_000_000;

@customElement('diagnostics-panel')
export class DiagnosticsPanel extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;

  /** Keys of the open views. */
  @state() private _open: ReadonlySet<string> = new Set();
  @state() private _every = DEFAULT_DIAGNOSTICS_EVERY;
  @state() private _issue = '';

  private readonly controller = new ExperimentController(this, {
    onExperiment: (experiment) => void this.apply(experiment),
  });

  static override styles = [
    controlStyles,
    css`
      :host { display: block; }
      section { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 0.6rem 0.9rem 0.75rem; }
      h2 { font-size: 1.05rem; margin: 0 0 0.4rem; }
      .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; font-size: 0.875rem; color: var(--text-muted); }
      input { width: 6rem; font: inherit; padding: 0.15rem 0.3rem; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--surface); color: var(--text); }
      details { border-top: 1px solid var(--border); margin-top: 0.6rem; padding-top: 0.5rem; }
      summary { cursor: pointer; font-weight: 600; }
      .alert { color: var(--danger); font-weight: 600; margin: 0.4rem 0 0; }
    `,
  ];

  /** The interval now asked of the experiment: 0 while every view is closed. */
  get diagnosticsEvery(): number {
    return this._open.size > 0 ? this._every : 0;
  }

  protected override willUpdate(): void {
    this.controller.setWorkspace(this.workspace);
  }

  override render() {
    return html`<section aria-labelledby="diagnostics-title">
      <h2 id="diagnostics-title">Diagnostics</h2>
      <div class="row">
        <label>Compute every <input type="number" min="1" max=${MAX_EVERY} step="1" .value=${String(this._every)}
          aria-label="Diagnostics interval (training steps)" @change=${this.onEvery}> steps while a view is open</label>
        <span>Closed views cost nothing.</span>
      </div>
      ${this._issue ? html`<p class="alert" role="alert">${this._issue}</p>` : nothing}
      ${VIEWS.map((v) => html`<details data-view=${v.key} ?open=${this._open.has(v.key)} @toggle=${this.onToggle}>
        <summary>${v.title}</summary>
        ${this._open.has(v.key) ? v.view(this.workspace) : nothing}
      </details>`)}
    </section>`;
  }

  private onToggle(event: Event): void {
    const details = event.target as HTMLDetailsElement;
    const key = details.dataset.view!;
    if (details.open === this._open.has(key)) return;
    const open = new Set(this._open);
    if (details.open) open.add(key);
    else open.delete(key);
    const before = this.diagnosticsEvery;
    this._open = open;
    if (this.diagnosticsEvery !== before) void this.apply(this.controller.experiment);
  }

  private onEvery(event: Event): void {
    const input = event.target as HTMLInputElement;
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < 1 || value > MAX_EVERY) {
      this._issue = `Diagnostics interval: a whole number of steps from 1 to ${MAX_EVERY}, got "${input.value}"`;
      return;
    }
    this._every = value;
    this._issue = '';
    void this.apply(this.controller.experiment);
  }

  private async apply(experiment: Experiment | undefined): Promise<void> {
    if (!experiment) return;
    try {
      const issues = await experiment.setDiagnosticsEvery(this.diagnosticsEvery);
      this._issue = issues.map((i) => i.message).join('; ');
    } catch (e) {
      this._issue = `diagnostics could not be switched: ${messageOf(e)}`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'diagnostics-panel': DiagnosticsPanel;
  }
}
