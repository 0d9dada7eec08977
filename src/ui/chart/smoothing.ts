/**
 * TensorBoard's debiased exponential moving average for chart lines. Pure numbers, no DOM.
 * A weight w in [0, 1) keeps w of the running average per point; dividing by 1 - w^n removes
 * the pull towards 0 that a plain EMA started at 0 has over its first points.
 */

/** Refuses a weight outside [0, 1). */
export function checkSmoothingWeight(weight: number): void {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing must be from 0 to below 1, got ${weight}`);
}

/** Smooths one series point by point; non-finite values give NaN and leave the average alone. */
export class Smoother {
  private average = 0;
  /** w^n for the n finite values seen so far. */
  private weightPower = 1;

  constructor(readonly weight: number) {
    checkSmoothingWeight(weight);
  }

  next(value: number): number {
    if (!Number.isFinite(value)) return NaN;
    const w = this.weight;
    this.average = this.average * w + (1 - w) * value;
    this.weightPower *= w;
    // With w = 0 the power is 0 after one value and the division is a no-op.
    return this.average / (1 - this.weightPower);
  }
}

/** The smoothed copy of `values` (NaN where a value is not finite). */
export function smoothSeries(values: ArrayLike<number>, weight: number): Float64Array {
  const smoother = new Smoother(weight);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = smoother.next(values[i]);
  return out;
}
