/**
 * Canvas drawers for the validation-example view: a hidden-state map in diverging colours (input
 * characters under it for text tasks) and a confusion matrix with its counts.
 */
import { linearAxis } from './axis-ticks';
import { viridis } from './heatmap';
import { FONT, PAD, axisTitles, context, xTicks, yTicks, type PlotTheme } from './plot-frame';

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
