/**
 * What a run group is, as data, and its validation against the schema (DESIGN decision 8; the
 * device's limits are checked by a dry build in group-limits.ts, before anything is allocated).
 * Every message names the field and what is allowed.
 */
import type { Task } from '../data/task';
import { CELL_KINDS, CELLS, type CellKind } from '../model/cells';
import { NORM_KINDS, residualProblem, type NormKind } from '../model/plan';
import { validateInit, type InitConfig } from '../model/init-schemes';
import { validateBptt, type BpttConfig } from './bptt';
import { validateDropout } from './dropout';
import { validateClip, validateOptimizer, type ClipConfig, type OptimizerConfig } from './optimizers';
import { validatePlateau, type PlateauConfig } from './plateau';
import { isPruning, validatePrune, type PruneConfig } from './prune';
import { validateSchedule, type ScheduleConfig } from './schedules';

export interface RunSpec {
  id: string;
  label: string;
  /** Seeds the weights; runs that share a seed start from the same weights. */
  seed: number;
  optimizer: OptimizerConfig;
  clip: ClipConfig;
  schedule: ScheduleConfig;
  /**
   * Dropout rate in [0, 1) between stacked layers and on the head's input (torch.nn.LSTM's
   * `dropout`, plus the head), inverted (kept values scaled by 1 / (1 - p)); 0 or absent: off.
   */
  dropout?: number;
  /** Variational dropout rate on h_{t-1} as it enters W_hh (Gal and Ghahramani 2016); 0 or absent: off. */
  recurrentDropout?: number;
  /** Initialisation schemes of the recurrent layers (src/model/init-schemes.ts); torch's defaults when absent. */
  init?: InitConfig;
  /** Reduce-on-plateau (src/training/plateau.ts); off when absent. */
  plateau?: PlateauConfig;
  /** Magnitude pruning (src/training/prune.ts); none when absent. */
  prune?: PruneConfig;
}

/**
 * Which per-run tricks with dispatches of their own a group records: a group records a trick's
 * dispatches only if one of its runs uses it when the group is built (so a group without tricks
 * costs what it did before they existed). A run may turn a trick on live only in a group that has it;
 * the experiment rebuilds a group whose runs need another set (structure.ts, groupKey).
 */
export interface GroupTricks {
  plateau: boolean;
  prune: boolean;
  dropout: boolean;
  recurrentDropout: boolean;
}

/** The tricks `runs` use. */
export function usedTricks(runs: readonly RunSpec[]): GroupTricks {
  return {
    plateau: runs.some((r) => r.plateau !== undefined),
    prune: runs.some((r) => isPruning(r.prune)),
    dropout: runs.some((r) => (r.dropout ?? 0) > 0),
    recurrentDropout: runs.some((r) => (r.recurrentDropout ?? 0) > 0),
  };
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
  /** A reverse direction per layer (src/model/plan.ts); the head reads 2H. */
  bidirectional?: boolean;
  /** Layers whose input is as wide as their output add it to their h (src/model/plan.ts). */
  residual?: boolean;
  /** Normalization inside the cell (src/model/plan.ts NormKind); absent or 'none': none. */
  norm?: NormKind;
  bptt: BpttConfig;
  task: Task;
  runs: RunSpec[];
  /** Read metrics back every this many steps (every step's metrics still arrive). */
  metricsEvery?: number;
  /**
   * Run an evaluation pass (forward only, over the task's validation batches) at every step
   * divisible by this, reported as that step's valLoss and metric; 0 or absent: never.
   */
  evalEvery?: number;
  /**
   * Compute the per-timestep gradient norms (RunStepMetrics.gradThroughTime) at every step
   * divisible by this; 0 or absent: never, and no extra dispatch is recorded.
   */
  diagnosticsEvery?: number;
  /** The tricks whose dispatches the group records; absent: the ones its runs use (usedTricks). */
  tricks?: GroupTricks;
}

/** The tricks a group built from `spec` records. */
export function groupTricks(spec: Pick<GroupSpec, 'tricks' | 'runs'>): GroupTricks {
  return spec.tricks ?? usedTricks(spec.runs);
}

export const LIMITS = {
  hiddenSize: [1, 4096],
  numLayers: [1, 8],
  batch: [1, 4096],
  seqLen: [1, 4096],
  runs: [1, 64],
  evalEvery: [0, 1_000_000],
  diagnosticsEvery: [0, 1_000_000],
} as const;

/** Whether group step `step` (1-based) computes the per-timestep gradient norms. */
export function isDiagnosticsStep(spec: Pick<GroupSpec, 'diagnosticsEvery'>, step: number): boolean {
  const every = spec.diagnosticsEvery ?? 0;
  return every > 0 && step % every === 0;
}

/** The loss each metric kind is defined on. */
const METRIC_LOSS = { mse: 'mse', accuracy: 'cross_entropy', bpc: 'cross_entropy' } as const;

function intIn(errors: string[], field: string, v: number, [lo, hi]: readonly [number, number]): void {
  if (!Number.isInteger(v) || v < lo || v > hi) errors.push(`${field} must be an integer from ${lo} to ${hi}, got ${v}`);
}

/** Problems with `spec` against the schema; the device's limits are checked by group-limits.ts. */
export function validateGroupSpec(spec: GroupSpec): string[] {
  const errors: string[] = [];
  if (!CELL_KINDS.includes(spec.cell)) errors.push(`cell must be one of ${CELL_KINDS.join(', ')}, got ${String(spec.cell)}`);
  intIn(errors, 'hiddenSize', spec.hiddenSize, LIMITS.hiddenSize);
  intIn(errors, 'numLayers', spec.numLayers, LIMITS.numLayers);
  intIn(errors, 'batch', spec.batch, LIMITS.batch);
  intIn(errors, 'seqLen', spec.seqLen, LIMITS.seqLen);
  intIn(errors, 'runs.length', spec.runs.length, LIMITS.runs);
  if (spec.head !== 'every' && spec.head !== 'last') errors.push(`head must be "every" or "last", got ${String(spec.head)}`);
  if (spec.metricsEvery !== undefined) intIn(errors, 'metricsEvery', spec.metricsEvery, [1, 64]);
  if (spec.evalEvery !== undefined) intIn(errors, 'evalEvery', spec.evalEvery, LIMITS.evalEvery);
  if (spec.diagnosticsEvery !== undefined) intIn(errors, 'diagnosticsEvery', spec.diagnosticsEvery, LIMITS.diagnosticsEvery);
  if (spec.norm !== undefined && !NORM_KINDS.includes(spec.norm)) {
    errors.push(`norm must be one of ${NORM_KINDS.join(', ')}, got ${String(spec.norm)}`);
  }
  if (spec.norm === 'batch' && spec.batch < 2) {
    errors.push(`norm "batch" needs a batch of 2 or more (its statistics are over the batch), got batch ${spec.batch}`);
  }
  if (errors.length === 0 && spec.residual) {
    const problem = residualProblem({ ...spec, inputSize: spec.task.inputSize });
    if (problem) errors.push(problem);
  }
  const { task } = spec;
  if (!Number.isInteger(task.valBatches) || task.valBatches < 0) {
    errors.push(`task.valBatches must be an integer >= 0, got ${task.valBatches}`);
  }
  if (METRIC_LOSS[task.metric] === undefined) {
    errors.push(`task.metric must be one of ${Object.keys(METRIC_LOSS).join(', ')}, got ${String(task.metric)}`);
  } else if (METRIC_LOSS[task.metric] !== task.loss) {
    errors.push(`task.metric ${task.metric} needs a ${METRIC_LOSS[task.metric]} task, but task "${task.key}" uses ${task.loss}`);
  }
  errors.push(...validateBptt(spec.bptt, spec.seqLen, 'bptt'));
  spec.runs.forEach((run, i) => {
    if (!Number.isInteger(run.seed) || run.seed < 0 || run.seed > 0xffffffff) {
      errors.push(`runs[${i}].seed must be an integer from 0 to 4294967295, got ${run.seed}`);
    }
    errors.push(...validateOptimizer(run.optimizer, `runs[${i}].optimizer`));
    errors.push(...validateClip(run.clip, `runs[${i}].clip`));
    errors.push(...validateSchedule(run.schedule, `runs[${i}].schedule`));
    errors.push(...validateDropout(run, `runs[${i}]`));
    errors.push(...runTrickErrors(spec, run, i));
  });
  return errors;
}

/** Problems with run `i`'s init, plateau and pruning in `spec`'s group, each naming the field. */
export function runTrickErrors(spec: Pick<GroupSpec, 'cell' | 'tricks' | 'runs'>, run: RunSpec, i: number): string[] {
  const at = `runs[${i}]`;
  const errors: string[] = [];
  if (run.init) errors.push(...validateInit(run.init, CELLS[spec.cell]?.gates ?? [], `${at}.init`));
  if (run.plateau) errors.push(...validatePlateau(run.plateau, `${at}.plateau`));
  if (run.prune) errors.push(...validatePrune(run.prune, `${at}.prune`));
  const has = groupTricks(spec);
  const lacking = (trick: string) => `${at} ("${run.id}") uses ${trick}, but its group was built without ${trick}'s dispatches; rebuild the group (the experiment does) to turn it on`;
  if (run.plateau && !has.plateau) errors.push(lacking('plateau'));
  if (isPruning(run.prune) && !has.prune) errors.push(lacking('prune'));
  if ((run.dropout ?? 0) > 0 && !has.dropout) errors.push(lacking('dropout'));
  if ((run.recurrentDropout ?? 0) > 0 && !has.recurrentDropout) errors.push(lacking('recurrentDropout'));
  return errors;
}
