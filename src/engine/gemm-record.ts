/**
 * Records one GEMM of shaders/gemm.wgsl with an explicit variant (kernel and split count) into a
 * program: one dispatch, or with split-K a partials dispatch into the program's scratch plus a
 * reduction in split order, or only the partials, into a home of the caller's, where a later pass
 * makes the reduction (gemm-defer.ts). Choosing the variant is gemm-tune.ts's job; the public API is gemm.ts.
 */
import type { Engine, KernelDesc } from './engine';
import { type ProgramBuilder, type ProgramResource } from './program';
import { RecordLayout } from './record';

export interface Operand {
  buffer: GPUBuffer;
  /** Offset in floats. */
  off: number;
  /** Floats between runs; 0 shares the operand among runs. */
  run: number;
  /** Stride between rows (first index). */
  rs: number;
  /** Stride between columns (second index). */
  cs: number;
}

/** The kernels of shaders/gemm.wgsl that compute products. */
export type GemmKernelName = 'tiled' | 'blocked' | 'direct';

/**
 * How a product runs: `tiled` (64 x 64 tiles in workgroup memory), `blocked` (4 x 4 per thread
 * from memory), `direct` (one element per thread); `splits` > 1 cuts k into that many chunks
 * whose partials a second dispatch adds up in a fixed order.
 */
export interface GemmVariant {
  kernel: GemmKernelName;
  splits: number;
}

/** A(m, k) = 1 for every element: the column sums of B as a product. */
export const ONES = 'ones';

/** A product as the recorder sees it: like GemmSpec, but A may be all ones. */
export interface GemmProblem {
  label: string;
  runs: number;
  m: number;
  n: number;
  k: number;
  a: Operand | typeof ONES;
  b: Operand;
  c: Operand;
  bias?: Operand;
  /**
   * Also sum_k A(m, k) for every m, stored at rowSums.off + r * rowSums.run + m in C's buffer (a
   * weight gradient's GEMM yields the bias gradient too); the accumulate flag applies to it as well.
   */
  rowSums?: Operand;
  accumulate?: boolean;
}

/** `struct Gemm` of shaders/gemm.wgsl, field by field (src/training/records.test.ts holds them together). */
export const GEMM_RECORD = new RecordLayout([
  'm', 'n', 'k', 'flags',
  'a_off', 'a_run', 'a_rs', 'a_cs',
  'b_off', 'b_run', 'b_rs', 'b_cs',
  'c_off', 'c_run', 'c_rs', 'bias_off',
  'bias_run', 'splits', 'k_chunk', 'c_split',
  'lanes_n', 'sum_off', 'sum_run',
] as const);

const ACCUMULATE = 1;
const ADD_BIAS = 2;
const ONES_A = 4;
const ROW_SUMS = 8;
const SUMS_APART = 16;
const GROUP = 64;

export const GEMM_KERNELS: Record<GemmKernelName | 'reduce', KernelDesc> = {
  tiled: { label: 'gemm tiled', file: 'gemm.wgsl', entryPoint: 'gemm' },
  blocked: { label: 'gemm blocked', file: 'gemm.wgsl', entryPoint: 'gemm_blocked' },
  direct: { label: 'gemm direct', file: 'gemm.wgsl', entryPoint: 'gemm_direct' },
  reduce: { label: 'gemm reduce', file: 'gemm.wgsl', entryPoint: 'gemm_reduce' },
};

/**
 * The k chunk and the split count a variant really runs with: chunks are equal (the tiled
 * kernel's a multiple of its 16-deep slices) and none is empty, so `splits` may come out lower.
 */
export function splitPlan(k: number, variant: GemmVariant): { splits: number; chunk: number } {
  const want = Math.max(1, Math.min(variant.splits, k));
  let chunk = Math.max(1, Math.ceil(k / want));
  if (variant.kernel === 'tiled' && want > 1) chunk = Math.ceil(chunk / 16) * 16;
  return { splits: Math.max(1, Math.ceil(k / chunk)), chunk };
}

/** Columns of C a product writes: n, plus the row-sum column. */
export function columnsOf(p: Pick<GemmProblem, 'n' | 'rowSums'>): number {
  return p.n + (p.rowSums ? 1 : 0);
}

/** Floats of split-K scratch a variant needs (0 without splits). */
export function scratchFloats(p: Pick<GemmProblem, 'runs' | 'm' | 'n' | 'k' | 'rowSums'>, variant: GemmVariant): number {
  const { splits } = splitPlan(p.k, variant);
  return splits > 1 ? p.runs * splits * p.m * columnsOf(p) : 0;
}

/** Refuses what the kernels cannot run, naming the product's label and the field. */
export function checkProblem(p: GemmProblem): void {
  for (const f of ['runs', 'm', 'n', 'k'] as const) {
    if (!Number.isInteger(p[f]) || p[f] < 1) throw new Error(`gemm "${p.label}": ${f} must be a whole number >= 1, got ${p[f]}`);
  }
  if (p.rowSums && p.a === ONES) throw new Error(`gemm "${p.label}": rowSums needs an A operand, not ones`);
  if (p.rowSums && p.rowSums.buffer !== p.c.buffer) throw new Error(`gemm "${p.label}": rowSums must lie in C's buffer`);
}

/**
 * Lanes of a blocked workgroup along n (the other 64 / lanes run along m): along whichever of B's
 * columns or A's rows is contiguous in memory, B first, else along C's columns; never so many
 * that a tile is mostly past the edge of a thin C.
 */
export function lanesAlongN(p: Pick<GemmProblem, 'm' | 'n' | 'a' | 'b'>): number {
  const fit = (size: number) => Math.min(GROUP, 2 ** Math.ceil(Math.log2(Math.ceil(size / 4))));
  const most = fit(p.n);
  const least = GROUP / fit(p.m);
  const aAlongM = p.a !== ONES && p.a.rs === 1;
  const bAlongN = p.b.cs === 1;
  const want = aAlongM && (!bAlongN || most < 4) ? 1 : Math.min(16, most);
  return Math.max(least, Math.min(most, want));
}

function groupsOf(engine: Engine, p: GemmProblem, kernel: GemmKernelName | 'reduce', z: number): [number, number, number] {
  const max = engine.limits.maxComputeWorkgroupsPerDimension;
  if (kernel === 'tiled') return [Math.ceil(p.n / 64), Math.ceil(p.m / 64), z];
  if (kernel === 'blocked') {
    const ln = lanesAlongN(p);
    const tiles = Math.ceil(p.m / ((4 * GROUP) / ln)) * Math.ceil(p.n / (4 * ln));
    return [Math.min(max, tiles), 1, z];
  }
  return [Math.min(max, Math.ceil((p.m * columnsOf(p)) / GROUP)), 1, z];
}

function operandFields(o: Operand | typeof ONES): [number, number, number, number] {
  return o === ONES ? [0, 0, 0, 0] : [o.off, o.run, o.rs, o.cs];
}

function epilogue(p: GemmProblem): Record<'flags' | 'bias_off' | 'bias_run' | 'sum_off' | 'sum_run', number> {
  return {
    flags: (p.accumulate ? ACCUMULATE : 0) | (p.bias ? ADD_BIAS : 0) | (p.rowSums ? ROW_SUMS | SUMS_APART : 0),
    bias_off: p.bias?.off ?? 0,
    bias_run: p.bias?.run ?? 0,
    sum_off: p.rowSums?.off ?? 0,
    sum_run: p.rowSums?.run ?? 0,
  };
}

/**
 * Where a split-K product's partials stay for a later pass to add up, instead of its reduce
 * dispatch: `off` floats into `buffer`, which the caller keeps for as long as the program runs.
 */
export interface PartialsHome {
  buffer: GPUBuffer;
  off: number;
}

/**
 * One contiguous block of C's buffer that a product leaves as partials (PartialsHome): run r's
 * element e of [start, start + length) (at start + r * runStride + e) is
 * sum over s < splits, in order, of partials[off + r * run + s * split + (e / width) * nc + column + e % width],
 * the same additions gemm_reduce makes. The weight block has width n and column 0; the row sums
 * (a bias gradient) width 1 and column n.
 */
export interface DeferredSum {
  start: number;
  length: number;
  runStride: number;
  off: number;
  run: number;
  split: number;
  splits: number;
  nc: number;
  width: number;
  column: number;
}

/**
 * Whether `p` with `variant` can leave its reduction to a later pass: split-K, and C (and the row
 * sums) are contiguous blocks written outright (no bias, no accumulation), so the later pass can
 * walk them as flat ranges.
 */
export function canDefer(p: GemmProblem, variant: GemmVariant): boolean {
  return splitPlan(p.k, variant).splits > 1 && !p.accumulate && !p.bias && p.c.rs === p.n;
}

/** The blocks of C's buffer that `p` leaves as partials at `off` (see DeferredSum). */
export function deferredSums(p: GemmProblem, variant: GemmVariant, off: number): DeferredSum[] {
  const { splits } = splitPlan(p.k, variant);
  const nc = columnsOf(p);
  const mn = p.m * nc;
  const common = { off, run: splits * mn, split: mn, splits, nc };
  const sums: DeferredSum[] = [{ ...common, start: p.c.off, length: p.m * p.n, runStride: p.c.run, width: p.n, column: 0 }];
  if (p.rowSums) sums.push({ ...common, start: p.rowSums.off, length: p.m, runStride: p.rowSums.run, width: 1, column: p.n });
  return sums;
}

/**
 * C = A B (+ bias) (+ C) with `variant`: one dispatch, or two with split-K; with split-K and a
 * `home` (canDefer must hold) only the partials dispatch, into the home, and deferredSums says
 * what is left to add up.
 */
export async function recordGemm(
  engine: Engine,
  builder: ProgramBuilder,
  list: string,
  p: GemmProblem,
  variant: GemmVariant,
  home?: PartialsHome,
): Promise<void> {
  checkProblem(p);
  const { splits, chunk } = splitPlan(p.k, variant);
  const kernel = await engine.kernel(GEMM_KERNELS[variant.kernel]);
  const [a_off, a_run, a_rs, a_cs] = operandFields(p.a);
  const [b_off, b_run, b_rs, b_cs] = operandFields(p.b);
  const operands = { a_off, a_run, a_rs, a_cs, b_off, b_run, b_rs, b_cs };
  const shape = { m: p.m, n: p.n, k: p.k, splits, k_chunk: chunk, lanes_n: lanesAlongN(p) };
  const onesA = p.a === ONES ? ONES_A : 0;
  // Read-only bindings the kernel declares but this product does not use still need a buffer.
  const aBuffer = p.a === ONES ? p.b.buffer : p.a.buffer;
  const biasBuffer = (p.bias ?? p.b).buffer;
  const groups = groupsOf(engine, p, variant.kernel, p.runs * splits);
  const end = epilogue(p);
  if (splits === 1) {
    const record = GEMM_RECORD.pack({
      ...shape, ...operands, ...end, flags: end.flags | onesA,
      c_off: p.c.off, c_run: p.c.run, c_rs: p.c.rs, c_split: 0,
    });
    builder.add(list, kernel, p.label, record, { 1: aBuffer, 2: p.b.buffer, 3: biasBuffer, 4: p.c.buffer }, groups);
    return;
  }
  // Partials P[r][s](m, n), densely packed: run stride splits * m * nc, split stride m * nc, where
  // nc counts the row-sum column, kept in the partials' rows until the reduction puts it apart.
  const nc = columnsOf(p);
  const mn = p.m * nc;
  const rowSums = p.rowSums ? ROW_SUMS : 0;
  if (home && !canDefer(p, variant)) throw new Error(`gemm "${p.label}": its reduction cannot be deferred (C must be one block written outright)`);
  const partials: ProgramResource = home?.buffer ?? builder.scratch('gemm partials', p.runs * splits * mn * 4);
  const partialRecord = GEMM_RECORD.pack({
    ...shape, ...operands, flags: onesA | rowSums, bias_off: 0, bias_run: 0, sum_off: 0, sum_run: 0,
    c_off: home?.off ?? 0, c_run: splits * mn, c_rs: nc, c_split: mn,
  });
  builder.add(list, kernel, `${p.label} partials`, partialRecord,
    { 1: aBuffer, 2: p.b.buffer, 3: biasBuffer, 4: partials }, groups);
  if (home) return;
  const reduce = await engine.kernel(GEMM_KERNELS.reduce);
  const reduceRecord = GEMM_RECORD.pack({
    m: p.m, n: p.n, k: splits, splits: 1, k_chunk: 0, lanes_n: 1, ...end,
    a_off: 0, a_run: splits * mn, a_rs: nc, a_cs: mn,
    b_off: 0, b_run: 0, b_rs: 0, b_cs: 0,
    c_off: p.c.off, c_run: p.c.run, c_rs: p.c.rs, c_split: 0,
  });
  builder.add(list, reduce, `${p.label} reduce`, reduceRecord,
    { 1: partials, 3: p.bias?.buffer ?? partials, 4: p.c.buffer }, groupsOf(engine, p, 'reduce', p.runs));
}
