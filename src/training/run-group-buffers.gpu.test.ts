// Engine.liveBuffers (the soak's leak counter): a run group's buffers, every stage's included,
// are all destroyed with the group, after training and checkpoint reads too.
import { describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import { useEngine } from '../testing/gpu';
import { RunGroup } from './run-group';
import { CONSTANT } from './schedules';

const gpu = useEngine();

describe('GPU buffers of a run group', () => {
  it('are counted while it lives and all freed by destroy()', async () => {
    const before = gpu.engine.liveBuffers;
    const group = await RunGroup.create(gpu.engine, {
      cell: 'gru', hiddenSize: 4, numLayers: 2, batch: 2, seqLen: 4, head: 'every', bptt: { kind: 'full' },
      task: new SineTask({ seed: 2 }), diagnosticsEvery: 2,
      runs: [
        { id: 'a', label: 'a', seed: 1, optimizer: { kind: 'adam', lr: 0.01 }, clip: {}, schedule: CONSTANT, dropout: 0.2 },
        { id: 'b', label: 'b', seed: 2, optimizer: { kind: 'sgd', lr: 0.1 }, clip: { maxNorm: 1 }, schedule: CONSTANT },
      ],
    }, () => undefined);
    const alive = gpu.engine.liveBuffers;
    expect(alive).toBeGreaterThan(before + 10);
    for (let i = 0; i < 5; i++) group.trainStep();
    await group.settle();
    await group.readCheckpoints();
    expect(gpu.engine.liveBuffers).toBe(alive);
    group.destroy();
    expect(gpu.engine.liveBuffers).toBe(before);
  });
});
