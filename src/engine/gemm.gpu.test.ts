// Every GEMM variant (tiled, blocked, direct; with and without split-K) and the column sum against a
// float64 matmul: odd shapes, m = 1, n = 1, k = 1, k not a multiple of the split, transposed operands
// through strides, padded C rows, bias, accumulation, R > 1 with shared (run stride 0) operands, and
// split-K results bit-identical from one run to the next; the row-sum column (a bias gradient from
// a weight gradient's GEMM) with every variant.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { Rng } from '../reference/random';
import { ProgramBuilder } from './program';
import { addColumnSum, addGemm, type GemmKernelName, type GemmVariant, type Operand } from './gemm';
import { splitPlan } from './gemm-record';

const gpu = useEngine();

function upload(data: Float64Array): GPUBuffer {
  const buf = gpu.engine.createBuffer('operand', data.length * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  gpu.engine.device.queue.writeBuffer(buf, 0, Float32Array.from(data));
  return buf;
}

/** An operand stored [runs][rows][cols] (or [runs][cols][rows] when transposed), with its accessor. */
function operand(data: Float64Array, rows: number, cols: number, transposed: boolean, shared: boolean) {
  const rs = transposed ? 1 : cols;
  const cs = transposed ? rows : 1;
  const run = shared ? 0 : rows * cols;
  const op: Operand = { buffer: upload(data), off: 0, run, rs, cs };
  return { op, at: (r: number, i: number, j: number) => data[r * run + i * rs + j * cs] };
}

const KERNELS: GemmKernelName[] = ['tiled', 'blocked', 'direct'];
const VARIANTS: GemmVariant[] = KERNELS.flatMap((kernel) => [1, 3, 4].map((splits) => ({ kernel, splits })));

// [m, n, k]: tiny, odd, exact tiles, ragged tiles, m = 1, n = 1, k = 1, long k not divisible by 3 or 4.
const CASES: [number, number, number][] = [
  [1, 1, 1], [5, 3, 7], [70, 65, 17], [64, 64, 16], [33, 129, 40], [130, 2, 301], [1, 37, 90], [45, 1, 77], [9, 6, 1],
];

describe.each(VARIANTS)('gemm $kernel, $splits splits', (variant) => {
  it.each(CASES)('m=%i n=%i k=%i with bias, accumulation, 3 runs', async (m, n, k) => {
    const R = 3;
    const rng = new Rng(m * 1000 + n * 10 + k);
    // Odd k: A stored transposed per run, B shared by runs. Even k: A shared, B transposed per run.
    const flip = k % 2 === 0;
    const a = operand(rng.uniform(R * m * k, 1), m, k, !flip, flip);
    const b = operand(rng.uniform(R * k * n, 1), k, n, flip, !flip);
    const bias = rng.uniform(R * n, 1);
    const crs = n + 2; // padded rows: C's row stride is not n
    const c0 = rng.uniform(R * m * crs, 1);
    const cBuf = upload(c0);
    const builder = new ProgramBuilder(gpu.engine, 'gemm test');
    await addGemm(gpu.engine, builder, 'x', {
      label: 'gemm test', runs: R, m, n, k, variant, a: a.op, b: b.op,
      bias: { buffer: upload(bias), off: 0, run: n, rs: 0, cs: 0 },
      c: { buffer: cBuf, off: 0, run: m * crs, rs: crs, cs: 1 },
      accumulate: true,
    });
    const program = builder.finish();
    expect(program.list('x')).toHaveLength(splitPlan(k, variant).splits > 1 ? 2 : 1);
    gpu.engine.submit('gemm test', (e) => program.encode(e, 'x'));
    const got = new Float32Array(await gpu.engine.readBuffer(cBuf, 0, R * m * crs * 4));
    const want = Float64Array.from(c0);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = bias[r * n + j];
          for (let q = 0; q < k; q++) s += a.at(r, i, q) * b.at(r, q, j);
          want[r * m * crs + i * crs + j] += s;
        }
      }
    }
    const cmp = compare(got, want, 1e-5, 1e-4);
    expect(cmp.worstRatio, `max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
    program.destroy();
  });
});

describe.each(VARIANTS)('gemm with row sums $kernel, $splits splits', (variant) => {
  // Ragged tiles in both directions, several tiles along n (only the first sums), m = 1, n = 1, A either way round.
  it.each([[70, 65, 17], [130, 2, 301], [5, 3, 7], [1, 37, 90], [45, 1, 77], [200, 130, 40]])(
    'm=%i n=%i k=%i: C and sum_k A(m, k) beside it, accumulated, with bias, 2 runs', async (m, n, k) => {
      const R = 2;
      const rng = new Rng(m * 7 + n * 3 + k);
      const transposed = k % 2 === 1;
      const a = operand(rng.uniform(R * m * k, 1), m, k, transposed, false);
      const b = operand(rng.uniform(R * k * n, 1), k, n, !transposed, false);
      const bias = rng.uniform(R * n, 1);
      // Per run: C (m x n) then, after a gap, the m row sums, all in one buffer.
      const run = m * n + 3 + m;
      const c0 = rng.uniform(R * run, 1);
      const cBuf = upload(c0);
      const builder = new ProgramBuilder(gpu.engine, 'row sums test');
      await addGemm(gpu.engine, builder, 'x', {
        label: 'row sums test', runs: R, m, n, k, variant, a: a.op, b: b.op,
        bias: { buffer: upload(bias), off: 0, run: n, rs: 0, cs: 0 },
        c: { buffer: cBuf, off: 0, run, rs: n, cs: 1 },
        rowSums: { buffer: cBuf, off: m * n + 3, run, rs: 0, cs: 1 },
        accumulate: true,
      });
      const program = builder.finish();
      expect(program.list('x')).toHaveLength(splitPlan(k, variant).splits > 1 ? 2 : 1);
      gpu.engine.submit('row sums test', (e) => program.encode(e, 'x'));
      const got = new Float32Array(await gpu.engine.readBuffer(cBuf, 0, R * run * 4));
      const want = Float64Array.from(c0);
      for (let r = 0; r < R; r++) {
        for (let i = 0; i < m; i++) {
          for (let q = 0; q < k; q++) want[r * run + m * n + 3 + i] += a.at(r, i, q);
          for (let j = 0; j < n; j++) {
            let s = bias[r * n + j];
            for (let q = 0; q < k; q++) s += a.at(r, i, q) * b.at(r, q, j);
            want[r * run + i * n + j] += s;
          }
        }
      }
      const cmp = compare(got, want, 1e-5, 1e-4);
      expect(cmp.worstRatio, `max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
      program.destroy();
    });
});

describe.each(VARIANTS)('column sum $kernel, $splits splits', (variant) => {
  it.each([[37, 70], [300, 1], [1, 9]])('%i rows x %i columns of a strided operand per run, accumulated', async (m, n) => {
    const R = 2;
    const rng = new Rng(9 + m + n);
    const a = rng.uniform(R * m * n, 1);
    const c0 = rng.uniform(R * n, 1);
    const cBuf = upload(c0);
    const builder = new ProgramBuilder(gpu.engine, 'colsum test');
    await addColumnSum(gpu.engine, builder, 'x', {
      label: 'colsum test', runs: R, m, n, variant, accumulate: true,
      a: { buffer: upload(a), off: 0, run: m * n, rs: n, cs: 1 },
      c: { buffer: cBuf, off: 0, run: n, rs: 0, cs: 1 },
    });
    const program = builder.finish();
    gpu.engine.submit('colsum test', (e) => program.encode(e, 'x'));
    const got = new Float32Array(await gpu.engine.readBuffer(cBuf, 0, R * n * 4));
    const want = Float64Array.from(c0);
    for (let r = 0; r < R; r++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[r * n + j] += a[(r * m + i) * n + j];
    expect(compare(got, want, 1e-5, 1e-4).worstRatio).toBeLessThanOrEqual(1);
    program.destroy();
  });
});

describe('split-K determinism', () => {
  it.each(KERNELS)('%s with 7 splits gives the same bits on every run, row sums too', async (kernel) => {
    const [R, m, n, k] = [2, 40, 36, 1000];
    const rng = new Rng(77);
    const a = operand(rng.uniform(R * m * k, 1), m, k, true, false);
    const b = operand(rng.uniform(k * n, 1), k, n, false, true);
    const cBuf = upload(new Float64Array(R * m * (n + 1)));
    const builder = new ProgramBuilder(gpu.engine, 'determinism test');
    await addGemm(gpu.engine, builder, 'x', {
      label: 'determinism test', runs: R, m, n, k, variant: { kernel, splits: 7 }, a: a.op, b: b.op,
      c: { buffer: cBuf, off: 0, run: m * n, rs: n, cs: 1 },
      rowSums: { buffer: cBuf, off: R * m * n, run: m, rs: 0, cs: 1 },
    });
    const program = builder.finish();
    const runOnce = async () => {
      gpu.engine.submit('determinism test', (e) => program.encode(e, 'x'));
      return new Uint32Array(await gpu.engine.readBuffer(cBuf, 0, R * m * (n + 1) * 4));
    };
    const first = await runOnce();
    const second = await runOnce();
    expect(first.some((x) => x !== 0)).toBe(true);
    expect(second).toEqual(first);
    program.destroy();
  });
});
