/**
 * `npx tsx bench/gemm-shapes.ts [--products | --all] [--builds] [--steps]` (no flag: all three): config
 * S's GEMMs (LSTM I8 H64 B16 T32, one output) in Node on Dawn (SwiftShader here) with their call sites'
 * operand layouts, ms per product before (the old fixed choice) and now (tuned; --all: every variant);
 * an S group's build time either way; and the S step either way, steps alternated in one process so
 * load on a shared machine hits both alike, with dispatches per step. Not part of npm test.
 */
import { countCalls, installCounters } from './counters';
import { RandomRegressionTask } from './bench-task';
import { ADAM_RUN } from './ours';
import { createNodeEngine, nodeGpu } from '../src/engine/node';
import type { Engine } from '../src/engine/engine';
import { addGemm, gemmChoices, setGemmPolicy, type GemmPolicy, type GemmProblem, type GemmSpec, type GemmVariant } from '../src/engine/gemm';
import { kernelsFor, splitLadder } from '../src/engine/gemm-tune';
import { ProgramBuilder, type Program } from '../src/engine/program';
import { RunGroup } from '../src/training/run-group';

const [I, H, B, T, O] = [8, 64, 16, 32, 1];
const [GH, ROWS] = [4 * H, T * B];
// out holds the widest C (ROWS x GH) and, past GH * H, the row sums (at most GH)
const REPS = 8;
const ROUNDS = 6;

type Product = Omit<GemmSpec, 'label' | 'runs' | 'variant'> & { name: string };

function sProducts(engine: Engine): Product[] {
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
  const sums = { buffer: out, off: GH * H, run: 0, rs: 0, cs: 1 };
  return [
    // the bias gradients come out of the weight gradients' row-sum column (sum over k of A's row m)
    { name: 'W_hh + bias grad 256x(64+1)x512', m: GH, n: H, k: ROWS, a: gatesT, b: { buffer: acts, off: 0, run: 0, rs: H, cs: 1 }, c: c(H),
      rowSums: sums },
    { name: 'W_ih + bias grad 256x(8+1)x512', m: GH, n: I, k: ROWS, a: gatesT, b: x, c: c(I), rowSums: sums },
    { name: 'head weight + bias grad 1x(64+1)x512', m: O, n: H, k: ROWS, a: { buffer: dy, off: 0, run: 0, rs: 1, cs: O }, b: top, c: c(H),
      rowSums: sums },
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
    await addGemm(engine, builder, 'x', { ...p, label: p.name, runs: 1, variant });
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
function previousVariant(p: Pick<GemmProblem, 'm' | 'n' | 'k'>): GemmVariant {
  return { kernel: p.m >= 32 && p.n >= 32 && p.k >= 16 ? 'tiled' : 'direct', splits: 1 };
}

async function timeProducts(all: boolean): Promise<void> {
  const engine = await createNodeEngine();
  for (const p of sProducts(engine)) {
    const chosen = await record(engine, p);
    const choices = await gemmChoices(engine);
    const choice = choices.find((c) => c.key.startsWith(`${p.m}x${p.n}x${p.k} `))!;
    const before = previousVariant(p);
    const variants = all ? kernelsFor(p).flatMap((kernel) =>
      splitLadder(engine, { ...p, label: p.name, runs: 1 }, kernel).map((splits) => ({ kernel, splits }))) : [];
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

const S_SPEC = {
  cell: 'lstm' as const, hiddenSize: H, numLayers: 1, batch: B, seqLen: T, head: 'every' as const,
  bptt: { kind: 'full' as const }, task: new RandomRegressionTask(I), runs: [ADAM_RUN],
};

const BEFORE = { mode: 'rule' as const, force: previousVariant };
const NOW = { mode: 'measure' as const };

/** An S group's first build on a fresh engine (pipelines compiled, shapes chosen) and a rebuild. */
async function buildTimes(label: string, policy: GemmPolicy): Promise<void> {
  const engine = await createNodeEngine();
  setGemmPolicy(engine, policy);
  const times: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const g = await RunGroup.create(engine, { ...S_SPEC, label: `S ${label}` }, () => {});
    await engine.device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
    g.destroy();
  }
  console.log(`S group build, ${label}: first ${times[0].toFixed(0)} ms, rebuild ${times[1].toFixed(0)} ms`);
  engine.destroy();
}

/** The S step with the old choices and with the tuned ones, built on one engine, steps alternated. */
async function steps(rounds: number): Promise<void> {
  const engine = await createNodeEngine();
  const groups: [string, RunGroup][] = [];
  for (const [label, policy] of [['before', BEFORE], ['now', NOW]] as const) {
    setGemmPolicy(engine, policy);
    groups.push([label, await RunGroup.create(engine, { ...S_SPEC, label: `S ${label}` }, () => {})]);
  }
  const samples = groups.map(() => [] as number[]);
  for (let round = -2; round < rounds; round++) {
    for (const [i, [, g]] of groups.entries()) {
      const t0 = performance.now();
      g.trainStep();
      await engine.device.queue.onSubmittedWorkDone();
      if (round >= 0) samples[i].push(performance.now() - t0);
    }
  }
  for (const [i, [label, g]] of groups.entries()) {
    const { counts } = countCalls(() => g.trainStep());
    await engine.device.queue.onSubmittedWorkDone();
    const sorted = samples[i].sort((x, y) => x - y);
    console.log(`S step, ${label}: median ${sorted[sorted.length >> 1].toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms ` +
      `over ${rounds} steps; ${counts.dispatches} dispatches, ${counts.submits} submit per step`);
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
const args = process.argv.slice(2);
if (args.includes('--products') || args.length === 0 || args.includes('--all')) await timeProducts(args.includes('--all'));
if (args.includes('--builds') || args.length === 0) {
  for (let i = 0; i < 2; i++) for (const [label, policy] of [['before', BEFORE], ['now', NOW]] as const) await buildTimes(label, policy);
}
if (args.includes('--steps') || args.length === 0) await steps(20);
process.exit(0);
