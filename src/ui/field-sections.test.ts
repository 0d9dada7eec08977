// The panel's arrangement of the field table: sections by path (known ones in order, new groups
// and nested objects in their own, lone new fields under tricks), and where optional fields start.
import { RUN_FIELDS } from '../config/fields/run';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../config/field';
import { fieldsOf } from '../config/table';
import { fieldSections, groupPaths, initialValue, isOn, sectionOf, words } from './field-sections';

const def = (path: string, more: Partial<FieldDef> = {}): FieldDef => ({ path, scope: 'run', type: 'number', label: path, doc: '', apply: 'live', ...more });

describe('field sections', () => {
  it('puts every run field of the table in a section, the known ones in order', () => {
    const sections = fieldSections(fieldsOf('run'));
    expect(sections.slice(0, 6).map((s) => s.title)).toEqual(['identity', 'model', 'data & BPTT', 'optimizer', 'schedule', 'clipping']);
    expect(sections.flatMap((s) => s.fields).length).toBe(fieldsOf('run').length);
    expect(sections.find((s) => s.id === 'data')!.fields.map((f) => f.path)).toEqual(['batch', 'seqLen', 'bptt.kind', 'bptt.k1', 'bptt.episodeLength']);
  });

  it('gives fields added later sections with no code per field', () => {
    // The fields the panel was written for, then made-up ones it has never seen.
    const defs = [
      ...RUN_FIELDS,
      def('plateau', { type: 'group', optional: true }), def('plateau.factor'), def('plateau.patience', { type: 'int' }),
      def('init.scheme', { type: 'enum', choices: ['default', 'orthogonal'] }),
      def('residual', { type: 'boolean', apply: 'rebuild' }), def('dropout'),
    ];
    const sections = fieldSections(defs);
    expect(sections.slice(6).map((s) => [s.title, s.fields.map((f) => f.path)])).toEqual([
      ['plateau', ['plateau', 'plateau.factor', 'plateau.patience']],
      ['init', ['init.scheme']],
      ['tricks', ['residual', 'dropout']],
    ]);
    expect(sectionOf(def('weightNoise.std'), defs).title).toBe('weight noise');
    expect(groupPaths(defs)).toEqual(new Set(['plateau']));
    expect(words('episodeLength')).toBe('episode length');
  });

  it('starts an optional field at a value its range allows, and a group as an empty object', () => {
    const maxNorm = fieldsOf('run').find((f) => f.path === 'clip.maxNorm')!;
    expect(initialValue(maxNorm, {})).toBe(1);
    expect(initialValue(def('x', { optional: true, min: 2, max: 10 }), {})).toBe(2);
    expect(initialValue(def('y', { optional: true, min: 0, max: 1, exclusiveMax: true, exclusiveMin: true }), {})).toBe(0.5);
    expect(initialValue(def('g', { type: 'group' }), {})).toEqual({});
    expect(isOn({}, def('g', { type: 'group' }))).toBe(true);
    expect(isOn(undefined, maxNorm)).toBe(false);
  });
});
