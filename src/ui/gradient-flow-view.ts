/**
 * <gradient-flow-view>: the picture of vanishing and exploding gradients. Per run and layer, a
 * heatmap of ||dLoss/dh_t|| (timestep up, training step along, one log colour scale for all, with
 * its legend), and per layer the latest diagnostic step as a line per run. It reads the records'
 * gradThroughTime; whoever shows it turns the diagnostics on (<diagnostics-panel>).
 */
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Experiment } from '../experiments/experiment';
import type { RunHistory, RunRecord } from '../experiments/history';
import { RunFlow, directionLabel, sharedScale } from './chart/grad-flow';
import { formatRound } from './chart/axis-ticks';
import { drawColorLegend, drawHeatmap, drawLogLines, type PlotLine } from './chart/plot-canvas';
import { CanvasView } from './canvas-view';
import { readChartTheme } from './color-scheme';
import { cssProps } from './css-props';
import { ExperimentController } from './experiment-controller';

/** Most heatmap columns drawn (about one per 2 CSS px of a 600 px card). */
const MAX_COLUMNS = 300;

interface ShownRun {
  id: string;
  label: string;
  color: string;
  perLayer: number;
  flow: RunFlow;
}

@customElement('gradient-flow-view')
export class GradientFlowView extends CanvasView {
  /** Bumped when data arrive, so the template (labels, canvases) follows. */
  @state() private _revision = 0;

  private flows = new Map<string, RunFlow>();
  private readonly controller = new ExperimentController(this, {
    onRecords: (id, records) => this.takeRecords(id, records),
    onHistory: (id, history) => this.takeHistory(id, history),
    onExperiment: (experiment) => this.reload(experiment),
    onRuns: (runs) => {
      const ids = new Set(runs.map((r) => r.config.id));
      for (const id of [...this.flows.keys()]) if (!ids.has(id)) this.flows.delete(id);
    },
  });
  static override styles = css`
    :host { display: block; }
    .legend { display: grid; grid-template-columns: auto minmax(0, 32rem); justify-content: start; gap: 0.75rem; align-items: center; font-size: 0.85rem; }
    .legend canvas { height: 34px; width: 100%; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 0.75rem; margin-top: 0.6rem; }
    figure { margin: 0; min-width: 0; }
    figcaption { font-size: 0.85rem; font-weight: 600; display: flex; align-items: center; gap: 0.4rem; }
    .dot { width: 0.7rem; height: 0.7rem; border-radius: 50%; flex: none; }
    canvas.plot { display: block; width: 100%; height: 180px; margin-top: 0.25rem; }
    .note { color: var(--text-muted); font-size: 0.85rem; margin: 0.4rem 0 0; }
  `;

  /** Per run: its diagnostic steps and the latest norms [direction][t] (for tests). */
  summary(): { runId: string; steps: number[]; latest?: number[][] }[] {
    return [...this.flows].map(([runId, f]) => ({ runId, steps: f.steps.map((s) => s.step), latest: f.latest?.norms.map((r) => [...r]) }));
  }

  protected override willUpdate(): void {
    this.controller.setWorkspace(this.workspace);
  }

  override render() {
    const runs = this.shownRuns();
    const { scale, nonFinite } = sharedScale(runs.map((r) => r.flow));
    const layers = this.layerLabels(runs);
    return html`
      <div class="legend">
        <span>‖dLoss/dh<sub>t</sub>‖, log colour scale</span>
        <canvas class="color-legend" role="img"
          aria-label=${scale ? `Colour legend: dark purple ${formatRound(scale.min)} to yellow ${formatRound(scale.max)}, log scale${nonFinite ? '; magenta: not finite' : ''}` : 'Colour legend: no values yet'}></canvas>
      </div>
      ${runs.length === 0 ? html`<p class="note">No run shown yet (runs hidden from the charts are left out here too).</p>` : nothing}
      <div class="grid">
        ${runs.flatMap((run) => this.directionsOf(run).map((d) => html`<figure>
          <figcaption><span class="dot" ${cssProps({ background: run.color })}></span>${run.label} · ${directionLabel(d, run.perLayer)}</figcaption>
          <canvas class="plot heat" data-run=${run.id} data-direction=${d} role="img"
            aria-label=${this.heatLabel(run, d)}></canvas>
        </figure>`))}
        ${layers.map((label) => html`<figure>
          <figcaption>Latest diagnostic step · ${label}</figcaption>
          <canvas class="plot latest" data-layer=${label} role="img"
            aria-label=${`Gradient norm by timestep at each run's latest diagnostic step, ${label}, log scale`}></canvas>
        </figure>`)}
      </div>
      ${runs.length > 0 && runs.every((r) => r.flow.steps.length === 0) ? html`<p class="note">Waiting for the first diagnostic step (the runs must be training).</p>` : nothing}
    `;
  }

  private heatLabel(run: ShownRun, d: number): string {
    const steps = run.flow.steps;
    const range = steps.length > 0 ? `training steps ${steps[0].step} to ${steps.at(-1)!.step}` : 'no diagnostic step yet';
    return `Gradient flow, ${run.label}, ${directionLabel(d, run.perLayer)}: ||dLoss/dh_t|| by timestep and training step (${range})`;
  }

  private shownRuns(): ShownRun[] {
    const doc = this.controller.experiment?.doc;
    if (!doc) return [];
    return doc.runs
      .filter((r) => !r.hidden)
      .map((r) => ({ id: r.id, label: r.label, color: r.color, perLayer: r.bidirectional ? 2 : 1, flow: this.flowOf(r.id) }));
  }

  private directionsOf(run: ShownRun): number[] {
    const doc = this.controller.experiment?.doc.runs.find((r) => r.id === run.id);
    const n = run.flow.directions || (doc ? doc.numLayers * run.perLayer : 0);
    return Array.from({ length: n }, (_, d) => d);
  }

  private layerLabels(runs: readonly ShownRun[]): string[] {
    const labels: string[] = [];
    for (const run of runs) for (const d of this.directionsOf(run)) {
      const label = directionLabel(d, run.perLayer);
      if (!labels.includes(label)) labels.push(label);
    }
    return labels;
  }

  private flowOf(id: string): RunFlow {
    let f = this.flows.get(id);
    if (!f) this.flows.set(id, (f = new RunFlow()));
    return f;
  }

  private takeRecords(id: string, records: readonly RunRecord[]): void {
    let added = false;
    for (const r of records) {
      if (!r.gradThroughTime) continue;
      this.flowOf(id).add({ step: r.step, norms: r.gradThroughTime });
      added = true;
    }
    if (added) this._revision++;
  }

  private takeHistory(id: string, history: RunHistory): void {
    const flow = new RunFlow();
    for (const entry of history.gradThroughTime()) flow.add(entry);
    this.flows.set(id, flow);
    this._revision++;
  }

  private reload(experiment: Experiment | undefined): void {
    this.flows = new Map();
    for (const run of experiment?.runs() ?? []) {
      const history = experiment!.history(run.config.id);
      if (history) this.takeHistory(run.config.id, history);
    }
    this._revision++;
  }

  protected override draw(): void {
    if (!this.isConnected) return;
    const theme = readChartTheme(this);
    const runs = this.shownRuns();
    const { scale, nonFinite } = sharedScale(runs.map((r) => r.flow));
    const legend = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.color-legend');
    if (legend && scale) drawColorLegend(legend, scale, nonFinite, theme);
    const byId = new Map(runs.map((r) => [r.id, r]));
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.heat')) {
      const run = byId.get(canvas.dataset.run ?? '');
      if (!run) continue;
      const d = Number(canvas.dataset.direction);
      const { steps, columns } = run.flow.heatmap(d, MAX_COLUMNS);
      const rows = Math.max(0, ...columns.map((c) => c.length));
      drawHeatmap(canvas, { steps, columns, rows, scale: scale ?? { min: 1, max: 10 } }, theme);
    }
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.latest')) {
      const lines: PlotLine[] = [];
      for (const run of runs) {
        const d = this.directionsOf(run).find((k) => directionLabel(k, run.perLayer) === canvas.dataset.layer);
        const values = d === undefined ? undefined : run.flow.latest?.norms[d];
        if (values) lines.push({ color: run.color, values });
      }
      drawLogLines(canvas, lines, '‖dLoss/dh_t‖', theme);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gradient-flow-view': GradientFlowView;
  }
}
