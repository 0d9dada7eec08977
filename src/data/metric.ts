/**
 * The task metrics on the CPU: what each metric kind is called, which way is better, and how
 * a batch of head outputs scores against a batch's targets. Used for baselines and tests; the
 * GPU trainer computes the same quantities in its own kernels.
 */
import type { MetricKind, Task, TaskBatch } from './task';

export interface MetricInfo {
  /** Name for charts and the runner, e.g. "bits per character". */
  name: string;
  lowerIsBetter: boolean;
}

export const METRIC_INFO: Record<MetricKind, MetricInfo> = {
  mse: { name: 'MSE', lowerIsBetter: true },
  accuracy: { name: 'accuracy', lowerIsBetter: false },
  bpc: { name: 'bits per character', lowerIsBetter: true },
};

/** A weighted sum and its total weight, so several batches add up before dividing. */
export interface MetricTally {
  sum: number;
  weight: number;
}

/** Index of the largest of `y[off .. off + n)`; the first one on ties. */
export function argMax(y: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let o = 1; o < n; o++) if (y[off + o] > y[off + best]) best = o;
  return best;
}

/**
 * Adds one batch to `tally`. `y` is [T][B][O] head outputs (raw logits for classes). Each step
 * counts with its metric weight (the loss weight when the batch has none):
 * mse: mean over outputs of the squared error; accuracy: 1 when the arg-max is the target;
 * bpc: the cross-entropy in bits.
 */
export function scoreBatch(task: Task, y: ArrayLike<number>, batch: TaskBatch, tally: MetricTally): void {
  const O = task.outputSize;
  const w = batch.metricWeight ?? batch.weight;
  for (let row = 0; row < w.length; row++) {
    if (w[row] === 0) continue;
    const off = row * O;
    let score = 0;
    if (task.metric === 'mse') {
      for (let o = 0; o < O; o++) score += (y[off + o] - batch.target[off + o]) ** 2 / O;
    } else if (task.metric === 'accuracy') {
      score = argMax(y, off, O) === batch.target[row] ? 1 : 0;
    } else {
      let m = -Infinity;
      for (let o = 0; o < O; o++) m = Math.max(m, y[off + o]);
      let z = 0;
      for (let o = 0; o < O; o++) z += Math.exp(y[off + o] - m);
      score = (m + Math.log(z) - y[off + batch.target[row]]) / Math.LN2;
    }
    tally.sum += w[row] * score;
    tally.weight += w[row];
  }
}

export function metricValue(tally: MetricTally): number {
  return tally.weight > 0 ? tally.sum / tally.weight : NaN;
}
