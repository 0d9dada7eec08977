/**
 * What a run group is, as data, and its validation against the schema and the device's
 * limits before anything is allocated (DESIGN decision 8). Every message names the field
 * and what is allowed.
 */
import type { Task } from '../data/task';
import { CELL_KINDS, GATES, type CellKind } from '../model/layout';
import { validateBptt, type BpttConfig } from './bptt';
import { validateClip, validateOptimizer, type ClipConfig, type OptimizerConfig } from './optimizers';
import { validateSchedule, type ScheduleConfig } from './schedules';

export interface RunSpec {
  id: string;
  label: string;
  /** Seeds the weights; runs that share a seed start from the same weights. */
  seed: number;
  optimizer: OptimizerConfig;
  clip: ClipConfig;
  schedule: ScheduleConfig;
}

export interface GroupSpec {
  label?: string;
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  batch: number;
  /** Timesteps per window (T; k2 for truncated BPTT). */
  seqLen: number;
  /** Linear head on every timestep, or on the last one only. */
  head: 'every' | 'last';
  bptt: BpttConfig;
  task: Task;
  runs: RunSpec[];
  /** Evaluate the task's validation split every this many steps; 0 or absent: never. */
  evalEvery?: number;
  /** Read metrics back every this many steps (every step's metrics still arrive). */
  metricsEvery?: number;
}

export const LIMITS = {
  hiddenSize: [1, 4096],
  numLayers: [1, 8],
  batch: [1, 4096],
  seqLen: [1, 4096],
  runs: [1, 64],
} as const;

function intIn(errors: string[], field: string, v: number, [lo, hi]: readonly [number, number]): void {
  if (!Number.isInteger(v) || v < lo || v > hi) errors.push(`${field} must be an integer from ${lo} to ${hi}, got ${v}`);
}

/** Largest buffer the group allocates, in bytes (activations or saved gates dominate). */
export function largestBufferBytes(spec: GroupSpec): number {
  const { hiddenSize: H, numLayers: L, batch: B, seqLen: T } = spec;
  const R = spec.runs.length;
  const G = GATES[spec.cell];
  const acts = R * L * (T + 1) * B * H * (spec.cell === 'lstm' ? 2 : 1) + R * L * T * B * 4 * H;
  const gates = R * T * B * G * H * (spec.cell === 'gru' ? 2 : 1);
  return 4 * Math.max(acts, gates);
}

export function validateGroupSpec(spec: GroupSpec, limits?: GPUSupportedLimits): string[] {
  const errors: string[] = [];
  if (!CELL_KINDS.includes(spec.cell)) errors.push(`cell must be one of ${CELL_KINDS.join(', ')}, got ${String(spec.cell)}`);
  intIn(errors, 'hiddenSize', spec.hiddenSize, LIMITS.hiddenSize);
  intIn(errors, 'numLayers', spec.numLayers, LIMITS.numLayers);
  intIn(errors, 'batch', spec.batch, LIMITS.batch);
  intIn(errors, 'seqLen', spec.seqLen, LIMITS.seqLen);
  intIn(errors, 'runs.length', spec.runs.length, LIMITS.runs);
  if (spec.head !== 'every' && spec.head !== 'last') errors.push(`head must be "every" or "last", got ${String(spec.head)}`);
  if (spec.metricsEvery !== undefined) intIn(errors, 'metricsEvery', spec.metricsEvery, [1, 64]);
  errors.push(...validateBptt(spec.bptt, spec.seqLen, 'bptt'));
  spec.runs.forEach((run, i) => {
    if (!Number.isInteger(run.seed) || run.seed < 0 || run.seed > 0xffffffff) {
      errors.push(`runs[${i}].seed must be an integer from 0 to 4294967295, got ${run.seed}`);
    }
    errors.push(...validateOptimizer(run.optimizer, `runs[${i}].optimizer`));
    errors.push(...validateClip(run.clip, `runs[${i}].clip`));
    errors.push(...validateSchedule(run.schedule, `runs[${i}].schedule`));
  });
  if (errors.length === 0 && limits) {
    const bytes = largestBufferBytes(spec);
    const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    if (bytes > max) {
      errors.push(`the activations need a ${(bytes / 2 ** 20).toFixed(0)} MiB buffer but this device allows ` +
        `${(max / 2 ** 20).toFixed(0)} MiB: reduce batch, seqLen, hiddenSize, numLayers or the number of runs`);
    }
  }
  return errors;
}
