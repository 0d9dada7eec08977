/**
 * A record layout: the fields of a WGSL struct of 4-byte scalars (u32, f32), in order, as data.
 * Uniform records and per-run tables are packed from named values through one of these, never
 * by position, and a test parses the struct out of the .wgsl file and compares it field by
 * field (src/testing/wgsl-struct.ts). Knows nothing of what the fields mean.
 */

export type ScalarType = 'u32' | 'f32';

export interface FieldSpec<N extends string = string> {
  name: N;
  type: ScalarType;
  /** Scalars in the field: an array<T, n> or a vecN, flattened; 1 when absent. */
  count?: number;
}

export interface RecordField<N extends string = string> {
  name: N;
  type: ScalarType;
  count: number;
  /** Offset in 4-byte words from the record's start. */
  offset: number;
}

/** Values for a record: a number per scalar field, an array per array field; padding (`_` names) may be left out. */
export type RecordValues<N extends string> = Readonly<Partial<Record<N, number | readonly number[]>>>;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The u32 word that holds `value` as a field of `type`; throws naming the field when it does not fit. */
export function wordOf(type: ScalarType, value: number, field: string): number {
  if (type === 'f32') {
    f32[0] = value;
    return u32[0];
  }
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`record field "${field}" = ${value} is not a u32`);
  return value;
}

export class RecordLayout<N extends string> {
  readonly fields: readonly RecordField<N>[];
  /** Words in one record. */
  readonly words: number;
  private readonly byName: Map<N, RecordField<N>>;

  /** Fields in struct order; a bare name is one u32. */
  constructor(specs: readonly (N | FieldSpec<N>)[]) {
    let offset = 0;
    this.fields = specs.map((s) => {
      const spec: FieldSpec<N> = typeof s === 'string' ? { name: s, type: 'u32' } : s;
      const field = { name: spec.name, type: spec.type, count: spec.count ?? 1, offset };
      offset += field.count;
      return field;
    });
    this.words = offset;
    this.byName = new Map(this.fields.map((f) => [f.name, f]));
    if (this.byName.size !== this.fields.length) throw new Error('record layout has two fields with one name');
  }

  field(name: N): RecordField<N> {
    const f = this.byName.get(name);
    if (!f) throw new Error(`record has no field "${name}"`);
    return f;
  }

  /** The record as u32 words; every field but padding (names starting with `_`) must be given. */
  pack(values: RecordValues<N>): number[] {
    const out: number[] = [];
    for (const f of this.fields) {
      const v = values[f.name];
      if (v === undefined) {
        if (!f.name.startsWith('_')) throw new Error(`record field "${f.name}" is missing`);
        for (let i = 0; i < f.count; i++) out.push(0);
      } else if (typeof v === 'number') {
        if (f.count !== 1) throw new Error(`record field "${f.name}" holds ${f.count} values, got one`);
        out.push(wordOf(f.type, v, f.name));
      } else {
        if (v.length > f.count) throw new Error(`record field "${f.name}" holds ${f.count} values, got ${v.length}`);
        for (let i = 0; i < f.count; i++) out.push(wordOf(f.type, v[i] ?? 0, f.name));
      }
    }
    return out;
  }
}
