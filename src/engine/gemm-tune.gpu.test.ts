// How products get their variant: measured once per shape and engine (then cached), the rule for
// tiny products and under the 'rule' policy, a forced variant for every product, GPU timestamps
// where the device has them; and the split-K scratch that the program owns.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { Rng } from '../reference/random';
import { nodeGpu } from './node';
import { nodeShaderSource } from './shader-source-node';
import { Engine } from './engine';
import { ProgramBuilder } from './program';
import { addColumnSum, addGemm, gemmChoices, setGemmPolicy, type GemmSpec } from './gemm';
import { fitRuns, MIN_TUNED_K, MIN_TUNED_WORK, ruleVariant, shapeKey, splitLadder } from './gemm-tune';
import { ONES, splitPlan } from './gemm-record';

const gpu = useEngine();

/** The shared engine with no choices made yet (its compiled pipelines stay). */
function freshEngine(): Engine {
  setGemmPolicy(gpu.engine, { mode: 'measure' });
  return gpu.engine;
}

function buffer(engine: Engine, data: Float64Array): GPUBuffer {
  const buf = engine.createBuffer('operand', data.length * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  engine.device.queue.writeBuffer(buf, 0, Float32Array.from(data));
  return buf;
}

/** A weight-gradient-like product: A transposed (m x k from a [k][m] array), B row-major. */
function gradSpec(engine: Engine, m: number, n: number, k: number, rng = new Rng(m + n + k)) {
  const aT = rng.uniform(k * m, 1);
  const b = rng.uniform(k * n, 1);
  const c = engine.createBuffer('c', m * n * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const spec: GemmSpec = {
    label: 'tuned', runs: 1, m, n, k,
    a: { buffer: buffer(engine, aT), off: 0, run: 0, rs: 1, cs: m },
    b: { buffer: buffer(engine, b), off: 0, run: 0, rs: n, cs: 1 },
    c: { buffer: c, off: 0, run: 0, rs: n, cs: 1 },
  };
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) want[i * n + j] += aT[q * m + i] * b[q * n + j];
  return { spec, want };
}

describe('gemm variant choice', () => {
  it('times a product worth timing once, caches the choice, and the choice computes the product', async () => {
    const engine = freshEngine();
    const [m, n, k] = [64, 32, 128];
    expect(m * n * k).toBeGreaterThanOrEqual(MIN_TUNED_WORK);
    const { spec, want } = gradSpec(engine, m, n, k);
    const builder = new ProgramBuilder(engine, 'tuned');
    await addGemm(engine, builder, 'x', spec);
    await addGemm(engine, builder, 'x', { ...spec, label: 'same shape again' });
    const choices = await gemmChoices(engine);
    expect(choices).toHaveLength(1);
    const [choice] = choices;
    expect(choice.key).toBe(shapeKey(spec));
    expect(choice.by).toBe('measured');
    expect(choice.method).toBe('wall clock');
    expect(choice.timings.length).toBeGreaterThanOrEqual(3);
    expect(choice.timings.every((t) => t.ms > 0)).toBe(true);
    const chosen = choice.timings.find((t) => t.variant.kernel === choice.variant.kernel && t.variant.splits === choice.variant.splits);
    expect(chosen!.ms).toBeLessThanOrEqual(choice.timings[0].ms * 1.05);
    // Four runs of the shape take the same choice: no new timing, the same dispatches.
    await addGemm(engine, builder, 'x', { ...spec, label: 'four runs', runs: 4, a: { ...spec.a, run: 0 }, b: { ...spec.b, run: 0 },
      c: { ...spec.c, buffer: engine.createBuffer('c4', 4 * m * n * 4, GPUBufferUsage.STORAGE), run: m * n } });
    expect(await gemmChoices(engine)).toHaveLength(1);
    const program = builder.finish();
    const perProduct = program.list('x').length / 3;
    expect([1, 2]).toContain(perProduct);
    engine.submit('tuned', (e) => program.encode(e, 'x'));
    const got = new Float32Array(await engine.readBuffer(spec.c.buffer));
    expect(compare(got, want, 1e-5, 1e-4).worstRatio).toBeLessThanOrEqual(1);
    program.destroy();
  });

  it('times a small product when its k is long (the head bias gradient: one column of 512 rows)', async () => {
    const engine = freshEngine();
    const rows = 512;
    const dy = new Rng(5).uniform(rows, 1);
    const c = engine.createBuffer('bias gradient', 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const builder = new ProgramBuilder(engine, 'long k');
    await addColumnSum(engine, builder, 'x', {
      label: 'head bias gradient', runs: 1, m: rows, n: 1,
      a: { buffer: buffer(engine, dy), off: 0, run: 0, rs: 1, cs: 1 }, c: { buffer: c, off: 0, run: 0, rs: 0, cs: 1 },
    });
    const [choice] = await gemmChoices(engine);
    expect(rows).toBeLessThan(MIN_TUNED_WORK);
    expect(choice.by).toBe('measured');
    expect(choice.timings.map((t) => t.variant.kernel)).toContain('direct');
    const program = builder.finish();
    engine.submit('long k', (e) => program.encode(e, 'x'));
    const got = new Float32Array(await engine.readBuffer(c, 0, 4));
    expect(compare(got, [dy.reduce((x, y) => x + y, 0)], 1e-5, 1e-4).worstRatio).toBeLessThanOrEqual(1);
    program.destroy();
  });

  it('takes the rule for tiny products, for a lone candidate and under the rule policy; a forced variant everywhere', async () => {
    const engine = freshEngine();
    const tiny = gradSpec(engine, 4, 4, 4).spec;
    expect(4 * 4 * 4).toBeLessThan(Math.min(MIN_TUNED_WORK, MIN_TUNED_K));
    const big = gradSpec(engine, 64, 32, 128).spec;
    const only = gradSpec(engine, 300, 40, 8).spec; // k = 8: no tiles, no splits; blocked is the one candidate
    expect(300 * 40 * 8).toBeGreaterThanOrEqual(MIN_TUNED_WORK);
    const builder = new ProgramBuilder(engine, 'policies');
    await addGemm(engine, builder, 'x', tiny);
    await addGemm(engine, builder, 'x', only);
    expect((await gemmChoices(engine)).map((c) => [c.by, c.variant])).toEqual([
      ['rule', ruleVariant(engine, tiny)], ['rule', { kernel: 'blocked', splits: 1 }],
    ]);
    setGemmPolicy(engine, { mode: 'rule' });
    await addGemm(engine, builder, 'x', big);
    const choices = await gemmChoices(engine);
    expect(choices.map((c) => [c.by, c.variant])).toEqual([['rule', ruleVariant(engine, big)]]);

    setGemmPolicy(engine, { mode: 'measure', force: { kernel: 'direct', splits: 4 } });
    const forced = new ProgramBuilder(engine, 'forced');
    await addGemm(engine, forced, 'x', big);
    await addColumnSum(engine, forced, 'x', { label: 'forced sum', runs: 1, m: 300, n: 2, a: big.b, c: big.c });
    const program = forced.finish();
    // Two products, each split: partials and a reduction apiece, one shared scratch.
    expect(program.list('x')).toHaveLength(4);
    expect(await gemmChoices(engine)).toHaveLength(0);
    program.destroy();

    setGemmPolicy(engine, { mode: 'measure', force: (p) => ({ kernel: 'direct', splits: p.m === 1 ? 5 : 1 }) });
    const picked = new ProgramBuilder(engine, 'picked');
    await addGemm(engine, picked, 'x', big);
    await addColumnSum(engine, picked, 'x', { label: 'picked sum', runs: 1, m: 300, n: 2, a: big.b, c: big.c });
    const pickedProgram = picked.finish();
    expect(pickedProgram.list('x')).toHaveLength(3);
    pickedProgram.destroy();
    builder.finish().destroy();
  });

  it('uses GPU timestamps where the device has them', async (ctx) => {
    const adapter = await nodeGpu().requestAdapter();
    if (!adapter?.features.has('timestamp-query')) return ctx.skip('this adapter has no timestamp-query');
    const device = await adapter.requestDevice({ label: 'timestamp device', requiredFeatures: ['timestamp-query'] });
    try {
      const engine = new Engine({ device, adapterInfo: gpu.engine.adapterInfo }, nodeShaderSource);
      const { spec, want } = gradSpec(engine, 64, 32, 128);
      const builder = new ProgramBuilder(engine, 'timestamps');
      await addGemm(engine, builder, 'x', spec);
      const [choice] = await gemmChoices(engine);
      expect(choice.method).toBe('timestamps');
      expect(choice.timings.every((t) => t.ms >= 0)).toBe(true);
      const program = builder.finish();
      engine.submit('timestamps', (e) => program.encode(e, 'x'));
      expect(compare(new Float32Array(await engine.readBuffer(spec.c.buffer)), want, 1e-5, 1e-4).worstRatio).toBeLessThanOrEqual(1);
      program.destroy();
    } finally {
      device.destroy();
    }
  });
});

describe('rule and candidates', () => {
  const problem = (m: number, n: number, k: number): GemmSpec => {
    const { spec } = gradSpec(gpu.engine, 1, 1, 1);
    return { ...spec, m, n, k, a: { ...spec.a, rs: 1, cs: m }, b: { ...spec.b, rs: n, cs: 1 } };
  };

  it('never gives a one-wide product a tile, and splits k until thin products have threads enough', () => {
    const rule = (m: number, n: number, k: number) => ruleVariant(gpu.engine, problem(m, n, k));
    expect(rule(512, 1, 64)).toEqual({ kernel: 'direct', splits: 1 });
    expect(rule(1, 1, 512)).toEqual({ kernel: 'direct', splits: 8 });
    expect(rule(1, 64, 512)).toEqual({ kernel: 'direct', splits: 8 });
    expect(rule(1, 256, 512)).toEqual({ kernel: 'direct', splits: 4 });
    expect(rule(256, 8, 512)).toEqual({ kernel: 'blocked', splits: 8 });
    expect(rule(256, 64, 512)).toEqual({ kernel: 'tiled', splits: 1 });
    expect(rule(512, 256, 8)).toEqual({ kernel: 'blocked', splits: 1 });
    expect(rule(1024, 256, 8192)).toEqual({ kernel: 'tiled', splits: 8 });
    expect(rule(3, 3, 1)).toEqual({ kernel: 'direct', splits: 1 });
  });

  it('offers split counts whose chunks stay long, and plans chunks with none empty', () => {
    expect(splitLadder(gpu.engine, problem(256, 64, 512), 'tiled')).toEqual([1, 4, 16]);
    expect(splitLadder(gpu.engine, problem(256, 64, 100), 'direct')).toEqual([1]);
    expect(splitLadder(gpu.engine, problem(256, 64, 8), 'blocked')).toEqual([1]);
    for (const [k, splits] of [[301, 4], [7, 3], [1, 4], [1000, 7], [17, 3]]) {
      for (const kernel of ['tiled', 'direct'] as const) {
        const plan = splitPlan(k, { kernel, splits });
        expect(plan.splits).toBeLessThanOrEqual(splits);
        expect(plan.chunk * plan.splits).toBeGreaterThanOrEqual(k);
        expect(plan.chunk * (plan.splits - 1)).toBeLessThan(k);
      }
    }
  });

  it('keys shapes by sizes and operand layout, not by run count', () => {
    const p = problem(256, 64, 512);
    expect(shapeKey(p)).toBe('256x64x512 a:cols b:rows');
    expect(shapeKey({ ...p, a: ONES, runs: 4 })).toBe('256x64x512 a:ones b:rows');
    expect(shapeKey({ ...p, b: { ...p.b, rs: 1, cs: 512 } })).toBe('256x64x512 a:cols b:cols');
    expect(shapeKey({ ...p, rowSums: { ...p.c, off: 1 } })).toBe('256x64x512 a:cols b:rows +row sums');
  });

  it('fits a choice to a run count whose scratch would pass the limit', () => {
    const p = { ...problem(1024, 1024, 8192), runs: 64 };
    // 64 runs x 1024 x 1024 floats of partials per split is 256 MiB: no split fits the 32 MiB cap.
    expect(fitRuns(gpu.engine, p, { kernel: 'tiled', splits: 8 })).toEqual({ kernel: 'tiled', splits: 1 });
    expect(fitRuns(gpu.engine, { ...p, runs: 1 }, { kernel: 'tiled', splits: 8 })).toEqual({ kernel: 'tiled', splits: 8 });
  });
});

describe('row sums', () => {
  it('times a weight gradient with its bias column as its own shape, and the choice computes both', async () => {
    const engine = freshEngine();
    const [m, n, k] = [64, 32, 512];
    const rng = new Rng(31);
    const { spec, want } = gradSpec(engine, m, n, k, rng);
    const aT = new Float32Array(await engine.readBuffer(spec.a.buffer));
    // C's buffer gets room for the m row sums after C.
    const c = engine.createBuffer('c and sums', (m * n + m) * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const builder = new ProgramBuilder(engine, 'row sums tuned');
    await addGemm(engine, builder, 'x', spec);
    await addGemm(engine, builder, 'x', { ...spec, c: { ...spec.c, buffer: c }, rowSums: { ...spec.c, buffer: c, off: m * n } });
    const choices = await gemmChoices(engine);
    expect(choices.map((x) => x.key)).toEqual([shapeKey(spec), `${shapeKey(spec)} +row sums`]);
    expect(choices[1].by).toBe('measured');
    const program = builder.finish();
    engine.submit('row sums tuned', (e) => program.encode(e, 'x'));
    const sums = new Float64Array(m);
    for (let q = 0; q < k; q++) for (let i = 0; i < m; i++) sums[i] += aT[q * m + i];
    const got = new Float32Array(await engine.readBuffer(c));
    expect(compare(got, [...want, ...sums], 1e-5, 1e-4).worstRatio).toBeLessThanOrEqual(1);
    program.destroy();
  });

  it('sizes split scratch for the row-sum column and refuses sums outside the buffer of C', async () => {
    const engine = freshEngine();
    const { spec } = gradSpec(engine, 8, 8, 64);
    const c = engine.createBuffer('c and sums', (64 + 8) * 4, GPUBufferUsage.STORAGE);
    const builder = new ProgramBuilder(engine, 'sums scratch');
    await addGemm(engine, builder, 'x', { ...spec, c: { ...spec.c, buffer: c }, rowSums: { ...spec.c, buffer: c, off: 64 },
      variant: { kernel: 'blocked', splits: 4 } });
    const program = builder.finish();
    expect(program.scratch.map((b) => b.size)).toEqual([8 * 9 * 4 * 4]);
    program.destroy();
    await expect(addGemm(engine, builder, 'x', { ...spec, rowSums: { ...spec.a, off: 0 } })).rejects.toThrow(/rowSums must lie in C's buffer/);
  });
});

describe('program scratch', () => {
  it('gives split products one labelled scratch buffer sized for the largest', async () => {
    const engine = freshEngine();
    const small = gradSpec(engine, 8, 8, 64).spec;
    const large = gradSpec(engine, 16, 8, 64).spec;
    const builder = new ProgramBuilder(engine, 'scratch test');
    await addGemm(engine, builder, 'x', { ...small, variant: { kernel: 'blocked', splits: 4 } });
    await addGemm(engine, builder, 'x', { ...large, variant: { kernel: 'direct', splits: 2 } });
    const program = builder.finish();
    expect(program.scratch.map((b) => [b.label, b.size])).toEqual([['scratch test gemm partials', 16 * 8 * 2 * 4]]);
    program.destroy();
  });
});
