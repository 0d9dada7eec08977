/**
 * Spectral norm in float64: the oracle of shaders/spectral_norm.wgsl (the same fixed number of
 * warm-started power iterations from the same start vector) and the converged answer it tends to
 * (power iteration on W^T W until the estimate stops moving), for a row-major [rows, cols] W.
 */

/** The kernel's fixed start vector, element j (u32 arithmetic as in WGSL). */
export function spectralStart(j: number): number {
  return 0.5 + (Math.imul(j, 2654435761) >>> 0) % 1000 / 1000;
}

function normalise(v: Float64Array): void {
  const n = Math.hypot(...v);
  for (let j = 0; j < v.length; j++) v[j] = n > 0 ? v[j] / n : spectralStart(j);
  if (!(n > 0)) {
    const n0 = Math.hypot(...v);
    for (let j = 0; j < v.length; j++) v[j] /= n0;
  }
}

function multiply(w: ArrayLike<number>, rows: number, cols: number, v: Float64Array): Float64Array {
  const u = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let acc = 0;
    for (let j = 0; j < cols; j++) acc += w[i * cols + j] * v[j];
    u[i] = acc;
  }
  return u;
}

function multiplyTransposed(w: ArrayLike<number>, rows: number, cols: number, u: Float64Array): Float64Array {
  const v = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let acc = 0;
    for (let i = 0; i < rows; i++) acc += w[i * cols + j] * u[i];
    v[j] = acc;
  }
  return v;
}

/**
 * `iters` power iterations from `v` (zeros: the start vector), as the kernel does them; returns the
 * estimate and the vector to warm-start the next call from.
 */
export function powerIteration(w: ArrayLike<number>, rows: number, cols: number, v: Float64Array, iters: number): { sigma: number; v: Float64Array } {
  let x: Float64Array = Float64Array.from(v);
  for (let it = 0; it < iters; it++) {
    normalise(x);
    x = multiplyTransposed(w, rows, cols, multiply(w, rows, cols, x));
  }
  normalise(x);
  return { sigma: Math.hypot(...multiply(w, rows, cols, x)), v: x };
}

/** The largest singular value, iterating until it changes by less than 1e-14 relative (at most 100000 times). */
export function spectralNorm(w: ArrayLike<number>, rows: number, cols: number): number {
  let state = powerIteration(w, rows, cols, new Float64Array(cols), 1);
  for (let k = 0; k < 100_000; k++) {
    const next = powerIteration(w, rows, cols, state.v, 1);
    if (Math.abs(next.sigma - state.sigma) <= 1e-14 * next.sigma) return next.sigma;
    state = next;
  }
  return state.sigma;
}
