/**
 * Experiment files as people download and open them: the experiment document (every field
 * written out, so the file documents itself), optionally followed by each run's metric history
 * under `histories`. Opening a file checks its size before parsing and reads the document
 * through the field table; histories are checked for shape, and a bad one is named and dropped.
 */
import type { ExperimentDoc } from '../config/experiment';
import type { FieldIssue } from '../config/field';
import { isObject, parseExperiment } from '../config/parse';
import { RunHistory, type HistoryJson } from './history';

/** Larger files are refused before they are parsed. */
export const MAX_EXPERIMENT_FILE_BYTES = 64 * 2 ** 20;

export function experimentFileText(doc: ExperimentDoc, histories?: ReadonlyMap<string, RunHistory>): string {
  const out: Record<string, unknown> = { ...doc };
  if (histories) out.histories = Object.fromEntries([...histories].map(([id, h]) => [id, h.toJSON()]));
  return JSON.stringify(out, null, 1);
}

function historyProblem(json: unknown): string | null {
  if (!isObject(json)) return 'is not an object';
  const { step, time, columns, layerGradNorms } = json as Partial<HistoryJson>;
  if (!Array.isArray(step) || !Array.isArray(time) || step.length !== time.length) return 'needs lists "step" and "time" of one length';
  if (!step.every((s, i) => Number.isInteger(s) && s > 0 && (i === 0 || s > step[i - 1]))) return 'has steps that are not increasing whole numbers';
  if (!isObject(columns)) return 'needs an object "columns"';
  for (const [name, list] of Object.entries(columns)) {
    if (!Array.isArray(list) || list.length !== step.length) return `column "${name}" is not a list of ${step.length} values`;
  }
  if (!Array.isArray(layerGradNorms) || layerGradNorms.some((l) => !Array.isArray(l) || l.length !== step.length)) {
    return `needs "layerGradNorms": lists of ${step.length} values`;
  }
  return null;
}

export interface OpenedFile {
  doc?: ExperimentDoc;
  histories: Map<string, RunHistory>;
  issues: FieldIssue[];
  /** Histories that were present but unreadable (the experiment still opens without them). */
  warnings: string[];
}

/** Reads an experiment file's text; never throws. */
export function openExperimentFile(text: string, byteLength = text.length): OpenedFile {
  const fail = (message: string): OpenedFile => ({ histories: new Map(), issues: [{ path: '', message }], warnings: [] });
  if (byteLength > MAX_EXPERIMENT_FILE_BYTES) {
    return fail(`the file is ${(byteLength / 2 ** 20).toFixed(1)} MiB; experiment files may be at most ${MAX_EXPERIMENT_FILE_BYTES / 2 ** 20} MiB`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`the file is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(json)) return fail('the file must hold one JSON object (an experiment)');
  const { histories: rawHistories, ...rest } = json;
  const { doc, issues } = parseExperiment(rest);
  const histories = new Map<string, RunHistory>();
  const warnings: string[] = [];
  if (doc && rawHistories !== undefined) {
    if (!isObject(rawHistories)) warnings.push('"histories" is not an object; the experiment opens without them');
    else {
      for (const [id, h] of Object.entries(rawHistories)) {
        const problem = doc.runs.some((r) => r.id === id) ? historyProblem(h) : 'belongs to no run of the experiment';
        if (problem) warnings.push(`history of run "${id}" ${problem}; it was left out`);
        else histories.set(id, RunHistory.fromJSON(h as HistoryJson));
      }
    }
  }
  return { doc, histories, issues, warnings };
}
