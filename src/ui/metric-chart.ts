/**
 * <metric-chart>: one metric, one line per run, drawn with Chart.js. The page pushes points in
 * (appendPoints / setPoints / clear) and sets the view (smoothing, log axes, step or wall-time
 * x); the chart keeps every raw point for CSV, draws a downsampled copy that keeps spikes,
 * smooths it TensorBoard-style with the raw line faint behind, and redraws at most once per
 * frame through the shared draw scheduler, only while in view. It fires 'run-toggle' and
 * 'log-y-change' on user input; it never drives training.
 */
import { LitElement, html, type PropertyValues } from 'lit';
import { cssProps } from './css-props';
import { customElement, property, state } from 'lit/decorators.js';
import { Chart, LineController, LineElement, LinearScale, LogarithmicScale, PointElement, Tooltip, type ChartDataset, type Scale } from 'chart.js';
import { formatDuration, type AxisLayout } from './chart/axis-ticks';
import { chartImage } from './chart/chart-image';
import { registerNearestPerDataset, thresholdPlugin } from './chart/chart-plugins';
import { thresholdLines, type ChartRun, type ChartThreshold } from './chart/chart-run';
import { withAlpha } from './chart/colors';
import { metricCsv } from './chart/csv';
import { chartDrawScheduler } from './chart/draw-scheduler';
import type { MetricPoint } from './chart/run-history';
import { RunLine, type XAxisKind, type XY } from './chart/run-line';
import { boundsOf, viewAxes } from './chart/view-axes';
import { ColorSchemeController, readChartTheme, type ChartTheme } from './color-scheme';
import { fileSlug, saveBlob } from './download';
import { formatValue } from './format';
import { metricChartStyles } from './metric-chart-styles';

/** Fastest the legend's numbers change. */
const LEGEND_MS = 250;

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);
registerNearestPerDataset();

export type { ChartRun, ChartThreshold, MetricPoint, XAxisKind, XY };

export interface RunToggleDetail {
  runId: string;
  hidden: boolean;
}

/** What one Chart.js dataset shows: the run's main line, or its faint raw line behind. */
interface DatasetInfo {
  run: ChartRun;
  line: RunLine;
  main: boolean;
  /** History index of each drawn point. */
  indices: number[];
}

/** A drawn run, as tests and exports see it. */
export interface DrawnRun {
  runId: string;
  raw: XY[];
  smoothed: XY[] | null;
}

@customElement('metric-chart')
export class MetricChart extends LitElement {
  /** The metric's name: heading, canvas's accessible name, control names and file names. */
  @property() label = '';
  @property({ attribute: false }) runs: readonly ChartRun[] = [];
  /** Dashed lines per run (e.g. the clip threshold), in the run's colour. */
  @property({ attribute: false }) thresholds: readonly ChartThreshold[] = [];
  /** Exponential smoothing weight, 0 (none) to 0.99. */
  @property({ type: Number }) smoothing = 0;
  @property({ type: Boolean, attribute: 'log-y' }) logY = false;
  @property({ type: Boolean, attribute: 'log-x' }) logX = false;
  @property({ attribute: 'x-axis' }) xAxis: XAxisKind = 'step';
  /** Draw a dot at each point (sparse series such as evaluations, whose points are far apart). */
  @property({ type: Boolean }) markers = false;
  /** Values the y axis always spans (a fraction's 0 and 1), whatever the data. */
  @property({ attribute: false }) yIncludes: readonly number[] = [];
  /**
   * Most points drawn per line (raw and smoothed each): its buckets' minima and maxima, about
   * one bucket per 1.5 pixel columns of a chart 500 px wide (software canvases pay per segment).
   * Applies to runs that get their first points later.
   */
  @property({ type: Number, attribute: 'max-points' }) maxPoints = 600;

  /** Bumped after draws, at most every LEGEND_MS, so the legend's latest values follow the data. */
  @state() private _legendRevision = 0;
  /** Legend toggles since `runs` last changed (the page's `hidden` flags win when it sets runs). */
  @state() private _toggled = new Map<string, boolean>();

  private readonly lines = new Map<string, RunLine>();
  private chart?: Chart<'line', XY[]>;
  private readonly drawJob = { draw: () => this.draw() };
  /** Theme colours, read once per colour scheme (reading computed style each draw forces style work). */
  private theme?: ChartTheme;
  private legendAt = -Infinity;
  private legendTimer = 0;
  private inView = true;
  /** Data or view changed while out of view. */
  private stale = false;
  private readonly viewObserver = new IntersectionObserver(
    ([entry]) => {
      this.inView = entry.isIntersecting;
      if (this.inView && this.stale) {
        this.stale = false;
        this.scheduleDraw();
      }
    },
    { rootMargin: '200px' },
  );
  private datasetInfo: DatasetInfo[] = [];
  private drawn: DrawnRun[] = [];
  /** The axes of the last draw (their tick labels are read by Chart.js callbacks). */
  private axes: { x?: AxisLayout; y?: AxisLayout } = {};
  /** x of the tooltip's first line: the other lines name their own x where it differs. */
  private tooltipX?: number;

  static override styles = metricChartStyles;

  constructor() {
    super();
    new ColorSchemeController(this, () => {
      this.theme = undefined;
      this.scheduleDraw();
    });
  }

  /**
   * Adds points (steps increasing) to a run's history. (Not `append`: HTMLElement has one.)
   */
  appendPoints(runId: string, points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    this.lineFor(runId).append(points);
    this.scheduleDraw();
  }

  /** Replaces a run's history (a restore). */
  setPoints(runId: string, points: readonly MetricPoint[]): void {
    this.lineFor(runId).replace(points);
    this.scheduleDraw();
  }

  /** Forgets one run's points, or every run's. */
  clear(runId?: string): void {
    if (runId === undefined) this.lines.clear();
    else this.lines.delete(runId);
    this.scheduleDraw();
  }

  /** Raw points kept for a run. */
  pointCount(runId: string): number {
    return this.lines.get(runId)?.history.length ?? 0;
  }

  /** Step of a run's first NaN or infinite value. */
  divergedAt(runId: string): number | undefined {
    return this.lines.get(runId)?.history.firstNonFiniteStep;
  }

  /** The lines as last drawn, visible runs only (a chart out of view draws when it scrolls in). */
  drawnLines(): readonly DrawnRun[] {
    return this.drawn;
  }

  /** Every raw point: step, time_s, one column per run (in `runs` order, hidden runs too). */
  toCsv(): string {
    return metricCsv(this.runs.map((run) => ({ label: run.label, history: this.lineFor(run.id).history })));
  }

  /** The chart as drawn now, on an opaque background, with title and legend. */
  async toPng(): Promise<Blob> {
    this.drawNow();
    const canvas = this.chart?.canvas;
    if (!canvas) throw new Error(`chart "${this.label}" is not drawn yet`);
    const theme = readChartTheme(this);
    const legend = this.runs.filter((run) => !this.isHidden(run)).map((run) => ({ label: run.label, color: run.color }));
    return chartImage(canvas, this.label, legend, { background: theme.surface, text: theme.text, font: getComputedStyle(this).fontFamily });
  }

  override render() {
    const label = this.label;
    return html`
      <h2>${label}</h2>
      <div class="plot">
        <canvas role="img" aria-label=${label}></canvas>
      </div>
      <div class="footer">
        <ul class="legend" aria-label=${`${label}: runs`}>
          ${this.runs.map((run) => this.renderLegendItem(run))}
        </ul>
        <div class="tools">
          <label class="check" title="Logarithmic y axis">
            <input type="checkbox" aria-label=${`Log y axis: ${label}`} .checked=${this.logY} @change=${this.onLogYChange} />
            log y
          </label>
          <button type="button" aria-label=${`Download ${label} as PNG`} title="Download this chart as a PNG image" @click=${this.downloadPng}>PNG</button>
          <button type="button" aria-label=${`Download ${label} as CSV`} title="Download every raw point as CSV" @click=${this.downloadCsv}>CSV</button>
        </div>
      </div>
    `;
  }

  private renderLegendItem(run: ChartRun) {
    const line = this.lines.get(run.id);
    const diverged = line?.history.firstNonFiniteStep;
    const latest = line?.history.latest();
    const threshold = this.thresholds.find((t) => t.runId === run.id);
    return html`
      <li>
        <button type="button" aria-pressed=${this.isHidden(run) ? 'false' : 'true'} title="Show or hide this run on every chart"
          @click=${() => this.toggleRun(run)}>
          <span class="swatch" ${cssProps({ background: run.color })}></span>${run.label}<span class="sr-only"> on ${this.label}</span>
        </button>
        ${diverged !== undefined
          ? html`<span class="diverged" title="a value was NaN or infinite; it and later non-finite values are not drawn">diverged at step ${diverged}</span>`
          : html`<span class="value">${formatValue(latest)}</span>`}
        ${threshold ? html`<span class="threshold" ${cssProps({ '--run-color': run.color })}>${threshold.label ?? formatValue(threshold.value)}</span>` : null}
      </li>
    `;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.viewObserver.observe(this);
    if (this.hasUpdated && !this.chart) this.createChart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.viewObserver.disconnect();
    chartDrawScheduler.cancel(this.drawJob);
    clearTimeout(this.legendTimer);
    this.legendTimer = 0;
    this.chart?.destroy();
    this.chart = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('runs') && this._toggled.size > 0) this._toggled = new Map();
  }

  protected override firstUpdated(): void {
    this.createChart();
  }

  protected override updated(changed: PropertyValues): void {
    const view = ['runs', 'thresholds', 'smoothing', 'logY', 'logX', 'xAxis', 'markers', 'yIncludes', '_toggled'];
    if (view.some((key) => changed.has(key))) this.scheduleDraw();
  }

  private isHidden(run: ChartRun): boolean {
    return this._toggled.get(run.id) ?? !!run.hidden;
  }

  private toggleRun(run: ChartRun): void {
    const hidden = !this.isHidden(run);
    this._toggled = new Map(this._toggled).set(run.id, hidden);
    this.dispatchEvent(new CustomEvent<RunToggleDetail>('run-toggle', { detail: { runId: run.id, hidden }, bubbles: true, composed: true }));
  }

  private onLogYChange(event: Event): void {
    this.logY = (event.target as HTMLInputElement).checked;
    this.dispatchEvent(new CustomEvent('log-y-change', { detail: { logY: this.logY }, bubbles: true, composed: true }));
  }

  private async downloadPng(): Promise<void> {
    saveBlob(await this.toPng(), `${fileSlug(this.label)}.png`);
  }

  private downloadCsv(): void {
    saveBlob(new Blob([this.toCsv()], { type: 'text/csv' }), `${fileSlug(this.label)}.csv`);
  }

  private lineFor(runId: string): RunLine {
    let line = this.lines.get(runId);
    if (!line) {
      line = new RunLine(Math.max(2, Math.floor(this.maxPoints / 2)));
      this.lines.set(runId, line);
    }
    return line;
  }

  private createChart(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearestPerDataset', intersect: false },
        elements: { point: { radius: 0, hoverRadius: 3, hitRadius: 0 }, line: { borderWidth: 1.75, tension: 0 } },
        scales: { x: { type: 'linear' }, y: { type: 'linear' } },
        plugins: {
          tooltip: {
            filter: (item) => this.datasetInfo[item.datasetIndex]?.main ?? false,
            callbacks: {
              // Chart.js asks for the title before the lines: the lines compare their x with it.
              title: (items) => {
                this.tooltipX = items[0]?.parsed.x ?? undefined;
                return this.tooltipX === undefined ? '' : this.xText(this.tooltipX);
              },
              label: (item) => this.tooltipLine(item.datasetIndex, item.dataIndex),
              labelColor: (item) => {
                const color = this.datasetInfo[item.datasetIndex]?.run.color ?? '#888';
                return { borderColor: color, backgroundColor: color };
              },
            },
          },
        },
      },
      plugins: [thresholdPlugin(() => thresholdLines(this.visibleRuns(), this.thresholds, this.logY))],
    });
    this.drawNow();
  }

  private visibleRuns(): ChartRun[] {
    return this.runs.filter((run) => !this.isHidden(run));
  }

  private xText(x: number): string {
    return this.xAxis === 'step' ? `step ${x}` : `time ${formatDuration(x)}`;
  }

  private tooltipLine(datasetIndex: number, dataIndex: number): string {
    const titleX = this.tooltipX;
    const info = this.datasetInfo[datasetIndex];
    if (!info) return '';
    const i = info.indices[dataIndex];
    const h = info.line.history;
    const raw = h.value(i);
    const x = this.xAxis === 'step' ? h.step(i) : h.time(i);
    const where = titleX !== undefined && x !== titleX ? ` (${this.xText(x)})` : '';
    if (this.smoothing === 0) return `${info.run.label}: ${formatValue(raw)}${where}`;
    return `${info.run.label}: ${formatValue(info.line.smoothedAt(i))} (raw ${formatValue(raw)})${where}`;
  }

  /**
   * Draws at most once per frame however often data arrives, sharing frames with the other
   * charts; a chart out of view waits until it scrolls in.
   */
  private scheduleDraw(): void {
    if (!this.chart) return;
    if (this.inView) chartDrawScheduler.request(this.drawJob);
    else this.stale = true;
  }

  private drawNow(): void {
    chartDrawScheduler.cancel(this.drawJob);
    this.draw();
  }

  private draw(): void {
    const chart = this.chart;
    if (!chart) return;
    const theme = (this.theme ??= readChartTheme(this));
    const datasets: ChartDataset<'line', XY[]>[] = [];
    const info: DatasetInfo[] = [];
    const drawn: DrawnRun[] = [];
    for (const run of this.visibleRuns()) {
      const line = this.lines.get(run.id);
      if (!line) continue;
      line.setSmoothing(this.smoothing);
      const lines = line.lines(this.xAxis);
      drawn.push({ runId: run.id, raw: lines.raw, smoothed: lines.smoothed });
      if (lines.smoothed) {
        datasets.push({ label: `${run.label} (raw)`, data: lines.raw, borderColor: withAlpha(run.color, theme.rawAlpha), borderWidth: 1, pointHoverRadius: 0 });
        info.push({ run, line, main: false, indices: lines.rawIndices });
      }
      datasets.push({ label: run.label, data: lines.smoothed ?? lines.raw, borderColor: run.color, backgroundColor: run.color, pointRadius: this.markers ? 2.5 : 0 });
      info.push({ run, line, main: true, indices: lines.smoothedIndices ?? lines.rawIndices });
    }
    chart.data.datasets = datasets;
    this.datasetInfo = info;
    this.drawn = drawn;
    const thresholds = thresholdLines(this.visibleRuns(), this.thresholds, this.logY).map((t) => t.value);
    const bounds = boundsOf(datasets.map((d) => d.data), [...thresholds, ...this.yIncludes], this.logX, this.logY);
    this.axes = viewAxes(bounds, { xAxis: this.xAxis, logX: this.logX, logY: this.logY }, chart.width, chart.height);
    this.applyAxes(chart, theme);
    chart.update('none');
    this.refreshLegend();
  }

  /** Re-renders the legend now, or once LEGEND_MS after the last time (numbers that flicker faster cannot be read). */
  private refreshLegend(): void {
    if (this.legendTimer) return;
    const wait = this.legendAt + LEGEND_MS - performance.now();
    const refresh = () => {
      this.legendTimer = 0;
      this.legendAt = performance.now();
      this._legendRevision++;
    };
    if (wait <= 0) refresh();
    else this.legendTimer = window.setTimeout(refresh, wait);
  }

  /**
   * Axis options from this.axes: min and max given, so Chart.js does not scan the data for
   * them, and the ticks replaced by ours once Chart.js has built its own.
   */
  private applyAxes(chart: Chart<'line', XY[]>, theme: ChartTheme): void {
    const axis = (name: 'x' | 'y', log: boolean) => ({
      type: log ? ('logarithmic' as const) : ('linear' as const),
      bounds: 'data' as const,
      min: this.axes[name]?.min,
      max: this.axes[name]?.max,
      grid: { color: theme.grid },
      border: { color: theme.grid },
      ticks: { color: theme.muted, maxRotation: 0, autoSkip: false, callback: (v: number | string) => this.axes[name]?.label(Number(v)) ?? String(v) },
      afterBuildTicks: (scale: Scale) => {
        const layout = this.axes[name];
        if (layout) scale.ticks = layout.ticks.map((value) => ({ value }));
      },
    });
    const options = chart.options;
    options.scales = {
      x: { ...axis('x', this.logX), title: { display: true, text: this.xAxis === 'step' ? 'step' : 'wall time', color: theme.muted } },
      y: axis('y', this.logY),
    };
    const tooltip = options.plugins?.tooltip;
    if (tooltip) {
      tooltip.backgroundColor = theme.tooltipBackground;
      tooltip.titleColor = theme.tooltipText;
      tooltip.bodyColor = theme.tooltipText;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'metric-chart': MetricChart;
  }
}
