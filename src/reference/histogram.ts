/**
 * Weight and gradient histograms in the reference (the oracle of shaders/histogram.wgsl): a
 * tensor's largest |value| m and its counts in HISTOGRAM_BINS equal bins over [-m, m], with the
 * kernel's float32 arithmetic step by step (Math.fround), so both put a value in the same bin
 * except where float32 division rounding may differ right at a bin edge.
 */

/** Bins per histogram (BINS in shaders/histogram.wgsl). */
export const HISTOGRAM_BINS = 32;

export interface Histogram {
  /** Largest |value| of the tensor: the bins span [-max, max]. */
  max: number;
  /** HISTOGRAM_BINS counts, lowest values first. */
  counts: number[];
}

/** The bin of v for largest |value| m, as the kernel computes it. */
export function binOf(v: number, m: number): number {
  const f = Math.fround;
  if (!(m > 0)) return HISTOGRAM_BINS / 2;
  const t = Math.floor(f(f(f(v) + f(m)) * f(HISTOGRAM_BINS / f(2 * m))));
  return Math.min(HISTOGRAM_BINS - 1, Math.max(0, Number.isNaN(t) ? HISTOGRAM_BINS / 2 : t));
}

export function histogramOf(values: ArrayLike<number>): Histogram {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(Math.fround(values[i])));
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(values[i], max)]++;
  return { max, counts };
}
