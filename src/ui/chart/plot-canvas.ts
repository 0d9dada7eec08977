/**
 * Small canvas drawers for the diagnostics views: a heatmap with labelled axes, a horizontal
 * colour legend for a log scale, a line plot over timesteps on a log y axis, lines over
 * training steps (solid or dashed), histograms overlaid as outlines, a hidden-state map and a
 * confusion matrix. Hand-drawn rather than a
 * Chart.js plugin: Chart.js has no heatmap, node_modules here is shared with other checkouts
 * (so no new package), and a heatmap is one scaled ImageData, cheaper than thousands of boxes
 * on a software canvas. Ticks come from axis-ticks.ts like the other charts'.
 */
import { linearAxis, logAxis, type AxisLayout } from './axis-ticks';
import { NON_FINITE_RGB, heatmapPixels, scalePosition, viridis, type LogScale } from './heatmap';

export interface PlotTheme {
  text: string;
  muted: string;
  grid: string;
  surface: string;
}

const FONT = '11px system-ui, sans-serif';
const PAD = { left: 50, right: 8, top: 6, bottom: 30 };

/** Sizes the canvas's backing store to its CSS box at the device's pixel ratio; the context, in CSS px. */
function context(canvas: HTMLCanvasElement, theme: PlotTheme): { ctx: CanvasRenderingContext2D; width: number; height: number } | undefined {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx || width === 0 || height === 0) return undefined;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.fillStyle = theme.muted;
  return { ctx, width, height };
}

function xTicks(ctx: CanvasRenderingContext2D, axis: AxisLayout, x: (v: number) => number, y: number, theme: PlotTheme): void {
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of axis.ticks) {
    ctx.beginPath();
    ctx.moveTo(x(v), y);
    ctx.lineTo(x(v), y + 3);
    ctx.stroke();
    ctx.fillText(axis.label(v), x(v), y + 4);
  }
}

function yTicks(ctx: CanvasRenderingContext2D, axis: AxisLayout, y: (v: number) => number, x: number, theme: PlotTheme): void {
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of axis.ticks) ctx.fillText(axis.label(v), x - 4, y(v));
}

function axisTitles(ctx: CanvasRenderingContext2D, width: number, height: number, xTitle: string, yTitle: string, theme: PlotTheme): void {
  ctx.fillStyle = theme.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xTitle, PAD.left + (width - PAD.left - PAD.right) / 2, height);
  ctx.save();
  ctx.translate(8, PAD.top + (height - PAD.top - PAD.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
}

/** Where a training step falls between the columns' steps, as a fractional column index. */
function columnAt(steps: readonly number[], step: number): number {
  if (steps.length < 2 || step <= steps[0]) return 0;
  for (let i = 1; i < steps.length; i++) {
    if (step <= steps[i]) return i - 1 + (step - steps[i - 1]) / (steps[i] - steps[i - 1]);
  }
  return steps.length - 1;
}

export interface HeatmapPlot {
  /** Training step of each column, increasing. */
  steps: readonly number[];
  /** columns[c][t]: the value at column c, timestep t (0-based; drawn bottom up as 1..T). */
  columns: readonly (readonly number[])[];
  rows: number;
  scale: LogScale;
}

/** Training step along x, timestep up y, one cell per (column, timestep). */
export function drawHeatmap(canvas: HTMLCanvasElement, plot: HeatmapPlot, theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width, height } = c;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const n = plot.columns.length;
  if (n > 0 && plot.rows > 0) {
    const image = document.createElement('canvas');
    image.width = n;
    image.height = plot.rows;
    image.getContext('2d')!.putImageData(new ImageData(heatmapPixels(plot.columns, plot.rows, plot.scale), n, plot.rows), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, PAD.left, PAD.top, w, h);
  } else {
    ctx.strokeStyle = theme.grid;
    ctx.strokeRect(PAD.left, PAD.top, w, h);
    ctx.textAlign = 'center';
    ctx.fillText('waiting for the first diagnostic step', PAD.left + w / 2, PAD.top + h / 2);
  }
  const steps = plot.steps;
  if (n > 0) {
    // Column c covers [c, c + 1) of n: a step sits at the middle of its column.
    const xAxis = linearAxis(steps[0], steps[n - 1], Math.max(2, Math.floor(w / 40)), { integer: true });
    xTicks(ctx, { ...xAxis, ticks: n > 1 ? xAxis.ticks : [steps[0]] }, (s) => PAD.left + ((columnAt(steps, s) + 0.5) / n) * w, PAD.top + h, theme);
  }
  const T = Math.max(1, plot.rows);
  const yAxis = linearAxis(1, T, Math.max(2, Math.floor(h / 28)), { integer: true });
  yTicks(ctx, yAxis, (t) => PAD.top + h - ((t - 0.5) / T) * h, PAD.left, theme);
  axisTitles(ctx, width, height, 'training step', 'timestep t', theme);
}

/** A horizontal bar of the log scale with its ticks, and a non-finite swatch when asked. */
export function drawColorLegend(canvas: HTMLCanvasElement, scale: LogScale, nonFinite: boolean, theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width } = c;
  const left = 8;
  const swatch = nonFinite ? 90 : 0;
  const w = width - left - 16 - swatch;
  const barH = 12;
  for (let x = 0; x < w; x++) {
    ctx.fillStyle = `rgb(${viridis(x / Math.max(1, w - 1)).join(', ')})`;
    ctx.fillRect(left + x, 2, 1.5, barH);
  }
  const axis = logAxis(scale.min, scale.max, Math.max(2, Math.floor(w / 60)));
  xTicks(ctx, axis, (v) => left + scalePosition(v, scale) * w, 2 + barH, theme);
  if (nonFinite) {
    ctx.fillStyle = `rgb(${NON_FINITE_RGB.join(', ')})`;
    ctx.fillRect(width - swatch, 2, barH, barH);
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText('not finite', width - swatch + barH + 4, 2);
  }
}

export interface PlotLine {
  color: string;
  /** y per timestep 1..T (non-positive and non-finite values are gaps). */
  values: readonly number[];
}

/** Lines over timestep 1..T on a log y axis, with grid lines at the y ticks. */
export function drawLogLines(canvas: HTMLCanvasElement, lines: readonly PlotLine[], yTitle: string, theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width, height } = c;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const positive = lines.flatMap((l) => l.values.filter((v) => v > 0 && Number.isFinite(v)));
  const T = Math.max(1, ...lines.map((l) => l.values.length));
  const yAxis = logAxis(Math.min(...positive), Math.max(...positive), Math.max(2, Math.floor(h / 28)), { extend: true });
  const lo = Math.log(yAxis.min);
  const span = Math.log(yAxis.max) - lo || 1;
  const y = (v: number) => PAD.top + h - ((Math.log(v) - lo) / span) * h;
  const x = (t: number) => PAD.left + (T === 1 ? w / 2 : ((t - 1) / (T - 1)) * w);
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  for (const v of yAxis.ticks) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, y(v));
    ctx.lineTo(PAD.left + w, y(v));
    ctx.stroke();
  }
  ctx.strokeRect(PAD.left, PAD.top, w, h);
  yTicks(ctx, yAxis, y, PAD.left, theme);
  xTicks(ctx, linearAxis(1, T, Math.max(2, Math.floor(w / 60)), { integer: true }), x, PAD.top + h, theme);
  axisTitles(ctx, width, height, 'timestep t', yTitle, theme);
  ctx.lineWidth = 2;
  for (const line of lines) {
    ctx.strokeStyle = line.color;
    ctx.beginPath();
    let drawing = false;
    line.values.forEach((v, i) => {
      if (!(v > 0) || !Number.isFinite(v)) {
        drawing = false;
        return;
      }
      if (drawing) ctx.lineTo(x(i + 1), y(v));
      else ctx.moveTo(x(i + 1), y(v));
      drawing = true;
    });
    ctx.stroke();
  }
}

export interface StepSeries {
  color: string;
  dashed?: boolean;
  /** [training step, value] in step order; non-finite values are gaps. */
  points: readonly (readonly [number, number])[];
}

export interface StepPlotOptions {
  yTitle: string;
  /** The x axis's title; 'training step' unless given (the points' x is then whatever it names). */
  xTitle?: string;
  /** Fixed y range (fractions: 0 to 1); otherwise the data's, widened to round values. */
  yRange?: readonly [number, number];
  /** Dotted horizontal reference lines (e.g. a spectral norm of 1). */
  marks?: readonly number[];
}

/** Lines over training steps (or another integer x, see xTitle) on a linear y axis. */
export function drawStepLines(canvas: HTMLCanvasElement, series: readonly StepSeries[], options: StepPlotOptions, theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width, height } = c;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const finite = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p[1])));
  const steps = finite.map((p) => p[0]);
  const values = [...finite.map((p) => p[1]), ...(options.marks ?? [])];
  const xAxis = linearAxis(Math.min(...steps), Math.max(...steps), Math.max(2, Math.floor(w / 60)), { integer: true });
  const yAxis = options.yRange
    ? linearAxis(options.yRange[0], options.yRange[1], Math.max(2, Math.floor(h / 30)), { extend: true })
    : linearAxis(Math.min(...values), Math.max(...values), Math.max(2, Math.floor(h / 30)), { extend: true });
  const x = (v: number) => PAD.left + ((v - xAxis.min) / (xAxis.max - xAxis.min || 1)) * w;
  const y = (v: number) => PAD.top + h - ((v - yAxis.min) / (yAxis.max - yAxis.min || 1)) * h;
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  for (const v of yAxis.ticks) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, y(v));
    ctx.lineTo(PAD.left + w, y(v));
    ctx.stroke();
  }
  ctx.strokeRect(PAD.left, PAD.top, w, h);
  ctx.strokeStyle = theme.muted;
  ctx.setLineDash([2, 3]);
  for (const v of options.marks ?? []) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, y(v));
    ctx.lineTo(PAD.left + w, y(v));
    ctx.stroke();
  }
  ctx.setLineDash([]);
  yTicks(ctx, yAxis, y, PAD.left, theme);
  if (steps.length > 0) xTicks(ctx, xAxis, x, PAD.top + h, theme);
  axisTitles(ctx, width, height, options.xTitle ?? 'training step', options.yTitle, theme);
  ctx.lineWidth = 2;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.setLineDash(s.dashed ? [6, 4] : []);
    ctx.beginPath();
    let drawing = false;
    for (const [step, v] of s.points) {
      if (!Number.isFinite(v)) {
        drawing = false;
        continue;
      }
      if (drawing) ctx.lineTo(x(step), y(v));
      else ctx.moveTo(x(step), y(v));
      drawing = true;
    }
    ctx.stroke();
    // A lone point would draw nothing: mark each point when there are few.
    if (s.points.length <= 2) for (const [step, v] of s.points) if (Number.isFinite(v)) ctx.fillRect(x(step) - 2, y(v) - 2, 4, 4);
  }
  ctx.setLineDash([]);
}

export interface HistogramSeries {
  color: string;
  /** The bins span [-max, max]. */
  max: number;
  counts: readonly number[];
}

/** Each series as a stepped outline of its fraction of values per bin, over the widest range. */
export function drawHistograms(canvas: HTMLCanvasElement, series: readonly HistogramSeries[], xTitle: string, theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width, height } = c;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const shown = series.filter((s) => Number.isFinite(s.max) && s.counts.some((n) => n > 0));
  const range = Math.max(0, ...shown.map((s) => s.max)) || 1;
  const fractions = shown.map((s) => {
    const total = s.counts.reduce((a, b) => a + b, 0);
    return s.counts.map((n) => n / total);
  });
  const yAxis = linearAxis(0, Math.max(0.01, ...fractions.flat()), Math.max(2, Math.floor(h / 30)), { extend: true });
  const xAxis = linearAxis(-range, range, Math.max(2, Math.floor(w / 60)));
  const x = (v: number) => PAD.left + ((v + range) / (2 * range)) * w;
  const y = (v: number) => PAD.top + h - (v / (yAxis.max || 1)) * h;
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  for (const v of yAxis.ticks) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, y(v));
    ctx.lineTo(PAD.left + w, y(v));
    ctx.stroke();
  }
  ctx.strokeRect(PAD.left, PAD.top, w, h);
  yTicks(ctx, yAxis, y, PAD.left, theme);
  xTicks(ctx, xAxis, x, PAD.top + h, theme);
  axisTitles(ctx, width, height, xTitle, 'fraction of values', theme);
  ctx.lineWidth = 2;
  shown.forEach((s, k) => {
    const bins = s.counts.length;
    const edge = (b: number) => x(-s.max + (2 * s.max * b) / bins);
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    ctx.moveTo(edge(0), y(0));
    fractions[k].forEach((f, b) => {
      ctx.lineTo(edge(b), y(f));
      ctx.lineTo(edge(b + 1), y(f));
    });
    ctx.lineTo(edge(bins), y(0));
    ctx.stroke();
  });
}

/** Blue for -1, the surface colour's neutral grey at 0, red for +1 (values clamped). */
export function divergingColor(v: number): string {
  const f = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const [r, g, b] = f < 0 ? [33, 102, 172] : [178, 24, 43];
  const a = Math.abs(f);
  const mix = (c: number) => Math.round(247 + (c - 247) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/**
 * A hidden-state map: timestep along, unit up, each cell's value / `scale` in the diverging
 * colours; `labels` (one per timestep, e.g. the input characters) go under the columns when given.
 */
export function drawStateMap(canvas: HTMLCanvasElement, states: readonly (readonly number[])[], scale: number, labels: readonly string[] | undefined, theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width, height } = c;
  const bottom = labels ? PAD.bottom + 14 : PAD.bottom;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - bottom;
  const T = states.length;
  const U = Math.max(0, ...states.map((s) => s.length));
  if (T === 0 || U === 0) return;
  const cw = w / T;
  const ch = h / U;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < U; j++) {
      ctx.fillStyle = divergingColor(states[t][j] / (scale || 1));
      ctx.fillRect(PAD.left + t * cw, PAD.top + h - (j + 1) * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
  const xAxis = linearAxis(1, T, Math.max(2, Math.floor(w / 40)), { integer: true });
  xTicks(ctx, xAxis, (t) => PAD.left + (t - 0.5) * cw, PAD.top + h + (labels ? 14 : 0), theme);
  yTicks(ctx, linearAxis(0, U - 1, Math.max(2, Math.floor(h / 24)), { integer: true }), (j) => PAD.top + h - (j + 0.5) * ch, PAD.left, theme);
  if (labels) {
    ctx.fillStyle = theme.text;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.font = '12px ui-monospace, monospace';
    if (cw >= 7) labels.forEach((l, t) => ctx.fillText(l === ' ' ? '␣' : l === '\n' ? '↵' : l, PAD.left + (t + 0.5) * cw, PAD.top + h + 1));
    ctx.font = FONT;
  }
  axisTitles(ctx, width, height, 'timestep t', 'unit', theme);
}

/**
 * A confusion matrix: actual class down, predicted across, each cell shaded by its share of the
 * actual class's rows (viridis) and labelled with its count.
 */
export function drawConfusion(canvas: HTMLCanvasElement, counts: readonly (readonly number[])[], labels: readonly string[], theme: PlotTheme): void {
  const c = context(canvas, theme);
  if (!c) return;
  const { ctx, width, height } = c;
  const C = counts.length;
  if (C === 0) return;
  const size = Math.min(width - PAD.left - PAD.right, height - PAD.top - PAD.bottom);
  const cell = size / C;
  for (let a = 0; a < C; a++) {
    const total = counts[a].reduce((x, y) => x + y, 0);
    for (let p = 0; p < C; p++) {
      const share = total > 0 ? counts[a][p] / total : 0;
      const [r, g, b] = viridis(share);
      ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
      ctx.fillRect(PAD.left + p * cell, PAD.top + a * cell, Math.ceil(cell), Math.ceil(cell));
      if (cell >= 18) {
        ctx.fillStyle = share > 0.6 ? '#111' : '#fff';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(String(counts[a][p]), PAD.left + (p + 0.5) * cell, PAD.top + (a + 0.5) * cell);
      }
    }
  }
  ctx.fillStyle = theme.muted;
  for (let k = 0; k < C; k++) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(labels[k] ?? String(k), PAD.left + (k + 0.5) * cell, PAD.top + size + 3);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(labels[k] ?? String(k), PAD.left - 4, PAD.top + (k + 0.5) * cell);
  }
  ctx.fillStyle = theme.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText('predicted', PAD.left + size / 2, Math.min(height, PAD.top + size + PAD.bottom));
  ctx.save();
  ctx.translate(8, PAD.top + size / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText('actual', 0, 0);
  ctx.restore();
}
