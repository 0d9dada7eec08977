// The GPU training step with layer norm inside the cell against the float64 ReferenceGroup (the
// layer norm cases of src/testing/training-cases.ts): windows and carried state, dropout,
// evaluation passes, per-timestep gradient norms and every optimizer, through the norm's kernels.
import { describe, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { NORM_TRAINING_CASES, trainAgainstReference } from '../testing/training-cases';
import { RunGroup } from './run-group';

const gpu = useEngine();
const LAYER_NORM_CASES = NORM_TRAINING_CASES.filter((c) => c.spec.norm === 'layer');

describe('training step with layer norm on the GPU vs float64 reference', () => {
  it.each(LAYER_NORM_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
  });
});
