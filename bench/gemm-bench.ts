/**
 * The device's best GEMM throughput with the project's own kernel (shaders/gemm.wgsl via
 * addGemm): square sizes, growing until one product would blow the time budget, best of a few
 * repetitions. On a fast GPU each submit repeats the dispatch so the timing is not all overhead.
 */
import { Arena } from '../src/engine/arena';
import type { Engine } from '../src/engine/engine';
import { addGemm, gemmFlops } from '../src/engine/gemm';
import { ProgramBuilder, type Program } from '../src/engine/program';
import type { GemmTiming } from './samples';

const SIZES = [256, 512, 1024, 2048];
/** Wall time allowed per size (ms); a few seconds in all even on a software adapter. */
const BUDGET_MS = 2500;
const MAX_REPS = 5;
/** A submit shorter than this is mostly overhead: repeat the dispatch inside it. */
const MIN_SUBMIT_MS = 20;

/** A, B and C in separate buffers: one buffer may not be bound read-only and writable in one dispatch. */
type Operands = Record<'a' | 'b' | 'c', Arena>;

async function buildProgram(engine: Engine, arenas: Operands, n: number, repeat: number): Promise<Program> {
  const builder = new ProgramBuilder(engine, `bench gemm ${n}`);
  const operand = (name: keyof Operands) => ({ buffer: arenas[name].buffer, off: 0, run: 0, rs: n, cs: 1 });
  for (let i = 0; i < repeat; i++) {
    await addGemm(engine, builder, 'gemm', {
      label: `bench gemm ${n}`, runs: 1, m: n, n, k: n, a: operand('a'), b: operand('b'), c: operand('c'),
    });
  }
  return builder.finish();
}

async function timeSubmit(engine: Engine, program: Program): Promise<number> {
  const t0 = performance.now();
  engine.submit('bench gemm', (encoder) => program.encode(encoder, 'gemm'));
  await engine.device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function timeSize(engine: Engine, n: number): Promise<GemmTiming> {
  const make = (name: string) => new Arena(engine, `bench gemm ${n} ${name}`, [{ name, shape: [n, n] }]);
  const arenas: Operands = { a: make('a'), b: make('b'), c: make('c') };
  const values = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  arenas.a.write('a', values);
  arenas.b.write('b', values);
  let program = await buildProgram(engine, arenas, n, 1);
  let repeat = 1;
  try {
    const first = await timeSubmit(engine, program); // also warms the pipeline
    if (first < MIN_SUBMIT_MS) {
      repeat = Math.min(64, Math.ceil(MIN_SUBMIT_MS / Math.max(first, 0.05)));
      program.destroy();
      program = await buildProgram(engine, arenas, n, repeat);
      await timeSubmit(engine, program);
    }
    let best = Infinity;
    const start = performance.now();
    for (let rep = 0; rep < MAX_REPS && (rep === 0 || performance.now() - start < BUDGET_MS); rep++) {
      best = Math.min(best, await timeSubmit(engine, program));
    }
    const flops = gemmFlops({ m: n, n, k: n, runs: 1 }) * repeat;
    return { size: n, dispatchesPerSubmit: repeat, bestMs: best, gflops: flops / (best * 1e6) };
  } finally {
    program.destroy();
    for (const arena of Object.values(arenas)) arena.destroy();
  }
}

export async function bestGemm(engine: Engine, log: (line: string) => void): Promise<{ best: GemmTiming; sizes: GemmTiming[] }> {
  const sizes: GemmTiming[] = [];
  for (const n of SIZES) {
    const t = await timeSize(engine, n);
    sizes.push(t);
    log(`gemm ${n}: ${t.gflops.toFixed(2)} GFLOP/s (${(t.bestMs / t.dispatchesPerSubmit).toFixed(2)} ms per product)`);
    // The next size costs 8x: stop while it still fits the budget.
    if ((8 * t.bestMs) / t.dispatchesPerSubmit > BUDGET_MS / 2) break;
  }
  const best = sizes.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { best, sizes };
}
