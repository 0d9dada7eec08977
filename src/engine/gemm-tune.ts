/**
 * Picks the GEMM variant (kernel and split-K count) for each distinct shape by timing candidates on
 * the device once per engine, when a program is built; a deterministic rule covers products too small
 * to be worth timing, the 'rule' policy and any failure to measure. Not a general autotuner: a few
 * candidates, a few samples, one cache per engine that lives as long as the engine.
 */
import type { Engine } from './engine';
import { recordGemm, scratchFloats, splitPlan, ONES, type GemmKernelName, type GemmProblem, type GemmVariant, type Operand } from './gemm-record';
import { ProgramBuilder, type Program } from './program';
import { timeProgram, type TimingMethod } from './gemm-timer';

export interface GemmPolicy {
  /** 'measure' (the default) times candidates for each new shape; 'rule' never times. */
  mode: 'measure' | 'rule';
  /** Run every product that names no variant of its own with this one, or this function's pick (tests, comparisons). */
  force?: GemmVariant | ((p: GemmProblem) => GemmVariant);
}

export interface GemmChoice {
  /** The shape: m x n x k and which way A and B are contiguous (see shapeKey). */
  key: string;
  variant: GemmVariant;
  by: 'measured' | 'rule' | 'forced';
  /** Each candidate timed, in ms per product (best sample); empty unless measured. */
  timings: { variant: GemmVariant; ms: number }[];
  /** Wall time spent choosing, in ms. */
  tuneMs: number;
  method?: TimingMethod;
  /** Why a shape worth timing was not timed (the rule was used instead). */
  note?: string;
}

interface Tuning {
  policy: GemmPolicy;
  choices: Map<string, Promise<GemmChoice>>;
  /** The last measurement queued: one at a time, or concurrent builds would time each other. */
  lastMeasure: Promise<unknown>;
}

/**
 * Products below this many multiply-adds (for one run) take the rule, timing them costs more than it
 * saves; unless k is at least MIN_TUNED_K, where a wrong split count (a long serial walk, or a
 * reduction dispatch for nothing) costs more than the product itself.
 */
export const MIN_TUNED_WORK = 1 << 14;
export const MIN_TUNED_K = 256;
/** The rule splits k until a product runs on at least this many threads. */
const RULE_THREADS = 1024;
/** Split-K candidates keep chunks at least this long and scratch at most this large. */
const MIN_CHUNK = 32;
const MAX_SCRATCH_BYTES = 32 << 20;
/** Synthetic operands for timing stay under this; larger shapes take the rule. */
const MAX_TIMING_BYTES = 64 << 20;
/** A longer split must beat the shorter one by this much to keep the walk going. */
const IMPROVEMENT = 0.95;
/** The first pass stops taking new candidates once samples have taken this many times the rule's first. */
const TIME_BUDGET = 8;
/** Candidates within LOSER of the fastest get a second sample, those within SURVIVE a third. */
const LOSER = 3;
const SURVIVE = 1.3;
/** A split variant must be this much faster than one without splits to be chosen over it. */
const SPLIT_CHARGE = 1.05;
/** A sample repeats the product until it lasts about this long (ms), at most MAX_REPS times. */
const SAMPLE_MS = 4;
const MAX_REPS = 64;

const tunings = new WeakMap<Engine, Tuning>();

function tuningOf(engine: Engine): Tuning {
  let t = tunings.get(engine);
  if (!t) tunings.set(engine, (t = { policy: { mode: 'measure' }, choices: new Map(), lastMeasure: Promise.resolve() }));
  return t;
}

/** Sets how `engine` chooses variants; cached choices are dropped so the new policy applies. */
export function setGemmPolicy(engine: Engine, policy: GemmPolicy): void {
  const t = tuningOf(engine);
  t.policy = { ...policy };
  t.choices.clear();
}

/** Every choice `engine` has made so far (the benchmark reports them). */
export function gemmChoices(engine: Engine): Promise<GemmChoice[]> {
  return Promise.all(tuningOf(engine).choices.values());
}

function layout(o: Operand | typeof ONES): string {
  if (o === ONES) return 'ones';
  return o.cs === 1 ? 'rows' : o.rs === 1 ? 'cols' : 'strided';
}

/**
 * What makes two products time alike: sizes and which way each operand is contiguous. Not the run
 * count: one choice serves every R, so a run computes the same bits alone or beside others, and a
 * group's dispatches do not change with R (shapes are timed for one run).
 */
export function shapeKey(p: GemmProblem): string {
  return `${p.m}x${p.n}x${p.k} a:${layout(p.a)} b:${layout(p.b)}${p.rowSums ? ' +row sums' : ''}`;
}

/** `variant` with as many splits as fit `p`'s run count (scratch size, dispatch limits); the same for most R. */
export function fitRuns(engine: Engine, p: GemmProblem, variant: GemmVariant): GemmVariant {
  let splits = splitPlan(p.k, variant).splits;
  while (splits > 1 && !splitFits(engine, p, { ...variant, splits })) splits = Math.ceil(splits / 2);
  return { ...variant, splits };
}

/**
 * Kernels worth timing: 64 x 64 tiles only where C fills a good part of one, 4 x 4 blocks where C
 * is at least 4 wide, one thread per element only where C is thin (elsewhere it reloads each
 * operand 16 times more than the blocked kernel and never wins).
 */
export function kernelsFor(p: Pick<GemmProblem, 'm' | 'n' | 'k'>): GemmKernelName[] {
  const thin = Math.min(p.m, p.n);
  const kernels: GemmKernelName[] = [];
  if (thin >= 32 && p.k >= 16) kernels.push('tiled');
  if (thin >= 4) kernels.push('blocked');
  if (thin < 16) kernels.push('direct');
  return kernels;
}

function splitFits(engine: Engine, p: GemmProblem, v: GemmVariant): boolean {
  const bytes = scratchFloats(p, v) * 4;
  const limits = engine.limits;
  return bytes <= Math.min(MAX_SCRATCH_BYTES, limits.maxStorageBufferBindingSize, limits.maxBufferSize) &&
    p.runs * splitPlan(p.k, v).splits <= limits.maxComputeWorkgroupsPerDimension;
}

/**
 * The fallback, a fixed function of the shape. Kernel: one thread per element for products one to
 * three wide, 64 x 64 tiles when all three sizes fill them, 4 x 4 blocks otherwise. Splits: k is
 * cut (chunks of at least 64) until the product has RULE_THREADS threads, so a thin product with a
 * long k (a bias gradient, the head's weight gradient) never walks k on a handful of threads; and
 * k beyond 1024 is cut into chunks of at most 1024 whatever the width.
 */
export function ruleVariant(engine: Engine, p: GemmProblem): GemmVariant {
  const thin = Math.min(p.m, p.n);
  const kernel: GemmKernelName = thin < 4 ? 'direct' : thin >= 64 && p.k >= 64 ? 'tiled' : 'blocked';
  const threads = kernel === 'direct' ? p.m * p.n : Math.ceil(p.m / 4) * Math.ceil(p.n / 4);
  let splits = 1;
  while (splits < 64 && p.k / (2 * splits) >= 64 && (threads * splits < RULE_THREADS || p.k / splits > 1024)) splits *= 2;
  while (splits > 1 && !splitFits(engine, p, { kernel, splits })) splits /= 2;
  return { kernel, splits };
}

/** Split counts worth timing for `kernel`, shortest first: 1, 4, 16, 64 while chunks stay long enough. */
export function splitLadder(engine: Engine, p: GemmProblem, kernel: GemmKernelName): number[] {
  const ladder = [1];
  for (let s = 4; s <= 64 && p.k / s >= MIN_CHUNK; s *= 4) {
    if (splitPlan(p.k, { kernel, splits: s }).splits > ladder[ladder.length - 1] && splitFits(engine, p, { kernel, splits: s })) {
      ladder.push(s);
    }
  }
  return ladder;
}

/** One run's operands laid out like the product's, in buffers of the tuner's own (no real data is touched). */
function syntheticProblem(engine: Engine, p: GemmProblem): { problem: GemmProblem; buffers: GPUBuffer[] } | null {
  const usage = GPUBufferUsage.STORAGE;
  const make = (rows: number, cols: number, like: Operand, label: string): Operand | null => {
    if (rows * cols * 4 > MAX_TIMING_BYTES) return null;
    const buffer = engine.createBuffer(`gemm tuning ${label}`, rows * cols * 4, usage);
    const colMajor = like.rs === 1 && like.cs !== 1;
    return { buffer, off: 0, run: 0, rs: colMajor ? 1 : cols, cs: colMajor ? rows : 1 };
  };
  const a = p.a === ONES ? ONES : make(p.m, p.k, p.a, 'a');
  const b = make(p.k, p.n, p.b, 'b');
  // C's rows, then the row sums where the product has them (they must share C's buffer).
  const flat = make(1, p.m * p.n + (p.rowSums ? p.m : 0), { ...p.c, rs: 0, cs: 1 }, 'c');
  const c = flat && { ...flat, rs: p.n, cs: 1 };
  const rowSums = p.rowSums && c ? { ...c, off: p.m * p.n } : undefined;
  const buffers = [a === ONES ? null : a, b, c].flatMap((o) => (o ? [o.buffer] : []));
  if (!a || !b || !c) {
    for (const buf of buffers) buf.destroy();
    return null;
  }
  return { problem: { label: `gemm tuning ${shapeKey(p)}`, runs: 1, m: p.m, n: p.n, k: p.k, a, b, c, rowSums }, buffers };
}

async function build(engine: Engine, p: GemmProblem, v: GemmVariant): Promise<Program> {
  const builder = new ProgramBuilder(engine, `${p.label} ${v.kernel}/${v.splits}`);
  await recordGemm(engine, builder, 'gemm', p, v);
  return builder.finish();
}

/** Kernels that have run once on an engine: a software adapter finishes compiling on first use. */
const warmed = new WeakMap<Engine, Set<GemmKernelName | 'reduce'>>();

/**
 * Times the candidates. First pass: per kernel, split counts in rising order while each beats the
 * last by 5%, until sampling has taken TIME_BUDGET times the rule's first sample. Then a
 * second sample of every candidate within LOSER of the best and, unless one is then clear, a third
 * of those within SURVIVE, in interleaved rounds, so a burst of load on a shared machine neither
 * hides nor crowns one.
 * Returns the fastest by best sample, split variants charged SPLIT_CHARGE for their extra dispatch.
 */
async function measure(engine: Engine, p: GemmProblem, rule: GemmVariant): Promise<Omit<GemmChoice, 'key' | 'tuneMs'> | null> {
  const synthetic = syntheticProblem(engine, p);
  if (!synthetic) return null;
  const warm = warmed.get(engine) ?? new Set();
  warmed.set(engine, warm);
  const programs: Program[] = [];
  try {
    // Wall-clock samples would otherwise include whatever is still queued (a build can follow steps).
    await engine.device.queue.onSubmittedWorkDone();
    const best = new Map<Program, { variant: GemmVariant; ms: number }>();
    const make = async (variant: GemmVariant) => {
      const program = await build(engine, synthetic.problem, variant);
      programs.push(program);
      const kernels = [variant.kernel, ...(splitPlan(p.k, variant).splits > 1 ? ['reduce' as const] : [])];
      if (kernels.some((k) => !warm.has(k))) {
        await timeProgram(engine, program, 1);
        for (const k of kernels) warm.add(k);
      }
      return program;
    };
    // The first submit also pays for lazy buffer initialisation: a product that short is timed again
    // to set how many times a sample repeats it, enough that the cost of a submit is a small share.
    const first = await make(rule);
    let calibration = await timeProgram(engine, first, 1);
    if (calibration.ms < 4 * SAMPLE_MS) calibration = await timeProgram(engine, first, 1);
    const reps = Math.min(MAX_REPS, Math.max(1, Math.ceil(SAMPLE_MS / Math.max(calibration.ms, 0.01))));
    let spent = 0;
    const time = async (program: Program, variant: GemmVariant): Promise<number> => {
      const sample = (await timeProgram(engine, program, reps)).ms;
      spent += sample;
      const ms = sample / reps;
      const entry = best.get(program) ?? { variant, ms };
      entry.ms = Math.min(entry.ms, ms);
      best.set(program, entry);
      return ms;
    };
    const budget = TIME_BUDGET * (await time(first, rule)) * reps;
    const kernels = kernelsFor(p).sort((x, y) => Number(y === rule.kernel) - Number(x === rule.kernel));
    walk: for (const kernel of kernels) {
      let previous = Infinity;
      for (const splits of splitLadder(engine, p, kernel)) {
        if (spent > budget) break walk;
        const variant = { kernel, splits };
        const isRule = kernel === rule.kernel && splits === rule.splits;
        const ms = isRule ? best.get(first)!.ms : await time(await make(variant), variant);
        if (ms > previous * IMPROVEMENT) break;
        previous = ms;
      }
    }
    const ranked = () => [...best].sort((x, y) => x[1].ms - y[1].ms);
    for (const cut of [LOSER, SURVIVE]) {
      const fastest = ranked()[0][1].ms;
      const near = ranked().filter(([, t]) => t.ms <= fastest * cut);
      if (cut === SURVIVE && near.length < 2) break; // a clear winner needs no third sample
      for (const [program, { variant }] of near) await time(program, variant);
    }
    const timings = ranked().map(([, t]) => t);
    // Near-equal times do not buy a reduction dispatch: in a full step every dispatch costs a sync.
    const charged = (t: { variant: GemmVariant; ms: number }) => t.ms * (splitPlan(p.k, t.variant).splits > 1 ? SPLIT_CHARGE : 1);
    const chosen = timings.reduce((x, y) => (charged(y) < charged(x) ? y : x));
    return { variant: chosen.variant, by: 'measured', timings, method: calibration.method };
  } finally {
    for (const program of programs) program.destroy();
    for (const buffer of synthetic.buffers) buffer.destroy();
  }
}

/**
 * The choice for `p`'s shape on `engine`: forced, cached, measured now, or the rule (also where the
 * rule's variant is the only candidate). Made for one run; `fitRuns` adapts its split count where
 * `p.runs` would break a limit.
 */
export function chooseVariant(engine: Engine, spec: GemmProblem): Promise<GemmChoice> {
  const tuning = tuningOf(engine);
  const key = shapeKey(spec);
  const p = { ...spec, runs: 1 };
  const { force, mode } = tuning.policy;
  if (force) {
    const variant = typeof force === 'function' ? force(spec) : force;
    return Promise.resolve({ key, variant, by: 'forced', timings: [], tuneMs: 0 });
  }
  let choice = tuning.choices.get(key);
  if (!choice) {
    choice = (async () => {
      const t0 = performance.now();
      const rule = ruleVariant(engine, p);
      const big = p.m * p.n * p.k >= MIN_TUNED_WORK || p.k >= MIN_TUNED_K;
      const alone = kernelsFor(p).every((k) => k === rule.kernel && splitLadder(engine, p, k).every((s) => s === rule.splits));
      const worth = mode === 'measure' && big && !alone;
      const ruled = { variant: rule, by: 'rule' as const, timings: [] };
      let measured: Omit<GemmChoice, 'key' | 'tuneMs'> = ruled;
      if (worth) {
        // A shape the tuner cannot stage (limits, a lost device) keeps the rule, and says why.
        const run = tuning.lastMeasure.then(() => measure(engine, p, rule));
        tuning.lastMeasure = run.catch(() => undefined);
        measured = await run.then(
          (m) => m ?? { ...ruled, note: 'operands too large to time' },
          (e: unknown) => ({ ...ruled, note: `timing failed: ${e instanceof Error ? e.message : String(e)}` }),
        );
      }
      return { key, ...measured, tuneMs: performance.now() - t0 };
    })();
    tuning.choices.set(key, choice);
  }
  return choice;
}
