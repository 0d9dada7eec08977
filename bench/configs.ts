/**
 * The benchmark's configurations as data, shared by the Node driver (bench/run.ts) and the
 * page (bench/page.ts): cell, sizes and the default step counts, which differ because M costs
 * tens of seconds per step on a software adapter.
 */
import type { StepShape } from './flops';

/** A step shape (head outputs are per timestep, mse regression) with its step counts. */
export interface BenchConfig extends StepShape {
  name: string;
  /** Timed steps when --steps is not given. */
  defaultSteps: number;
  /** Untimed steps first (pipeline compiles, first-use allocations). */
  warmup: number;
  /** Gets a CPU backend row (ours and TensorFlow.js's cpu backend) with --cpu; M would take minutes a step. */
  cpuRow: boolean;
}

const S_SIZES = {
  inputSize: 8, hiddenSize: 64, numLayers: 1, batch: 16, seqLen: 32, outputSize: 1, defaultSteps: 20, warmup: 3, cpuRow: true,
};

export const CONFIGS: Record<string, BenchConfig> = {
  S: { name: 'S', cell: 'lstm', ...S_SIZES },
  M: {
    name: 'M', cell: 'lstm', inputSize: 32, hiddenSize: 256, numLayers: 2, batch: 64, seqLen: 128, outputSize: 1,
    defaultSteps: 3, warmup: 1, cpuRow: false,
  },
  'GRU-S': { name: 'GRU-S', cell: 'gru', ...S_SIZES },
  'RNN-S': { name: 'RNN-S', cell: 'rnn_tanh', ...S_SIZES },
  // S with four times the sequence: the per-step kernels issue two dispatches per layer and timestep,
  // the looping kernels the same number whatever T, so this row shows what T costs on each path.
  'S-T128': { name: 'S-T128', cell: 'lstm', ...S_SIZES, seqLen: 128, defaultSteps: 5, cpuRow: false },
};

export const CONFIG_NAMES = Object.keys(CONFIGS);

/** What the driver asks the page to do, passed as JSON in the `plan` query parameter. */
export interface BenchPlan {
  configs: { name: string; steps: number; warmup: number }[];
  /** Steps for the R = 4 vs R = 1 comparison on config S (0 skips it). */
  multiRunSteps: number;
  /** Time TensorFlow.js too. */
  tfjs: boolean;
  /** Kernel policies to time ours with (src/model/kernel-path.ts): each distinct path they resolve to runs once. */
  kernels: ('auto' | 'per-step' | 'looping')[];
  /** Time the CPU backend (and TensorFlow.js's cpu backend when `tfjs`) on configs with a CPU row. */
  cpu: boolean;
}
