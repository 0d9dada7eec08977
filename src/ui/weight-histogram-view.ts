/**
 * <weight-histogram-view>: the histograms of one parameter tensor's weights and gradients (chosen
 * in a list), one outline per run overlaid, at a diagnostic step chosen with a slider (the latest
 * unless moved): how the weights spread and the gradients shrink or grow over training. Each
 * run's bins span its own [-max|x|, max|x|]; the axis spans the widest. It reads the records'
 * histograms; <diagnostics-panel> turns the diagnostics on while it is shown.
 */
import { css, html, nothing, type CSSResultGroup } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { drawHistograms, type HistogramSeries } from './chart/plot-lines';
import { readChartTheme } from './color-scheme';
import { cssProps } from './css-props';
import type { DiagnosedStep } from './diagnostics-feed';
import { DiagnosticsFeedView } from './diagnostics-feed-view';
import { diagnosticsViewStyles } from './diagnostics-styles';

@customElement('weight-histogram-view')
export class WeightHistogramView extends DiagnosticsFeedView {
  /** The tensor shown ('' : the first). */
  @state() private _tensor = '';
  /** Index into the diagnostic steps; undefined follows the latest. */
  @state() private _at?: number;

  static override styles: CSSResultGroup = [
    diagnosticsViewStyles,
    css`
      .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; font-size: 0.875rem; margin-top: 0.5rem; }
      select { font: inherit; padding: 0.15rem 0.3rem; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--surface); color: var(--text); }
      input[type='range'] { width: min(20rem, 60vw); }
    `,
  ];

  /** Per run, the steps with histograms and the tensor names of the latest (for tests). */
  summary(): { runId: string; steps: number[]; latest?: string[] }[] {
    return this.runs().map((r) => {
      const steps = this.stepsOf(r.id);
      return { runId: r.id, steps: steps.map((s) => s.step), latest: steps.at(-1)?.histograms?.map((t) => t.name) };
    });
  }

  override render() {
    const runs = this.runs();
    const steps = this.timeline();
    const names = this.tensorNames();
    const tensor = this.tensor(names);
    const at = this.stepIndex(steps);
    const step = steps[at];
    return html`
      <ul class="runs" aria-label="Runs">
        ${runs.map((r) => html`<li><span class="dot" ${cssProps({ background: r.color })}></span>${r.label}</li>`)}
      </ul>
      ${names.length === 0 ? html`<p class="note">Waiting for the first diagnostic step (the runs must be training).</p>` : html`
        <div class="row">
          <label>Tensor <select aria-label="Tensor" @change=${(e: Event) => (this._tensor = (e.target as HTMLSelectElement).value)}>
            ${names.map((n) => html`<option value=${n} ?selected=${n === tensor}>${n}</option>`)}
          </select></label>
          <label>Training step <input type="range" aria-label="Training step" min="0" max=${Math.max(0, steps.length - 1)} .value=${String(at)}
            @input=${this.onStep}></label>
          <span>step ${step ?? '–'}${this._at === undefined ? ' (latest)' : nothing}</span>
          ${this._at !== undefined ? html`<button type="button" @click=${() => (this._at = undefined)}>Follow the latest</button>` : nothing}
        </div>
        <div class="grid">
          ${(['weight', 'grad'] as const).map((kind) => html`<figure>
            <figcaption>${tensor} · ${kind === 'weight' ? 'weights' : 'gradients'}</figcaption>
            <canvas class="plot" data-kind=${kind} role="img"
              aria-label=${`Histogram of ${tensor} ${kind === 'weight' ? 'weights' : 'gradients'} at training step ${step}, one outline per run`}></canvas>
          </figure>`)}
        </div>`}
    `;
  }

  private onStep(event: Event): void {
    const steps = this.timeline();
    const i = Number((event.target as HTMLInputElement).value);
    this._at = i >= steps.length - 1 ? undefined : i;
  }

  private stepsOf(runId: string): DiagnosedStep[] {
    return this.feed.steps(runId).filter((s) => s.histograms);
  }

  /** Every diagnostic step any shown run has histograms at, in order. */
  private timeline(): number[] {
    const all = new Set<number>();
    for (const r of this.runs()) for (const s of this.stepsOf(r.id)) all.add(s.step);
    return [...all].sort((a, b) => a - b);
  }

  private stepIndex(steps: readonly number[]): number {
    return this._at === undefined ? steps.length - 1 : Math.min(this._at, steps.length - 1);
  }

  private tensorNames(): string[] {
    const names: string[] = [];
    for (const r of this.runs()) for (const t of this.stepsOf(r.id).at(-1)?.histograms ?? []) if (!names.includes(t.name)) names.push(t.name);
    return names;
  }

  private tensor(names: readonly string[]): string {
    return names.includes(this._tensor) ? this._tensor : (names[0] ?? '');
  }

  protected override draw(): void {
    if (!this.isConnected) return;
    const theme = readChartTheme(this);
    const steps = this.timeline();
    const step = steps[this.stepIndex(steps)];
    const tensor = this.tensor(this.tensorNames());
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.plot')) {
      const kind = canvas.dataset.kind as 'weight' | 'grad';
      const series: HistogramSeries[] = [];
      for (const run of this.runs()) {
        // The run's histograms at the chosen step, or the last it has before it.
        const entry = this.stepsOf(run.id).filter((s) => s.step <= step).at(-1);
        const t = entry?.histograms?.find((x) => x.name === tensor);
        if (t) series.push({ color: run.color, max: t[kind].max, counts: t[kind].counts });
      }
      drawHistograms(canvas, series, kind === 'weight' ? 'weight value' : 'gradient value', theme);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'weight-histogram-view': WeightHistogramView;
  }
}
