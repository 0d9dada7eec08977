/**
 * The numbers behind a heatmap: a log colour scale over positive values (viridis, dark for small,
 * yellow for large; non-finite values get their own colour) and the RGBA pixels of a grid of
 * columns, one pixel per cell, which the canvas code scales up. Pure numbers, no DOM, so the
 * colour of every cell is testable.
 */

/** Viridis at 9 even stops (matplotlib's table): perceptually even and readable in grey. */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Cells whose value is NaN or infinite (a diverged run): magenta, outside viridis. */
export const NON_FINITE_RGB: readonly [number, number, number] = [230, 0, 140];

/** The range a log scale spans; values at or below `min` take the darkest colour. */
export interface LogScale {
  min: number;
  max: number;
}

/** Viridis at f in [0, 1] (clamped), linearly between stops. */
export function viridis(f: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const u = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * u)) as [number, number, number];
}

/**
 * The log scale covering every positive finite value; undefined when there is none. A constant
 * grid gets a decade around its value so it still has a colour in the middle.
 */
export function logScaleOf(values: Iterable<number>): LogScale | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return undefined;
  if (max / min < 1.0001) return { min: min / Math.SQRT2 / 2, max: max * Math.SQRT2 * 2 };
  return { min, max };
}

/** Where a value sits on the scale, 0 to 1 (0 for zero and below the range). */
export function scalePosition(value: number, scale: LogScale): number {
  if (!(value > scale.min)) return 0;
  return Math.min(1, Math.log(value / scale.min) / Math.log(scale.max / scale.min));
}

export function colorOf(value: number, scale: LogScale): [number, number, number] {
  return Number.isFinite(value) ? viridis(scalePosition(value, scale)) : [...NON_FINITE_RGB];
}

/**
 * RGBA pixels, `columns.length` wide and `rows` high, of column-major cells: columns[c][r] is the
 * cell at x = c and at height r counted from the bottom (row 0 is the image's last line).
 */
export function heatmapPixels(columns: readonly (readonly number[])[], rows: number, scale: LogScale): Uint8ClampedArray<ArrayBuffer> {
  const width = columns.length;
  const out = new Uint8ClampedArray(width * rows * 4);
  for (let c = 0; c < width; c++) {
    for (let r = 0; r < rows; r++) {
      const [red, green, blue] = colorOf(columns[c][r] ?? NaN, scale);
      const at = ((rows - 1 - r) * width + c) * 4;
      out[at] = red;
      out[at + 1] = green;
      out[at + 2] = blue;
      out[at + 3] = 255;
    }
  }
  return out;
}

/**
 * At most `max` column indices out of `n`, evenly spread, always the first and the last (a long
 * run keeps its whole history in view at the resolution a canvas can show).
 */
export function pickColumns(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}
