/**
 * How the panels arrange the field table: a run's fields in sections by path (identity, model,
 * data & BPTT, optimizer, schedule, clipping, then a section per new group or nested object the
 * tricks add, and lone new fields under "tricks"), the groups among them, and a value to start an optional field at when it is switched on. Pure data over FieldDefs.
 */
import { checkValue } from '../config/check-value';
import type { FieldDef, FieldValue } from '../config/field';
import { defaultOf, isObject } from '../config/normalize-scope';

export interface FieldSection {
  id: string;
  title: string;
  fields: FieldDef[];
}

/** Sections the run fields had when the panel was written, in the order the panel shows them. */
const KNOWN_SECTIONS: readonly { id: string; title: string; top: readonly string[]; nested: readonly string[] }[] = [
  { id: 'identity', title: 'identity', top: ['id', 'label', 'color', 'hidden', 'seed'], nested: [] },
  { id: 'model', title: 'model', top: ['cell', 'hiddenSize', 'numLayers', 'head'], nested: [] },
  { id: 'data', title: 'data & BPTT', top: ['batch', 'seqLen'], nested: ['bptt'] },
  { id: 'optimizer', title: 'optimizer', top: [], nested: ['optimizer'] },
  { id: 'schedule', title: 'schedule', top: [], nested: ['schedule'] },
  { id: 'clip', title: 'clipping', top: [], nested: ['clip'] },
];

const TRICKS = { id: 'tricks', title: 'tricks' };

/** What a group is set to when switched on (one object, so views do not see a new value each time). */
const ON: Readonly<Record<string, never>> = Object.freeze({});

/** "weightNoise" -> "weight noise". */
export function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * The section of one field among `defs` (its scope's fields): a known one, the field's first
 * path segment when that holds a group or nested fields, or "tricks" for a lone new field.
 */
export function sectionOf(def: FieldDef, defs: readonly FieldDef[]): { id: string; title: string } {
  const head = def.path.split('.')[0];
  const known = KNOWN_SECTIONS.find((s) => s.top.includes(def.path) || s.nested.includes(head));
  if (known) return known;
  const nested = head !== def.path || def.type === 'group' || defs.some((d) => d.path.startsWith(`${head}.`));
  return nested ? { id: head, title: words(head) } : TRICKS;
}

/** `defs` in sections: the known ones in their order, then new ones in table order. */
export function fieldSections(defs: readonly FieldDef[]): FieldSection[] {
  const sections = new Map<string, FieldSection>();
  for (const s of KNOWN_SECTIONS) sections.set(s.id, { id: s.id, title: s.title, fields: [] });
  for (const def of defs) {
    const { id, title } = sectionOf(def, defs);
    let section = sections.get(id);
    if (!section) sections.set(id, (section = { id, title, fields: [] }));
    section.fields.push(def);
  }
  return [...sections.values()].filter((s) => s.fields.length > 0);
}

/** The paths of `defs` that are groups (objects that are on when present). */
export function groupPaths(defs: readonly FieldDef[]): Set<string> {
  return new Set(defs.filter((d) => d.type === 'group').map((d) => d.path));
}

/**
 * What an optional field starts at when switched on: its default if it has one, else 1 where
 * allowed (a clip norm of 1 is the usual first try), else its lower bound or the middle of its
 * range; a group starts as an empty object (its fields take their defaults).
 */
export function initialValue(def: FieldDef, obj: Readonly<Record<string, unknown>>, index = 0): FieldValue | Record<string, never> {
  if (def.type === 'group') return ON;
  const given = defaultOf(def, obj as Record<string, unknown>, index);
  if (given !== undefined) return given;
  switch (def.type) {
    case 'boolean':
      return true;
    case 'enum':
      return def.choices?.[0] ?? '';
    case 'color':
      return '#1f77b4';
    case 'string':
      return '';
    default: {
      const candidates = [1, def.min ?? 0, ((def.min ?? 0) + (def.max ?? 1)) / 2];
      if (def.type === 'int') candidates.push(Math.ceil(def.min ?? 0) + 1);
      return candidates.find((v) => checkValue(def, v) === null) ?? candidates[2];
    }
  }
}

/** Whether an optional field or group is on in `obj`. */
export function isOn(value: unknown, def: FieldDef): boolean {
  return def.type === 'group' ? isObject(value) : value !== undefined;
}
