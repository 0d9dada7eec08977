// Both GEMM kernels and the column sum against a float64 matmul: odd shapes, transposed
// operands through strides, bias, accumulation, and runs with shared (stride 0) operands.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { Rng } from '../reference/random';
import { ProgramBuilder } from './program';
import { addColumnSum, addGemm, chooseVariant, type GemmVariant } from './gemm';

const gpu = useEngine();

function upload(data: Float64Array): GPUBuffer {
  const buf = gpu.engine.createBuffer('operand', data.length * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  gpu.engine.device.queue.writeBuffer(buf, 0, Float32Array.from(data));
  return buf;
}

const CASES: [number, number, number][] = [[1, 1, 1], [5, 3, 7], [70, 65, 17], [64, 64, 16], [33, 129, 40], [130, 2, 300]];

describe.each<GemmVariant>(['tiled', 'direct'])('gemm %s', (variant) => {
  it.each(CASES)('m=%i n=%i k=%i, A transposed, B shared by runs, bias, accumulate', async (m, n, k) => {
    const R = 3;
    const rng = new Rng(m * 1000 + n * 10 + k);
    const aT = rng.uniform(R * k * m, 1); // each run stores A^T: [R][k][m]
    const b = rng.uniform(k * n, 1); // one B [k][n] for all runs
    const bias = rng.uniform(R * n, 1);
    const c0 = rng.uniform(R * m * n, 1);
    const cBuf = upload(c0);
    const builder = new ProgramBuilder(gpu.engine, 'gemm test');
    await addGemm(gpu.engine, builder, 'x', {
      label: 'gemm test', runs: R, m, n, k, variant,
      a: { buffer: upload(aT), off: 0, run: k * m, rs: 1, cs: m },
      b: { buffer: upload(b), off: 0, run: 0, rs: n, cs: 1 },
      bias: { buffer: upload(bias), off: 0, run: n, rs: 0, cs: 0 },
      c: { buffer: cBuf, off: 0, run: m * n, rs: n, cs: 1 },
      accumulate: true,
    });
    const program = builder.finish();
    gpu.engine.submit('gemm test', (e) => program.encode(e, 'x'));
    const got = new Float32Array(await gpu.engine.readBuffer(cBuf, 0, R * m * n * 4));
    const want = new Float64Array(R * m * n);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = c0[(r * m + i) * n + j] + bias[r * n + j];
          for (let q = 0; q < k; q++) s += aT[(r * k + q) * m + i] * b[q * n + j];
          want[(r * m + i) * n + j] = s;
        }
      }
    }
    const cmp = compare(got, want, 1e-5, 1e-4);
    expect(cmp.worstRatio, `max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
    program.destroy();
  });
});

describe('column sum and kernel choice', () => {
  it('sums columns of a strided operand per run', async () => {
    const [R, m, n] = [2, 37, 70];
    const a = new Rng(9).uniform(R * m * n, 1);
    const cBuf = upload(new Float64Array(R * n));
    const builder = new ProgramBuilder(gpu.engine, 'colsum test');
    await addColumnSum(gpu.engine, builder, 'x', {
      label: 'colsum test', runs: R, m, n,
      a: { buffer: upload(a), off: 0, run: m * n, rs: n, cs: 1 },
      c: { buffer: cBuf, off: 0, run: n, rs: 0, cs: 1 },
    });
    const program = builder.finish();
    gpu.engine.submit('colsum test', (e) => program.encode(e, 'x'));
    const got = new Float32Array(await gpu.engine.readBuffer(cBuf, 0, R * n * 4));
    const want = new Float64Array(R * n);
    for (let r = 0; r < R; r++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[r * n + j] += a[(r * m + i) * n + j];
    expect(compare(got, want, 1e-5, 1e-4).worstRatio).toBeLessThanOrEqual(1);
  });

  it('sends skinny products to the direct kernel', () => {
    expect(chooseVariant(512, 1, 32)).toBe('direct');
    expect(chooseVariant(512, 128, 1)).toBe('direct');
    expect(chooseVariant(128, 32, 512)).toBe('tiled');
  });
});
