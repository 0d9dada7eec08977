// The CPU run group against the float64 reference: the shared training cases, then what the
// TrainerGroup interface adds (restarts, checkpoints, clipped flags, validation, live settings).
import { describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import { allocateBatch, type Task, type TaskBatch, type TaskSplit } from '../data/task';
import { initParams } from '../model/init';
import { modelLayout } from '../model/model-layout';
import { rnnForward } from '../reference/rnn';
import { ReferenceGroup, referenceLoss } from '../reference/train';
import { compare } from '../testing/compare';
import { scoreWindow } from '../training/bptt';
import type { GroupSpec, RunSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import { ConfigError } from '../training/run-group';
import { CpuGroup } from './cpu-group';
import { ATOL, RTOL, RUNS, TRAINING_CASES, trainAgainstReference } from '../testing/training-cases';
import { SignTask } from '../testing/tasks';

describe('training step on the CPU vs float64 reference', () => {
  for (const c of TRAINING_CASES) {
    it(c.name, async () => {
      await trainAgainstReference(async (spec, onRecords) => new CpuGroup(spec, onRecords), c);
    });
  }
});

function train(spec: GroupSpec) {
  const records: StepRecord[] = [];
  const group = new CpuGroup(spec, (r) => records.push(...r));
  return { group, records, last: () => records[records.length - 1] };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, atol = ATOL, rtol = RTOL): void {
  const cmp = compare(got, want, atol, rtol);
  expect(cmp.worstRatio, `${what}: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
}

/** A task seen `shift` episodes later: a fresh group on it walks the data a group sees from step `shift`. */
class ShiftedTask implements Task {
  readonly key = 'shifted';
  constructor(
    private readonly inner: Task,
    private readonly shift: number,
  ) {}
  get inputSize() { return this.inner.inputSize; }
  get outputSize() { return this.inner.outputSize; }
  get loss() { return this.inner.loss; }
  get metric() { return this.inner.metric; }
  get valBatches() { return this.inner.valBatches; }
  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split?: TaskSplit): void {
    this.inner.fill(episode + this.shift, t0, seqLen, batch, out, split);
  }
}

const ADAM_WARMUP: RunSpec = {
  id: 'adam-warmup', label: 'Adam warmup', seed: 31, optimizer: { kind: 'adam', lr: 0.02 }, clip: {},
  schedule: { schedule: { kind: 'constant' }, warmup: 2 },
};

const SMALL: GroupSpec = {
  cell: 'lstm', hiddenSize: 5, numLayers: 1, batch: 2, seqLen: 4, head: 'every',
  bptt: { kind: 'full' }, task: new SineTask({ seed: 7 }), runs: [RUNS[1], ADAM_WARMUP],
};

describe('restartRuns and reset', () => {
  it('a restarted run trains like a fresh run of its seed on the same data; the others go on unchanged', async () => {
    const { group, records } = train(SMALL);
    const ref = new ReferenceGroup(SMALL);
    for (let s = 0; s < 3; s++) {
      group.trainStep();
      ref.trainStep();
    }
    group.restartRuns([1]);
    expect(group.runSteps).toEqual([3, 0]);
    const [, restarted] = await group.readCheckpoints();
    const fresh = new Float32Array(restarted.params.length);
    const layout = modelLayout({ ...SMALL, inputSize: 1 }, 1);
    initParams(fresh, layout.rnn, SMALL.hiddenSize, layout.head, ADAM_WARMUP.seed);
    expect(restarted.params).toEqual(fresh);
    expect(restarted.optimizer.every((s) => s.every((v) => v === 0))).toBe(true);

    const freshRef = new ReferenceGroup({ ...SMALL, task: new ShiftedTask(SMALL.task, 3), runs: [ADAM_WARMUP] });
    for (let s = 4; s <= 6; s++) {
      group.trainStep();
      const want = ref.trainStep();
      const wantFresh = freshRef.trainStep();
      const [keep, again] = await group.readCheckpoints();
      expectClose(keep.params, ref.params[0], `step ${s} continuing run`);
      expectClose(again.params, freshRef.params[0], `step ${s} restarted run`);
      const rec = records[s - 1];
      expect(rec.runs.map((m) => m.runStep)).toEqual([s, s - 3]);
      expectClose([rec.runs[0].loss, rec.runs[1].loss], [want.losses[0], wantFresh.losses[0]], `step ${s} losses`, 1e-5, 1e-4);
      expect(rec.runs[1].learningRate).toBeCloseTo(s - 3 <= 2 ? (0.02 * (s - 3)) / 2 : 0.02, 12);
    }
    expect(() => group.restartRuns([2])).toThrow(/run index must be an integer from 0 to 1, got 2/);
  });

  it('reset replays the same steps from the start', () => {
    const { group, records } = train(SMALL);
    for (let s = 0; s < 3; s++) group.trainStep();
    const first = records.splice(0);
    group.reset();
    expect(group.step).toBe(0);
    expect(group.runSteps).toEqual([0, 0]);
    for (let s = 0; s < 3; s++) group.trainStep();
    expect(records).toEqual(first);
  });
});

describe('checkpoints', () => {
  const runs = [0, 1].map((i) => ({ ...ADAM_WARMUP, id: `adam${i}`, seed: 40 + i }));
  const specs: [string, GroupSpec][] = [
    ['full BPTT', {
      cell: 'gru', hiddenSize: 4, numLayers: 2, batch: 2, seqLen: 3, head: 'every', bptt: { kind: 'full' },
      task: new SineTask({ seed: 8 }), runs,
    }],
    ['truncated BPTT (the kept state travels in extra)', {
      cell: 'lstm', hiddenSize: 4, numLayers: 2, batch: 2, seqLen: 3, head: 'every',
      bptt: { kind: 'truncated', k1: 1, episodeLength: 9 }, task: new SineTask({ seed: 9 }), runs,
    }],
  ];
  for (const [name, spec] of specs) {
    it(`${name}: a round trip changes nothing; a run given another run's checkpoint follows it exactly`, async () => {
      const a = train(spec);
      const b = train(spec);
      for (let s = 0; s < 3; s++) {
        a.group.trainStep();
        b.group.trainStep();
      }
      const saved = await a.group.readCheckpoints();
      expect(saved.map((cp) => cp.step)).toEqual([3, 3]);
      expect(saved[0].optimizer).toHaveLength(3);
      expect(saved[0].optimizer[1].some((v) => v > 0)).toBe(true);
      expect(saved[0].optimizer[2].every((v) => v === 0)).toBe(true);
      const kept = spec.bptt.kind === 'truncated' ? ['state.c', 'state.h'] : [];
      expect(Object.keys(saved[0].extra).sort()).toEqual([...kept, 'update.optimizerStep']);
      expect(saved[0].extra['update.optimizerStep']).toEqual(Float32Array.of(3));
      a.group.writeCheckpoints([0, 1], saved);
      for (let s = 0; s < 2; s++) {
        a.group.trainStep();
        b.group.trainStep();
      }
      expect(a.records).toEqual(b.records);
      expect(await a.group.readCheckpoints()).toEqual(await b.group.readCheckpoints());

      const [lead] = await a.group.readCheckpoints();
      a.group.writeCheckpoints([1], [lead]);
      expect(a.group.runSteps).toEqual([5, 5]);
      for (let s = 0; s < 2; s++) {
        a.group.trainStep();
        const { runs: m } = a.last();
        expect(m[1]).toEqual(m[0]);
      }
      const [p0, p1] = await a.group.readCheckpoints();
      expect(p1).toEqual(p0);

      const c = train(spec);
      c.group.writeCheckpoints([0, 1], [p0, p1]);
      expect(await c.group.readCheckpoints()).toEqual([p0, p1]);
    });
  }

  it('refuses checkpoints of the wrong shape', () => {
    const spec = specs[1][1];
    const { group } = train(spec);
    const P = modelLayout({ ...spec, inputSize: 1 }, 1).paramCount;
    const good = { step: 0, params: new Float32Array(P), optimizer: [], extra: {} };
    expect(() => group.writeCheckpoints([0], [{ ...good, params: new Float32Array(P - 1) }])).toThrow(`params must hold ${P} numbers`);
    expect(() => group.writeCheckpoints([0], [{ ...good, optimizer: [new Float32Array(2)] }])).toThrow(/optimizer must be at most 3 slots/);
    expect(() => group.writeCheckpoints([0, 1], [good])).toThrow(/2 indices but 1 checkpoints/);
    expect(() => group.writeCheckpoints([0], [{ ...good, extra: { 'state.h': new Float32Array(3) } }])).toThrow(/extra\["state.h"\] must hold 16 numbers, got 3/);
    expect(() => group.writeCheckpoints([0], [{ ...good, extra: { 'update.optimizerStep': Float32Array.of(1.5) } }])).toThrow(/one integer >= 0/);
  });
});

describe('clipped flags', () => {
  it('say whether norm or value clipping changed the gradient', () => {
    const clips = [{}, { maxNorm: 1e6 }, { maxNorm: 1e-3 }, { value: 1e6 }, { value: 1e-7 }];
    const runs: RunSpec[] = clips.map((clip, i) => ({ ...RUNS[0], id: `c${i}`, clip }));
    const { group, records } = train({ ...SMALL, cell: 'rnn_tanh', runs });
    group.trainStep();
    group.trainStep();
    for (const rec of records) expect(rec.runs.map((m) => m.clipped)).toEqual([false, false, true, false, true]);
  });
});

/** valLoss and metric of one run's float64 parameters over the task's validation batches. */
function referenceEval(spec: GroupSpec, params: Float64Array) {
  const { task, batch: B, seqLen: T, hiddenSize: H, numLayers: L } = spec;
  const O = task.outputSize;
  const shape = { cell: spec.cell, inputSize: task.inputSize, hiddenSize: H, numLayers: L };
  const { rnn, head } = modelLayout(shape, O);
  let lossSum = 0;
  let metricSum = 0;
  let metricWeight = 0;
  for (let v = 0; v < task.valBatches; v++) {
    const data = allocateBatch(task, T, B);
    task.fill(v, 0, T, B, data, 'val');
    scoreWindow(data.weight, T, B, 0, spec.head === 'last');
    const zeros = new Float64Array(L * B * H);
    const fwd = rnnForward({
      shape, seqLen: T, batch: B, params: params.subarray(0, rnn.total), x: Float64Array.from(data.x),
      h0: zeros, c0: spec.cell === 'lstm' ? zeros : undefined,
    });
    const y = new Float64Array(T * B * O);
    for (let i = 0; i < T * B; i++) {
      for (let o = 0; o < O; o++) {
        let s = params[head.bias + o];
        for (let k = 0; k < H; k++) s += fwd.output[i * H + k] * params[head.weight + o * H + k];
        y[i * O + o] = s;
      }
    }
    lossSum += referenceLoss(task.loss, y, data.target, data.weight, O).loss;
    for (let i = 0; i < T * B; i++) {
      const w = data.weight[i];
      metricWeight += w;
      const row = Array.from(y.subarray(i * O, (i + 1) * O));
      if (task.metric === 'mse') metricSum += (w * row.reduce((a, yo, o) => a + (yo - data.target[i * O + o]) ** 2, 0)) / O;
      else metricSum += row.indexOf(Math.max(...row)) === data.target[i] ? w : 0;
    }
  }
  const valLoss = lossSum / task.valBatches;
  return { valLoss, metric: task.metric === 'bpc' ? valLoss / Math.LN2 : metricSum / metricWeight };
}

describe('validation pass', () => {
  const cases: [string, GroupSpec][] = [
    ['mse on a sine (2 batches)', { ...SMALL, runs: RUNS, evalEvery: 2 } as GroupSpec],
    ['accuracy, cross-entropy on the last step, truncated BPTT', {
      cell: 'gru', hiddenSize: 6, numLayers: 2, batch: 4, seqLen: 3, head: 'last',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 7 }, task: new SignTask(2), runs: RUNS, evalEvery: 2,
    } as GroupSpec],
    ['bits per character', {
      cell: 'rnn_relu', hiddenSize: 4, numLayers: 1, batch: 3, seqLen: 5, head: 'every',
      bptt: { kind: 'full' }, task: new SignTask(1, 'bpc'), runs: RUNS, evalEvery: 2,
    } as GroupSpec],
  ];
  for (const [name, spec] of cases) {
    it(`${name}: valLoss and metric every evalEvery steps, as the reference computes them`, () => {
      const { group, records } = train(spec);
      const ref = new ReferenceGroup(spec);
      for (let s = 1; s <= 4; s++) {
        group.trainStep();
        ref.trainStep();
        const rec = records[s - 1];
        rec.runs.forEach((m, r) => {
          if (s % 2 === 1) {
            expect(m.valLoss).toBeUndefined();
            expect(m.metric).toBeUndefined();
            return;
          }
          const want = referenceEval(spec, ref.params[r]);
          expectClose([m.valLoss!], [want.valLoss], `step ${s} run ${r} valLoss`, 1e-5, 1e-4);
          expectClose([m.metric!], [want.metric], `step ${s} run ${r} metric`, 1e-5, 1e-4);
        });
      }
    });
  }

  it('leaves truncated BPTT\'s carried state alone', async () => {
    const spec = cases[1][1];
    const withEval = train(spec);
    const without = train({ ...spec, evalEvery: 0 } as GroupSpec);
    for (let s = 0; s < 6; s++) {
      withEval.group.trainStep();
      without.group.trainStep();
    }
    const strip = (recs: StepRecord[]) => recs.map((r) => r.runs.map(({ valLoss: _v, metric: _m, ...rest }) => rest));
    expect(strip(withEval.records)).toEqual(strip(without.records));
    expect(await withEval.group.readCheckpoints()).toEqual(await without.group.readCheckpoints());
  });
});

describe('configureRuns and validation', () => {
  it('applies a new learning rate from the next step', async () => {
    const spec: GroupSpec = { ...SMALL, runs: [RUNS[0]] };
    const a = train(spec);
    const b = train(spec);
    for (let s = 0; s < 2; s++) {
      a.group.trainStep();
      b.group.trainStep();
    }
    const [before] = await a.group.readCheckpoints();
    a.group.configureRuns([{ ...RUNS[0], optimizer: { kind: 'sgd', lr: 0.2 } }]);
    expect(a.group.spec.runs[0].optimizer.lr).toBe(0.2);
    a.group.trainStep();
    b.group.trainStep();
    expect(a.last().runs[0].learningRate).toBe(0.2);
    expect(b.last().runs[0].learningRate).toBe(0.1);
    const [pa] = await a.group.readCheckpoints();
    const [pb] = await b.group.readCheckpoints();
    const stepA = pa.params.map((p, i) => p - before.params[i]);
    const twiceB = pb.params.map((p, i) => 2 * (p - before.params[i]));
    expectClose(stepA, twiceB, 'sgd step at lr 0.2 vs twice the step at 0.1', 1e-6, 1e-3);
    expect(() => a.group.configureRuns([{ ...RUNS[0], optimizer: { kind: 'sgd', lr: -1 } }])).toThrow(/runs\[0\]\.optimizer\.lr must be a number > 0/);
    expect(() => a.group.configureRuns([])).toThrow(/keep the group's 1 runs/);
  });

  it('starts a run\'s optimizer state afresh when a live change gives it another meaning', async () => {
    const sgd: GroupSpec = { ...SMALL, runs: [{ ...RUNS[1], id: 'switch' }] };
    const a = train(sgd);
    for (let s = 0; s < 2; s++) a.group.trainStep();
    a.group.configureRuns([{ ...RUNS[1], id: 'switch', optimizer: { kind: 'sgd', lr: 0.01, momentum: 0.5 } }]);
    const [same] = await a.group.readCheckpoints();
    expect(same.extra['update.optimizerStep']).toEqual(Float32Array.of(2));
    const adam = { ...ADAM_WARMUP, id: 'switch' };
    a.group.configureRuns([adam]);
    const [switched] = await a.group.readCheckpoints();
    expect(switched.extra['update.optimizerStep']).toEqual(Float32Array.of(0));
    expect(switched.optimizer.every((slot) => slot.every((v) => v === 0))).toBe(true);
    // The same weights in an Adam run at run step 2 with a fresh optimizer train identically.
    const b = train({ ...SMALL, runs: [adam] });
    for (let s = 0; s < 2; s++) b.group.trainStep();
    b.group.writeCheckpoints([0], [{ step: 2, params: switched.params, optimizer: [], extra: { 'update.optimizerStep': Float32Array.of(0) } }]);
    a.group.trainStep();
    b.group.trainStep();
    expect(a.last()).toEqual(b.last());
    expect(await a.group.readCheckpoints()).toEqual(await b.group.readCheckpoints());
  });

  it('refuses a bad spec with ConfigError naming the fields', () => {
    const bad = { ...SMALL, hiddenSize: 0, evalEvery: -1 } as GroupSpec;
    expect(() => new CpuGroup(bad, () => {})).toThrow(ConfigError);
    expect(() => new CpuGroup(bad, () => {})).toThrow(/hiddenSize must be an integer from 1 to 4096, got 0/);
    expect(() => new CpuGroup(bad, () => {})).toThrow(/evalEvery must be an integer from 0 to 1000000, got -1/);
  });

  it('skips the validation pass when the task has no validation split', () => {
    const { group, records } = train({ ...SMALL, task: new SignTask(0), runs: [RUNS[0]], evalEvery: 1 } as GroupSpec);
    group.trainStep();
    expect(records[0].runs[0].valLoss).toBeUndefined();
    expect(records[0].runs[0].metric).toBeUndefined();
  });
});
