/**
 * Summaries of per-step samples (times and call counts), and the result shapes the page
 * hands to the Node driver as JSON. Medians, because a software adapter's step times have a
 * long tail from the host scheduler.
 */
import type { CallCounts } from './counters';

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no samples to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export interface CountSummary {
  dispatches: Summary;
  submits: Summary;
  maps: Summary;
  /** Total mapAsync calls over all timed steps (ours maps on some steps only). */
  mapsTotal: number;
}

export function summarizeCounts(perStep: readonly CallCounts[]): CountSummary {
  return {
    dispatches: summarize(perStep.map((c) => c.dispatches)),
    submits: summarize(perStep.map((c) => c.submits)),
    maps: summarize(perStep.map((c) => c.maps)),
    mapsTotal: perStep.reduce((s, c) => s + c.maps, 0),
  };
}

/** Called after every warmup and timed step (the page logs slow ones so long runs show progress). */
export type StepProgress = (phase: 'warmup' | 'timed', index: number, ms: number) => void;

/** One timed training loop (ours or TensorFlow.js). */
export interface StepTiming {
  steps: number;
  ms: Summary;
  counts: CountSummary;
  /** mapAsync promises the step itself waited on before returning. */
  mapsAwaited: number;
  /** Analytic FLOPs of one step (bench/flops.ts) over the median time. */
  gflops: number;
}

/** Median ms of the recurrent net's forward and backward dispatch lists, each submitted alone. */
export interface PhaseTimes {
  /** An empty command buffer submitted and waited for: the floor under any step. */
  emptySubmitMs: number;
  forwardMs: number;
  backwardMs: number;
}

export interface OursTiming extends StepTiming {
  runs: number;
  phases: PhaseTimes;
  /** True if trainStep() returned a promise (it must not: the step never awaits). */
  returnedPromise: boolean;
}

export interface GemmTiming {
  size: number;
  dispatchesPerSubmit: number;
  bestMs: number;
  gflops: number;
}

/** Long tasks (>= 50 ms) the main thread ran while something trained. */
export interface LongTasks {
  count: number;
  longestMs: number;
}

/** The CPU backend on one config (bench/cpu-bench.ts). */
export interface CpuTiming {
  steps: number;
  /** Each step posted to the worker and its record awaited. */
  ms: Summary;
  /** Mean ms per step with the worker's queue kept full, as the play loop drives it. */
  pipelinedMs: number;
  /** The same group trained in the page's own thread (no worker, no messages). */
  inThreadMs: Summary;
  /** On the main thread while the worker trained; null where the browser has no 'longtask' entries. */
  longTasks: LongTasks | null;
  gflops: number;
}

/** TensorFlow.js on its `cpu` backend (trainOnBatch on the main thread). */
export interface TfjsCpuTiming {
  steps: number;
  ms: Summary;
  longTasks: LongTasks | null;
  gflops: number;
}

export interface CpuResult {
  ours: CpuTiming;
  tfjs: TfjsCpuTiming | null;
  /** tfjs cpu median ms / ours (worker) median ms. */
  ratio: number | null;
}

/** Our step on one kernel path (src/model/kernel-path.ts). */
export interface PathTiming {
  /** The path that ran. */
  path: 'per-step' | 'looping';
  /** Why (forced by --kernels, or what auto saw), from chooseKernelPath. */
  reason: string;
  /** Whether `auto` picks this path for the config on this adapter. */
  auto: boolean;
  ours: OursTiming;
}

export interface ConfigResult {
  name: string;
  shape: Record<string, number | string>;
  flopsPerStep: number;
  /** Our step on the path auto picks (or the only path asked for): the one compared with TensorFlow.js. */
  ours: OursTiming;
  /** Every kernel path timed, `ours` among them (absent in results from before paths existed). */
  paths?: PathTiming[];
  tfjs: StepTiming | null;
  /** tfjs median ms / ours median ms. */
  ratio: number | null;
  /** With --cpu, for configs that have a CPU row. */
  cpu?: CpuResult | null;
}

export interface MultiRunResult {
  config: string;
  r1: OursTiming;
  r4: OursTiming;
  dispatchesEqual: boolean;
  /** R = 4 median ms / R = 1 median ms. */
  timeRatio: number;
}

export interface BenchResult {
  adapter: { vendor: string; architecture: string; device: string; description: string; software: boolean };
  userAgent: string;
  gemm: { best: GemmTiming; sizes: GemmTiming[] };
  configs: ConfigResult[];
  multiRun: MultiRunResult | null;
  tfjsBackend: string | null;
  /** Uncaptured WebGPU errors (must be empty for the numbers to mean anything). */
  gpuErrors: string[];
}
