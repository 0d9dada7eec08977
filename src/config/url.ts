/**
 * The experiment in the URL hash: the document with every default left out (so links stay
 * short and pick up nothing but what was set), as JSON compressed by lz-string into URL-safe
 * text, after `#e=`. The `version` field travels inside, so old links migrate like old files.
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import type { ExperimentDoc } from './experiment';
import type { FieldDef, FieldIssue } from './field';
import { applies, defaultOf, getPath, isObject } from './normalize-scope';
import { parseExperiment } from './parse';
import { fieldsOf } from './table';

type Json = Record<string, unknown>;

const PREFIX = 'e=';

function deletePath(obj: Json, path: string): void {
  const keys = path.split('.');
  let cur: Json = obj;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(cur[key])) return;
    cur = cur[key] as Json;
  }
  delete cur[keys[keys.length - 1]];
}

function dropEmpty(obj: Json): Json {
  for (const [key, value] of Object.entries(obj)) {
    if (isObject(value)) {
      dropEmpty(value);
      if (Object.keys(value).length === 0) delete obj[key];
    }
  }
  return obj;
}

/** A copy of one normalised object without the fields that equal their default there. */
function compactScope(full: Json, defs: readonly FieldDef[], index: number): Json {
  const copy = structuredClone(full);
  const groups = new Set(defs.filter((d) => d.type === 'group').map((d) => d.path));
  for (const def of defs) {
    if (def.type === 'group' || !applies(def, full, groups)) continue;
    const value = getPath(full, def.path);
    if (value !== undefined && value === defaultOf(def, full, index)) deletePath(copy, def.path);
  }
  // A group that is on must stay, even with every field at its default.
  const kept = dropEmpty(copy);
  for (const g of groups) if (isObject(getPath(full, g)) && getPath(kept, g) === undefined) kept[g] = {};
  return kept;
}

/** The document without defaults: what links and compact exports carry. */
export function compactExperiment(doc: ExperimentDoc): Json {
  const { version, task, runs, ...top } = doc;
  return {
    version,
    ...compactScope(top as Json, fieldsOf('experiment'), 0),
    task: compactScope(task as Json, fieldsOf('task'), 0),
    runs: runs.map((run, i) => compactScope(run as unknown as Json, fieldsOf('run'), i)),
  };
}

/** The hash (without `#`) that opens `doc`. */
export function experimentToHash(doc: ExperimentDoc): string {
  return PREFIX + compressToEncodedURIComponent(JSON.stringify(compactExperiment(doc)));
}

/**
 * Reads a hash (with or without `#`). `doc` is absent when the hash holds no experiment
 * (`empty`) or a broken one (`issues` say why).
 */
export function experimentFromHash(hash: string): { doc?: ExperimentDoc; empty: boolean; issues: FieldIssue[] } {
  const text = hash.replace(/^#/, '');
  if (text === '') return { empty: true, issues: [] };
  const broken = (message: string) => ({ empty: false, issues: [{ path: '', message }] });
  if (!text.startsWith(PREFIX)) return broken('the link\'s hash holds no experiment (it should start with #e=)');
  const json = decompressFromEncodedURIComponent(text.slice(PREFIX.length));
  if (!json) return broken('the link\'s experiment could not be decoded: it is damaged or was cut short');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return broken('the link\'s experiment could not be decoded: it is damaged or was cut short');
  }
  return { ...parseExperiment(value), empty: false };
}
