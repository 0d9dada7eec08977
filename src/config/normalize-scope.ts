/**
 * Reads one object of the experiment file (the experiment's own fields, the task, or one run)
 * through its FieldDefs: every applicable field checked or given its default, in table order
 * (so defaults and conditions may depend on fields listed earlier), and every key that is not a
 * field, or does not apply (momentum under Adam), refused with its full path. Pure data.
 */
import { checkValue, showValue } from './check-value';
import type { FieldDef, FieldIssue, FieldValue } from './field';

type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function setPath(obj: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(cur[key])) cur[key] = {};
    cur = cur[key] as Json;
  }
  cur[keys[keys.length - 1]] = value;
}

function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

/** Every proper prefix of a path: `a.b.c` -> `a`, `a.b`. */
function prefixes(path: string): string[] {
  const keys = path.split('.');
  return keys.slice(0, -1).map((_, i) => keys.slice(0, i + 1).join('.'));
}

const join = (at: string, path: string) => (at ? `${at}.${path}` : path);

/** Whether `def` applies to the object normalised so far (its `when` holds, its groups exist). */
export function applies(def: FieldDef, out: Json, groups: ReadonlySet<string>): boolean {
  for (const p of prefixes(def.path)) if (groups.has(p) && !isObject(getPath(out, p))) return false;
  if (!def.when) return true;
  const on = getPath(out, def.when.path) as FieldValue | undefined;
  return on !== undefined && def.when.is.includes(on);
}

/** The default of an applicable field in the object normalised so far. */
export function defaultOf(def: FieldDef, out: Json, index: number): FieldValue | undefined {
  if (typeof def.default !== 'function') return def.default;
  const parent = getPath(out, parentPath(def.path));
  return def.default(isObject(parent) ? parent : out, { root: out, index });
}

/** Why an inapplicable field is refused, in words. */
function notApplying(def: FieldDef, out: Json, at: string): string {
  if (def.when) {
    const on = getPath(out, def.when.path);
    return `${join(at, def.path)} does not apply when ${def.when.path} is ${showValue(on)} (only for ${def.when.is.join(', ')})`;
  }
  return `${join(at, def.path)} does not apply here`;
}

/**
 * Normalises `input` against `defs` (all of one scope). `at` prefixes messages (`runs[2]`,
 * `task`); `index` is the run's position for index-dependent defaults.
 */
export function normalizeScope(input: unknown, defs: readonly FieldDef[], at: string, index = 0): { out: Json; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const out: Json = {};
  const where = at || 'the experiment';
  if (!isObject(input)) {
    issues.push({ path: at, message: `${where} must be an object, got ${showValue(input)}` });
    return { out, issues };
  }
  const groups = new Set(defs.filter((d) => d.type === 'group').map((d) => d.path));
  const sections = new Set(defs.flatMap((d) => prefixes(d.path)));
  for (const s of sections) {
    const raw = getPath(input, s);
    if (raw !== undefined && !isObject(raw) && !groups.has(s)) {
      issues.push({ path: join(at, s), message: `${join(at, s)} must be an object, got ${showValue(raw)}` });
    }
    const inGroup = prefixes(s).some((p) => groups.has(p));
    if (!groups.has(s) && !inGroup) setPath(out, s, {});
  }

  const known = new Set(defs.map((d) => d.path));
  const reported = new Set<string>();
  for (const def of defs) {
    const raw = getPath(input, def.path);
    if (!applies(def, out, groups)) {
      // Several defs may share a path (each task kind has its own `seed`): refuse only if none applies.
      const twin = defs.some((d) => d !== def && d.path === def.path && applies(d, out, groups));
      if (raw !== undefined && !twin && !reported.has(def.path)) {
        issues.push({ path: join(at, def.path), message: notApplying(def, out, at) });
        reported.add(def.path);
      }
      continue;
    }
    if (raw === undefined) {
      if (def.optional || def.type === 'group') continue;
      setPath(out, def.path, defaultOf(def, out, index));
      continue;
    }
    const problem = checkValue(def, raw);
    if (problem) {
      issues.push({ path: join(at, def.path), message: `${join(at, def.path)} ${problem}` });
      const fallback = defaultOf(def, out, index);
      if (fallback !== undefined) setPath(out, def.path, fallback); // keeps later conditions meaningful
    } else {
      setPath(out, def.path, def.type === 'group' ? {} : raw);
    }
  }

  // Keys that are no field at all.
  const walk = (obj: Json, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (known.has(path) && !groups.has(path)) continue;
      if (sections.has(path) || groups.has(path)) {
        if (isObject(value)) walk(value, path);
        continue;
      }
      const siblings = defs.filter((d) => parentPath(d.path) === prefix).map((d) => d.path.slice(prefix ? prefix.length + 1 : 0));
      issues.push({
        path: join(at, path),
        message: `${join(at, path)} is not a setting${siblings.length ? `; known here: ${siblings.join(', ')}` : ''}`,
      });
    }
  };
  walk(input, '');
  return { out, issues };
}
