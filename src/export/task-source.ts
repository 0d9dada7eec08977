/**
 * The part of an exported script that makes the data, which needs no torch: the counter RNG, the
 * helpers the task uses, the task's generator, and its data (the user's text or CSV, or the
 * bundled source text) as constants. exportTorchScript puts it in the script as it is; tests run
 * it alone under any python3 to check the batches bit for bit.
 */
import type { TaskConfig } from '../config/experiment';
import { TASKS, type TaskData, type TaskKind } from '../data/tasks';
import { PY_RNG } from './py-rng';
import { PY_HELPERS, type PySection } from './py-task-helpers';
import { PY_DATA_TASKS } from './py-tasks-data';
import { PY_SIGNAL_TASKS } from './py-tasks-signals';
import { PY_SYMBOL_TASKS } from './py-tasks-symbols';
import { pyFloat, pyString, pyText } from './python-literal';

const PY_TASKS: Record<TaskKind, PySection> = { ...PY_SIGNAL_TASKS, ...PY_SYMBOL_TASKS, ...PY_DATA_TASKS } as Record<TaskKind, PySection>;

/** The task's section and every helper it needs, helpers first in a fixed order. */
export function taskSections(kind: TaskKind): PySection[] {
  const task = PY_TASKS[kind];
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    PY_HELPERS[name].needs.forEach(visit);
  };
  task.needs.forEach(visit);
  return [...Object.values(PY_HELPERS).filter((h) => wanted.has(h.name)), task];
}

/**
 * The data the task needs, checked against what it needs: undefined for generated tasks, else
 * `data` (the user's text or CSV, or the bundled source text for `corpus: "source"`).
 */
export function taskDataFor(task: TaskConfig, data?: TaskData): TaskData | undefined {
  const kind = task.kind as TaskKind;
  const def = TASKS[kind];
  if (!def) throw new Error(`task.kind must be one of ${Object.keys(TASKS).join(', ')}, got ${task.kind}`);
  const need = def.needs(task);
  if (need === 'none') return undefined;
  const want = need === 'series' ? 'series' : 'text';
  if (data?.kind !== want) {
    const what = need === 'source' ? 'the bundled source text' : need === 'text' ? "the user's text" : "the user's CSV";
    throw new Error(`task ${kind} needs ${what} to export: pass it as options.data (a ${want} TaskData)`);
  }
  return data;
}

/** The task's data as Python constants (TASK_TEXT, or SERIES_COLUMNS and SERIES_ROWS). */
function dataConstants(task: TaskConfig, data: TaskData | undefined): string {
  if (task.kind === 'series' && data?.kind === 'series') {
    const width = data.columns.length;
    const rows = Array.from({ length: data.rows }, (_, r) => `    [${Array.from(data.values.subarray(r * width, (r + 1) * width), pyFloat).join(', ')}],`);
    return [
      '# The user\'s time series (one row per step), embedded.',
      `SERIES_COLUMNS = [${data.columns.map(pyString).join(', ')}]`,
      `SERIES_ROWS = [\n${rows.join('\n')}\n]`,
    ].join('\n');
  }
  if (task.kind === 'charlm') {
    if (data?.kind !== 'text') return '# The brackets text is generated from the task\'s seed (brackets_corpus below).\nTASK_TEXT = None';
    const what = task.corpus === 'source' ? 'The bundled source text (this project\'s TypeScript and WGSL)' : 'The user\'s text';
    return `# ${what}, embedded.\nTASK_TEXT = ${pyText(data.text, '')}`;
  }
  return '';
}

/** Files of this project the task's part of the script is ported from. */
export function taskPortedFrom(kind: TaskKind): string[] {
  return [...new Set(taskSections(kind).flatMap((s) => s.from))];
}

/** Python source (no torch) that defines `make_task(options)` for `task`, with its data. */
export function pythonTaskSource(task: TaskConfig, data?: TaskData): string {
  const used = taskDataFor(task, data);
  const constants = dataConstants(task, used);
  const sections = [constants, PY_RNG, ...taskSections(task.kind as TaskKind).map((s) => s.code)];
  return sections.map((s) => s.trim()).filter((s) => s !== '').join('\n\n\n');
}
