/**
 * The training-loop cases every backend runs against the float64 ReferenceGroup (jax-js's habit:
 * one test body, several backends), and that body: train a few steps, then compare each run's
 * parameters, loss, gradient norms, learning rate, sparsity and step count with the reference.
 * Test support only (imports vitest); shapes are tiny so the GPU backend can run them on SwiftShader.
 */
import { expect } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import { ReferenceGroup } from '../reference/train';
import type { GroupSpec, RunSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import { PLATEAU_DEFAULTS } from '../training/plateau';
import { CONSTANT } from '../training/schedules';
import type { RecordSink, TrainerGroup } from '../training/trainer';
import { compare } from './compare';
import { FixedTask, SignTask } from './tasks';

/** |backend - reference| <= ATOL + RTOL |reference| for parameters. */
export const ATOL = 1e-4;
export const RTOL = 1e-3;

export const RUNS: RunSpec[] = [
  { id: 'sgd', label: 'SGD', seed: 11, optimizer: { kind: 'sgd', lr: 0.1 }, clip: {}, schedule: CONSTANT },
  {
    id: 'momentum', label: 'SGD momentum', seed: 12, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
    clip: { maxNorm: 0.5 }, schedule: { schedule: { kind: 'exponential', gamma: 0.9 }, warmup: 0 },
  },
  { id: 'adam', label: 'Adam', seed: 13, optimizer: { kind: 'adam', lr: 0.01 }, clip: {}, schedule: CONSTANT },
];

/** The other rules, clipping by value and the other schedules. */
export const MORE_RUNS: RunSpec[] = [
  {
    id: 'rmsprop', label: 'RMSprop centered', seed: 21, optimizer: { kind: 'rmsprop', lr: 0.01, momentum: 0.5, centered: true },
    clip: { value: 0.05 }, schedule: { schedule: { kind: 'cosine', tMax: 3, etaMin: 0.001 }, warmup: 2 },
  },
  {
    id: 'adamw', label: 'AdamW', seed: 22, optimizer: { kind: 'adamw', lr: 0.02, weightDecay: 0.1 },
    clip: { maxNorm: 0.3, value: 0.1 }, schedule: { schedule: { kind: 'step', stepSize: 2, gamma: 0.5 }, warmup: 0 },
  },
  {
    id: 'nesterov', label: 'SGD Nesterov', seed: 23, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 },
    clip: {}, schedule: CONSTANT,
  },
];

/** RUNS with dropout: rates 0, 0.3 (+ recurrent 0.4) and 0.5 in one group, sharing every dispatch. */
export const DROPOUT_RUNS: RunSpec[] = [
  { ...RUNS[0], dropout: 0 },
  { ...RUNS[1], dropout: 0.3, recurrentDropout: 0.4 },
  { ...RUNS[2], dropout: 0.5 },
];

/** MORE_RUNS with recurrent dropout on one run and dropout on another. */
export const MORE_DROPOUT_RUNS: RunSpec[] = [
  { ...MORE_RUNS[0], recurrentDropout: 0.25 },
  { ...MORE_RUNS[1], dropout: 0.2 },
  MORE_RUNS[2],
];

/**
 * Init schemes, reduce-on-plateau and pruning. The plateaus have patience 0 and a threshold no
 * step meets, so their rates fall within the first steps (one of them under a schedule and a
 * floor); the pruning changes masks at several steps, one-shot and gradual.
 */
export const TRICK_RUNS: RunSpec[] = [
  {
    id: 'adam-plateau', label: 'Adam, orthogonal init, plateau', seed: 41, optimizer: { kind: 'adam', lr: 0.02 }, clip: {}, schedule: CONSTANT,
    init: { weightIh: 'orthogonal', weightHh: 'orthogonal', bias: 'zeros' },
    plateau: { ...PLATEAU_DEFAULTS, patience: 0, factor: 0.5, threshold: 0.9, cooldown: 1 },
  },
  {
    id: 'momentum-gradual', label: 'SGD momentum, kaiming init, gradual pruning', seed: 42,
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, clip: { maxNorm: 1 }, schedule: CONSTANT,
    init: { weightIh: 'kaiming_uniform', weightHh: 'xavier_normal', bias: 'default' },
    prune: { kind: 'gradual', start: 1, end: 4, every: 1, sparsity: 0.6 },
  },
  {
    id: 'adamw-both', label: 'AdamW, one-shot pruning, plateau on a schedule with a floor', seed: 43,
    optimizer: { kind: 'adamw', lr: 0.03, weightDecay: 0.1 }, clip: {}, schedule: { schedule: { kind: 'exponential', gamma: 0.9 }, warmup: 0 },
    init: { weightIh: 'xavier_uniform', weightHh: 'kaiming_normal', bias: 'zeros' },
    plateau: { ...PLATEAU_DEFAULTS, patience: 0, factor: 0.3, threshold: 0.5, thresholdMode: 'abs', minLr: 0.004 },
    prune: { kind: 'oneshot', step: 2, sparsity: 0.5 },
  },
];

/** The LSTM's forget bias and the identity init, with a plateau in max mode that never reduces and a plain run. */
export const MORE_TRICK_RUNS: RunSpec[] = [
  {
    id: 'rmsprop-plateau', label: 'RMSprop, plateau', seed: 51, optimizer: { kind: 'rmsprop', lr: 0.01 }, clip: {}, schedule: CONSTANT,
    init: { weightIh: 'default', weightHh: 'identity', identityGain: 0.5, bias: 'default' },
    plateau: { ...PLATEAU_DEFAULTS, patience: 0, factor: 0.5, threshold: 10 },
    prune: { kind: 'gradual', start: 2, end: 6, every: 2, sparsity: 0.4 },
  },
  {
    id: 'sgd-max', label: 'SGD, plateau in max mode', seed: 52, optimizer: { kind: 'sgd', lr: 0.1 }, clip: {}, schedule: CONSTANT,
    plateau: { ...PLATEAU_DEFAULTS, mode: 'max', patience: 0, factor: 0.5 },
  },
  { id: 'plain', label: 'Adam, no tricks', seed: 53, optimizer: { kind: 'adam', lr: 0.01 }, clip: {}, schedule: CONSTANT },
];

export interface TrainingCase {
  name: string;
  spec: GroupSpec;
  steps: number;
}

export const TRAINING_CASES: TrainingCase[] = [
  {
    name: 'LSTM 2 layers, SGD / momentum+clip+decay / Adam, full BPTT, 5 steps',
    spec: {
      cell: 'lstm', hiddenSize: 6, numLayers: 2, batch: 3, seqLen: 5, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 3 }), runs: RUNS,
    },
    steps: 5,
  },
  {
    name: 'GRU truncated BPTT (k1 = 2, k2 = 4, episodes of 8): carried state and resets',
    spec: {
      cell: 'gru', hiddenSize: 5, numLayers: 2, batch: 2, seqLen: 4, head: 'every',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SineTask({ seed: 4 }), runs: RUNS,
    },
    steps: 5,
  },
  {
    name: 'LSTM truncated BPTT with k1 = k2 and a cross-entropy head on the last step',
    spec: {
      cell: 'lstm', hiddenSize: 7, numLayers: 1, batch: 4, seqLen: 3, head: 'last',
      bptt: { kind: 'truncated', k1: 3, episodeLength: 9 }, task: new SignTask(), runs: RUNS,
    },
    steps: 4,
  },
  {
    name: 'rnn_tanh with mse on every step',
    spec: {
      cell: 'rnn_tanh', hiddenSize: 9, numLayers: 1, batch: 2, seqLen: 6, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 5 }), runs: RUNS,
    },
    steps: 3,
  },
  {
    name: 'rnn_relu 2 layers, RMSprop centered+momentum+value clip+warmup cosine / AdamW+both clips+step decay / Nesterov',
    spec: {
      cell: 'rnn_relu', hiddenSize: 5, numLayers: 2, batch: 3, seqLen: 4, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 6 }), runs: MORE_RUNS,
    },
    steps: 5,
  },
  {
    name: 'GRU 1 layer, cross-entropy on every step, the other optimizers',
    spec: {
      cell: 'gru', hiddenSize: 6, numLayers: 1, batch: 3, seqLen: 4, head: 'every',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 6 }, task: new SignTask(), runs: MORE_RUNS,
    },
    steps: 4,
  },
  {
    name: 'LSTM 2 layers, dropout 0 / 0.3 + recurrent 0.4 / 0.5 in one group, per-timestep gradient norms every 2 steps',
    spec: {
      cell: 'lstm', hiddenSize: 6, numLayers: 2, batch: 3, seqLen: 5, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 8 }), runs: DROPOUT_RUNS, diagnosticsEvery: 2,
    },
    steps: 4,
  },
  {
    name: 'GRU bidirectional 2 layers, truncated BPTT (k1 = 2, k2 = 4: forward state carried, reverse from zero), recurrent dropout, norms every step',
    spec: {
      cell: 'gru', hiddenSize: 5, numLayers: 2, batch: 2, seqLen: 4, head: 'every', bidirectional: true,
      bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SineTask({ seed: 9 }), runs: MORE_DROPOUT_RUNS, diagnosticsEvery: 1,
    },
    steps: 5,
  },
  {
    name: 'rnn_tanh bidirectional residual 3 layers (layers 1, 2), dropout, cross-entropy head on the last step, evaluation without dropout',
    spec: {
      cell: 'rnn_tanh', hiddenSize: 4, numLayers: 3, batch: 3, seqLen: 3, head: 'last', bidirectional: true, residual: true,
      bptt: { kind: 'full' }, task: new SignTask(2), runs: DROPOUT_RUNS, evalEvery: 2,
    },
    steps: 4,
  },
  {
    name: 'GRU residual 2 layers (layer 0 adds the data: input size = H), recurrent dropout, RMSprop / AdamW / Nesterov',
    spec: {
      cell: 'gru', hiddenSize: 2, numLayers: 2, batch: 4, seqLen: 4, head: 'every', residual: true,
      bptt: { kind: 'full' }, task: new FixedTask(3), runs: MORE_DROPOUT_RUNS, diagnosticsEvery: 3,
    },
    steps: 3,
  },
  {
    name: 'LSTM bidirectional 1 layer, truncated BPTT, a head on the last step (its reverse half has seen only the last input), dropout',
    spec: {
      cell: 'lstm', hiddenSize: 5, numLayers: 1, batch: 2, seqLen: 4, head: 'last', bidirectional: true,
      bptt: { kind: 'truncated', k1: 4, episodeLength: 8 }, task: new SignTask(), runs: DROPOUT_RUNS,
    },
    steps: 3,
  },
  {
    name: 'LSTM 2 layers with init schemes, plateaus on the training loss (one on a decaying schedule with a floor), gradual and one-shot pruning',
    spec: {
      cell: 'lstm', hiddenSize: 5, numLayers: 2, batch: 3, seqLen: 4, head: 'every',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 7 }), runs: TRICK_RUNS,
    },
    steps: 6,
  },
  {
    name: 'LSTM with a forget bias, identity init, plateaus on the validation loss every 2 steps, gradual pruning, a run without tricks',
    spec: {
      cell: 'lstm', hiddenSize: 4, numLayers: 1, batch: 2, seqLen: 5, head: 'every', evalEvery: 2,
      bptt: { kind: 'truncated', k1: 3, episodeLength: 10 }, task: new SineTask({ seed: 8 }),
      runs: MORE_TRICK_RUNS.map((run, i) => (i === 0 ? { ...run, init: { ...run.init!, forgetBias: 1 } } : run)),
    },
    steps: 6,
  },
  {
    name: 'GRU 2 layers with the tricks, cross-entropy',
    spec: {
      cell: 'gru', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 3, head: 'every',
      bptt: { kind: 'full' }, task: new SignTask(), runs: TRICK_RUNS,
    },
    steps: 5,
  },
];

/**
 * Groups with a norm inside the cell (layer norm; recurrent batch norm, whose evaluation passes
 * use each run's running statistics). The CPU backend trains all of them, the WebGPU backend the
 * layer norm ones.
 */
export const NORM_TRAINING_CASES: TrainingCase[] = [
  {
    name: 'GRU layer norm bidirectional 2 layers, RMSprop / AdamW / Nesterov, recurrent dropout, evaluation every 2 steps',
    spec: {
      cell: 'gru', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 3, head: 'last', bidirectional: true, norm: 'layer',
      bptt: { kind: 'full' }, task: new SignTask(2), runs: MORE_DROPOUT_RUNS, evalEvery: 2,
    },
    steps: 3,
  },
  {
    name: 'rnn_tanh layer norm residual 2 layers, truncated BPTT, norms every step',
    spec: {
      cell: 'rnn_tanh', hiddenSize: 6, numLayers: 2, batch: 2, seqLen: 4, head: 'every', residual: true, norm: 'layer',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SineTask({ seed: 5 }), runs: RUNS, diagnosticsEvery: 1,
    },
    steps: 4,
  },
  {
    name: 'LSTM layer norm 2 layers, truncated BPTT, dropout and recurrent dropout, evaluation every 2 steps, norms every 2',
    spec: {
      cell: 'lstm', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 4, head: 'every', norm: 'layer',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SignTask(2), runs: DROPOUT_RUNS, evalEvery: 2, diagnosticsEvery: 2,
    },
    steps: 4,
  },
  {
    name: 'GRU batch norm bidirectional, RMSprop / AdamW / Nesterov, evaluation with running statistics every step',
    spec: {
      cell: 'gru', hiddenSize: 3, numLayers: 1, batch: 4, seqLen: 3, head: 'last', bidirectional: true, norm: 'batch',
      bptt: { kind: 'full' }, task: new SignTask(2, 'accuracy', true), runs: MORE_RUNS, evalEvery: 1,
    },
    steps: 3,
  },
  {
    name: 'rnn_tanh batch norm 2 layers, truncated BPTT, evaluation every 2 steps',
    spec: {
      cell: 'rnn_tanh', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 3, head: 'every', norm: 'batch',
      bptt: { kind: 'truncated', k1: 1, episodeLength: 6 }, task: new SignTask(2, 'accuracy', true), runs: RUNS, evalEvery: 2,
    },
    steps: 4,
  },
  {
    name: 'LSTM batch norm 2 layers, truncated BPTT, dropout and recurrent dropout, evaluation every 2 steps, norms every 2',
    spec: {
      cell: 'lstm', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 4, head: 'every', norm: 'batch',
      bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SignTask(2, 'accuracy', true), runs: DROPOUT_RUNS, evalEvery: 2, diagnosticsEvery: 2,
    },
    steps: 4,
  },
  {
    name: 'LSTM batch norm 1 layer on a regression task, dropout',
    spec: {
      cell: 'lstm', hiddenSize: 5, numLayers: 1, batch: 2, seqLen: 4, head: 'every', norm: 'batch',
      bptt: { kind: 'full' }, task: new SineTask({ seed: 4 }), runs: DROPOUT_RUNS,
    },
    steps: 3,
  },
];

export type GroupFactory = (spec: GroupSpec, onRecords: RecordSink) => Promise<TrainerGroup>;

/** Trains `c` on a backend's group and on the float64 reference side by side, checking every step. */
export async function trainAgainstReference(create: GroupFactory, c: TrainingCase): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  const group = await create(c.spec, (r) => records.push(...r));
  const ref = new ReferenceGroup(c.spec);
  // The largest parameter error over every step and run, printed with the case: what the test saw.
  let worst = { ratio: 0, abs: 0 };
  try {
    for (let s = 1; s <= c.steps; s++) {
      group.trainStep();
      const want = ref.trainStep();
      await group.settle();
      const checkpoints = await group.readCheckpoints();
      checkpoints.forEach((cp, r) => {
        const cmp = compare(cp.params, ref.params[r], ATOL, RTOL);
        expect(cmp.worstRatio, `step ${s} run ${c.spec.runs[r].id} params: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
        expect(cp.step).toBe(s);
        worst = { ratio: Math.max(worst.ratio, cmp.worstRatio), abs: Math.max(worst.abs, cmp.maxAbs) };
      });
      const rec = records.find((x) => x.step === s);
      expect(rec, `metrics of step ${s}`).toBeDefined();
      rec!.runs.forEach((m, r) => {
        const run = c.spec.runs[r];
        const losses = compare([m.loss], [want.losses[r]], 1e-5, 1e-4);
        expect(losses.worstRatio, `step ${s} run ${run.id} loss ${m.loss} vs ${want.losses[r]}`).toBeLessThanOrEqual(1);
        const norms = compare([m.gradNorm, ...m.layerGradNorms], want.norms[r], 1e-5, 1e-3);
        expect(norms.worstRatio, `step ${s} run ${run.id} norms`).toBeLessThanOrEqual(1);
        // Float32 where the GPU computes the rate (a run group with a plateau), float64 otherwise.
        const rate = compare([m.learningRate], [want.learningRates[r]], 0, 1e-6);
        expect(rate.worstRatio, `step ${s} run ${run.id} learning rate ${m.learningRate} vs ${want.learningRates[r]}`).toBeLessThanOrEqual(1);
        expect(m.sparsity, `step ${s} run ${run.id} sparsity`).toBe(want.sparsity?.[r]);
        expect(m.clipped, `step ${s} run ${run.id} clipped`).toBe(want.clipped[r]);
        expect(m.runStep).toBe(s);
        if (want.valLoss) {
          const val = compare([m.valLoss!, m.metric!], [want.valLoss[r], want.metric![r]], 1e-5, 1e-4);
          expect(val.worstRatio, `step ${s} run ${run.id} valLoss ${m.valLoss}, metric ${m.metric}`).toBeLessThanOrEqual(1);
        } else {
          expect(m.valLoss, `step ${s} run ${run.id} valLoss`).toBeUndefined();
        }
        if (want.gradThroughTime) {
          const norms = compare(m.gradThroughTime?.flat() ?? [], want.gradThroughTime[r].flat(), 1e-5, 1e-3);
          expect(m.gradThroughTime?.length, `step ${s} run ${run.id} gradThroughTime rows`).toBe(want.gradThroughTime[r].length);
          expect(norms.worstRatio, `step ${s} run ${run.id} gradThroughTime: max abs ${norms.maxAbs} at ${norms.at}`).toBeLessThanOrEqual(1);
        } else {
          expect(m.gradThroughTime, `step ${s} run ${run.id} gradThroughTime`).toBeUndefined();
        }
      });
    }
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: c.steps }, (_, i) => i + 1));
    console.log(`${c.name}: parameters after ${c.steps} steps within ${worst.ratio.toPrecision(2)} of the tolerance ` +
      `${ATOL} + ${RTOL}|ref| (largest |got - ref| ${worst.abs.toPrecision(2)})`);
    return records;
  } finally {
    group.destroy();
  }
}
