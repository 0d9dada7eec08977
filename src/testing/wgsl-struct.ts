/**
 * Reads a struct out of WGSL text and lays it out by WGSL's alignment rules, so a test can hold
 * a hand-packed record (a RecordLayout) against the struct it must match: names, order, scalar
 * types and word offsets. Handles what our records use: u32, i32, f32, vecN of those, fixed-size
 * arrays of those. Test support only; not a WGSL parser.
 */
import type { RecordLayout } from '../engine/record';

export interface WgslField {
  name: string;
  /** Scalar type of the field's elements. */
  scalar: 'u32' | 'i32' | 'f32';
  /** Scalars in the field (an array of vec4<u32> counts 4 per element). */
  count: number;
  /** Offset in 4-byte words. */
  offset: number;
}

interface TypeInfo {
  scalar: WgslField['scalar'];
  count: number;
  align: number;
  size: number;
}

const roundUp = (align: number, n: number): number => Math.ceil(n / align) * align;

function typeInfo(text: string): TypeInfo {
  const t = text.replace(/\s+/g, '');
  if (t === 'u32' || t === 'i32' || t === 'f32') return { scalar: t, count: 1, align: 4, size: 4 };
  const vec = /^vec([234])<(u32|i32|f32)>$/.exec(t);
  if (vec) {
    const n = Number(vec[1]);
    return { scalar: vec[2] as WgslField['scalar'], count: n, align: n === 2 ? 8 : 16, size: 4 * n };
  }
  const arr = /^array<(.+),(\d+)>$/.exec(t);
  if (arr) {
    const el = typeInfo(arr[1]);
    const n = Number(arr[2]);
    const stride = roundUp(el.align, el.size);
    return { scalar: el.scalar, count: el.count * n, align: el.align, size: stride * n };
  }
  throw new Error(`unsupported WGSL type "${text}"`);
}

/** Splits on commas that are not inside <...>. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '<') depth++;
    else if (body[i] === '>') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The fields of `struct name` in `source`, with offsets by WGSL's layout rules. */
export function parseWgslStruct(source: string, name: string): WgslField[] {
  const code = source.replace(/\/\/[^\n]*/g, '');
  const match = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(code);
  if (!match) throw new Error(`no struct ${name} in the source`);
  let offset = 0;
  return splitTopLevel(match[1]).map((member) => {
    const m = /^(\w+)\s*:\s*(.+)$/.exec(member);
    if (!m) throw new Error(`cannot read struct member "${member}"`);
    const info = typeInfo(m[2]);
    offset = roundUp(info.align, offset);
    const field = { name: m[1], scalar: info.scalar, count: info.count, offset: offset / 4 };
    offset += info.size;
    return field;
  });
}

/** Every difference between a record layout and a WGSL struct, one line each; [] when they match. */
export function recordMismatches(layout: RecordLayout<string>, source: string, name: string): string[] {
  const wgsl = parseWgslStruct(source, name);
  const problems: string[] = [];
  const n = Math.max(wgsl.length, layout.fields.length);
  for (let i = 0; i < n; i++) {
    const w = wgsl[i];
    const t = layout.fields[i];
    if (!w || !t) {
      problems.push(`field ${i}: ${t ? `"${t.name}" only in TypeScript` : `"${w!.name}" only in WGSL`}`);
      continue;
    }
    const want = `${w.name}: ${w.scalar} x${w.count} @${w.offset}`;
    const got = `${t.name}: ${t.type} x${t.count} @${t.offset}`;
    if (want !== got) problems.push(`field ${i}: WGSL ${want}, TypeScript ${got}`);
  }
  return problems;
}
