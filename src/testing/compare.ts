/**
 * Elementwise comparison under |got - want| <= atol + rtol * |want|, reporting the worst
 * element's share of its tolerance and the max abs and relative errors. NaN always fails.
 */

export interface Comparison {
  worstRatio: number;
  maxAbs: number;
  maxRel: number;
  at: number;
}

export function compare(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): Comparison {
  if (got.length !== want.length) throw new Error(`length ${got.length} != expected ${want.length}`);
  let worstRatio = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    const ratio = Number.isNaN(diff) ? Infinity : diff / (atol + rtol * Math.abs(want[i]));
    maxAbs = Math.max(maxAbs, diff);
    if (want[i] !== 0) maxRel = Math.max(maxRel, diff / Math.abs(want[i]));
    if (ratio > worstRatio || at < 0) {
      worstRatio = Math.max(worstRatio, ratio);
      at = i;
    }
  }
  return { worstRatio, maxAbs, maxRel, at };
}
