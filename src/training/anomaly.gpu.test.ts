// Anomaly detection on the GPU (anomaly-stage.ts): forced non-finite values in four runs of one
// group are each reported at the right step and place, the flag stays as it was set, a healthy
// run beside them is never flagged, and a restart clears it.
import { describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import { paramByName } from '../model/layout';
import { useEngine } from '../testing/gpu';
import type { GroupSpec, RunSpec } from './group-spec';
import type { StepRecord } from './metrics';
import { RunGroup } from './run-group';
import { CONSTANT } from './schedules';

const gpu = useEngine();

const run = (id: string, optimizer: RunSpec['optimizer'], seed: number): RunSpec => ({ id, label: id, seed, optimizer, clip: {}, schedule: CONSTANT });

const SPEC: GroupSpec = {
  cell: 'rnn_tanh', hiddenSize: 4, numLayers: 1, batch: 2, seqLen: 4, head: 'every',
  bptt: { kind: 'full' }, task: new SineTask({ seed: 5 }),
  runs: [
    run('healthy', { kind: 'adam', lr: 0.01 }, 1),
    run('huge lr', { kind: 'sgd', lr: 1e30 }, 2),
    // weights made below so the loss and gradients are finite but the weight decay overflows
    run('decay overflow', { kind: 'sgd', lr: 1, weightDecay: 10 }, 3),
    // weights made below so the loss is finite and layer 0's gradient norm overflows
    run('layer 0 blows up', { kind: 'sgd', lr: 0.1 }, 4),
  ],
};

async function train(group: RunGroup, records: StepRecord[], steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) group.trainStep();
  await group.settle();
  expect(records.map((r) => r.step).slice(-steps)).toEqual(Array.from({ length: steps }, (_, i) => group.step - steps + i + 1));
}

describe('anomaly detection on the GPU', () => {
  it('names the step and place of the first non-finite loss, gradient or updated weight, per run', async () => {
    const records: StepRecord[] = [];
    const group = await RunGroup.create(gpu.engine, SPEC, (r) => records.push(...r));
    try {
      const { rnn, head, paramCount } = group.layout;
      const cps = await group.readCheckpoints();
      // Run 2: every layer-0 weight 0 and a bias of 1e38 into a saturated tanh: h = 1 exactly,
      // no gradient reaches the bias, the loss is finite, but wd * p = 1e39 overflows in the update.
      const decay = new Float32Array(cps[2].params);
      const bias = paramByName(rnn, 'bias_ih_l0');
      decay.fill(0, 0, paramByName(rnn, 'bias_hh_l0').offset + bias.size);
      decay.fill(1e38, bias.offset, bias.offset + bias.size);
      // Run 3: the network outputs 0 (every recurrent weight 0) and the head weights are 1e30, so
      // the head's output is its bias (a finite loss) and dL/dh = W^T dy of about 1e30 reaches
      // layer 0, whose gradient's squared norm overflows.
      const blow = new Float32Array(paramCount);
      blow.fill(1e30, head.weight, head.bias);
      group.writeCheckpoints([2, 3], [{ ...cps[2], params: decay }, { ...cps[3], params: blow }]);

      await train(group, records, 6);
      const anomalies = (r: number) => records.map((rec) => rec.runs[r].anomaly);
      expect(anomalies(0).every((a) => a === undefined)).toBe(true);

      // The huge rate: the first step whose loss is not finite, every record before it clean.
      const firstBadLoss = records.find((rec) => !Number.isFinite(rec.runs[1].loss))!.step;
      expect(firstBadLoss).toBeGreaterThan(1);
      expect(anomalies(1).slice(0, firstBadLoss - 1).every((a) => a === undefined)).toBe(true);
      expect(records[firstBadLoss - 1].runs[1].anomaly).toEqual({ step: firstBadLoss, where: 'loss' });

      // The decay: step 1, with a finite loss and gradient norm, and non-finite weights after it.
      expect(records[0].runs[2].loss).toSatisfy(Number.isFinite);
      expect(records[0].runs[2].gradNorm).toSatisfy(Number.isFinite);
      expect(records[0].runs[2].anomaly).toEqual({ step: 1, where: 'update' });

      // Layer 0: step 1, a finite loss and head gradient, a non-finite layer-0 norm.
      const m = records[0].runs[3];
      expect(m.loss).toSatisfy(Number.isFinite);
      expect(m.layerGradNorms[1]).toSatisfy(Number.isFinite);
      expect(m.layerGradNorms[0]).not.toSatisfy(Number.isFinite);
      expect(m.anomaly).toEqual({ step: 1, where: 'gradient of layer 0' });

      // The flag keeps the first step and place however the run goes on.
      for (const r of [1, 2, 3]) expect(records.at(-1)!.runs[r].anomaly).toEqual(records.find((rec) => rec.runs[r].anomaly)!.runs[r].anomaly);

      // A restart clears the run's flag: the decay run drawn afresh from its seed trains clean.
      group.restartRuns([2]);
      const before = records.length;
      await train(group, records, 2);
      expect(records.slice(before).map((rec) => rec.runs[2].anomaly)).toEqual([undefined, undefined]);
    } finally {
      group.destroy();
    }
  });
});
