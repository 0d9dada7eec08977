/**
 * `npx tsx bench/gemm-shapes.ts [--all]`: the GEMMs of config S (LSTM I8 H64 B16 T32, one output)
 * one by one in Node on Dawn (SwiftShader here), with the operand layouts of their call sites: ms per
 * product for the variant the engine picks (--all: for every variant too); then an S run group's
 * build time with and without tuning, its ms per step and dispatches per step. Not part of npm test.
 */
import { countCalls, installCounters } from './counters';
import { RandomRegressionTask } from './bench-task';
import { ADAM_RUN } from './ours';
import { createNodeEngine, nodeGpu } from '../src/engine/node';
import type { Engine } from '../src/engine/engine';
import { addColumnSum, addGemm, gemmChoices, setGemmPolicy, type GemmSpec, type GemmVariant } from '../src/engine/gemm';
import { kernelsFor, splitLadder } from '../src/engine/gemm-tune';
import { ProgramBuilder, type Program } from '../src/engine/program';
import { RunGroup } from '../src/training/run-group';

const [I, H, B, T, O] = [8, 64, 16, 32, 1];
const [GH, ROWS] = [4 * H, T * B];
const REPS = 8;
const ROUNDS = 6;

type Product = Omit<GemmSpec, 'label' | 'runs' | 'variant'> & { name: string; columnSum?: boolean };

function products(engine: Engine): Product[] {
  const arena = (name: string, floats: number) =>
    engine.createBuffer(`shapes ${name}`, floats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const gates = arena('gate gradients', ROWS * GH);
  const acts = arena('activations', (T + 1) * B * H + ROWS * I);
  const params = arena('params', GH * (I + H + 2) + O * (H + 1));
  const dy = arena('head gradient', ROWS * O);
  const out = arena('output', ROWS * GH);
  const x = { buffer: acts, off: (T + 1) * B * H, run: 0, rs: I, cs: 1 };
  const top = { buffer: acts, off: B * H, run: 0, rs: H, cs: 1 };
  const gatesT = { buffer: gates, off: 0, run: 0, rs: 1, cs: GH };
  const c = (rs: number) => ({ buffer: out, off: 0, run: 0, rs, cs: 1 });
  return [
    { name: 'W_hh grad 256x64x512', m: GH, n: H, k: ROWS, a: gatesT, b: { buffer: acts, off: 0, run: 0, rs: H, cs: 1 }, c: c(H) },
    { name: 'W_ih grad 256x8x512', m: GH, n: I, k: ROWS, a: gatesT, b: x, c: c(I) },
    { name: 'bias grad 512 rows x 256', columnSum: true, m: ROWS, n: GH, k: 0, a: { buffer: gates, off: 0, run: 0, rs: GH, cs: 1 }, b: x, c: c(0) },
    { name: 'head weight grad 1x64x512', m: O, n: H, k: ROWS, a: { buffer: dy, off: 0, run: 0, rs: 1, cs: O }, b: top, c: c(H) },
    { name: 'head bias grad 512 rows x 1', columnSum: true, m: ROWS, n: O, k: 0, a: { buffer: dy, off: 0, run: 0, rs: O, cs: 1 }, b: x, c: c(0) },
    { name: 'input projection 512x256x8', m: ROWS, n: GH, k: I, a: x, b: { buffer: params, off: 0, run: 0, rs: 1, cs: I },
      bias: { buffer: params, off: 0, run: 0, rs: 0, cs: 0 }, c: c(GH) },
    { name: 'head forward 512x1x64', m: ROWS, n: O, k: H, a: top, b: { buffer: params, off: 0, run: 0, rs: 1, cs: H },
      bias: { buffer: params, off: 0, run: 0, rs: 0, cs: 0 }, c: c(O) },
    { name: 'head input grad 512x64x1', m: ROWS, n: H, k: O, a: { buffer: dy, off: 0, run: 0, rs: O, cs: 1 },
      b: { buffer: params, off: 0, run: 0, rs: H, cs: 1 }, c: c(H) },
  ];
}

async function record(engine: Engine, p: Product, variant?: GemmVariant): Promise<Program> {
  const builder = new ProgramBuilder(engine, p.name);
  for (let i = 0; i < REPS; i++) {
    if (p.columnSum) await addColumnSum(engine, builder, 'x', { label: p.name, runs: 1, m: p.m, n: p.n, a: p.a, c: p.c, variant });
    else await addGemm(engine, builder, 'x', { ...p, label: p.name, runs: 1, variant });
  }
  return builder.finish();
}

/** Best ms per product of each program, sampled in interleaved rounds so load changes hit all alike. */
async function timeAll(engine: Engine, programs: Program[]): Promise<number[]> {
  const best = programs.map(() => Infinity);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, program] of programs.entries()) {
      const t0 = performance.now();
      engine.submit('shapes', (e) => program.encode(e, 'x'));
      await engine.device.queue.onSubmittedWorkDone();
      if (round > 0) best[i] = Math.min(best[i], (performance.now() - t0) / REPS);
    }
  }
  return best;
}

const name = (v: GemmVariant) => `${v.kernel}/${v.splits}`;

/**
 * What ran before split-K and tuning (up to commit 1e42186): 64 x 64 tiles when m, n >= 32 and
 * k >= 16, else one thread per element over all of k; column sums one thread per column.
 */
function previousVariant(p: { m: number; n: number; k: number }): GemmVariant {
  return { kernel: p.m >= 32 && p.n >= 32 && p.k >= 16 ? 'tiled' : 'direct', splits: 1 };
}

async function shapes(all: boolean): Promise<void> {
  const engine = await createNodeEngine();
  for (const p of products(engine)) {
    const chosen = await record(engine, p);
    const choices = await gemmChoices(engine);
    const problem = p.columnSum ? { m: 1, n: p.n, k: p.m } : p;
    const choice = choices.find((c) => c.key.startsWith(`${problem.m}x${problem.n}x${problem.k} `))!;
    const before = previousVariant(problem);
    const variants = all ? kernelsFor(problem).flatMap((kernel) =>
      splitLadder(engine, { ...p, ...problem, label: p.name, runs: 1 }, kernel).map((splits) => ({ kernel, splits }))) : [];
    const programs = [chosen, await record(engine, p, before), ...(await Promise.all(variants.map((v) => record(engine, p, v))))];
    const [ms, beforeMs, ...others] = await timeAll(engine, programs);
    const detail = others.map((t, i) => `${name(variants[i])} ${t.toFixed(2)}`).join(', ');
    console.log(`${p.name.padEnd(28)} before ${name(before).padEnd(9)} ${beforeMs.toFixed(2).padStart(6)} ms  ` +
      `now ${name(choice.variant).padEnd(10)} ${ms.toFixed(2).padStart(6)} ms  (${choice.by} in ${choice.tuneMs.toFixed(0)} ms)` +
      `${detail ? `  [${detail}]` : ''}`);
    for (const program of programs) program.destroy();
  }
  engine.destroy();
}

async function group(mode: 'measure' | 'rule'): Promise<void> {
  const engine = await createNodeEngine();
  setGemmPolicy(engine, { mode });
  const spec = {
    label: `S ${mode}`, cell: 'lstm' as const, hiddenSize: H, numLayers: 1, batch: B, seqLen: T, head: 'every' as const,
    bptt: { kind: 'full' as const }, task: new RandomRegressionTask(I), runs: [ADAM_RUN],
  };
  for (const build of ['first build', 'rebuild']) {
    const t0 = performance.now();
    const g = await RunGroup.create(engine, spec, () => {});
    await engine.device.queue.onSubmittedWorkDone();
    const buildMs = performance.now() - t0;
    g.trainStep();
    await engine.device.queue.onSubmittedWorkDone();
    const { counts } = countCalls(() => g.trainStep());
    const t1 = performance.now();
    for (let s = 0; s < 5; s++) g.trainStep();
    await engine.device.queue.onSubmittedWorkDone();
    console.log(`S group (${mode}), ${build}: ${buildMs.toFixed(0)} ms; ${((performance.now() - t1) / 5).toFixed(1)} ms per step; ` +
      `${counts.dispatches} dispatches, ${counts.submits} submit per step`);
    g.destroy();
  }
  for (const c of await gemmChoices(engine)) {
    const timings = c.timings.map((t) => `${name(t.variant)} ${t.ms.toFixed(2)}`).join(', ');
    console.log(`  ${c.key.padEnd(40)} ${name(c.variant).padEnd(10)} ${c.by} in ${c.tuneMs.toFixed(0)} ms${timings ? ` [${timings}]` : ''}`);
  }
  engine.destroy();
}

nodeGpu();
installCounters();
if (!process.argv.includes("--group")) await shapes(process.argv.includes("--all"));
await group('rule');
await group('measure');
process.exit(0);
