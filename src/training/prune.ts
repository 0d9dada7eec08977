/**
 * Magnitude pruning as data and plain functions: the config (none, one shot, or Zhu and Gupta's
 * 2017 gradual cubic schedule), which run steps recompute the masks and to what sparsity, how many
 * weights a matrix loses (torch.nn.utils.prune's rounding), which ones (the smallest |w|, ties to
 * the lower index), and the sparsity a run reports. Pruned tensors: every weight_ih / weight_hh of
 * the recurrent layers (reverse directions included); biases and the head never. The GPU selects
 * in shaders/prune.wgsl; the float64 reference and the CPU backend call magnitudeMask.
 */
import type { ParamLayout } from '../model/layout';

export type PruneConfig =
  | { kind: 'none' }
  /** At the run's own step `step`, prune `sparsity` of every matrix; the masks stay after. */
  | { kind: 'oneshot'; step: number; sparsity: number }
  /**
   * From step `start` to `end`, every `every` steps (and at `end`), recompute the masks to
   * s_t = sparsity (1 - (1 - (t - start) / (end - start))^3) (Zhu and Gupta 2017, from 0).
   */
  | { kind: 'gradual'; start: number; end: number; every: number; sparsity: number };

export const PRUNE_KINDS = ['none', 'oneshot', 'gradual'] as const;

/** RunCheckpoint.extra key of a run's masks: [Pw] of 0 and 1, the pruned matrices in layout order. */
export const PRUNE_MASK_KEY = 'prune.mask';

/** One pruned matrix: where it sits in a run's parameters and in its mask. */
export interface PrunedMatrix {
  name: string;
  offset: number;
  length: number;
  /** Offset in floats within one run's mask [Pw]. */
  maskOffset: number;
}

export function isPruning(cfg: PruneConfig | undefined): boolean {
  return cfg !== undefined && cfg.kind !== 'none';
}

/** The weight matrices of the recurrent layers, in layout order, with their mask offsets. */
export function prunedMatrices(layout: ParamLayout): PrunedMatrix[] {
  let at = 0;
  return layout.entries.filter((e) => e.kind === 'weight_ih' || e.kind === 'weight_hh').map((e) => {
    const m = { name: e.name, offset: e.offset, length: e.size, maskOffset: at };
    at += e.size;
    return m;
  });
}

/** Zhu and Gupta's cubic sparsity at step t of a gradual schedule (0 at start, `sparsity` from end on). */
export function cubicSparsity(cfg: Extract<PruneConfig, { kind: 'gradual' }>, t: number): number {
  if (t >= cfg.end) return cfg.sparsity;
  if (t <= cfg.start) return 0;
  const left = 1 - (t - cfg.start) / (cfg.end - cfg.start);
  return cfg.sparsity * (1 - left * left * left);
}

/** The sparsity the masks are recomputed to after the update of the run's step `runStep`, or null: they stay. */
export function pruneTarget(cfg: PruneConfig | undefined, runStep: number): number | null {
  if (!cfg) return null;
  switch (cfg.kind) {
    case 'none':
      return null;
    case 'oneshot':
      return runStep === cfg.step ? cfg.sparsity : null;
    case 'gradual':
      if (runStep < cfg.start || runStep > cfg.end) return null;
      return (runStep - cfg.start) % cfg.every === 0 || runStep === cfg.end ? cubicSparsity(cfg, runStep) : null;
  }
}

/** Python's round(): to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Weights a matrix of n loses at `sparsity`: round(sparsity * n), as torch.nn.utils.prune's amount. */
export function prunedCount(sparsity: number, n: number): number {
  return Math.min(n, roundHalfEven(sparsity * n));
}

/**
 * mask[maskOffset + i] = 0 for the k entries of values[offset .. offset + n) with the smallest
 * |value| (ties: the lower index is pruned first), 1 for the rest. `values` are what the weights
 * are now, already multiplied by the old mask.
 */
export function magnitudeMask(
  values: ArrayLike<number>, offset: number, n: number, k: number, mask: Float32Array, maskOffset: number,
): void {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const size = (i: number) => Math.abs(values[offset + i]);
  order.sort((a, b) => size(a) - size(b) || a - b);
  mask.fill(1, maskOffset, maskOffset + n);
  for (let j = 0; j < k; j++) mask[maskOffset + order[j]] = 0;
}

/** Fraction of exact zeros among the pruned matrices' weights in params[p0 ..]. */
export function zeroFraction(params: ArrayLike<number>, p0: number, matrices: readonly PrunedMatrix[]): number {
  let zeros = 0;
  let total = 0;
  for (const m of matrices) {
    for (let i = 0; i < m.length; i++) if (params[p0 + m.offset + i] === 0) zeros++;
    total += m.length;
  }
  return total > 0 ? zeros / total : 0;
}

/** Problems with a prune config, each naming `field`.key; [] if none. */
export function validatePrune(cfg: PruneConfig, field: string): string[] {
  const errors: string[] = [];
  const int = (v: number, key: string, lo: number) => {
    if (!Number.isInteger(v) || v < lo || v > 10_000_000) errors.push(`${field}.${key} must be an integer from ${lo} to 10000000, got ${v}`);
  };
  switch (cfg.kind) {
    case 'none':
      break;
    case 'oneshot':
      int(cfg.step, 'step', 1);
      break;
    case 'gradual':
      int(cfg.start, 'start', 1);
      int(cfg.end, 'end', 1);
      int(cfg.every, 'every', 1);
      if (errors.length === 0 && cfg.end < cfg.start) errors.push(`${field}.end must be at least start (${cfg.start}), got ${cfg.end}`);
      break;
    default:
      return [`${field}.kind must be one of ${PRUNE_KINDS.join(', ')}, got ${String((cfg as { kind: unknown }).kind)}`];
  }
  if (cfg.kind !== 'none' && !(cfg.sparsity >= 0 && cfg.sparsity < 1)) errors.push(`${field}.sparsity must be a number >= 0 and < 1, got ${cfg.sparsity}`);
  return errors;
}
