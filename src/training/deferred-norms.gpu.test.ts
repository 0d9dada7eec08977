// Deferred split-K reductions (src/engine/gemm-defer.ts, shaders/norms.wgsl): GEMMs that leave their
// partials for the gradient-norm pass give the same bits in grads, in the norms and in the updated
// weights as the same GEMMs with their reduce dispatches, and the products themselves match a
// float64 product. R = 2 runs with their own operands; split counts 3, 5 and 7 on the three kernels;
// a weight block with its row sums (the bias gradient) in one segment with plain gradients between
// them; a block that spans several norm workgroups and ends inside one; a product that cannot defer
// (C strided) keeps its reduction; the partials in two buffers (two owners, as the network and the
// head are). The deferred blocks start as garbage, so a block the pass did not sum would show.
import { describe, expect, it } from 'vitest';
import { addGemm, type GemmSpec, type GemmVariant, type Operand } from '../engine/gemm';
import { DeferredReductions } from '../engine/gemm-defer';
import { ProgramBuilder } from '../engine/program';
import { RunTable } from '../engine/run-table';
import { Rng } from '../reference/random';
import { compare } from '../testing/compare';
import { useEngine } from '../testing/gpu';
import type { ParamSegment } from './optimizers';
import { RUN_RECORD } from './run-fields';
import { TRAIN } from './stage';
import { UpdateStage, partialGroups, type RunUpdateConfig } from './update-stage';

const gpu = useEngine();
const R = 2;
const GARBAGE = 12345;

function storage(label: string, data: Float32Array<ArrayBuffer>): GPUBuffer {
  const buffer = gpu.engine.createBuffer(label, data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  gpu.engine.device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

interface Product {
  label: string;
  m: number;
  n: number;
  k: number;
  /** Where C(0, 0) sits in a run's grads, C's row stride, and the row sums' place if any. */
  at: number;
  rs: number;
  sumsAt?: number;
  variant: GemmVariant;
}

// seg 0 [0, 300): plain, W1 (20 x 7) at 50, plain, W1's row sums at 200, plain.
// seg 1 [300, 4900): W2 (64 x 70, 4480 floats over 3 workgroups of 2048, ending inside the third's stride) at 310, plain.
// seg 2 [4900, 5300): W3 (9 x 11 with row stride 13: strided, so it keeps its reduction), plain.
const PRODUCTS: Product[] = [
  { label: 'weight_hh gradient w1', m: 20, n: 7, k: 300, at: 50, rs: 7, sumsAt: 200, variant: { kernel: 'blocked', splits: 5 } },
  { label: 'weight_ih gradient w2', m: 64, n: 70, k: 96, at: 310, rs: 70, variant: { kernel: 'tiled', splits: 3 } },
  { label: 'weight_ih gradient w3', m: 9, n: 11, k: 70, at: 4920, rs: 13, variant: { kernel: 'direct', splits: 7 } },
];
const SEGMENTS: ParamSegment[] = [
  { name: 'layer 0', offset: 0, length: 300 },
  { name: 'layer 1', offset: 300, length: 4600 },
  { name: 'head', offset: 4900, length: 400 },
];
const P = 5300;
const RUNS: RunUpdateConfig[] = [
  { optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, clip: { maxNorm: 1 }, schedule: { schedule: { kind: 'constant' }, warmup: 0 } },
  { optimizer: { kind: 'adam', lr: 1e-3 }, clip: { value: 0.05 }, schedule: { schedule: { kind: 'constant' }, warmup: 0 } },
];

/** Float32 random operands of every product, per run, and the float64 products and row sums. */
function operands(seed: number) {
  const rng = new Rng(seed);
  return PRODUCTS.map((p) => {
    const a = Float32Array.from(rng.uniform(R * p.m * p.k, 1));
    const b = Float32Array.from(rng.uniform(R * p.k * p.n, 1));
    const c = new Float64Array(R * p.m * p.n);
    const sums = new Float64Array(R * p.m);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < p.m; i++) {
        for (let kk = 0; kk < p.k; kk++) {
          const x = a[r * p.m * p.k + i * p.k + kk];
          sums[r * p.m + i] += x;
          for (let j = 0; j < p.n; j++) c[(r * p.m + i) * p.n + j] += x * b[r * p.k * p.n + kk * p.n + j];
        }
      }
    }
    return { a, b, c, sums };
  });
}

interface Outcome {
  grads: Float32Array;
  norms: Float32Array;
  params: Float32Array;
  labels: string[];
}

/** The products into grads (deferred or not), then the update stage's norm pass and update. */
async function runPath(defer: boolean, data: ReturnType<typeof operands>, plain: Float32Array<ArrayBuffer>, start: Float32Array<ArrayBuffer>): Promise<Outcome> {
  const engine = gpu.engine;
  const grads = storage('test grads', plain.slice());
  const params = storage('test params', start.slice());
  const inputs = data.flatMap((d) => [storage('test a', d.a), storage('test b', d.b)]);
  const specs: GemmSpec[] = PRODUCTS.map((p, i) => ({
    label: p.label, runs: R, m: p.m, n: p.n, k: p.k, variant: p.variant,
    a: { buffer: inputs[2 * i], off: 0, run: p.m * p.k, rs: p.k, cs: 1 },
    b: { buffer: inputs[2 * i + 1], off: 0, run: p.k * p.n, rs: p.n, cs: 1 },
    c: { buffer: grads, off: p.at, run: P, rs: p.rs, cs: 1 },
    rowSums: p.sumsAt === undefined ? undefined : ({ buffer: grads, off: p.sumsAt, run: P, rs: 0, cs: 0 } satisfies Operand),
  }));
  // Two owners of partials, as the network and the head are: w2 in the second buffer.
  const owners = defer ? await Promise.all([[0, 2], [1]].map((ks) => DeferredReductions.plan(engine, 'test', ks.map((k) => specs[k])))) : [];
  if (defer) expect(owners.map((o) => o.sums.length)).toEqual([2, 1]); // w1 and its row sums; w2; w3 cannot defer
  const builder = new ProgramBuilder(engine, `test products ${defer ? 'deferred' : 'reduced'}`);
  for (const [i, spec] of specs.entries()) await addGemm(engine, builder, 'grads', spec, owners[i === 1 ? 1 : 0]);
  const products = builder.finish();
  const table = new RunTable(engine, 'test run table', R, RUN_RECORD);
  const stage = await UpdateStage.create(engine, {
    label: 'test update', runs: R, paramCount: P, params, grads, segments: SEGMENTS, table,
    deferred: owners.flatMap((o) => (o.source ? [o.source] : [])),
  });
  try {
    stage.configure(RUNS);
    stage.prepareStep({ step: 1, runSteps: [1, 1], window: { episode: 0, t0: 0, carry: false, carrySlot: 0, scoreFrom: 0 }, evaluate: false });
    table.flush();
    engine.submit('test step', (enc) => {
      products.encode(enc, 'grads');
      stage.encode(enc, 'update', TRAIN);
    });
    const { buffer, offset, stride } = stage.normsView;
    return {
      grads: new Float32Array(await engine.readBuffer(grads)),
      norms: new Float32Array(await engine.readBuffer(buffer, offset * 4, R * stride * 4)),
      params: new Float32Array(await engine.readBuffer(params)),
      labels: products.list('grads').map((d) => d.bindGroup.label),
    };
  } finally {
    stage.destroy();
    table.destroy();
    products.destroy();
    for (const o of owners) o.destroy();
    for (const b of [grads, params, ...inputs]) b.destroy();
  }
}

/** The first index where `a` and `b` differ in bits (or length), -1 when none. */
function firstMismatch(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  return x.findIndex((v, i) => v !== y[i]);
}

function expectSameBits(got: Float32Array, want: Float32Array, what: string): void {
  const at = firstMismatch(got, want);
  expect(at, `${what} differ first at ${at}: ${got[at]} vs ${want[at]}`).toBe(-1);
}

describe('deferred split-K reductions in the gradient-norm pass', () => {
  it('the layout covers what the test claims: several norm workgroups, a block ending inside one', () => {
    expect(partialGroups(SEGMENTS)).toBe(3);
    expect((PRODUCTS[1].m * PRODUCTS[1].n) % 256).not.toBe(0);
    expect(PRODUCTS[1].m * PRODUCTS[1].n).toBeGreaterThan(2 * 256 * 8);
  });

  it('same bits in grads, norms and updated weights as the reduce dispatches, R = 2, splits 3, 5, 7', async () => {
    const data = operands(5);
    const rng = new Rng(9);
    const plain = Float32Array.from(rng.uniform(R * P, 0.05));
    const start = Float32Array.from(rng.uniform(R * P, 1));
    // Garbage where a deferred block goes: the reduce path overwrites it, the norm pass must too.
    const garbage = plain.slice();
    for (let r = 0; r < R; r++) {
      for (const p of PRODUCTS) {
        if (p.rs === p.n) garbage.fill(GARBAGE, r * P + p.at, r * P + p.at + p.m * p.n);
        if (p.sumsAt !== undefined) garbage.fill(GARBAGE, r * P + p.sumsAt, r * P + p.sumsAt + p.m);
      }
    }
    const reduced = await runPath(false, data, garbage, start);
    const deferred = await runPath(true, data, garbage, start);
    // Deferred: w1 and w2 record their partials only; w3 (strided C) keeps its reduction.
    expect(reduced.labels.filter((l) => l.endsWith(' reduce'))).toHaveLength(3);
    expect(deferred.labels).toEqual(['weight_hh gradient w1 partials', 'weight_ih gradient w2 partials', 'weight_ih gradient w3 partials', 'weight_ih gradient w3 reduce']);
    expectSameBits(deferred.grads, reduced.grads, 'grads');
    expectSameBits(deferred.norms, reduced.norms, 'norms');
    expectSameBits(deferred.params, reduced.params, 'updated weights');
    // And the products are right: against float64, with the usual tolerance.
    PRODUCTS.forEach((p, i) => {
      for (let r = 0; r < R; r++) {
        const got = Float32Array.from({ length: p.m * p.n }, (_, e) => deferred.grads[r * P + p.at + Math.floor(e / p.n) * p.rs + (e % p.n)]);
        const w = compare(got, data[i].c.subarray(r * p.m * p.n, (r + 1) * p.m * p.n), 1e-4, 1e-3);
        expect(w.worstRatio, `${p.label} run ${r}: max abs ${w.maxAbs} at ${w.at}`).toBeLessThanOrEqual(1);
        if (p.sumsAt === undefined) continue;
        const s = compare(deferred.grads.subarray(r * P + p.sumsAt, r * P + p.sumsAt + p.m), data[i].sums.subarray(r * p.m, (r + 1) * p.m), 1e-4, 1e-3);
        expect(s.worstRatio, `${p.label} row sums run ${r}: max abs ${s.maxAbs} at ${s.at}`).toBeLessThanOrEqual(1);
      }
    });
  });

  it('refuses a deferred block that leaves its segment or has another run stride, and a product recorded otherwise than planned', async () => {
    const engine = gpu.engine;
    const buffer = storage('test grads', new Float32Array(R * P));
    const table = new RunTable(engine, 'test run table', R, RUN_RECORD);
    const sum = { start: 290, length: 20, runStride: P, off: 0, run: 60, split: 20, splits: 3, nc: 1, width: 1, column: 0 };
    try {
      const make = (s: typeof sum) => UpdateStage.create(engine, {
        label: 'test update', runs: R, paramCount: P, params: buffer, grads: buffer, segments: SEGMENTS, table,
        deferred: [{ partials: buffer, sums: [s] }],
      });
      await expect(make(sum)).rejects.toThrow('deferred block [290, 310) must lie inside one segment');
      await expect(make({ ...sum, start: 0, runStride: P + 1 })).rejects.toThrow(`deferred block [0, 20) has run stride ${P + 1}`);
      // A product recorded otherwise than planned (another place in grads) is refused, not written at random.
      const spec: GemmSpec = {
        label: 'weight_hh gradient w', runs: R, m: 4, n: 3, k: 40, variant: { kernel: 'direct', splits: 4 },
        a: { buffer, off: 0, run: 160, rs: 40, cs: 1 }, b: { buffer, off: 0, run: 120, rs: 3, cs: 1 }, c: { buffer, off: 10, run: P, rs: 3, cs: 1 },
      };
      const plan = await DeferredReductions.plan(engine, 'test', [spec]);
      try {
        expect(plan.sums).toHaveLength(1);
        const builder = new ProgramBuilder(engine, 'test products');
        await expect(addGemm(engine, builder, 'grads', { ...spec, c: { ...spec.c, off: 11 } }, plan)).rejects.toThrow('recorded with other blocks of C than planned');
      } finally {
        plan.destroy();
      }
    } finally {
      table.destroy();
      buffer.destroy();
    }
  });
});
