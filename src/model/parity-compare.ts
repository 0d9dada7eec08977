/**
 * Compares one GPU forward/backward result with a parity case's expected tensors, tensor by
 * tensor under PyTorch's names, with the f32 tolerance |gpu - expected| <= 1e-4 + 1e-3 |expected|.
 */
import { compare, type Comparison } from '../testing/compare';
import type { ParityCase } from './parity-case';
import { paramLayout } from './layout';
import type { RunResults } from './rnn-io';

export const ATOL = 1e-4;
export const RTOL = 1e-3;

export interface TensorComparison extends Comparison {
  tensor: string;
}

/** Every tensor's comparison, and the worst one (largest share of its tolerance). */
export function compareCase(c: ParityCase, got: RunResults): { pass: boolean; worst: TensorComparison; all: TensorComparison[] } {
  const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [
    ['output', got.output, c.expected.output],
    ['h_n', got.hN, c.expected.hN],
  ];
  if (c.expected.cN && got.cN) pairs.push(['c_n', got.cN, c.expected.cN]);
  for (const e of paramLayout(c.shape).entries) {
    pairs.push([
      `grads.${e.name}`,
      got.grads.params.subarray(e.offset, e.offset + e.size),
      c.expected.grads.params.subarray(e.offset, e.offset + e.size),
    ]);
  }
  pairs.push(['grads.x', got.grads.x, c.expected.grads.x], ['grads.h0', got.grads.h0, c.expected.grads.h0]);
  if (c.expected.grads.c0 && got.grads.c0) pairs.push(['grads.c0', got.grads.c0, c.expected.grads.c0]);
  const all = pairs.map(([tensor, g, w]) => ({ tensor, ...compare(g, w, ATOL, RTOL) }));
  const worst = all.reduce((a, b) => (b.worstRatio > a.worstRatio ? b : a));
  return { pass: all.every((t) => t.worstRatio <= 1), worst, all };
}
