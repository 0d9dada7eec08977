/**
 * <spectral-norm-view>: per layer, the spectral norm (largest singular value) of weight_hh, the
 * whole [G*H, H] matrix, over training, one line per run, with a dotted line at 1: far above 1
 * the recurrence can blow gradients up, far below it shrinks them. It reads the records'
 * spectralNorm; <diagnostics-panel> turns the diagnostics on while it is shown.
 */
import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { directionLabel } from './chart/grad-flow';
import { drawStepLines, type StepSeries } from './chart/plot-lines';
import { readChartTheme } from './color-scheme';
import { cssProps } from './css-props';
import { DiagnosticsFeedView } from './diagnostics-feed-view';

@customElement('spectral-norm-view')
export class SpectralNormView extends DiagnosticsFeedView {
  /** Per run, the steps with spectral norms and the latest ones (for tests). */
  summary(): { runId: string; steps: number[]; latest?: number[] }[] {
    return this.runs().map((r) => {
      const steps = this.feed.steps(r.id).filter((s) => s.spectralNorm);
      return { runId: r.id, steps: steps.map((s) => s.step), latest: steps.at(-1)?.spectralNorm };
    });
  }

  override render() {
    const runs = this.runs();
    const layers = this.layers();
    return html`
      <ul class="runs" aria-label="Runs">
        ${runs.map((r) => html`<li><span class="dot" ${cssProps({ background: r.color })}></span>${r.label}</li>`)}
        <li>dotted: 1</li>
      </ul>
      <div class="grid">
        ${layers.map((label) => html`<figure>
          <figcaption>||weight_hh||₂ · ${label}</figcaption>
          <canvas class="plot" data-layer=${label} role="img"
            aria-label=${`Spectral norm of weight_hh, ${label}, by training step, one line per run`}></canvas>
        </figure>`)}
      </div>
      ${layers.length === 0 ? html`<p class="note">Waiting for the first diagnostic step (the runs must be training).</p>` : nothing}
    `;
  }

  /** Direction labels some shown run has norms for, in first-seen order. */
  private layers(): string[] {
    const labels: string[] = [];
    for (const run of this.runs()) {
      const n = this.feed.steps(run.id).filter((s) => s.spectralNorm).at(-1)?.spectralNorm?.length ?? 0;
      for (let d = 0; d < n; d++) {
        const label = directionLabel(d, run.bidirectional ? 2 : 1);
        if (!labels.includes(label)) labels.push(label);
      }
    }
    return labels;
  }

  protected override draw(): void {
    if (!this.isConnected) return;
    const theme = readChartTheme(this);
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.plot')) {
      const series: StepSeries[] = [];
      for (const run of this.runs()) {
        const perLayer = run.bidirectional ? 2 : 1;
        const steps = this.feed.steps(run.id).filter((s) => s.spectralNorm);
        const d = Array.from({ length: steps.at(-1)?.spectralNorm?.length ?? 0 }, (_, k) => k).find((k) => directionLabel(k, perLayer) === canvas.dataset.layer);
        if (d === undefined) continue;
        series.push({ color: run.color, points: steps.map((s) => [s.step, s.spectralNorm![d] ?? NaN] as const) });
      }
      drawStepLines(canvas, series, { yTitle: 'largest singular value', marks: [1] }, theme);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'spectral-norm-view': SpectralNormView;
  }
}
