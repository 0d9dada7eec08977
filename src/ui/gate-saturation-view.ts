/**
 * <gate-saturation-view>: per sigmoid gate and layer (LSTM i, f, o; GRU r, z), the fraction of
 * its activations above 0.95 (saturated open, solid line) and below 0.05 (saturated shut, dashed)
 * over training, one colour per run. A saturated gate passes almost no gradient. It reads the
 * records' gateSaturation; <diagnostics-panel> turns the diagnostics on while it is shown.
 */
import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { CELLS, type CellKind } from '../model/cells';
import { directionLabel } from './chart/grad-flow';
import { drawStepLines, type StepSeries } from './chart/plot-lines';
import { readChartTheme } from './color-scheme';
import { cssProps } from './css-props';
import { DiagnosticsFeedView } from './diagnostics-feed-view';

const GATE_NAMES: Readonly<Record<string, string>> = { i: 'input', f: 'forget', o: 'output', r: 'reset', z: 'update' };

interface GateChart {
  id: string;
  cell: CellKind;
  gate: string;
  direction: number;
  perLayer: number;
}

@customElement('gate-saturation-view')
export class GateSaturationView extends DiagnosticsFeedView {
  /** Per run, the steps with saturation and the latest fractions (for tests). */
  summary(): { runId: string; steps: number[]; latest?: Record<string, { below: number[]; above: number[] }> }[] {
    return this.runs().map((r) => {
      const steps = this.feed.steps(r.id).filter((s) => s.gateSaturation);
      return { runId: r.id, steps: steps.map((s) => s.step), latest: steps.at(-1)?.gateSaturation };
    });
  }

  override render() {
    const runs = this.runs();
    const plain = runs.filter((r) => !CELLS[r.cell].saturating);
    return html`
      <ul class="runs" aria-label="Runs">
        ${runs.map((r) => html`<li><span class="dot" ${cssProps({ background: r.color })}></span>${r.label}</li>`)}
        <li>solid: above 0.95 (saturated open) · dashed: below 0.05 (saturated shut)</li>
      </ul>
      ${plain.length > 0 ? html`<p class="note">${plain.map((r) => r.label).join(', ')}: a plain RNN has no gates.</p>` : nothing}
      <div class="grid">
        ${this.charts().map((c) => html`<figure>
          <figcaption>${CELLS[c.cell].label} ${GATE_NAMES[c.gate] ?? ''} gate ${c.gate} · ${directionLabel(c.direction, c.perLayer)}</figcaption>
          <canvas class="plot" data-chart=${c.id} role="img"
            aria-label=${`Gate saturation, ${CELLS[c.cell].label} gate ${c.gate}, ${directionLabel(c.direction, c.perLayer)}: fraction of activations above 0.95 (solid) and below 0.05 (dashed) by training step, one line per run`}></canvas>
        </figure>`)}
      </div>
      ${runs.length > plain.length && this.charts().length === 0 ? html`<p class="note">Waiting for the first diagnostic step (the runs must be training).</p>` : nothing}
    `;
  }

  /** One chart per (cell, gate, direction) that some shown run has data for, in first-seen order. */
  private charts(): GateChart[] {
    const out = new Map<string, GateChart>();
    for (const run of this.runs()) {
      const latest = this.feed.steps(run.id).filter((s) => s.gateSaturation).at(-1)?.gateSaturation;
      if (!latest) continue;
      const perLayer = run.bidirectional ? 2 : 1;
      for (const [gate, f] of Object.entries(latest)) {
        for (let d = 0; d < f.above.length; d++) {
          const id = `${run.cell}-${gate}-${directionLabel(d, perLayer)}`;
          if (!out.has(id)) out.set(id, { id, cell: run.cell, gate, direction: d, perLayer });
        }
      }
    }
    return [...out.values()];
  }

  protected override draw(): void {
    if (!this.isConnected) return;
    const theme = readChartTheme(this);
    const charts = new Map(this.charts().map((c) => [c.id, c]));
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.plot')) {
      const chart = charts.get(canvas.dataset.chart ?? '');
      if (!chart) continue;
      const series: StepSeries[] = [];
      for (const run of this.runs()) {
        if (run.cell !== chart.cell) continue;
        const steps = this.feed.steps(run.id).filter((s) => s.gateSaturation?.[chart.gate]);
        const pick = (side: 'below' | 'above') => steps.map((s) => [s.step, s.gateSaturation![chart.gate][side][chart.direction] ?? NaN] as const);
        series.push({ color: run.color, points: pick('above') }, { color: run.color, dashed: true, points: pick('below') });
      }
      drawStepLines(canvas, series, { yTitle: 'fraction', yRange: [0, 1] }, theme);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gate-saturation-view': GateSaturationView;
  }
}
