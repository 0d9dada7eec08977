/**
 * Batched strided GEMM and column sums (shaders/gemm.wgsl) as program dispatches.
 * Operands are (buffer, offset, run stride, row stride, column stride) in floats, so
 * transposed operands and operands shared across runs (run stride 0) need no copies.
 */
import type { Engine, KernelDesc } from './engine';
import { packRecord, type ProgramBuilder } from './program';

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
  accumulate?: boolean;
  /** Force a kernel; by default the tiled one for shapes that fill its 64 x 64 x 16 tiles. */
  variant?: GemmVariant;
}

export type GemmVariant = 'tiled' | 'direct';

/** Tiles mostly padding cost more than they save; skinny products go to the direct kernel. */
export function chooseVariant(m: number, n: number, k: number): GemmVariant {
  return m >= 32 && n >= 32 && k >= 16 ? 'tiled' : 'direct';
}

const FIELDS = [
  'm', 'n', 'k', 'flags',
  'a_off', 'a_run', 'a_rs', 'a_cs',
  'b_off', 'b_run', 'b_rs', 'b_cs',
  'c_off', 'c_run', 'c_rs', 'bias_off',
  'bias_run',
] as const;

const ACCUMULATE = 1;
const ADD_BIAS = 2;

export const GEMM_KERNELS: Record<GemmVariant, KernelDesc> = {
  tiled: { label: 'gemm tiled', file: 'gemm.wgsl', entryPoint: 'gemm' },
  direct: { label: 'gemm direct', file: 'gemm.wgsl', entryPoint: 'gemm_direct' },
};
export const COLSUM_KERNEL: KernelDesc = { label: 'colsum', file: 'gemm.wgsl', entryPoint: 'colsum' };

function record(spec: GemmSpec): number[] {
  const bias = spec.bias ?? { off: 0, run: 0 };
  return packRecord(FIELDS, {
    m: spec.m, n: spec.n, k: spec.k,
    flags: (spec.accumulate ? ACCUMULATE : 0) | (spec.bias ? ADD_BIAS : 0),
    a_off: spec.a.off, a_run: spec.a.run, a_rs: spec.a.rs, a_cs: spec.a.cs,
    b_off: spec.b.off, b_run: spec.b.run, b_rs: spec.b.rs, b_cs: spec.b.cs,
    c_off: spec.c.off, c_run: spec.c.run, c_rs: spec.c.rs, bias_off: bias.off,
    bias_run: bias.run,
  });
}

/** C = A B (+ bias) (+ C), one dispatch over all runs. */
export async function addGemm(engine: Engine, builder: ProgramBuilder, list: string, spec: GemmSpec): Promise<void> {
  const variant = spec.variant ?? chooseVariant(spec.m, spec.n, spec.k);
  const kernel = await engine.kernel(GEMM_KERNELS[variant]);
  const resources = { 1: spec.a.buffer, 2: spec.b.buffer, 3: (spec.bias ?? spec.b).buffer, 4: spec.c.buffer };
  const maxGroups = engine.limits.maxComputeWorkgroupsPerDimension;
  const groups = variant === 'tiled'
    ? ([Math.ceil(spec.n / 64), Math.ceil(spec.m / 64), spec.runs] as const)
    : ([Math.min(maxGroups, Math.ceil((spec.m * spec.n) / 64)), 1, spec.runs] as const);
  builder.add(list, kernel, spec.label, record(spec), resources, groups);
}

/** C(0, n) = sum over m < spec.m of A(m, n) (+ C); spec.k and spec.b are unused. */
export async function addColumnSum(
  engine: Engine,
  builder: ProgramBuilder,
  list: string,
  spec: Omit<GemmSpec, 'b' | 'k' | 'bias'>,
): Promise<void> {
  const kernel = await engine.kernel(COLSUM_KERNEL);
  const full: GemmSpec = { ...spec, k: 0, b: spec.a };
  builder.add(list, kernel, spec.label, record(full), { 1: spec.a.buffer, 4: spec.c.buffer }, [
    Math.ceil(spec.n / 64),
    1,
    spec.runs,
  ]);
}

/** Floating-point operations of one GEMM over all runs (multiply and add counted separately). */
export function gemmFlops(spec: Pick<GemmSpec, 'm' | 'n' | 'k' | 'runs'>): number {
  return 2 * spec.m * spec.n * spec.k * spec.runs;
}
