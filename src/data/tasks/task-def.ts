/**
 * What a task kind is to the rest of the app: its option fields (FieldDefs of the experiment
 * file's `task` object), its metric, how long an episode is, what data it needs and how to build
 * its Task. Types and small helpers only; the kinds themselves live one per file beside this one.
 */
import type { FieldDef, FieldValue } from '../../config/field';
import { METRIC_INFO } from '../metric';
import type { MetricKind, Task } from '../task';
import type { SeriesData, TextData } from '../user-data';

export type TaskKind = 'sine' | 'adding' | 'copy' | 'parity' | 'reber' | 'charlm' | 'classify' | 'series';

export const TASK_KINDS: readonly TaskKind[] = ['sine', 'adding', 'copy', 'parity', 'reber', 'charlm', 'classify', 'series'];

/** The experiment file's `task` object: `kind` and the kind's options (normalised or partial). */
export type TaskOptions = Readonly<Record<string, FieldValue>>;

/** Data a task is built from besides its options: text (charlm) or a table of numbers (series). */
export type TaskData = TextData | SeriesData;

/**
 * What `create` needs besides the options. none: generated; text: the user's text; series: the
 * user's CSV; source: the bundled source corpus (src/data/corpus), loaded first.
 */
export type DataNeed = 'none' | 'text' | 'series' | 'source';

/** The windows the validation split is read through: the run group's seqLen and batch. */
export interface ValWindow {
  seqLen: number;
  batch: number;
}

export interface BuiltinTask extends Task {
  readonly key: TaskKind;
  /**
   * The metric of the task's trivial predictor (its TaskDef says which) on the validation
   * split read through `window`, as the trainer evaluates it.
   */
  baseline(window: ValWindow): number;
}

export interface TaskDef {
  kind: TaskKind;
  /** Short name for menus, e.g. "adding problem". */
  label: string;
  /** One line: what the task is, with its paper where there is one. */
  doc: string;
  /** The options, scope `task`, each only when `kind` is this kind. */
  fields: readonly FieldDef[];
  metric: MetricKind;
  metricName: string;
  lowerIsBetter: boolean;
  /** One line: the trivial predictor `BuiltinTask.baseline` scores. */
  baselineDoc: string;
  /** Timesteps of one episode for fixed-length tasks (each run's window must cover it); null: an endless stream. */
  episodeLength(options: TaskOptions): number | null;
  /**
   * Whether a head on the last timestep only (`head: 'last'`) still scores what the task scores:
   * true for streams and for tasks scored only at the last step of equal-length sequences.
   */
  lastStepHead(options: TaskOptions): boolean;
  needs(options: TaskOptions): DataNeed;
  /** Builds the task from normalised options (missing ones take their defaults); throws on data it cannot use. */
  create(options: TaskOptions, data?: TaskData): BuiltinTask;
}

type OwnFieldDef = Omit<FieldDef, 'scope' | 'apply' | 'when'>;

/** The option fields of `kind`: scope task, rebuild on change, applying only to that kind. */
export function taskFields(kind: TaskKind, defs: readonly OwnFieldDef[]): FieldDef[] {
  return defs.map((d) => ({ ...d, scope: 'task', apply: 'rebuild', when: { path: 'kind', is: [kind] } }));
}

/** The shared `seed` option of every generated task. */
export function seedField(doc = 'Seeds the sequences; every run of the experiment sees the same data.'): OwnFieldDef {
  return { path: 'seed', type: 'int', label: 'data seed', min: 0, max: 0xffffffff, default: 1, flag: 'seed', doc };
}

/** `defaults` overridden by the options of the same name (other keys, like `kind`, ignored). */
export function pickOptions<T extends object>(defaults: T, options: Readonly<Record<string, unknown>>): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(out)) if (options[key] !== undefined) out[key] = options[key];
  return out as T;
}

/** A TaskDef with its metric's name and direction filled in. */
export function defineTask(def: Omit<TaskDef, 'metricName' | 'lowerIsBetter'>): TaskDef {
  return { ...def, metricName: METRIC_INFO[def.metric].name, lowerIsBetter: METRIC_INFO[def.metric].lowerIsBetter };
}
