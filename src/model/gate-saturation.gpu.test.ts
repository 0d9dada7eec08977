// Gate saturation on the GPU against the float64 reference's saved gates: LSTM (i, f, o) and GRU
// (r, z), R = 2 runs with different weights, stacked and bidirectional layers. Weights are drawn
// wide (uniform +-2.5) so that a good share of the gates saturate at both ends. A gate whose
// reference value lies within 1e-5 of a threshold may fall either side in float32: those cells
// are counted and allowed, every other cell must be counted the same.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { gateSaturation, SATURATED_HIGH, SATURATED_LOW } from '../reference/gate-saturation';
import { rnnForward } from '../reference/rnn';
import { Rng } from '../reference/random';
import { CELLS } from './cells';
import { GateSaturationGpu } from './gate-saturation-gpu';
import { paramLayout, type RnnShape } from './layout';
import { planLayers } from './plan';
import { RnnGpu } from './rnn-gpu';
import { uploadRuns, type RunTensors } from './rnn-io';

const gpu = useEngine();

/** Cells of a gate whose reference value is too close to a threshold to call in float32, per direction. */
function ambiguous(saved: Float64Array, S: number, H: number, slot: number): number {
  let n = 0;
  for (let row = 0; row < saved.length / (S * H); row++) {
    for (let j = 0; j < H; j++) {
      const v = saved[row * S * H + slot * H + j];
      if (Math.abs(v - SATURATED_LOW) < 1e-5 || Math.abs(v - SATURATED_HIGH) < 1e-5) n++;
    }
  }
  return n;
}

const SHAPES = [
  { layers: 1, I: 3, H: 5, T: 4, B: 3 },
  { layers: 2, I: 2, H: 7, T: 3, B: 2, bidirectional: true },
  { layers: 1, I: 4, H: 33, T: 5, B: 4 }, // more cells than threads in the workgroup
];

describe.each(['lstm', 'gru'] as const)('%s gate saturation vs float64 reference', (cell) => {
  it.each(SHAPES)('L=$layers I=$I H=$H T=$T B=$B bidirectional=$bidirectional', async ({ layers, I, H, T, B, bidirectional }) => {
    const shape: RnnShape = { cell, inputSize: I, hiddenSize: H, numLayers: layers, bidirectional };
    const R = 2;
    const L = planLayers(shape).directions.length;
    const net = await RnnGpu.create(gpu.engine, { ...shape, seqLen: T, batch: B, runs: R });
    const sat = await GateSaturationGpu.create(gpu.engine, net, 'test');
    try {
      expect(sat).toBeDefined();
      const runs: RunTensors[] = [0, 1].map((r) => {
        const rng = new Rng(77 + 13 * r + H);
        return {
          params: rng.uniform(paramLayout(shape).total, 2.5), x: rng.uniform(T * B * I, 1), h0: rng.uniform(L * B * H, 1),
          c0: cell === 'lstm' ? rng.uniform(L * B * H, 1) : undefined, gradOutput: new Float64Array(T * B * (bidirectional ? 2 : 1) * H),
        };
      });
      uploadRuns(net, runs);
      await gpu.engine.validate('gate saturation test', () => {
        gpu.engine.submit('gate saturation test', (encoder) => {
          net.encodeForward(encoder);
          sat!.encode(encoder);
        });
      });
      const got = await sat!.read();
      // Deterministic: the same forward again gives the same fractions, bit for bit.
      await gpu.engine.validate('gate saturation again', () => gpu.engine.submit('gate saturation again', (encoder) => sat!.encode(encoder)));
      expect(await sat!.read()).toEqual(got);
      const S = CELLS[cell].savedPerUnit;
      let saturatedCells = 0;
      for (let r = 0; r < R; r++) {
        const run = runs[r];
        const fwd = rnnForward({
          shape, seqLen: T, batch: B, params: Float64Array.from(run.params), x: Float64Array.from(run.x),
          h0: Float64Array.from(run.h0), c0: run.c0 ? Float64Array.from(run.c0) : undefined,
        });
        const want = gateSaturation(cell, H, fwd.layers.map((l) => l.saved));
        expect(Object.keys(got[r])).toEqual(CELLS[cell].saturating!.map((g) => g.gate));
        for (const { gate, slot } of CELLS[cell].saturating!) {
          for (let d = 0; d < L; d++) {
            const cells = T * B * H;
            const slack = ambiguous(fwd.layers[d].saved, S, H, slot) / cells;
            for (const side of ['below', 'above'] as const) {
              const g = got[r][gate][side][d];
              const w = want[gate][side][d];
              expect(Math.abs(g - w), `run ${r} gate ${gate} direction ${d} ${side}: gpu ${g}, reference ${w}`).toBeLessThanOrEqual(slack + 1e-7);
              saturatedCells += w * cells;
            }
          }
        }
      }
      // The test means something only if gates did saturate.
      expect(saturatedCells).toBeGreaterThan(0);
    } finally {
      sat?.destroy();
      net.destroy();
    }
  });
});
