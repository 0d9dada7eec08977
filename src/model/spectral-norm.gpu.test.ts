// The spectral norm kernel against float64: one call (SPECTRAL_ITERS warm-started power
// iterations from the fixed start) against the reference doing the same iterations, a second call
// against 2 x SPECTRAL_ITERS iterations (so the warm start is used: the matrix of run 0 has
// singular values 2 and 1.94, so 10 and 20 iterations differ visibly, which the test checks), and many
// calls against the converged norm (power iteration to convergence in float64). Tolerance:
// |gpu - ref| <= 1e-4 + 1e-3 |ref|. Two runs, two layers (different matrices per direction).
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { Rng } from '../reference/random';
import { powerIteration, spectralNorm } from '../reference/spectral-norm';
import { paramByName, paramLayout, type RnnShape } from './layout';
import { orthonormalColumns } from './qr';
import { RnnGpu } from './rnn-gpu';
import { uploadRuns } from './rnn-io';
import { SPECTRAL_FIRST_ITERS, SPECTRAL_ITERS, SpectralNormGpu } from './spectral-norm-gpu';

const gpu = useEngine();
const close = (got: number, want: number) => Math.abs(got - want) <= 1e-4 + 1e-3 * Math.abs(want);

/** Q diag(s) P^T for random orthonormal Q [m][n], P [n][n]: singular values exactly s. */
function withSingularValues(rng: Rng, m: number, s: readonly number[]): Float64Array {
  const n = s.length;
  const q = orthonormalColumns(rng.uniform(m * n, 1), m, n);
  const p = orthonormalColumns(rng.uniform(n * n, 1), n, n);
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) w[i * n + j] += q[i * n + k] * s[k] * p[j * n + k];
  return w;
}

describe('spectral norm of weight_hh on the GPU', () => {
  it('matches float64 power iteration call by call, and converges to the norm over calls', async () => {
    const H = 5;
    const shape: RnnShape = { cell: 'lstm', inputSize: 3, hiddenSize: H, numLayers: 2 };
    const layout = paramLayout(shape);
    const rows = 4 * H;
    const rng = new Rng(11);
    const net = await RnnGpu.create(gpu.engine, { ...shape, seqLen: 2, batch: 1, runs: 2 });
    // Every call SPECTRAL_ITERS, the first too, so that call-by-call values are far from converged.
    const spectral = await SpectralNormGpu.create(gpu.engine, net, 'test', SPECTRAL_ITERS, SPECTRAL_ITERS);
    const defaults = await SpectralNormGpu.create(gpu.engine, net, 'defaults');
    try {
      // [run][direction] weight_hh as the GPU holds it (float32).
      const matrices: Float64Array[][] = [
        [withSingularValues(rng, rows, [2, 1.94, 1, 0.5, 0.2]), rng.uniform(rows * H, 0.5)],
        [rng.uniform(rows * H, 1), withSingularValues(rng, rows, [0.9, 0.3, 0.3, 0.1, 0.05])],
      ].map((run) => run.map((w) => Float64Array.from(Float32Array.from(w))));
      const runs = matrices.map((ws) => {
        const params = rng.uniform(layout.total, 0.3);
        ws.forEach((w, l) => params.set(w, paramByName(layout, `weight_hh_l${l}`).offset));
        return { params, x: new Float64Array(2 * 3), h0: new Float64Array(2 * H), c0: new Float64Array(2 * H), gradOutput: new Float64Array(2 * H) };
      });
      uploadRuns(net, runs);
      const call = async (times: number, s = spectral) => {
        await gpu.engine.validate('spectral norm test', () => {
          gpu.engine.submit('spectral norm test', (encoder) => {
            for (let k = 0; k < times; k++) s.encode(encoder);
          });
        });
        return s.read();
      };
      const fixed = (w: Float64Array, iters: number) => powerIteration(w, rows, H, new Float64Array(H), iters).sigma;

      const once = await call(1);
      const twice = await call(1);
      const many = await call(60);
      matrices.forEach((ws, r) => ws.forEach((w, d) => {
        const at = `run ${r} direction ${d}`;
        expect(close(once[r][d], fixed(w, SPECTRAL_ITERS)), `${at} after one call: gpu ${once[r][d]}, reference ${fixed(w, SPECTRAL_ITERS)}`).toBe(true);
        expect(close(twice[r][d], fixed(w, 2 * SPECTRAL_ITERS)), `${at} after two calls: gpu ${twice[r][d]}, reference ${fixed(w, 2 * SPECTRAL_ITERS)}`).toBe(true);
        expect(close(many[r][d], spectralNorm(w, rows, H)), `${at} converged: gpu ${many[r][d]}, reference ${spectralNorm(w, rows, H)}`).toBe(true);
      }));
      // Run 0's first matrix: 10 and 20 iterations differ by far more than float32 error, and the
      // second call sits at the 20-iteration value: it went on from where the first stopped.
      const w00 = matrices[0][0];
      const gap = Math.abs(fixed(w00, 2 * SPECTRAL_ITERS) - fixed(w00, SPECTRAL_ITERS));
      expect(gap).toBeGreaterThan(1e-4);
      expect(Math.abs(twice[0][0] - fixed(w00, 2 * SPECTRAL_ITERS))).toBeLessThan(gap / 4);
      expect(spectralNorm(w00, rows, H)).toBeCloseTo(2, 6);

      // A restarted run begins again from the start vector: one call gives the one-call value again.
      spectral.restartRuns([0]);
      const restarted = await call(1);
      expect(close(restarted[0][0], fixed(matrices[0][0], SPECTRAL_ITERS))).toBe(true);
      expect(close(restarted[1][0], spectralNorm(matrices[1][0], rows, H))).toBe(true);

      // Deterministic: a second fresh instance gives the same bits as the first.
      const again = await SpectralNormGpu.create(gpu.engine, net, 'again', SPECTRAL_ITERS, SPECTRAL_ITERS);
      try {
        expect(await call(1, again)).toEqual(once);
      } finally {
        again.destroy();
      }

      // By default the first call from the start vector does SPECTRAL_FIRST_ITERS, the next ones SPECTRAL_ITERS.
      const first = await call(1, defaults);
      const next = await call(1, defaults);
      matrices.forEach((ws, r) => ws.forEach((w, d) => {
        expect(close(first[r][d], fixed(w, SPECTRAL_FIRST_ITERS)), `run ${r} direction ${d} first call`).toBe(true);
        expect(close(next[r][d], fixed(w, SPECTRAL_FIRST_ITERS + SPECTRAL_ITERS)), `run ${r} direction ${d} second call`).toBe(true);
      }));
    } finally {
      spectral.destroy();
      defaults.destroy();
      net.destroy();
    }
  });
});
