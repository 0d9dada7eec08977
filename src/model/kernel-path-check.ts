/**
 * Test support shared by the kernel-path suites (looping.gpu.test.ts, per-step.gpu.test.ts): one
 * network's forward and backward on the GPU, for R runs with their own weights, against the
 * float64 reference (src/reference/rnn.ts), and the count of recurrent-kernel dispatches in a list.
 */
import type { Engine } from '../engine/engine';
import { rnnBackward, rnnForward } from '../reference/rnn';
import { Rng } from '../reference/random';
import { compare } from '../testing/compare';
import { paramLayout, type RnnShape } from './layout';
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
