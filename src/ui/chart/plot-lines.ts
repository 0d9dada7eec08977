/**
 * Canvas drawers for the diagnostics views' line charts: lines over training steps (or another
 * integer x), solid or dashed, with dotted reference lines; and histograms overlaid as outlines.
 */
import { linearAxis } from './axis-ticks';
import { axisTitles, context, gridAndFrame, PAD, xTicks, yTicks, type PlotTheme } from './plot-frame';

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
  gridAndFrame(ctx, yAxis.ticks, y, w, h, theme);
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
    // A point with no finite neighbour draws no line: mark it (and every point when there are few).
    const finiteAt = (i: number) => i >= 0 && i < s.points.length && Number.isFinite(s.points[i][1]);
    s.points.forEach(([step, v], i) => {
      if (finiteAt(i) && (s.points.length <= 2 || (!finiteAt(i - 1) && !finiteAt(i + 1)))) ctx.fillRect(x(step) - 2, y(v) - 2, 4, 4);
    });
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
  gridAndFrame(ctx, yAxis.ticks, y, w, h, theme);
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
