/**
 * The experiment file (DESIGN decision 9): one JSON document that is the URL hash, the saved
 * experiment, the import/export file and the headless runner's input. These types mirror the
 * field table (src/config/table.ts), which is what validates a document and fills its defaults;
 * a test keeps the two in step. Field names are a contract: saved files and shared links use them.
 */
import type { InitConfig } from '../model/init-schemes';
import type { CellKind, NormKind } from '../model/layout';
import type { BpttConfig } from '../training/bptt';
import type { ClipConfig, OptimizerConfig } from '../training/optimizers';
import type { PlateauConfig } from '../training/plateau';
import type { PruneConfig } from '../training/prune';
import type { FieldValue } from './field';

/** The version this code writes; older versions are migrated on read (src/config/migrate.ts). */
export const EXPERIMENT_VERSION = 1;

/** Most runs one experiment holds. */
export const MAX_RUNS = 16;

export interface ExperimentDoc {
  version: number;
  name: string;
  /** Steps to train before stopping on its own; 0 for no limit. */
  budget: number;
  /** Evaluate the validation split every this many steps; 0 never. */
  evalEvery: number;
  /** What every run learns: `{ kind, ...options }` (src/data/tasks). */
  task: TaskConfig;
  runs: RunConfig[];
}

export interface TaskConfig {
  kind: string;
  [option: string]: FieldValue;
}

/** A learning-rate schedule as the file spells it (flat; fields by kind). */
export interface ScheduleDoc {
  kind: 'constant' | 'step' | 'exponential' | 'cosine';
  /** Steps of linear warmup before the schedule starts counting. */
  warmup: number;
  stepSize?: number;
  gamma?: number;
  tMax?: number;
  etaMin?: number;
}

export interface RunConfig {
  /** Stable key: histories, saved weights and the runner's output use it. */
  id: string;
  label: string;
  color: string;
  /** Hidden from the charts (it still trains). */
  hidden: boolean;
  /** Seeds the weights and the dropout masks; runs that share a seed start from the same weights. */
  seed: number;
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  head: 'every' | 'last';
  batch: number;
  seqLen: number;
  bptt: BpttConfig;
  optimizer: OptimizerConfig;
  schedule: ScheduleDoc;
  clip: ClipConfig;
  /** Dropout rate on each layer's output (between layers, and the head's input); 0: off. */
  dropout: number;
  /** Variational dropout rate on h_{t-1} as it enters the recurrent product; 0: off. */
  recurrentDropout: number;
  /** Layers whose input is as wide as their output hand on h plus their input. */
  residual: boolean;
  /** A reverse direction per layer, outputs concatenated. */
  bidirectional: boolean;
  /** Normalization inside the cell (layer or recurrent batch norm); 'none': off. */
  norm: NormKind;
  /** Initialisation schemes of the recurrent layers. */
  init: InitConfig;
  /** Reduce-on-plateau; absent when off. */
  plateau?: PlateauConfig;
  /** Magnitude pruning (`{ kind: "none" }` when off). */
  prune: PruneConfig;
}
