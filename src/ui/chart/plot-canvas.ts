/**
 * Small canvas drawers for the gradient-flow view: a heatmap with labelled axes, a horizontal
 * colour legend for a log scale, and a line plot over timesteps on a log y axis. Hand-drawn rather
 * than a Chart.js plugin: Chart.js has no heatmap, node_modules here is shared with other
 * checkouts (so no new package), and a heatmap is one scaled ImageData, cheaper than thousands of
 * boxes on a software canvas. The other diagnostics views draw with plot-lines.ts and plot-maps.ts.
 */
import { linearAxis, logAxis } from './axis-ticks';
import { NON_FINITE_RGB, heatmapPixels, scalePosition, viridis, type LogScale } from './heatmap';
import { axisTitles, context, gridAndFrame, PAD, xTicks, yTicks, type PlotTheme } from './plot-frame';

export type { PlotTheme } from './plot-frame';

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
  gridAndFrame(ctx, yAxis.ticks, y, w, h, theme);
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
