/**
 * The task registry: every kind the experiment file's `task: { kind, ...options }` can name, with
 * its option fields, metric, episode length and how to build it. The field table
 * (src/config/table.ts) joins TASK_KIND_FIELD and each kind's fields; the experiment builds the
 * Task through `loadTask` (or `TASKS[kind].create` when it has the data at hand).
 */
import type { FieldCheck, FieldDef, FieldIssue } from '../../config/field';
import type { SourceCorpus } from '../corpus/source-corpus';
import { addingTask } from './adding';
import { charLmTask } from './charlm';
import { classifyTask } from './classify';
import { copyTask } from './copy';
import { parityTask } from './parity';
import { reberTask } from './reber';
import { seriesTask } from './series';
import { sineTask } from './sine';
import { TASK_KINDS, type BuiltinTask, type TaskData, type TaskDef, type TaskKind, type TaskOptions } from './task-def';

export * from './task-def';

export const TASKS: Record<TaskKind, TaskDef> = {
  sine: sineTask,
  adding: addingTask,
  copy: copyTask,
  parity: parityTask,
  reber: reberTask,
  charlm: charLmTask,
  classify: classifyTask,
  series: seriesTask,
};

export const TASK_KIND_FIELD: FieldDef = {
  path: 'kind', scope: 'task', type: 'enum', label: 'task', choices: TASK_KINDS, default: 'sine', apply: 'rebuild', flag: 'task',
  doc: `What every run learns: ${TASK_KINDS.join(', ')}.`,
};

/** `low` must not exceed `high` (both fields of the task object). */
function ordered(kind: TaskKind, low: string, high: string): FieldCheck {
  return {
    scope: 'task',
    check(obj, at): FieldIssue[] {
      if (obj.kind !== kind || typeof obj[low] !== 'number' || typeof obj[high] !== 'number') return [];
      if (obj[low] <= obj[high]) return [];
      return [{ path: `${at}.${high}`, message: `${at}.${high} must be at least ${at}.${low} (${obj[low]}), got ${obj[high]}` }];
    },
  };
}

/** Checks across a task's fields. */
export const TASK_CHECKS: readonly FieldCheck[] = [
  ordered('sine', 'minFrequency', 'maxFrequency'),
  ordered('classify', 'minLength', 'maxLength'),
];

/** Data a task may be built from: the user's own (text or CSV), and where the bundled source corpus comes from. */
export interface TaskSources {
  user?: TaskData;
  /** browserSourceCorpus or nodeSourceCorpus (src/data/corpus). */
  source?: SourceCorpus;
}

/** Builds the task `options` names, loading the bundled source corpus first when it needs it. */
export async function loadTask(options: TaskOptions, sources: TaskSources = {}): Promise<BuiltinTask> {
  const kind = options.kind as TaskKind;
  const def = TASKS[kind];
  if (!def) throw new Error(`task.kind must be one of ${TASK_KINDS.join(', ')}, got ${String(options.kind)}`);
  const need = def.needs(options);
  if (need === 'source') {
    if (!sources.source) throw new Error('the source corpus has no loader here');
    return def.create(options, { kind: 'text', text: await sources.source() });
  }
  return def.create(options, need === 'none' ? undefined : sources.user);
}
