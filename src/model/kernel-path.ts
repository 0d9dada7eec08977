/**
 * Which recurrent kernels a network runs (DESIGN decision 11): `per-step`, one forward and one
 * backward dispatch per layer, direction and timestep, or `looping`, one dispatch per layer and
 * direction that walks every timestep itself (a workgroup owns a batch tile of one run across all
 * H units, one barrier per timestep). The policy is per engine, like the GEMM policy: `auto`
 * (the default) picks by shape and adapter (looping on GPUs, per-step on software adapters, where
 * the bench measured it faster); the bench and the runner force a path with --kernels.
 * A shape the looping kernels cannot run (norms inside the cell, H above LOOPING_MAX_HIDDEN) runs
 * per-step whatever the policy says, and `chooseKernelPath` says why.
 */
import type { Engine } from '../engine/engine';

export type KernelPath = 'per-step' | 'looping';
export type KernelPolicy = 'auto' | KernelPath;
export const KERNEL_POLICIES: readonly KernelPolicy[] = ['auto', 'per-step', 'looping'];

/** Above this hidden size a workgroup holding a whole row costs more than it saves. */
export const LOOPING_MAX_HIDDEN = 256;

const policies = new WeakMap<Engine, KernelPolicy>();

export function setKernelPolicy(engine: Engine, policy: KernelPolicy): void {
  if (!KERNEL_POLICIES.includes(policy)) {
    throw new Error(`kernels must be one of ${KERNEL_POLICIES.join(', ')}, got ${String(policy)}`);
  }
  policies.set(engine, policy);
}

export function kernelPolicy(engine: Engine): KernelPolicy {
  return policies.get(engine) ?? 'auto';
}

/** What the choice depends on in a network's shape. */
export interface KernelPathShape {
  hiddenSize: number;
  norm?: 'none' | 'layer' | 'batch';
}

export interface KernelPathChoice {
  path: KernelPath;
  /** Why, in words (the bench and the runner print it). */
  reason: string;
}

/** Whether an adapter is a CPU implementation (SwiftShader), where a dispatch is cheap and barriers are not. */
export function isSoftwareAdapter(engine: Pick<Engine, 'adapterInfo'>): boolean {
  const { vendor, architecture, description } = engine.adapterInfo;
  return /swiftshader|llvmpipe|lavapipe|software|microsoft basic/i.test(`${vendor} ${architecture} ${description}`);
}

/** The path a network of `shape` runs on `engine` under its policy. */
export function chooseKernelPath(engine: Engine, shape: KernelPathShape): KernelPathChoice {
  const policy = kernelPolicy(engine);
  if (policy === 'per-step') return { path: 'per-step', reason: 'forced (--kernels per-step)' };
  if (shape.norm === 'layer' || shape.norm === 'batch') {
    return { path: 'per-step', reason: `${shape.norm} norm runs on the per-step kernels only` };
  }
  if (shape.hiddenSize > LOOPING_MAX_HIDDEN) {
    return { path: 'per-step', reason: `hiddenSize ${shape.hiddenSize} is above the looping kernels' ${LOOPING_MAX_HIDDEN}` };
  }
  if (policy === 'looping') return { path: 'looping', reason: 'forced (--kernels looping)' };
  // Measured with `npm run bench -- --config S,S-T128` on SwiftShader (2 cores): looping 5-10% slower
  // there, where a dispatch costs tens of microseconds and a looping dispatch keeps fewer workgroups busy.
  if (isSoftwareAdapter(engine)) {
    return { path: 'per-step', reason: 'auto: software adapter, where dispatches are cheap and the per-step kernels measured faster' };
  }
  return { path: 'looping', reason: `auto: GPU adapter and hiddenSize ${shape.hiddenSize} <= ${LOOPING_MAX_HIDDEN}` };
}

/** Below this input size the forward kernel of layer 0 forms its own input projection. */
export const FOLD_INPUT_BELOW = 16;

/**
 * Whether the forward kernels of layer `layer` (forward_step or forward_loop), reading `inputSize`
 * floats of the data input per row, compute b_ih + W_ih x_t themselves (FOLD_INPUT) instead of
 * reading a GEMM's gx: the GEMM's k is then too small to fill a tile (on SwiftShader it cost S
 * 9-11 ms a step, the fold about 1 ms more in the step kernels), and folding it saves a dispatch
 * per direction. Layers above read the layer below (wider, and not in one piece when
 * bidirectional), so they keep the GEMM.
 */
export function foldsInput(layer: number, inputSize: number): boolean {
  return layer === 0 && inputSize < FOLD_INPUT_BELOW;
}

/** Up to this many head outputs the top layer's backward forms the head's input gradient itself. */
export const FOLD_HEAD_MAX_OUTPUTS = 16;

/**
 * Whether the top layer's backward kernels (either path: the cell code is shared) compute the
 * gradient on h_t as sum_o dY[t, b, o] W_head[o, column + j] themselves (FOLD_HEAD) instead of
 * reading it from the head's input gradient GEMM, which that saves. Only for a head of few outputs
 * (the sum runs once per unit, row and timestep: a char task's 60 classes keep the GEMM), and only
 * when the top layer's outputs go to the head directly: a layer-output kernel (dropout, residual)
 * reads and rewrites the top dy between the head and the cell, so there the GEMM stays.
 */
export function foldsHead(headOutputs: number, layerOutputs: boolean): boolean {
  return headOutputs >= 1 && headOutputs <= FOLD_HEAD_MAX_OUTPUTS && !layerOutputs;
}

/**
 * Floating-point work one looping dispatch may take, so no dispatch runs much past ~100 ms (a
 * browser may reset a device whose work takes seconds). A software adapter runs about 1 GFLOP/s
 * on all of its dispatch's workgroups together, so it is counted on the whole dispatch. A GPU runs
 * the workgroups side by side and one workgroup walks its timesteps serially, at 5 GFLOP/s or more
 * (one SM's share), so there it is counted per workgroup, with a looser bound on the whole dispatch for
 * when the workgroups outnumber what the GPU holds at once.
 */
const SOFTWARE_FLOPS_PER_DISPATCH = 1e8;
const GPU_FLOPS_PER_WORKGROUP = 5e8;
const GPU_FLOPS_PER_DISPATCH = 5e10;

/** What the chunk length depends on: runs, batch, hidden size and gates per unit. */
export interface LoopingChunkShape {
  runs: number;
  batch: number;
  hiddenSize: number;
  gates: number;
}

/**
 * A per-engine number that tests may fix in place of a rule: `set(engine, v)` fixes v (or throws
 * `problem(v)`, when it gives one, with the value), `set(engine, undefined)` goes back to the rule.
 */
function testOverride(problem: (v: number) => string | undefined) {
  const fixed = new WeakMap<Engine, number>();
  return {
    get: (engine: Engine): number | undefined => fixed.get(engine),
    set(engine: Engine, v: number | undefined): void {
      if (v === undefined) {
        fixed.delete(engine);
        return;
      }
      const bad = problem(v);
      if (bad) throw new Error(`${bad}, got ${v}`);
      fixed.set(engine, v);
    },
  };
}

const chunkOverride = testOverride((steps) =>
  (!Number.isInteger(steps) || steps < 1 ? 'the looping chunk must be a whole number of timesteps >= 1' : undefined));

/** Tests only: a fixed chunk length (timesteps per looping dispatch), or undefined for the estimate. */
export const setLoopingChunk = chunkOverride.set;

/**
 * Processing steps per looping dispatch: as many as the FLOP budget allows (the W_hh mat-vec,
 * 2 G H^2 per row and step, dominates; backward costs about the same), at least 1.
 */
export function loopingChunk(engine: Engine, shape: LoopingChunkShape): number {
  const fixed = chunkOverride.get(engine);
  if (fixed !== undefined) return fixed;
  const { runs: R, batch: B, hiddenSize: H, gates: G } = shape;
  const perRow = 2 * G * H * H;
  const ROWS = 4; // batch rows per workgroup (ROWS_PER_THREAD in cell-kernels.ts)
  const steps = isSoftwareAdapter(engine)
    ? SOFTWARE_FLOPS_PER_DISPATCH / (R * B * perRow)
    : Math.min(GPU_FLOPS_PER_WORKGROUP / (ROWS * perRow), GPU_FLOPS_PER_DISPATCH / (R * B * perRow));
  return Math.max(1, Math.floor(steps));
}

/** The WebGPU default for maxComputeInvocationsPerWorkgroup, which every device allows. */
const MAX_LOOPING_WORKGROUP = 256;

const workgroupOverride = testOverride((threads) =>
  (!Number.isInteger(threads) || threads < 4 || threads > MAX_LOOPING_WORKGROUP || threads % 4 !== 0
    ? `the looping workgroup must be a multiple of 4 from 4 to ${MAX_LOOPING_WORKGROUP} threads`
    : undefined));

/** Tests only: a fixed looping workgroup size (a multiple of 4 up to 256), or undefined for the rule below. */
export const setLoopingWorkgroup = workgroupOverride.set;

/**
 * Threads per looping workgroup. A GPU runs a workgroup's timesteps serially, so it gets one
 * thread per hidden unit (H rounded up to 64, at most 256). A software adapter runs a workgroup on
 * one core 4 lanes at a time whatever its size, and every extra 4 threads add a switch at each
 * timestep's barrier, so it keeps 64.
 */
export function loopingWorkgroup(engine: Engine, hiddenSize: number): number {
  const fixed = workgroupOverride.get(engine);
  if (fixed !== undefined) return fixed;
  if (isSoftwareAdapter(engine)) return 64;
  return Math.min(MAX_LOOPING_WORKGROUP, Math.ceil(hiddenSize / 64) * 64);
}

const unitsOverride = testOverride((units) => (units !== 1 && units !== 2 && units !== 4 ? 'backward_step units must be 1, 2 or 4' : undefined));

/** Tests only: a fixed number of hidden units per backward_step thread (1, 2 or 4), or undefined for the rule below. */
export const setBackwardStepUnits = unitsOverride.set;

/**
 * Hidden units per backward_step thread (UNITS in lib/recurrent.wgsl). Each k of the recurrent
 * term loads four rows' gate gradients and one W_hh weight per unit, so with 4 units those loads
 * serve 16 multiply-adds instead of 4: on a software adapter, where every load is a gather, that
 * measured backward steps 15-20% faster on S (`npm run bench`, 2026-12-04). A GPU broadcasts those
 * loads within a warp and wants the threads, so it keeps one unit per thread.
 */
export function backwardStepUnits(engine: Engine): number {
  return unitsOverride.get(engine) ?? (isSoftwareAdapter(engine) ? 4 : 1);
}
