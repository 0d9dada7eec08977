/**
 * Reading an experiment file: migrate to the current version, then normalise the experiment's
 * fields, the task and every run through the field table, then the checks across fields. The
 * result is a complete document (every default filled in) or the list of problems, each naming
 * its path (`runs[1].optimizer.lr`) and what is allowed. Never throws on bad input.
 */
import { showValue } from './check-value';
import { MAX_RUNS, type ExperimentDoc, type RunConfig } from './experiment';
import type { FieldIssue } from './field';
import { migrate } from './migrate';
import { isObject, normalizeScope } from './normalize-scope';
import { CHECKS, fieldsOf } from './table';

export interface Parsed {
  doc?: ExperimentDoc;
  issues: FieldIssue[];
}

/** An experiment that could not be read; `issues` are the problems, each with its path. */
export class ExperimentError extends Error {
  constructor(
    readonly issues: readonly FieldIssue[],
    source = '',
  ) {
    super(`${source ? `${source}: ` : ''}${issues.map((i) => i.message).join('\n')}`);
    this.name = 'ExperimentError';
  }
}

export function parseExperiment(input: unknown): Parsed {
  const migrated = migrate(input);
  if (!migrated.json) return { issues: migrated.issues };
  const json = migrated.json;
  const issues: FieldIssue[] = [];

  const top = normalizeScope(
    Object.fromEntries(Object.entries(json).filter(([k]) => k !== 'version' && k !== 'task' && k !== 'runs')),
    fieldsOf('experiment'),
    '',
  );
  issues.push(...top.issues);
  const task = normalizeScope(json.task ?? {}, fieldsOf('task'), 'task');
  issues.push(...task.issues);

  const runsIn = json.runs;
  const runs: Record<string, unknown>[] = [];
  if (!Array.isArray(runsIn) || runsIn.length < 1 || runsIn.length > MAX_RUNS) {
    issues.push({ path: 'runs', message: `runs must be a list of 1 to ${MAX_RUNS} runs, got ${showValue(runsIn)}` });
  } else {
    // An index loop, not forEach: a sparse list's holes must be refused, not skipped.
    for (let i = 0; i < runsIn.length; i++) {
      const r = normalizeScope(runsIn[i], fieldsOf('run'), `runs[${i}]`, i);
      issues.push(...r.issues);
      runs.push(r.out);
    }
  }
  if (issues.length === 0) {
    for (const c of CHECKS) {
      if (c.scope === 'run') runs.forEach((run, i) => issues.push(...c.check(run, `runs[${i}]`)));
      if (c.scope === 'task') issues.push(...c.check(task.out, 'task'));
      if (c.scope === 'experiment') issues.push(...c.check({ ...top.out, task: task.out, runs }, ''));
    }
    const seen = new Map<unknown, number>();
    runs.forEach((run, i) => {
      const first = seen.get(run.id);
      if (first !== undefined) {
        issues.push({ path: `runs[${i}].id`, message: `runs[${i}].id "${String(run.id)}" is already the id of runs[${first}]; ids must differ` });
      } else seen.set(run.id, i);
    });
  }
  if (issues.length > 0) return { issues };
  const doc = { version: json.version as number, ...top.out, task: task.out, runs } as unknown as ExperimentDoc;
  return { doc, issues };
}

/** The document, or an ExperimentError listing every problem. */
export function readExperiment(input: unknown, source = ''): ExperimentDoc {
  const { doc, issues } = parseExperiment(input);
  if (!doc) throw new ExperimentError(issues, source);
  return doc;
}

/** A run with every field at its default for position `index`, then `patch` applied and checked. */
export function defaultRun(index: number, patch: Record<string, unknown> = {}): RunConfig {
  const { out, issues } = normalizeScope(patch, fieldsOf('run'), `runs[${index}]`, index);
  if (issues.length > 0) throw new ExperimentError(issues);
  return out as unknown as RunConfig;
}

export { isObject };
