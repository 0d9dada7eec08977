/**
 * <sample-panel>: text from a character model as it trains: the run to draw from, a temperature
 * slider (0.1 to 2), a length and a Sample button; the text is drawn on the CPU from the run's
 * current weights (src/ui/sampling.ts, the runner's `--sample` code) and shown as plain text.
 * The page shows it for charlm experiments only.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Experiment } from '../experiments/experiment';
import { controlStyles } from './control-styles';
import { SAMPLE_LENGTH, SAMPLE_TEMPERATURE, sampleFromRun } from './sampling';

@customElement('sample-panel')
export class SamplePanel extends LitElement {
  @property({ attribute: false }) experiment?: Experiment;

  @state() private _runId = '';
  @state() private _temperature: number = SAMPLE_TEMPERATURE.initial;
  @state() private _length: number = SAMPLE_LENGTH.initial;
  @state() private _busy = false;
  @state() private _text = '';
  @state() private _caption = '';
  @state() private _error = '';
  /** Draws so far per run: each press draws new text. */
  private draws = new Map<string, number>();

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        border: 1px solid var(--border);
        border-radius: 8px;
        background: var(--surface);
        padding: 0.6rem 0.8rem;
        margin-top: 0.75rem;
      }
      h2 {
        font-size: 0.95rem;
        margin: 0 0 0.5rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        font-size: 0.85rem;
      }
      label {
        display: inline-flex;
        gap: 0.35rem;
        align-items: center;
      }
      input[type='number'] {
        width: 5.5rem;
      }
      output {
        font-variant-numeric: tabular-nums;
        min-width: 2.5rem;
      }
      pre {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-height: 16rem;
        overflow: auto;
        margin: 0.6rem 0 0;
        padding: 0.5rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        font-size: 0.8rem;
      }
      .caption {
        margin: 0.4rem 0 0;
        font-size: 0.8rem;
        color: var(--text-muted);
      }
      .alert {
        margin: 0.4rem 0 0;
        font-size: 0.85rem;
        color: var(--danger, #c62828);
      }
    `,
  ];

  override willUpdate(): void {
    const runs = this.experiment?.doc.runs ?? [];
    if (!runs.some((r) => r.id === this._runId)) this._runId = runs[0]?.id ?? '';
  }

  override render() {
    const runs = this.experiment?.doc.runs ?? [];
    const t = SAMPLE_TEMPERATURE;
    const l = SAMPLE_LENGTH;
    return html`
      <section aria-label="Sample text">
        <h2>Sample text from the model</h2>
        <div class="row">
          <label>Run
            <select aria-label="Run to sample from" .value=${this._runId} @change=${(e: Event) => (this._runId = (e.target as HTMLSelectElement).value)}>
              ${runs.map((r) => html`<option value=${r.id} ?selected=${r.id === this._runId}>${r.label}</option>`)}
            </select></label>
          <label>Temperature
            <input type="range" aria-label="Sampling temperature" min=${t.min} max=${t.max} step=${t.step} .value=${String(this._temperature)}
              @input=${(e: Event) => (this._temperature = Number((e.target as HTMLInputElement).value))} />
            <output aria-hidden="true">${this._temperature.toFixed(2)}</output></label>
          <label>Length
            <input type="number" aria-label="Sample length (characters)" min=${l.min} max=${l.max} step="1" .value=${String(this._length)}
              @change=${(e: Event) => (this._length = Number((e.target as HTMLInputElement).value))} /></label>
          <button type="button" class="primary" aria-disabled=${this._busy ? 'true' : 'false'} @click=${() => this.sample()}>Sample</button>
        </div>
        ${this._error ? html`<p class="alert" role="alert">${this._error}</p>` : nothing}
        ${this._text ? html`<pre aria-label="Sampled text" data-testid="sample-text">${this._text}</pre><p class="caption">${this._caption}</p>` : nothing}
      </section>
    `;
  }

  private async sample(): Promise<void> {
    const experiment = this.experiment;
    if (!experiment || this._busy) return;
    this._busy = true;
    const runId = this._runId;
    const draw = this.draws.get(runId) ?? 0;
    try {
      const result = await sampleFromRun(experiment, { runId, temperature: this._temperature, length: this._length, draw });
      if ('error' in result) {
        this._error = result.error;
        return;
      }
      this.draws.set(runId, draw + 1);
      this._error = '';
      this._text = result.text;
      const label = experiment.doc.runs.find((r) => r.id === runId)?.label ?? runId;
      this._caption = `${result.text.length} characters from "${label}" at step ${result.step}, temperature ${this._temperature.toFixed(2)}, seed ${result.seed}`;
    } finally {
      this._busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sample-panel': SamplePanel;
  }
}
