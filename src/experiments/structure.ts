/**
 * From the experiment file to run groups (DESIGN decision 1): runs whose `rebuild` fields agree
 * (cell, sizes, batch, window, BPTT, residual, bidirectional, norm) share one group and its
 * dispatches; the field table says which fields those are, so a new structural setting needs no
 * change here. Also how one change is classified: live, restart or rebuild. Pure data.
 */
import type { FieldDef, Apply } from '../config/field';
import type { ExperimentDoc, RunConfig, ScheduleDoc } from '../config/experiment';
import { getPath } from '../config/normalize-scope';
import { fieldsOf } from '../config/table';
import { loadTask, type TaskSources } from '../data/tasks';
import type { Task } from '../data/task';
import { usedTricks, type GroupSpec, type RunSpec } from '../training/group-spec';
import type { Schedule, ScheduleConfig } from '../training/schedules';

const REBUILD_FIELDS: readonly FieldDef[] = fieldsOf('run').filter((f) => f.apply === 'rebuild');

/** The key of a run's structure: equal keys train in one group. */
export function structureKey(run: RunConfig): string {
  return JSON.stringify(REBUILD_FIELDS.map((f) => getPath(run, f.path) ?? null));
}

export function toSchedule(doc: ScheduleDoc): ScheduleConfig {
  let schedule: Schedule;
  switch (doc.kind) {
    case 'constant':
      schedule = { kind: 'constant' };
      break;
    case 'step':
      schedule = { kind: 'step', stepSize: doc.stepSize!, gamma: doc.gamma! };
      break;
    case 'exponential':
      schedule = { kind: 'exponential', gamma: doc.gamma! };
      break;
    case 'cosine':
      schedule = { kind: 'cosine', tMax: doc.tMax!, etaMin: doc.etaMin! };
      break;
  }
  return { schedule, warmup: doc.warmup };
}

/** A run's per-run training settings (everything that is not structure). */
export function toRunSpec(run: RunConfig): RunSpec {
  return {
    id: run.id,
    label: run.label,
    seed: run.seed,
    optimizer: { ...run.optimizer },
    clip: { ...run.clip },
    schedule: toSchedule(run.schedule),
    dropout: run.dropout,
    recurrentDropout: run.recurrentDropout,
    init: { ...run.init },
    plateau: run.plateau && { ...run.plateau },
    prune: { ...run.prune },
  };
}

/**
 * The key of a group of runs of one structure: the structure, and which tricks with dispatches of
 * their own its runs use (GroupTricks). A live change that turns such a trick on for a group
 * without it, or off for the last run using it, changes the key, and the group is rebuilt with
 * its runs' checkpoints (Lockstep.regroup).
 */
export function groupKey(runs: readonly RunConfig[]): string {
  return `${structureKey(runs[0])} ${JSON.stringify(usedTricks(runs.map(toRunSpec)))}`;
}

/** The experiment's task, its data loaded (the bundled source corpus, the user's text or CSV). */
export function createTask(doc: ExperimentDoc, sources: TaskSources = {}): Promise<Task> {
  return loadTask(doc.task, sources);
}

/**
 * A group's spec from its runs (all of one structure) and the experiment's shared settings;
 * `diagnosticsEvery` (0: never) is how often the experiment wants the per-timestep gradient norms.
 */
export function toGroupSpec(doc: ExperimentDoc, task: Task, runs: readonly RunConfig[], diagnosticsEvery = 0): GroupSpec {
  const first = runs[0];
  const tricks = `${first.bidirectional ? ' bidirectional' : ''}${first.residual ? ' residual' : ''}${first.norm !== 'none' ? ` ${first.norm} norm` : ''}`;
  return {
    label: `${first.cell} H${first.hiddenSize}${first.numLayers > 1 ? ` L${first.numLayers}` : ''} B${first.batch} T${first.seqLen}${tricks}`,
    cell: first.cell,
    hiddenSize: first.hiddenSize,
    numLayers: first.numLayers,
    batch: first.batch,
    seqLen: first.seqLen,
    head: first.head,
    bidirectional: first.bidirectional,
    residual: first.residual,
    norm: first.norm,
    bptt: { ...first.bptt },
    task,
    runs: runs.map(toRunSpec),
    evalEvery: doc.evalEvery,
    diagnosticsEvery,
    tricks: usedTricks(runs.map(toRunSpec)),
  };
}

/** Runs partitioned by structure, in the order their first run appears. */
export function partitionRuns(runs: readonly RunConfig[]): RunConfig[][] {
  const groups = new Map<string, RunConfig[]>();
  for (const run of runs) {
    const key = structureKey(run);
    const list = groups.get(key);
    if (list) list.push(run);
    else groups.set(key, [run]);
  }
  return [...groups.values()];
}

const RANK: Record<Apply, number> = { live: 0, restart: 1, rebuild: 2 };

/** The strongest effect among the fields that differ between two versions of a run. */
export function changeKind(before: RunConfig, after: RunConfig): Apply | null {
  let kind: Apply | null = null;
  for (const f of fieldsOf('run')) {
    if (JSON.stringify(getPath(before, f.path)) === JSON.stringify(getPath(after, f.path))) continue;
    if (kind === null || RANK[f.apply] > RANK[kind]) kind = f.apply;
  }
  return kind;
}
