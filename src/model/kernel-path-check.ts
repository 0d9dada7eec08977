/**
 * Test support shared by the kernel-path suites (looping.gpu.test.ts, per-step.gpu.test.ts): one
 * network's forward and backward on the GPU, for R runs with their own weights, against the
 * float64 reference (src/reference/rnn.ts), the count of recurrent-kernel dispatches in a list, where
 * layer 0's input projection is folded into the forward kernels (FOLD_INPUT), and the training
 * groups whose top layer folds the head's input gradient (FOLD_HEAD) or must not.
 */
import { expect } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import type { Engine } from '../engine/engine';
import { rnnBackward, rnnForward } from '../reference/rnn';
import { Rng } from '../reference/random';
import { compare } from '../testing/compare';
import { ManyClassTask, SignTask } from '../testing/tasks';
import { DROPOUT_RUNS, RUNS, trainAgainstReference, type TrainingCase } from '../testing/training-cases';
import { RunGroup } from '../training/run-group';
import { FOLD_HEAD_MAX_OUTPUTS } from './kernel-path';
import { CELL_KINDS, paramLayout, type RnnShape } from './layout';
import { planLayers } from './plan';
import type { RnnGroupShape } from './rnn-gpu';
import { RnnGpu } from './rnn-gpu';
import { forwardBackward, type RunTensors } from './rnn-io';

export const ATOL = 1e-4;
export const RTOL = 1e-3;

export interface CheckCase {
  shape: RnnShape;
  seqLen: number;
  batch: number;
  runs: number;
  seed: number;
}

/** One comparison: the quantity, and its worst |got - ref| / (ATOL + RTOL |ref|) over the runs. */
export interface Worst {
  name: string;
  ratio: number;
  maxAbs: number;
}

function makeRun(shape: RnnShape, T: number, B: number, seed: number): RunTensors & { c0?: Float64Array } {
  const rng = new Rng(seed);
  const plan = planLayers(shape);
  const L = plan.directions.length;
  const H = shape.hiddenSize;
  return {
    params: rng.uniform(paramLayout(shape).total, 1 / Math.sqrt(H)),
    x: rng.uniform(T * B * shape.inputSize, 1),
    h0: rng.uniform(L * B * H, 1),
    c0: shape.cell === 'lstm' ? rng.uniform(L * B * H, 1) : undefined,
    gradOutput: rng.uniform(T * B * plan.outputSize, 1),
  };
}

/** Output, final states and every gradient of `c` on `engine`'s current kernel path vs the reference. */
export async function checkAgainstReference(engine: Engine, c: CheckCase): Promise<Worst[]> {
  const { shape, seqLen: T, batch: B, runs: R } = c;
  const net = await RnnGpu.create(engine, { ...shape, seqLen: T, batch: B, runs: R });
  try {
    const runs = Array.from({ length: R }, (_, r) => makeRun(shape, T, B, c.seed + 1000 * r));
    const got = await forwardBackward(net, runs);
    const worst = new Map<string, Worst>();
    for (let r = 0; r < R; r++) {
      const run = runs[r];
      const inputs = {
        shape, seqLen: T, batch: B,
        params: Float64Array.from(run.params), x: Float64Array.from(run.x), h0: Float64Array.from(run.h0),
        c0: run.c0 ? Float64Array.from(run.c0) : undefined,
      };
      const fwd = rnnForward(inputs);
      const grads = rnnBackward(inputs, fwd, Float64Array.from(run.gradOutput));
      const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [
        ['output', got[r].output, fwd.output],
        ['h_n', got[r].hN, fwd.hN],
        ['grad params', got[r].grads.params, grads.params],
        ['grad x', got[r].grads.x, grads.x],
        ['grad h0', got[r].grads.h0, grads.h0],
      ];
      if (shape.cell === 'lstm') pairs.push(['c_n', got[r].cN!, fwd.cN!], ['grad c0', got[r].grads.c0!, grads.c0!]);
      for (const [name, g, w] of pairs) {
        const cmp = compare(g, w, ATOL, RTOL);
        const prev = worst.get(name);
        if (!prev || cmp.worstRatio > prev.ratio) worst.set(name, { name, ratio: cmp.worstRatio, maxAbs: cmp.maxAbs });
      }
    }
    const all = [...worst.values()];
    const top = all.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    console.log(`${shape.cell} L${shape.numLayers} H${shape.hiddenSize} T${T} B${B}: worst ${top.name} at ${top.ratio.toPrecision(2)} of the tolerance (|got - ref| up to ${top.maxAbs.toPrecision(2)})`);
    return all;
  } finally {
    net.destroy();
  }
}

/** Dispatches of each list of a network built with `shape`, and how many of them run the recurrent cell kernels. */
export async function countDispatches(engine: Engine, shape: RnnGroupShape, lists: readonly string[]): Promise<Record<string, { all: number; cell: number }>> {
  const net = await RnnGpu.create(engine, shape);
  try {
    const cellEntries = new Set(['forward_step', 'backward_step', 'forward_loop', 'backward_loop']);
    return Object.fromEntries(lists.map((list) => {
      const dispatches = net.program.list(list);
      return [list, { all: dispatches.length, cell: dispatches.filter((d) => cellEntries.has(d.kernel.desc.entryPoint)).length }];
    }));
  } finally {
    net.destroy();
  }
}

/**
 * That the forward lists of `net` (2 bidirectional layers, with `forward-eval`) form layer 0's input
 * projection inside its `entryPoint` dispatches exactly when `folded`: then layer 0 records no input
 * projection GEMM and only its forward dispatches run FOLD_INPUT; layer 1 reads both directions of
 * layer 0, two parts per direction, always by GEMM. Returns each list's `entryPoint` dispatches.
 */
export function expectInputFold(net: RnnGpu, folded: boolean, entryPoint: 'forward_step' | 'forward_loop'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const list of ['forward', 'forward-eval']) {
    const dispatches = net.program.list(list);
    const projections = dispatches.map((d) => d.bindGroup.label).filter((l) => l.startsWith('input projection'));
    expect(projections.filter((l) => l.startsWith('input projection l1')), list).toHaveLength(4);
    for (const label of ['input projection l0', 'input projection l0 reverse']) {
      expect(projections.includes(label), `${list} (folded: ${folded}): ${label}`).toBe(!folded);
    }
    const forward = dispatches.filter((d) => d.kernel.desc.entryPoint === entryPoint);
    for (const d of forward) {
      const expected = folded && d.bindGroup.label.includes(' l0') ? 1 : undefined;
      expect(d.kernel.desc.constants?.FOLD_INPUT, `${list} (folded: ${folded}): ${d.bindGroup.label}`).toBe(expected);
    }
    counts[list] = forward.length;
  }
  return counts;
}

/** A training case for the head fold: whether its top layer folds, and (looping path) the chunk length. */
export interface HeadFoldCase extends TrainingCase {
  folds: boolean;
  chunk?: number;
}

/**
 * Per cell, groups whose top layer folds the head's input gradient (FOLD_HEAD): O = 1 (mse) over
 * two layers, O = 3 (cross-entropy) bidirectional with per-timestep gradient norms (the
 * DIAGNOSTICS variant folds too), both with B 5 (a full and a partial batch tile) and, on the
 * looping path, the sequence in chunks; an LSTM with layer and with batch norm (per-step only,
 * its backward step split around the cell-state norm); then groups that keep the GEMM: more classes than
 * FOLD_HEAD_MAX_OUTPUTS, dropout on the head's input, a residual top layer.
 */
export const HEAD_FOLD_CASES: HeadFoldCase[] = [
  ...CELL_KINDS.flatMap((cell): HeadFoldCase[] => [
    {
      name: `${cell} O 1, 2 layers, B 5, T 5 (looping: chunks of 2)`, folds: true, chunk: 2, steps: 3,
      spec: { cell, hiddenSize: 5, numLayers: 2, batch: 5, seqLen: 5, head: 'every', bptt: { kind: 'full' }, task: new SineTask({ seed: 3 }), runs: RUNS },
    },
    {
      name: `${cell} O 3, bidirectional 2 layers, B 5, T 4 (looping: chunks of 3), norms through time every 2 steps`, folds: true, chunk: 3, steps: 3,
      spec: {
        cell, hiddenSize: 4, numLayers: 2, batch: 5, seqLen: 4, head: 'every', bidirectional: true, bptt: { kind: 'full' },
        task: new SignTask(), runs: RUNS.slice(1), diagnosticsEvery: 2,
      },
    },
  ]),
  // norms inside the cell run per-step whatever the policy; the LSTM's split backward step (NORM_C) folds in its first phase
  ...(['layer', 'batch'] as const).map((norm): HeadFoldCase => ({
    name: `lstm ${norm} norm O 3, 2 layers (per-step on either policy)`, folds: true, steps: 3,
    spec: {
      cell: 'lstm', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 3, head: 'every', norm, bptt: { kind: 'full' },
      task: new SignTask(0, 'accuracy', true), runs: RUNS,
    },
  })),
  {
    name: `lstm O ${FOLD_HEAD_MAX_OUTPUTS + 1}: above the limit`, folds: false, steps: 3,
    spec: { cell: 'lstm', hiddenSize: 5, numLayers: 1, batch: 3, seqLen: 4, head: 'every', bptt: { kind: 'full' }, task: new ManyClassTask(FOLD_HEAD_MAX_OUTPUTS + 1), runs: RUNS },
  },
  {
    name: 'gru O 1 with dropout on the head\'s input', folds: false, steps: 3,
    spec: { cell: 'gru', hiddenSize: 5, numLayers: 1, batch: 3, seqLen: 4, head: 'every', bptt: { kind: 'full' }, task: new SineTask({ seed: 5 }), runs: DROPOUT_RUNS },
  },
  {
    name: 'rnn_tanh O 3 with a residual top layer', folds: false, steps: 3,
    spec: { cell: 'rnn_tanh', hiddenSize: 4, numLayers: 2, batch: 3, seqLen: 4, head: 'every', residual: true, bptt: { kind: 'full' }, task: new SignTask(), runs: RUNS },
  },
];

/**
 * That `group`'s network folds the head's input gradient as `folds` says: the backward lists' top
 * layer dispatches, and only those, run a FOLD_HEAD kernel (no forward one does).
 */
export function expectHeadFold(group: RunGroup, folds: boolean): void {
  const net = group.net;
  expect(net.foldsHead, 'net.foldsHead').toBe(folds);
  const top = new RegExp(` l${net.shape.numLayers - 1}( |$)`);
  const lists = ['backward', ...(net.shape.diagnostics ? ['backward-diagnostics'] : [])];
  const cellDispatches = lists.flatMap((l) => net.program.list(l)).filter((d) => d.kernel.desc.entryPoint.startsWith('backward_'));
  expect(cellDispatches.some((d) => top.test(d.bindGroup.label))).toBe(true);
  for (const d of cellDispatches) {
    const expected = folds && top.test(d.bindGroup.label) ? 1 : undefined;
    expect(d.kernel.desc.constants?.FOLD_HEAD, d.bindGroup.label).toBe(expected);
  }
  for (const d of ['forward', 'forward-eval'].flatMap((l) => net.program.list(l))) {
    expect(d.kernel.desc.constants?.FOLD_HEAD, `forward: ${d.bindGroup.label}`).toBeUndefined();
  }
}

/** Trains `c` on `engine`'s current kernel path against the float64 reference, its head fold as `c.folds` says. */
export async function trainHeadFoldCase(engine: Engine, c: HeadFoldCase): Promise<void> {
  await trainAgainstReference(async (spec, onRecords) => {
    const group = await RunGroup.create(engine, spec, onRecords);
    expectHeadFold(group, c.folds);
    return group;
  }, c);
}
