import { describe, it } from 'vitest';
import { CpuGroup } from './cpu-group';
import { TRAINING_CASES, trainAgainstReference } from './training-cases';

describe('training step on the CPU vs float64 reference', () => {
  for (const c of TRAINING_CASES) {
    it(c.name, async () => {
      await trainAgainstReference(async (spec, onRecords) => new CpuGroup(spec, onRecords), c);
    });
  }
});
