/**
 * The frame every diagnostics canvas shares: the theme colours it draws in, padding and font, a
 * 2D context sized to the canvas's CSS box at the device pixel ratio, tick labels and axis titles.
 * Ticks come from axis-ticks.ts like the other charts'.
 */
import type { AxisLayout } from './axis-ticks';

export interface PlotTheme {
  text: string;
  muted: string;
  grid: string;
  surface: string;
}

export const FONT = '11px system-ui, sans-serif';
export const PAD = { left: 50, right: 8, top: 6, bottom: 30 };

/** Sizes the canvas's backing store to its CSS box at the device's pixel ratio; the context, in CSS px. */
export function context(canvas: HTMLCanvasElement, theme: PlotTheme): { ctx: CanvasRenderingContext2D; width: number; height: number } | undefined {
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

export function xTicks(ctx: CanvasRenderingContext2D, axis: AxisLayout, x: (v: number) => number, y: number, theme: PlotTheme): void {
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

export function yTicks(ctx: CanvasRenderingContext2D, axis: AxisLayout, y: (v: number) => number, x: number, theme: PlotTheme): void {
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of axis.ticks) ctx.fillText(axis.label(v), x - 4, y(v));
}

/** The plot area's frame, with a horizontal grid line at each y tick. */
export function gridAndFrame(ctx: CanvasRenderingContext2D, ticks: readonly number[], y: (v: number) => number, w: number, h: number, theme: PlotTheme): void {
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  for (const v of ticks) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, y(v));
    ctx.lineTo(PAD.left + w, y(v));
    ctx.stroke();
  }
  ctx.strokeRect(PAD.left, PAD.top, w, h);
}

export function axisTitles(ctx: CanvasRenderingContext2D, width: number, height: number, xTitle: string, yTitle: string, theme: PlotTheme): void {
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
