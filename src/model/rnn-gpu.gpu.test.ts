// Every cell kernel (forward step, backward step, initial-state pass, projection and gradient
// GEMMs) against the float64 reference, for R = 3 runs with different weights in one dispatch;
// bidirectional layers (reverse directions, 2H-wide inputs) and residual layers (the layer-output
// kernel and its gradient) too.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { CELL_KINDS, paramLayout, type CellKind, type RnnShape } from './layout';
import { RnnGpu } from './rnn-gpu';
import { forwardBackward, type RunTensors } from './rnn-io';
import { rnnBackward, rnnForward } from '../reference/rnn';
import { planLayers } from './plan';
import { Rng } from '../reference/random';

const ATOL = 1e-4;
const RTOL = 1e-3;

const gpu = useEngine();

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

const SHAPES: { layers: number; I: number; H: number; T: number; B: number; bidirectional?: boolean; residual?: boolean }[] = [
  { layers: 1, I: 3, H: 5, T: 4, B: 2 },
  { layers: 2, I: 7, H: 37, T: 3, B: 3 },
  { layers: 3, I: 2, H: 70, T: 2, B: 1 },
  { layers: 1, I: 4, H: 6, T: 1, B: 1 },
  { layers: 2, I: 5, H: 9, T: 3, B: 6 }, // a full and a partial block of batch rows per thread
  { layers: 2, I: 3, H: 5, T: 4, B: 2, bidirectional: true },
  { layers: 3, I: 4, H: 4, T: 3, B: 2, residual: true }, // every layer, layer 0 adding the data
  { layers: 3, I: 2, H: 3, T: 3, B: 5, bidirectional: true, residual: true }, // layers 1 and 2
];

describe.each(CELL_KINDS)('%s kernels vs float64 reference, R = 3', (cell: CellKind) => {
  it.each(SHAPES)('L=$layers I=$I H=$H T=$T B=$B bidirectional=$bidirectional residual=$residual', async ({ layers, I, H, T, B, bidirectional, residual }) => {
    const shape: RnnShape = { cell, inputSize: I, hiddenSize: H, numLayers: layers, bidirectional, residual };
    const R = 3;
    const net = await RnnGpu.create(gpu.engine, { ...shape, seqLen: T, batch: B, runs: R });
    try {
      const runs = [0, 1, 2].map((r) => makeRun(shape, T, B, 1000 * r + H + layers));
      const got = await forwardBackward(net, runs);
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
        if (cell === 'lstm') {
          pairs.push(['c_n', got[r].cN!, fwd.cN!], ['grad c0', got[r].grads.c0!, grads.c0!]);
        }
        for (const [name, g, w] of pairs) {
          const cmp = compare(g, w, ATOL, RTOL);
          expect(cmp.worstRatio, `run ${r} ${name}: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
        }
      }
    } finally {
      net.destroy();
    }
  });
});
