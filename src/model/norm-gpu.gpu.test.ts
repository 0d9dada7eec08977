// Layer norm inside the cell on the GPU (shaders/norm.wgsl, the LSTM's cell-state norm in
// lstm.wgsl, the step kernels' NORM variants) against the float64 reference, forward and backward,
// for R = 2 runs with different weights and norm gains in one dispatch: every cell, stacked,
// bidirectional, wider than a workgroup (H = 70) and with a partial block of batch rows.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { paramLayout, type CellKind, type RnnShape } from './layout';
import { RnnGpu } from './rnn-gpu';
import { forwardBackward, type RunTensors } from './rnn-io';
import { rnnBackward, rnnForward } from '../reference/rnn';
import { planLayers } from './plan';
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

describe.each(CELLS)('%s with layer norm vs float64 reference, R = 2', (cell: CellKind) => {
  it.each(SHAPES)('L=$layers I=$I H=$H T=$T B=$B bidirectional=$bidirectional', async ({ layers, I, H, T, B, bidirectional }) => {
    const shape: RnnShape = { cell, inputSize: I, hiddenSize: H, numLayers: layers, bidirectional, norm: 'layer' };
    const R = 2;
    const net = await RnnGpu.create(gpu.engine, { ...shape, seqLen: T, batch: B, runs: R });
    try {
      const runs = [0, 1].map((r) => makeRun(shape, T, B, 100 * r + H + layers));
      const got = await forwardBackward(net, runs);
      let worst = 0;
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
          ['grad x', got[r].grads.x, grads.x],
          ['grad h0', got[r].grads.h0, grads.h0],
        ];
        for (const e of paramLayout(shape).entries) {
          pairs.push([`grad ${e.name}`, got[r].grads.params.subarray(e.offset, e.offset + e.size), grads.params.subarray(e.offset, e.offset + e.size)]);
        }
        if (cell === 'lstm') pairs.push(['c_n', got[r].cN!, fwd.cN!], ['grad c0', got[r].grads.c0!, grads.c0!]);
        for (const [name, g, w] of pairs) {
          const cmp = compare(g, w, ATOL, RTOL);
          worst = Math.max(worst, cmp.maxAbs);
          expect(cmp.worstRatio, `run ${r} ${name}: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
        }
      }
      console.log(`layer norm ${cell} L=${layers} H=${H}: largest |gpu - reference| ${worst.toExponential(2)}`);
    } finally {
      net.destroy();
    }
  });
});
