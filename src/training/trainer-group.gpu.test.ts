// RunGroup as a TrainerGroup, against the float64 reference (src/reference/train.ts) and against
// itself: restarts, checkpoints, per-run step counters, live settings, back-pressure on the
// metrics history, evaluation passes, truncated BPTT state across them, and several groups in one
// submit. Tiny shapes: SwiftShader runs these.
import { describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import { ReferenceGroup, type ReferenceStep } from '../reference/train';
import { compare } from '../testing/compare';
import { useEngine } from '../testing/gpu';
import { FixedTask, SignTask } from '../testing/tasks';
import type { GroupSpec, RunSpec } from './group-spec';
import type { StepRecord } from './metrics';
import { ConfigError, RunGroup } from './run-group';
import { CONSTANT, type ScheduleConfig } from './schedules';
import { trainGroupsStep, WebGpuBackend } from './webgpu-backend';

const ATOL = 1e-4;
const RTOL = 1e-3;
const DECAY: ScheduleConfig = { schedule: { kind: 'exponential', gamma: 0.8 }, warmup: 0 };

const gpu = useEngine();

const run = (id: string, seed: number, optimizer: RunSpec['optimizer'], extra: Partial<RunSpec> = {}): RunSpec =>
  ({ id, label: id, seed, optimizer, clip: {}, schedule: CONSTANT, ...extra });

async function build(spec: GroupSpec): Promise<{ group: RunGroup; records: StepRecord[] }> {
  const records: StepRecord[] = [];
  const group = await RunGroup.create(gpu.engine, spec, (r) => records.push(...r));
  return { group, records };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, atol = ATOL, rtol = RTOL): void {
  const c = compare(got, want, atol, rtol);
  expect(c.worstRatio, `${what}: max abs ${c.maxAbs} at ${c.at}`).toBeLessThanOrEqual(1);
}

/** Every run's params against the reference. */
async function expectParams(group: RunGroup, ref: ReferenceGroup, what: string): Promise<Float32Array[]> {
  const params = await group.readParams();
  params.forEach((p, r) => expectClose(p, ref.params[r], `${what} run ${r} params`));
  return params;
}

/** A step's records against the reference's step: loss, norms, clipped, learning rate, run step, evaluation. */
function expectRecord(rec: StepRecord | undefined, want: ReferenceStep, what: string): void {
  expect(rec, `${what}: record`).toBeDefined();
  rec!.runs.forEach((m, r) => {
    expectClose([m.loss], [want.losses[r]], `${what} run ${r} loss`, 1e-5, 1e-4);
    expectClose([m.gradNorm, ...m.layerGradNorms], want.norms[r], `${what} run ${r} norms`, 1e-5, 1e-3);
    expect(m.clipped, `${what} run ${r} clipped`).toBe(want.clipped[r]);
    expect(m.learningRate, `${what} run ${r} learning rate`).toBeCloseTo(want.learningRates[r], 12);
    expect(m.runStep, `${what} run ${r} run step`).toBe(want.runSteps[r]);
    if (want.valLoss) {
      expectClose([m.valLoss!, m.metric!], [want.valLoss[r], want.metric![r]], `${what} run ${r} valLoss, metric`, 1e-5, 1e-4);
    } else {
      expect(m.valLoss, `${what} run ${r} valLoss`).toBeUndefined();
    }
  });
}

const TINY = { hiddenSize: 5, numLayers: 1, batch: 2, seqLen: 3, head: 'every' as const, bptt: { kind: 'full' as const } };

describe('restartRuns', () => {
  it('a restarted run retraces a fresh run of its seed (Adam from its own step 1); the others go on unchanged', async () => {
    const spec: GroupSpec = {
      ...TINY, cell: 'lstm', task: new FixedTask(5),
      runs: [
        run('momentum', 1, { kind: 'sgd', lr: 0.1, momentum: 0.9 }, { schedule: DECAY }),
        run('adam', 2, { kind: 'adam', lr: 0.05 }),
        run('sgd', 3, { kind: 'sgd', lr: 0.2 }, { clip: { maxNorm: 0.05 } }),
      ],
    };
    const a = await build(spec);
    const fresh = await build(spec);
    const ref = new ReferenceGroup(spec);
    try {
      const freshParams: Float32Array[][] = [];
      for (let s = 1; s <= 6; s++) {
        fresh.group.trainStep();
        freshParams.push(await fresh.group.readParams());
      }
      for (let s = 1; s <= 6; s++) {
        if (s === 4) {
          a.group.restartRuns([1]);
          ref.restartRuns([1]);
          expect(a.group.runSteps).toEqual([3, 0, 3]);
        }
        a.group.trainStep();
        const want = ref.trainStep();
        const params = await expectParams(a.group, ref, `step ${s}`);
        await a.group.settle();
        expectRecord(a.records.find((x) => x.step === s), want, `step ${s}`);
        // Same data every step: run 1 after its k-th step since the restart is the fresh run 1 after step k.
        const k = s >= 4 ? s - 3 : s;
        expect(params[1], `step ${s} run 1 vs fresh step ${k}`).toEqual(freshParams[k - 1][1]);
        for (const r of [0, 2]) expect(params[r], `step ${s} run ${r} unchanged by the restart`).toEqual(freshParams[s - 1][r]);
      }
      expect(a.records.map((x) => x.runs[1].runStep)).toEqual([1, 2, 3, 1, 2, 3]);
      expect(a.records.map((x) => x.runs[0].runStep)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(a.records.slice(3).map((x) => x.runs[0].learningRate)).toEqual([3, 4, 5].map((k) => 0.1 * 0.8 ** k));
      expect(a.group.lostSteps).toBe(0);
    } finally {
      a.group.destroy();
      fresh.group.destroy();
    }
  });
});

describe('checkpoints', () => {
  it('run A\'s checkpoint written into run B: B then retraces A exactly (params, optimizer state, kept TBPTT state)', async () => {
    const spec: GroupSpec = {
      ...TINY, cell: 'lstm', seqLen: 3, bptt: { kind: 'truncated', k1: 2, episodeLength: 9 }, task: new SineTask({ seed: 2 }),
      runs: [run('a', 1, { kind: 'adam', lr: 0.02 }), run('b', 2, { kind: 'adam', lr: 0.02 }), run('c', 3, { kind: 'rmsprop', lr: 0.01, momentum: 0.5 })],
    };
    const { group, records } = await build(spec);
    const ref = new ReferenceGroup(spec);
    try {
      for (let s = 1; s <= 2; s++) {
        group.trainStep();
        ref.trainStep();
      }
      const checkpoints = await group.readCheckpoints();
      const P = group.layout.paramCount;
      const BH = spec.batch * spec.hiddenSize;
      checkpoints.forEach((c, r) => {
        const want = ref.readCheckpoint(r);
        expect(c.step).toBe(2);
        expectClose(c.params, want.params, `checkpoint ${r} params`);
        expect(c.optimizer).toHaveLength(3);
        c.optimizer.forEach((slot, k) => expectClose(slot, want.slots[k], `checkpoint ${r} slot ${k}`));
        expect(c.extra['update.optimizerStep']).toEqual(Float32Array.of(2));
        expectClose(c.extra['state.h'], want.kept!.h, `checkpoint ${r} kept h`);
        expectClose(c.extra['state.c'], want.kept!.c!, `checkpoint ${r} kept c`);
        expect(c.params.length).toBe(P);
        expect(c.extra['state.h'].length).toBe(BH);
      });
      group.writeCheckpoints([1], [checkpoints[0]]);
      ref.writeCheckpoint(1, ref.readCheckpoint(0));
      expect(group.runSteps).toEqual([2, 2, 2]);
      for (let s = 3; s <= 6; s++) {
        group.trainStep();
        const want = ref.trainStep();
        const params = await expectParams(group, ref, `step ${s}`);
        expect(params[1], `step ${s}: run 1 retraces run 0`).toEqual(params[0]);
        await group.settle();
        expectRecord(records.find((x) => x.step === s), want, `step ${s}`);
      }
      // Checked before anything is written: a bad checkpoint changes nothing.
      const bad = { ...checkpoints[2], params: new Float32Array(P - 1), extra: { 'state.h': new Float32Array(3) } };
      expect(() => group.writeCheckpoints([2], [bad])).toThrow(ConfigError);
      expect(() => group.writeCheckpoints([2], [bad])).toThrow(
        `checkpoints[0].params has ${P - 1} numbers, expected ${P}\ncheckpoints[0].extra["state.h"] has 3 numbers, expected ${BH}`);
      expect(() => group.writeCheckpoints([3], [checkpoints[0]])).toThrow('run indices must be integers from 0 to 2, got 3');
    } finally {
      group.destroy();
    }
  });
});

describe('configureRuns', () => {
  it('a new learning rate, clip and optimizer kind apply from the next step, queued steps keep the old ones', async () => {
    const spec: GroupSpec = {
      ...TINY, cell: 'gru', task: new SineTask({ seed: 3 }),
      runs: [run('sgd', 1, { kind: 'sgd', lr: 0.1 }), run('adam', 2, { kind: 'adam', lr: 0.01 })],
    };
    const { group, records } = await build(spec);
    const ref = new ReferenceGroup(spec);
    try {
      const changes: Record<number, RunSpec[]> = {
        3: [{ ...spec.runs[0], optimizer: { kind: 'sgd', lr: 0.3 } }, { ...spec.runs[1], clip: { maxNorm: 0.01 } }],
        5: [{ ...spec.runs[0], optimizer: { kind: 'adam', lr: 0.01 } }, { ...spec.runs[1], optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 } }],
      };
      for (let s = 1; s <= 6; s++) {
        // configured while the previous step is still queued, unread
        if (changes[s]) {
          group.configureRuns(changes[s]);
          ref.configureRuns(changes[s]);
        }
        group.trainStep();
        const want = ref.trainStep();
        await expectParams(group, ref, `step ${s}`);
        await group.settle();
        expectRecord(records.find((x) => x.step === s), want, `step ${s}`);
      }
      expect(records.map((x) => x.runs[0].learningRate)).toEqual([0.1, 0.1, 0.3, 0.3, 0.01, 0.01]);
      expect(records[2].runs[1].clipped).toBe(true);
      expect(group.spec.runs[1].optimizer.kind).toBe('sgd');
      expect(() => group.configureRuns([spec.runs[0]])).toThrow('runs must keep the group\'s 2 runs, got 1');
      expect(() => group.configureRuns([{ ...spec.runs[0], optimizer: { kind: 'sgd', lr: -1 } }, spec.runs[1]]))
        .toThrow('runs[0].optimizer.lr must be a number > 0, got -1');
    } finally {
      group.destroy();
    }
  });
});

describe('back-pressure on the metrics history', () => {
  const spec: GroupSpec = {
    ...TINY, cell: 'rnn_tanh', hiddenSize: 2, batch: 1, seqLen: 1, task: new SineTask({ seed: 4 }),
    runs: [run('sgd', 1, { kind: 'sgd', lr: 0.01 })], metricsEvery: 4,
  };

  it('200 steps with canStep/settle deliver every record once, in order', async () => {
    const { group, records } = await build(spec);
    try {
      for (let i = 0; i < 200; i++) {
        if (!group.canStep()) await group.settle();
        group.trainStep();
      }
      await group.settle();
      expect(records.map((r) => r.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(records.every((r) => Number.isFinite(r.runs[0].loss))).toBe(true);
      expect(group.lostSteps).toBe(0);
    } finally {
      group.destroy();
    }
  });

  it('steps queued without ever yielding run into the limit: trainStep throws instead of dropping', async () => {
    const { group, records } = await build(spec);
    try {
      let queued = 0;
      while (group.canStep()) {
        group.trainStep();
        queued++;
      }
      // three staging slots cover 12 steps; the history holds 64 more
      expect(queued).toBeGreaterThanOrEqual(64);
      expect(queued).toBeLessThan(200);
      expect(() => group.trainStep()).toThrow(/would overwrite metrics not yet read back; await settle\(\) first/);
      expect(group.step).toBe(queued);
      await group.settle();
      expect(records.map((r) => r.step)).toEqual(Array.from({ length: queued }, (_, i) => i + 1));
      expect(group.lostSteps).toBe(0);
      expect(group.canStep()).toBe(true);
    } finally {
      group.destroy();
    }
  });
});

describe('evaluation passes', () => {
  it.each([
    ['mse (sine, every 2nd step)', { cell: 'lstm', task: new SineTask({ seed: 6 }), evalEvery: 2 }],
    ['accuracy with metric weights (sign, every step)', { cell: 'gru', task: new SignTask(3, 'accuracy'), evalEvery: 1 }],
    ['bpc (sign, head on the last step)', { cell: 'rnn_tanh', task: new SignTask(2, 'bpc'), evalEvery: 3, head: 'last' }],
  ] as const)('%s: valLoss and metric as the reference computes them', async (_name, over) => {
    const spec: GroupSpec = {
      ...TINY, ...over, seqLen: 4,
      runs: [run('adam', 1, { kind: 'adam', lr: 0.05 }), run('sgd', 2, { kind: 'sgd', lr: 0.5 })],
    };
    const { group, records } = await build(spec);
    const ref = new ReferenceGroup(spec);
    try {
      for (let s = 1; s <= 4; s++) {
        group.trainStep();
        const want = ref.trainStep();
        await expectParams(group, ref, `step ${s}`);
        await group.settle();
        expect(Boolean(want.valLoss)).toBe(s % spec.evalEvery! === 0);
        expectRecord(records.find((x) => x.step === s), want, `step ${s}`);
      }
      const evaluated = records.filter((r) => r.runs[0].metric !== undefined);
      if (spec.task.metric === 'bpc') {
        for (const m of evaluated.flatMap((r) => r.runs)) expect(m.metric).toBeCloseTo(m.valLoss! / Math.LN2, 5);
      }
      if (spec.task.metric === 'accuracy') {
        for (const m of evaluated.flatMap((r) => r.runs)) expect(m.metric! >= 0 && m.metric! <= 1).toBe(true);
      }
    } finally {
      group.destroy();
    }
  });

  it('truncated BPTT carries exactly the same state with evaluation passes in between as without', async () => {
    const base: GroupSpec = {
      ...TINY, cell: 'lstm', numLayers: 2, seqLen: 3, bptt: { kind: 'truncated', k1: 2, episodeLength: 9 },
      task: new SineTask({ seed: 7 }), runs: [run('adam', 1, { kind: 'adam', lr: 0.05 }), run('sgd', 2, { kind: 'sgd', lr: 0.3 })],
    };
    const plain = await build(base);
    const withEval = await build({ ...base, evalEvery: 1 });
    const ref = new ReferenceGroup({ ...base, evalEvery: 1 });
    try {
      for (let s = 1; s <= 7; s++) {
        plain.group.trainStep();
        withEval.group.trainStep();
        const want = ref.trainStep();
        const a = await plain.group.readParams();
        const b = await expectParams(withEval.group, ref, `step ${s}`);
        expect(b, `step ${s}: evaluation changed training`).toEqual(a);
        await withEval.group.settle();
        expectRecord(withEval.records.find((x) => x.step === s), want, `step ${s}`);
      }
      const kept = await Promise.all([plain.group, withEval.group].map(async (g) => (await g.readCheckpoints())[0].extra['state.h']));
      expect(kept[1]).toEqual(kept[0]);
    } finally {
      plain.group.destroy();
      withEval.group.destroy();
    }
  });
});

describe('several groups in one submit', () => {
  it('trainGroupsStep: one submit per step for two groups of different shapes, each as the reference', async () => {
    const specs: GroupSpec[] = [
      { ...TINY, cell: 'lstm', task: new SineTask({ seed: 8 }), runs: [run('adam', 1, { kind: 'adam', lr: 0.01 })] },
      { ...TINY, cell: 'gru', hiddenSize: 4, numLayers: 2, task: new SignTask(1), evalEvery: 2, runs: [run('sgd', 2, { kind: 'sgd', lr: 0.2 })] },
    ];
    const backend = new WebGpuBackend(gpu.engine);
    const groups = await Promise.all(specs.map((s) => backend.createGroup(s, () => {})));
    const refs = specs.map((s) => new ReferenceGroup(s));
    const queue = gpu.engine.device.queue;
    const submit = queue.submit.bind(queue);
    let submits = 0;
    queue.submit = (buffers) => {
      submits++;
      submit(buffers);
    };
    try {
      for (let s = 1; s <= 3; s++) {
        submits = 0;
        trainGroupsStep(gpu.engine, groups);
        expect(submits).toBe(1);
        for (const [i, g] of groups.entries()) {
          refs[i].trainStep();
          await expectParams(g, refs[i], `group ${i} step ${s}`);
        }
      }
      expect(groups.map((g) => g.step)).toEqual([3, 3]);
    } finally {
      queue.submit = submit;
      for (const g of groups) g.destroy();
    }
  });
});
