/**
 * Editing one field of a document the way a person does in the panel or the runner: set the
 * value, drop the fields that stop applying (switching Adam to SGD drops beta1 and beta2, and SGD
 * then gets its own defaults for momentum...), and re-read the result through the field table.
 * Returns the new object or the problems, each naming its path; the input is never changed.
 */
import type { FieldDef, FieldIssue } from './field';
import { applies, getPath, isObject, normalizeScope, setPath } from './normalize-scope';

type Json = Record<string, unknown>;

function deletePath(obj: Json, path: string): void {
  const keys = path.split('.');
  const parent = getPath(obj, keys.slice(0, -1).join('.'));
  const holder = keys.length === 1 ? obj : parent;
  if (isObject(holder)) delete holder[keys[keys.length - 1]];
}

/**
 * `obj` (a normalised run, task or experiment object) with `path` set to `value` (undefined
 * removes an optional field or group), re-normalised against `defs`.
 */
export function withField(
  obj: Readonly<Json>,
  defs: readonly FieldDef[],
  path: string,
  value: unknown,
  at: string,
  index = 0,
): { out?: Json; issues: FieldIssue[] } {
  const edited = structuredClone(obj) as Json;
  if (value === undefined) deletePath(edited, path);
  else setPath(edited, path, value);
  // Fields that no longer apply go, so their defaults (or nothing) come back instead of a refusal.
  const groups = new Set(defs.filter((d) => d.type === 'group').map((d) => d.path));
  const kept: Json = {};
  for (const def of defs) {
    if (!applies(def, edited, groups)) continue;
    const v = getPath(edited, def.path);
    if (v !== undefined) setPath(kept, def.path, def.type === 'group' ? {} : v);
  }
  // Keys that are no field at all stay, so the normaliser names them; fields that stopped applying go.
  const known = new Set(defs.map((d) => d.path));
  for (const [key, v] of Object.entries(edited)) if (!(key in kept) && !isObject(v) && !known.has(key)) kept[key] = v;
  const { out, issues } = normalizeScope(kept, defs, at, index);
  return issues.length > 0 ? { issues } : { out, issues };
}
