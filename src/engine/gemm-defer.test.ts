// Which split-K products may leave their reduction to a later pass, and the blocks of C they then
// leave as partials (the layout shaders/norms.wgsl reads): pure functions of the product, no GPU.
import { describe, expect, it } from 'vitest';
import { canDefer, deferredSums, type GemmProblem } from './gemm-record';

const buffer = {} as GPUBuffer;
const product = (over: Partial<GemmProblem> = {}): GemmProblem => ({
  label: 'weight_hh gradient l0', runs: 3, m: 8, n: 5, k: 100,
  a: { buffer, off: 0, run: 800, rs: 1, cs: 8 },
  b: { buffer, off: 0, run: 500, rs: 5, cs: 1 },
  c: { buffer, off: 40, run: 1000, rs: 5, cs: 1 },
  rowSums: { buffer, off: 90, run: 1000, rs: 0, cs: 0 },
  ...over,
});

describe('deferred split-K reductions', () => {
  it('only split-K products whose C is one block written outright defer', () => {
    const split = { kernel: 'blocked' as const, splits: 3 };
    expect(canDefer(product(), split)).toBe(true);
    expect(canDefer(product({ rowSums: undefined }), split)).toBe(true);
    expect(canDefer(product(), { kernel: 'blocked', splits: 1 })).toBe(false);
    // the tiled kernel's chunks are multiples of 16: k 16 leaves one split
    expect(canDefer(product({ k: 16 }), { kernel: 'tiled', splits: 4 })).toBe(false);
    expect(canDefer(product({ accumulate: true }), split)).toBe(false);
    expect(canDefer(product({ bias: { buffer, off: 0, run: 0, rs: 0, cs: 0 } }), split)).toBe(false);
    // columns [2, 7) of rows 9 wide: one part of W_ih among several
    expect(canDefer(product({ c: { buffer, off: 42, run: 1000, rs: 9, cs: 1 } }), split)).toBe(false);
  });

  it('the weight block (width n, column 0) and the row sums (width 1, column n), split by split', () => {
    // k 100 in 3 splits: chunks of 34; partials [R][3][8][6] (n plus the row-sum column)
    expect(deferredSums(product(), { kernel: 'direct', splits: 3 }, 7)).toEqual([
      { start: 40, length: 40, runStride: 1000, off: 7, run: 3 * 48, split: 48, splits: 3, nc: 6, width: 5, column: 0 },
      { start: 90, length: 8, runStride: 1000, off: 7, run: 3 * 48, split: 48, splits: 3, nc: 6, width: 1, column: 5 },
    ]);
    expect(deferredSums(product({ rowSums: undefined }), { kernel: 'direct', splits: 3 }, 0)).toEqual([
      { start: 40, length: 40, runStride: 1000, off: 0, run: 3 * 40, split: 40, splits: 3, nc: 5, width: 5, column: 0 },
    ]);
  });
});
