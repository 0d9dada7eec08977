/**
 * Float64 reference of the two normalizations a cell can use (src/model/plan.ts NormKind), forward
 * and backward, on one [rows][n] block (one timestep of a batch):
 *   layer norm (torch.nn.functional.layer_norm over the last dim): statistics over the n values of
 *     each row (Ba et al. 2016);
 *   batch norm (torch.nn.functional.batch_norm): statistics over the rows of each column, or fixed
 *     running statistics in evaluation (Cooijmans et al. 2016, per timestep).
 * Both: y = (x - mean) / sqrt(var + eps) * gain[col] + bias[col], var biased, eps 1e-5 (torch's default).
 */
import type { NormKind } from '../model/plan';

export const NORM_EPS = 1e-5;

/** torch.nn.BatchNorm1d's default momentum: running = (1 - m) running + m batch. */
export const BATCH_NORM_MOMENTUM = 0.1;

/** Mean and variance per column: batch statistics (variance biased) or running ones (unbiased). */
export interface NormStats {
  mean: Float64Array;
  var: Float64Array;
}

/** Which elements form one statistics group, and the column (gain index) of each. */
function groups(kind: Exclude<NormKind, 'none'>, rows: number, n: number) {
  return kind === 'layer'
    ? { count: rows, size: n, at: (g: number, k: number) => g * n + k }
    : { count: n, size: rows, at: (g: number, k: number) => k * n + g };
}

/**
 * y = norm(x) over a [rows][n] block. With `fixed` (batch norm in evaluation) those statistics are
 * used; otherwise they come from x. Returns the statistics used: per row (layer) or per column (batch).
 */
export function normForward(
  kind: Exclude<NormKind, 'none'>, x: Float64Array, rows: number, n: number,
  gain: Float64Array, bias: Float64Array, y: Float64Array, fixed?: NormStats,
): NormStats {
  const grp = groups(kind, rows, n);
  const stats = fixed ?? groupStats(x, grp);
  for (let g = 0; g < grp.count; g++) {
    const rstd = 1 / Math.sqrt(stats.var[g] + NORM_EPS);
    for (let k = 0; k < grp.size; k++) {
      const e = grp.at(g, k);
      const col = e % n;
      y[e] = (x[e] - stats.mean[g]) * rstd * gain[col] + bias[col];
    }
  }
  return stats;
}

function groupStats(x: Float64Array, grp: ReturnType<typeof groups>): NormStats {
  const mean = new Float64Array(grp.count);
  const variance = new Float64Array(grp.count);
  for (let g = 0; g < grp.count; g++) {
    let s = 0;
    for (let k = 0; k < grp.size; k++) s += x[grp.at(g, k)];
    const m = s / grp.size;
    let v = 0;
    for (let k = 0; k < grp.size; k++) v += (x[grp.at(g, k)] - m) ** 2;
    mean[g] = m;
    variance[g] = v / grp.size;
  }
  return { mean, var: variance };
}

/**
 * dx of y = norm(x) given dy, recomputing the statistics from x (or using `fixed`, which do not
 * depend on x); dGain[col] += dy * xhat and dBias[col] += dy.
 *   xhat = (x - mean) * rstd, y = xhat * gain + bias; with statistics from x (N values per group):
 *   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gain.
 */
export function normBackward(
  kind: Exclude<NormKind, 'none'>, x: Float64Array, rows: number, n: number, gain: Float64Array,
  dy: Float64Array, dx: Float64Array, dGain: Float64Array, dBias: Float64Array, fixed?: NormStats,
): void {
  const grp = groups(kind, rows, n);
  const stats = fixed ?? groupStats(x, grp);
  for (let g = 0; g < grp.count; g++) {
    const rstd = 1 / Math.sqrt(stats.var[g] + NORM_EPS);
    let sumD = 0;
    let sumDX = 0;
    for (let k = 0; k < grp.size; k++) {
      const e = grp.at(g, k);
      const col = e % n;
      const xhat = (x[e] - stats.mean[g]) * rstd;
      const dxhat = dy[e] * gain[col];
      dGain[col] += dy[e] * xhat;
      dBias[col] += dy[e];
      sumD += dxhat;
      sumDX += dxhat * xhat;
    }
    const meanD = sumD / grp.size;
    const meanDX = sumDX / grp.size;
    for (let k = 0; k < grp.size; k++) {
      const e = grp.at(g, k);
      const dxhat = dy[e] * gain[e % n];
      dx[e] = fixed ? dxhat * rstd : rstd * (dxhat - meanD - (x[e] - stats.mean[g]) * rstd * meanDX);
    }
  }
}

/**
 * Running statistics after one training batch of `rows` rows, as torch.nn.BatchNorm1d keeps them:
 * mean and the unbiased variance (batch var * rows / (rows - 1)) averaged with `momentum`.
 */
export function updateRunning(running: NormStats, batch: NormStats, rows: number, momentum = BATCH_NORM_MOMENTUM): NormStats {
  const unbias = rows > 1 ? rows / (rows - 1) : 1;
  return {
    mean: running.mean.map((m, i) => (1 - momentum) * m + momentum * batch.mean[i]),
    var: running.var.map((v, i) => (1 - momentum) * v + momentum * batch.var[i] * unbias),
  };
}

/** torch's initial running statistics: mean 0, variance 1. */
export function initialRunning(n: number): NormStats {
  return { mean: new Float64Array(n), var: new Float64Array(n).fill(1) };
}
