/**
 * The field table: every setting of the experiment file in one list, joined from the parts that
 * own them (the experiment's fields, the task registry, the run fields and, as they land, the
 * tricks). Validation, defaults, the URL codec, the runner's flags, the panel and the README's
 * reference all read FIELDS; nothing else lists settings.
 */
import { TASKS, TASK_CHECKS, TASK_KIND_FIELD } from '../data/tasks';
import { TASK_RUN_CHECKS } from './fields/task-run';
import type { FieldCheck, FieldDef, Scope } from './field';
import { EXPERIMENT_FIELDS } from './fields/experiment';
import { LAYERS_DROPOUT_FIELDS } from './fields/layers-dropout';
import { RUN_CHECKS, RUN_FIELDS } from './fields/run';
import { UPDATE_TRICK_CHECKS, UPDATE_TRICK_FIELDS } from './fields/update-tricks';

/** Task option fields, the kind first (conditions read it). */
const TASK_FIELDS: readonly FieldDef[] = [TASK_KIND_FIELD, ...Object.values(TASKS).flatMap((t) => t.fields)];

export const FIELDS: readonly FieldDef[] = [
  ...EXPERIMENT_FIELDS, ...TASK_FIELDS, ...RUN_FIELDS, ...LAYERS_DROPOUT_FIELDS, ...UPDATE_TRICK_FIELDS,
];

export const CHECKS: readonly FieldCheck[] = [...RUN_CHECKS, ...TASK_CHECKS, ...TASK_RUN_CHECKS, ...UPDATE_TRICK_CHECKS];

/** The fields of one scope, in table order. */
export function fieldsOf(scope: Scope): readonly FieldDef[] {
  return FIELDS.filter((f) => f.scope === scope);
}

/** One field by scope and path; throws for a path that is not in the table (a programming error). */
export function field(scope: Scope, path: string): FieldDef {
  const f = FIELDS.find((d) => d.scope === scope && d.path === path);
  if (!f) throw new Error(`no ${scope} field "${path}" in the table`);
  return f;
}
