// The playground's charts: which exist, what each plots, clip thresholds and divergence steps.
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../experiments/session';
import { chartSpecs, clipThresholds, firstNonFiniteLoss, runPoints } from './playground-charts';

const record = (step: number, losses: number[]): StepRecord => ({
  step,
  runs: losses.map((loss, r) => ({ loss, gradNorm: 10 * loss, layerGradNorms: [loss + r, 2 * loss], learningRate: 0.01 * (r + 1), runStep: step, clipped: false })),
});

describe('playground charts', () => {
  it('has loss, gradient norm, learning rate and one chart per layer', () => {
    const specs = chartSpecs(['lstm layer 0', 'head']);
    expect(specs.map((s) => s.id)).toEqual(['loss', 'grad-norm', 'learning-rate', 'layer-0', 'layer-1']);
    expect(specs.map((s) => s.label)).toContain('Gradient norm, head');
    expect(new Set(specs.map((s) => s.label)).size).toBe(specs.length);
    const m = record(1, [0.5, 0.25]).runs[1];
    expect(specs.map((s) => s.pick(m))).toEqual([0.25, 2.5, 0.02, 1.25, 0.5]);
  });

  it('turns records into each run\'s points with their times', () => {
    const [, grad] = chartSpecs([]);
    expect(runPoints([record(3, [1, 2]), record(4, [3, 4])], [0.5, 0.75], 1, grad)).toEqual([
      { step: 3, time: 0.5, value: 20 },
      { step: 4, time: 0.75, value: 40 },
    ]);
  });

  it('draws a clip threshold only for runs that clip by norm', () => {
    expect(clipThresholds([{ id: 'a', clip: { maxNorm: 1 } }, { id: 'b', clip: {} }, { id: 'c' }])).toEqual([
      { runId: 'a', value: 1, label: 'clip at 1' },
    ]);
  });

  it('marks the first non-finite loss of each run once', () => {
    const first = firstNonFiniteLoss([record(1, [1, 1]), record(2, [NaN, 1]), record(3, [Infinity, NaN])], ['a', 'b'], new Map());
    expect([...first]).toEqual([['a', 2], ['b', 3]]);
    const later = firstNonFiniteLoss([record(4, [NaN, NaN])], ['a', 'b'], first);
    expect([...later]).toEqual([['a', 2], ['b', 3]]);
  });
});
