// The norms inside the cell on the GPU against the float64 reference, forward and backward, for
// R = 2 runs with different weights and norm gains in one dispatch: every cell, stacked,
// bidirectional, wider than a workgroup (H = 70) and with a partial block of batch rows.
//   layer norm  shaders/norm.wgsl, the LSTM's cell-state norm in lstm.wgsl, the NORM variants;
//   batch norm  shaders/batch_norm.wgsl, lstm.wgsl bn_c_*, the BATCH variants: the training pass
//               (batch statistics) with the running statistics it leaves, then the evaluation
//               pass that normalizes with given running statistics.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { paramLayout, type CellKind, type RnnShape } from './layout';
import { RnnGpu } from './rnn-gpu';
import { forwardBackward, readRuns, type RunTensors } from './rnn-io';
import { rnnBackward, rnnForward, type RnnInputs } from '../reference/rnn';
import { initialRunning, updateRunning, type NormStats } from '../reference/norm';
import { planLayers, type NormKind } from './plan';
import { Rng } from '../reference/random';

const ATOL = 1e-4;
const RTOL = 1e-3;

const gpu = useEngine();

/** Random tensors; norm gains near 1 and biases near 0, as training sees them. */
function makeRun(shape: RnnShape, T: number, B: number, seed: number): RunTensors & { c0?: Float64Array } {
  const rng = new Rng(seed);
  const plan = planLayers(shape);
  const L = plan.directions.length;
  const H = shape.hiddenSize;
  const layout = paramLayout(shape);
  const params = rng.uniform(layout.total, 1 / Math.sqrt(H));
  for (const e of layout.entries) {
    if (e.fill === undefined) continue;
    const noise = rng.uniform(e.size, 0.3);
    for (let i = 0; i < e.size; i++) params[e.offset + i] = e.fill + noise[i];
  }
  return {
    params,
    x: rng.uniform(T * B * shape.inputSize, 1),
    h0: rng.uniform(L * B * H, 1),
    c0: shape.cell === 'lstm' ? rng.uniform(L * B * H, 1) : undefined,
    gradOutput: rng.uniform(T * B * plan.outputSize, 1),
  };
}

const SHAPES: { layers: number; I: number; H: number; T: number; B: number; bidirectional?: boolean }[] = [
  { layers: 2, I: 3, H: 5, T: 3, B: 3 },
  { layers: 1, I: 2, H: 70, T: 2, B: 5 },
  { layers: 2, I: 3, H: 4, T: 3, B: 2, bidirectional: true },
];

const CELLS: CellKind[] = ['lstm', 'gru', 'rnn_tanh'];

const CASES = (['layer', 'batch'] as const).flatMap((norm) => CELLS.map((cell) => [norm, cell] as const));

function referenceInputs(shape: RnnShape, T: number, B: number, run: ReturnType<typeof makeRun>): RnnInputs {
  return {
    shape, seqLen: T, batch: B,
    params: Float64Array.from(run.params), x: Float64Array.from(run.x), h0: Float64Array.from(run.h0),
    c0: run.c0 ? Float64Array.from(run.c0) : undefined,
  };
}

/** Running statistics [direction][site][step] flat, as extra["norm.running"] (and the GPU's nrun) lay them out. */
function flatRunning(running: NormStats[][][]): Float64Array {
  const out: number[] = [];
  for (const sites of running) for (const steps of sites) for (const st of steps) out.push(...st.mean, ...st.var);
  return Float64Array.from(out);
}

/** The largest |gpu - reference| and the largest error over the tolerance (<= 1 passes) seen so far. */
const seen = { abs: 0, ratio: 0 };

/** Compares named pairs; returns the largest |gpu - reference|. */
function check(label: string, pairs: [string, ArrayLike<number>, ArrayLike<number>][]): number {
  let worst = 0;
  for (const [name, g, w] of pairs) {
    expect(g.length, `${label} ${name} length`).toBe(w.length);
    const cmp = compare(g, w, ATOL, RTOL);
    worst = Math.max(worst, cmp.maxAbs);
    seen.ratio = Math.max(seen.ratio, cmp.worstRatio);
    expect(cmp.worstRatio, `${label} ${name}: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
  }
  return worst;
}

describe.each(CASES)('%s norm, %s vs float64 reference, R = 2', (norm: NormKind, cell: CellKind) => {
  it.each(SHAPES)('L=$layers I=$I H=$H T=$T B=$B bidirectional=$bidirectional', async ({ layers, I, H, T, B, bidirectional }) => {
    const shape: RnnShape = { cell, inputSize: I, hiddenSize: H, numLayers: layers, bidirectional, norm };
    const R = 2;
    const batch = norm === 'batch';
    const net = await RnnGpu.create(gpu.engine, { ...shape, seqLen: T, batch: B, runs: R, evalForward: batch });
    try {
      const runs = [0, 1].map((r) => makeRun(shape, T, B, 100 * r + H + layers));
      const got = await forwardBackward(net, runs);
      const running = batch ? await net.readRunning() : undefined;
      let worst = 0;
      const evalRunning: Float32Array[] = [];
      for (let r = 0; r < R; r++) {
        const run = runs[r];
        const inputs = referenceInputs(shape, T, B, run);
        const fwd = rnnForward(inputs);
        const grads = rnnBackward(inputs, fwd, Float64Array.from(run.gradOutput));
        const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [
          ['output', got[r].output, fwd.output],
          ['h_n', got[r].hN, fwd.hN],
          ['grad x', got[r].grads.x, grads.x],
          ['grad h0', got[r].grads.h0, grads.h0],
        ];
        for (const e of paramLayout(shape).entries) {
          pairs.push([`grad ${e.name}`, got[r].grads.params.subarray(e.offset, e.offset + e.size), grads.params.subarray(e.offset, e.offset + e.size)]);
        }
        if (cell === 'lstm') pairs.push(['c_n', got[r].cN!, fwd.cN!], ['grad c0', got[r].grads.c0!, grads.c0!]);
        if (running) {
          // one training forward from torch's initial statistics: (1 - 0.1) init + 0.1 batch (unbiased var)
          const want = fwd.batchStats!.map((sites) => sites.map((steps) => steps.map((st) => updateRunning(initialRunning(st.mean.length), st, B))));
          const size = net.runningSize;
          pairs.push(['running statistics', running.subarray(r * size, (r + 1) * size), flatRunning(want)]);
          // evaluation statistics far from the batch's, so a kernel that ignored them would fail
          evalRunning.push(Float32Array.from(flatRunning(want), (v, i) => v * (1.5 + 0.25 * Math.sin(i)) + 0.3 * Math.cos(i)));
        }
        worst = Math.max(worst, check(`run ${r} train`, pairs));
      }
      if (batch) worst = Math.max(worst, await checkEvaluation(net, shape, T, B, runs, evalRunning));
      console.log(`${norm} norm ${cell} L=${layers} H=${H} B=${B}${bidirectional ? ' bidirectional' : ''}: largest |gpu - reference| ${worst.toExponential(2)}`
        + ` (largest error / tolerance so far ${seen.ratio.toFixed(3)})`);
      seen.ratio = 0;
    } finally {
      net.destroy();
    }
  });
});

/**
 * The evaluation pass with each run's given running statistics against the reference's forward
 * with those statistics fixed; the running statistics must not move.
 */
async function checkEvaluation(net: RnnGpu, shape: RnnShape, T: number, B: number, runs: ReturnType<typeof makeRun>[], evalRunning: Float32Array[]): Promise<number> {
  evalRunning.forEach((v, r) => net.writeRunning(r, v));
  net.engine.submit('batch norm evaluation', (encoder) => net.encodeForwardEval(encoder));
  const got = await readRuns(net);
  const after = await net.readRunning();
  let worst = 0;
  for (let r = 0; r < runs.length; r++) {
    const normStats = unflatRunning(net, Float64Array.from(evalRunning[r]));
    const fwd = rnnForward({ ...referenceInputs(shape, T, B, runs[r]), normStats });
    const size = net.runningSize;
    expect(Array.from(after.subarray(r * size, (r + 1) * size)), `run ${r}: evaluation left the running statistics as they were`).toEqual(Array.from(evalRunning[r]));
    worst = Math.max(worst, check(`run ${r} evaluation`, [['output', got[r].output, fwd.output], ['h_n', got[r].hN, fwd.hN]]));
  }
  return worst;
}

/** flatRunning's inverse for this network's shape. */
function unflatRunning(net: RnnGpu, flat: Float64Array): NormStats[][][] {
  const H = net.shape.hiddenSize;
  const sites = net.shape.cell === 'lstm' ? ['ih', 'hh', 'c'] : ['ih', 'hh'];
  let i = 0;
  return net.plan.directions.map(() => sites.map((s) => Array.from({ length: net.shape.seqLen }, () => {
    const n = s === 'c' ? H : net.plan.gates * H;
    const st = { mean: flat.slice(i, i + n), var: flat.slice(i + n, i + 2 * n) };
    i += 2 * n;
    return st;
  })));
}
