/**
 * Batched strided GEMM and column sums (shaders/gemm.wgsl) as program dispatches: the API the
 * model and training code call. Operands are (buffer, offset, run stride, row stride, column
 * stride) in floats, so transposed operands and operands shared across runs (run stride 0) need no
 * copies. Each product runs the variant the engine measured fastest for its shape (gemm-tune.ts).
 */
import type { Engine } from './engine';
import { recordGemm, ONES, type GemmProblem, type GemmVariant, type Operand } from './gemm-record';
import { chooseVariant, fitRuns } from './gemm-tune';
import type { DeferredReductions } from './gemm-defer';
import type { ProgramBuilder } from './program';

export type { GemmKernelName, GemmProblem, GemmVariant, Operand } from './gemm-record';
export { gemmChoices, setGemmPolicy, type GemmChoice, type GemmPolicy } from './gemm-tune';

export interface GemmSpec {
  label: string;
  runs: number;
  m: number;
  n: number;
  k: number;
  /** A(m, k). */
  a: Operand;
  /** B(k, n). */
  b: Operand;
  /** C(m, n), unit column stride (cs is ignored). */
  c: Operand;
  /** bias(n) added to every row: uses off and run. */
  bias?: Operand;
  /** Also sum_k A(m, k) into rowSums(m) in C's buffer (the bias gradient beside a weight gradient): uses off and run. */
  rowSums?: Operand;
  accumulate?: boolean;
  /** Run this variant instead of the engine's choice for the shape (tests, comparisons). */
  variant?: GemmVariant;
}

/** Column sums: `m` rows of A(m, n) summed into C(0, n). */
export type ColumnSumSpec = Omit<GemmSpec, 'b' | 'k' | 'bias' | 'rowSums'>;

/** The variant a product runs: the one it names, else the engine's choice for its shape fitted to its runs. */
export async function variantFor(engine: Engine, p: GemmProblem, variant?: GemmVariant): Promise<GemmVariant> {
  return variant ?? fitRuns(engine, p, (await chooseVariant(engine, p)).variant);
}

async function add(engine: Engine, builder: ProgramBuilder, list: string, p: GemmProblem, variant?: GemmVariant): Promise<void> {
  await recordGemm(engine, builder, list, p, await variantFor(engine, p, variant));
}

/**
 * C = A B (+ bias) (+ C) over all runs: one dispatch, or two where split-K won (partials, reduction).
 * A product `deferred` planned records its partials dispatch only (gemm-defer.ts).
 */
export async function addGemm(engine: Engine, builder: ProgramBuilder, list: string, spec: GemmSpec, deferred?: DeferredReductions): Promise<void> {
  const { variant, ...problem } = spec;
  const planned = deferred?.placeOf(problem);
  if (planned) await recordGemm(engine, builder, list, problem, planned.variant, planned.home);
  else await add(engine, builder, list, problem, variant);
}

/**
 * C(0, n) = sum over m < spec.m of A(m, n) (+ C): the product ones(1, m) x A, so it splits over
 * rows like any long-k product instead of one thread walking every row.
 */
export async function addColumnSum(engine: Engine, builder: ProgramBuilder, list: string, spec: ColumnSumSpec): Promise<void> {
  const { variant, label, runs, m, n, a, c, accumulate } = spec;
  await add(engine, builder, list, { label, runs, m: 1, n, k: m, a: ONES, b: a, c, accumulate }, variant);
}

/** Floating-point operations of one GEMM over all runs (multiply and add counted separately). */
export function gemmFlops(spec: Pick<GemmSpec, 'm' | 'n' | 'k' | 'runs'>): number {
  return 2 * spec.m * spec.n * spec.k * spec.runs;
}
