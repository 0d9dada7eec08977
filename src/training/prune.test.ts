// Magnitude pruning: our masks and counts against torch.nn.utils.prune.l1_unstructured
// (fixtures/torch-prune, made by fixtures/make_torch_prune.py), the tie rule, Zhu and Gupta's
// cubic schedule, which steps recompute the masks, the matrices pruned, and validation.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modelLayout } from '../model/model-layout';
import {
  cubicSparsity, magnitudeMask, prunedCount, prunedMatrices, pruneTarget, roundHalfEven, validatePrune, zeroFraction,
  type PruneConfig,
} from './prune';

interface TorchPruneCase {
  rows: number;
  cols: number;
  amount: number;
  weight: number[];
  pruned: number;
  mask: number[];
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/torch-prune/l1.json', import.meta.url)), 'utf8')) as {
  cases: TorchPruneCase[];
};

describe('magnitudeMask vs torch l1_unstructured', () => {
  it('has the fixtures', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(14);
  });

  it.each(fixture.cases.map((c) => [`[${c.rows}][${c.cols}] amount ${c.amount}`, c] as const))('%s', (_n, c) => {
    const n = c.rows * c.cols;
    const k = prunedCount(c.amount, n);
    expect(k).toBe(c.pruned);
    // In float32, as the GPU and the CPU backend see the weights.
    const mask = new Float32Array(n + 3).fill(7);
    magnitudeMask(Float32Array.from(c.weight), 0, n, k, mask, 3);
    expect(Array.from(mask.subarray(3))).toEqual(c.mask);
    expect(Array.from(mask.subarray(0, 3))).toEqual([7, 7, 7]);
  });
});

describe('pruning rules', () => {
  it('ties go to the lower index first', () => {
    const mask = new Float32Array(6);
    magnitudeMask([0.5, -0.1, 0.1, 0, 0.1, -0], 0, 6, 4, mask, 0);
    // |w| order: 0 (index 3), 0 (index 5), 0.1 (1), 0.1 (2), 0.1 (4), 0.5 (0): the first four go.
    expect(Array.from(mask)).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('rounds like Python, halves to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
    expect(prunedCount(0.999, 10)).toBe(10);
  });

  it('Zhu and Gupta: 0 at start, the target at end, cubic between, recomputed every `every` steps and at end', () => {
    const cfg = { kind: 'gradual', start: 10, end: 25, every: 4, sparsity: 0.8 } as const;
    expect(cubicSparsity(cfg, 10)).toBe(0);
    expect(cubicSparsity(cfg, 25)).toBe(0.8);
    expect(cubicSparsity(cfg, 15)).toBeCloseTo(0.8 * (1 - (2 / 3) ** 3), 15);
    const steps = Array.from({ length: 40 }, (_, i) => i + 1).filter((t) => pruneTarget(cfg, t) !== null);
    expect(steps).toEqual([10, 14, 18, 22, 25]);
    expect(pruneTarget(cfg, 18)).toBeCloseTo(0.8 * (1 - (7 / 15) ** 3), 15);
    const one: PruneConfig = { kind: 'oneshot', step: 3, sparsity: 0.5 };
    expect([1, 2, 3, 4].map((t) => pruneTarget(one, t))).toEqual([null, null, 0.5, null]);
    expect(pruneTarget({ kind: 'none' }, 3)).toBeNull();
    expect(pruneTarget({ kind: 'gradual', start: 5, end: 5, every: 3, sparsity: 0.4 }, 5)).toBe(0.4);
  });

  it('prunes every weight_ih and weight_hh, never a bias or the head', () => {
    const layout = modelLayout({ cell: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 2 }, 2);
    const matrices = prunedMatrices(layout.rnn);
    expect(matrices.map((m) => [m.name, m.length, m.maskOffset])).toEqual([
      ['weight_ih_l0', 36, 0], ['weight_hh_l0', 48, 36], ['weight_ih_l1', 48, 84], ['weight_hh_l1', 48, 132],
    ]);
    const params = new Float32Array(layout.paramCount).fill(1);
    params[matrices[1].offset + 5] = 0;
    params[layout.head.weight] = 0;
    expect(zeroFraction(params, 0, matrices)).toBe(1 / 180);
  });

  it('refuses a sparsity of 1, an end before the start and an unknown kind, naming the field', () => {
    expect(validatePrune({ kind: 'oneshot', step: 1, sparsity: 1 }, 'runs[0].prune')).toEqual(['runs[0].prune.sparsity must be a number >= 0 and < 1, got 1']);
    expect(validatePrune({ kind: 'gradual', start: 9, end: 3, every: 1, sparsity: 0.5 }, 'p')).toEqual(['p.end must be at least start (9), got 3']);
    expect(validatePrune({ kind: 'random' } as never, 'p')).toEqual(['p.kind must be one of none, oneshot, gradual, got random']);
  });
});
