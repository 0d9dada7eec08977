// The whole GPU training step against the float64 reference (src/reference/train.ts):
// R = 3 runs with SGD, momentum and Adam in one group over 5 steps (params, loss, norms, the
// clipped flag, learning rate and run step of every record), truncated BPTT with carried state
// and episode resets, and a cross-entropy last-step head.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { SineTask } from '../data/tasks/sine';
import { SignTask } from '../testing/tasks';
import { ReferenceGroup } from '../reference/train';
import { RunGroup } from './run-group';
import type { GroupSpec, RunSpec } from './group-spec';
import type { StepRecord } from './metrics';
import { CONSTANT } from './schedules';

const ATOL = 1e-4;
const RTOL = 1e-3;

const gpu = useEngine();

const RUNS: RunSpec[] = [
  { id: 'sgd', label: 'SGD', seed: 11, optimizer: { kind: 'sgd', lr: 0.1 }, clip: {}, schedule: CONSTANT },
  {
    id: 'momentum', label: 'SGD momentum', seed: 12, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
    clip: { maxNorm: 0.5 }, schedule: { schedule: { kind: 'exponential', gamma: 0.9 }, warmup: 0 },
  },
  { id: 'adam', label: 'Adam', seed: 13, optimizer: { kind: 'adam', lr: 0.01 }, clip: {}, schedule: CONSTANT },
];

async function trainBoth(spec: GroupSpec, steps: number) {
  const records: StepRecord[] = [];
  const group = await RunGroup.create(gpu.engine, spec, (r) => records.push(...r));
  const ref = new ReferenceGroup(spec);
  try {
    for (let s = 1; s <= steps; s++) {
      group.trainStep();
      const want = ref.trainStep();
      const params = await group.readParams();
      params.forEach((p, r) => {
        const cmp = compare(p, ref.params[r], ATOL, RTOL);
        expect(cmp.worstRatio, `step ${s} run ${spec.runs[r].id} params: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
      });
      await group.settle();
      const rec = records.find((x) => x.step === s);
      expect(rec, `metrics of step ${s}`).toBeDefined();
      rec!.runs.forEach((m, r) => {
        const losses = compare([m.loss], [want.losses[r]], 1e-5, 1e-4);
        expect(losses.worstRatio, `step ${s} run ${r} loss ${m.loss} vs ${want.losses[r]}`).toBeLessThanOrEqual(1);
        const norms = compare([m.gradNorm, ...m.layerGradNorms], want.norms[r], 1e-5, 1e-3);
        expect(norms.worstRatio, `step ${s} run ${r} norms`).toBeLessThanOrEqual(1);
        expect(m.clipped, `step ${s} run ${r} clipped`).toBe(want.clipped[r]);
        expect(m.learningRate).toBe(want.learningRates[r]);
        expect(m.runStep).toBe(s);
      });
    }
    return records;
  } finally {
    group.destroy();
  }
}

describe('training step on the GPU vs float64 reference', () => {
  it('LSTM 2 layers, SGD / momentum+clip+decay / Adam, full BPTT, 5 steps', async () => {
    const records = await trainBoth({
      cell: 'lstm', hiddenSize: 6, numLayers: 2, batch: 3, seqLen: 5, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 3 }), runs: RUNS,
    }, 5);
    expect(records.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    expect(records[4].runs[1].learningRate).toBeCloseTo(0.05 * 0.9 ** 4, 12);
    // maxNorm 0.5 on the momentum run: the first steps' gradients are larger, later ones not
    expect(records.map((r) => r.runs[1].clipped)).toContain(true);
    expect(records.every((r) => !r.runs[0].clipped && !r.runs[2].clipped)).toBe(true);
  });

  it('GRU truncated BPTT (k1 = 2, k2 = 4, episodes of 8): carried state and resets', async () => {
    await trainBoth({
      cell: 'gru', hiddenSize: 5, numLayers: 2, batch: 2, seqLen: 4, head: 'every',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SineTask({ seed: 4 }), runs: RUNS,
    }, 5);
  });

  it('LSTM truncated BPTT with k1 = k2 and a cross-entropy head on the last step', async () => {
    await trainBoth({
      cell: 'lstm', hiddenSize: 7, numLayers: 1, batch: 4, seqLen: 3, head: 'last',
      bptt: { kind: 'truncated', k1: 3, episodeLength: 9 }, task: new SignTask(), runs: RUNS,
    }, 4);
  });

  it('rnn_tanh with mse on every step', async () => {
    await trainBoth({
      cell: 'rnn_tanh', hiddenSize: 9, numLayers: 1, batch: 2, seqLen: 6, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 5 }), runs: RUNS,
    }, 3);
  });
});
