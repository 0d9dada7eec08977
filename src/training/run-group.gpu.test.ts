// The whole GPU training step against the float64 reference (src/reference/train.ts), on the
// cases every backend runs (src/testing/training-cases.ts): params, loss, norms, the clipped flag,
// learning rate and run step of every record, truncated BPTT with carried state and episode
// resets, cross-entropy heads, every optimizer, clip kind and schedule.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { TRAINING_CASES, trainAgainstReference } from '../testing/training-cases';
import { RunGroup } from './run-group';

const gpu = useEngine();

describe('training step on the GPU vs float64 reference', () => {
  it.each(TRAINING_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const records = await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
    if (c === TRAINING_CASES[0]) {
      expect(records[4].runs[1].learningRate).toBeCloseTo(0.05 * 0.9 ** 4, 12);
      // maxNorm 0.5 on the momentum run: the first steps' gradients are larger, later ones not
      expect(records.map((r) => r.runs[1].clipped)).toContain(true);
      expect(records.every((r) => !r.runs[0].clipped && !r.runs[2].clipped)).toBe(true);
    }
  });
});
