// Weight and gradient histograms on the GPU against the reference's counts, for every tensor of
// a small 2-layer GRU with its head, R = 2 runs with different weights and gradients; a zero
// tensor and one with a single large value are in there too. The largest |value| must match
// exactly (it is one of the values); counts must match except for values whose exact position
// lies within 1e-4 of a bin edge, where float32 division may round either way: the counts may
// then differ by at most two per such value (one leaves a bin, one enters the next).
import { describe, expect, it } from 'vitest';
import { Arena } from '../engine/arena';
import { useEngine } from '../testing/gpu';
import { HISTOGRAM_BINS, histogramOf } from '../reference/histogram';
import { Rng } from '../reference/random';
import { HistogramGpu, histogramTensors } from './histogram-gpu';
import { modelLayout } from './model-layout';

const gpu = useEngine();

/** Values too close to a bin edge to call in float32. */
function nearEdges(values: ArrayLike<number>, max: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const t = ((values[i] + max) / (2 * max)) * HISTOGRAM_BINS;
    if (max > 0 && Math.abs(t - Math.round(t)) < 1e-4 && Math.round(t) > 0 && Math.round(t) < HISTOGRAM_BINS) n++;
  }
  return n;
}

describe('histograms on the GPU vs reference counts', () => {
  it('every tensor of a 2-layer GRU and its head, weights and gradients, R = 2', async () => {
    const layout = modelLayout({ cell: 'gru', inputSize: 3, hiddenSize: 9, numLayers: 2 }, 2);
    const tensors = histogramTensors(layout);
    const P = layout.paramCount;
    expect(tensors.at(-1)!.offset + tensors.at(-1)!.size).toBe(P);
    const rng = new Rng(5);
    const params = Float32Array.from(rng.uniform(2 * P, 0.7));
    const grads = Float32Array.from(rng.uniform(2 * P, 0.01));
    // Run 1: the first tensor's weights all zero, the second's gradients one large value.
    params.fill(0, P + tensors[0].offset, P + tensors[0].offset + tensors[0].size);
    grads[P + tensors[1].offset + 3] = 50;
    const pArena = new Arena(gpu.engine, 'test params', [{ name: 'v', shape: [2, P] }]);
    const gArena = new Arena(gpu.engine, 'test grads', [{ name: 'v', shape: [2, P] }]);
    const h = await HistogramGpu.create(gpu.engine, { label: 'test', tensors, runs: 2, runStride: P, params: pArena.buffer, grads: gArena.buffer });
    try {
      pArena.write('v', params);
      gArena.write('v', grads);
      await gpu.engine.validate('histogram test', () => gpu.engine.submit('histogram test', (encoder) => h.encode(encoder)));
      const got = await h.read();
      // Deterministic: the same tensors again give the same numbers.
      await gpu.engine.validate('histogram test again', () => gpu.engine.submit('histogram test again', (encoder) => h.encode(encoder)));
      expect(await h.read()).toEqual(got);
      let slack = 0;
      let differences = 0;
      for (let r = 0; r < 2; r++) {
        tensors.forEach((t, k) => {
          for (const [kind, all] of [['weight', params], ['grad', grads]] as const) {
            const values = all.subarray(r * P + t.offset, r * P + t.offset + t.size);
            const want = histogramOf(values);
            const g = got[r][k][kind];
            const at = `run ${r} ${t.name} ${kind}`;
            expect(got[r][k].name).toBe(t.name);
            expect(g.max, at).toBe(want.max);
            expect(g.counts.reduce((a, b) => a + b, 0), `${at} total`).toBe(t.size);
            const edge = nearEdges(values, want.max);
            slack += edge;
            const diff = g.counts.reduce((a, c, b) => a + Math.abs(c - want.counts[b]), 0);
            expect(diff, `${at}: gpu ${g.counts}, reference ${want.counts}`).toBeLessThanOrEqual(2 * edge);
            differences += diff;
          }
        });
      }
      expect(got[1][0].weight.counts[HISTOGRAM_BINS / 2]).toBe(tensors[0].size);
      expect(got[1][1].grad.max).toBe(50);
      expect(got[1][1].grad.counts[HISTOGRAM_BINS - 1]).toBe(1);
      // The allowance must stay a sliver of the values compared (2 runs x weights and gradients).
      expect(slack, 'values at a bin edge (allowed to differ)').toBeLessThan(0.02 * 4 * P);
    } finally {
      h.destroy();
      pArena.destroy();
      gArena.destroy();
    }
  });
});
