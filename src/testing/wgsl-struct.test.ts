// The struct reader the record tests rely on: WGSL's alignment rules, comments, nested generics,
// and that a record which drifted from its struct is reported field by field.
import { describe, expect, it } from 'vitest';
import { RecordLayout } from '../engine/record';
import { parseWgslStruct, recordMismatches } from './wgsl-struct';

const SOURCE = `
struct Other { a: f32 }
struct Sample {
  a: u32,        // a comment, with a comma
  b: f32, c: u32,
  v: vec2<f32>,
  w: vec4<u32>,
  arr: array<vec4<u32>, 3>,
  last: i32,
}`;

describe('parseWgslStruct', () => {
  it('lays fields out by WGSL alignment: vec2 on 8 bytes, vec4 and its arrays on 16', () => {
    expect(parseWgslStruct(SOURCE, 'Sample')).toEqual([
      { name: 'a', scalar: 'u32', count: 1, offset: 0 },
      { name: 'b', scalar: 'f32', count: 1, offset: 1 },
      { name: 'c', scalar: 'u32', count: 1, offset: 2 },
      { name: 'v', scalar: 'f32', count: 2, offset: 4 },
      { name: 'w', scalar: 'u32', count: 4, offset: 8 },
      { name: 'arr', scalar: 'u32', count: 12, offset: 12 },
      { name: 'last', scalar: 'i32', count: 1, offset: 24 },
    ]);
  });

  it('names a missing struct and an unsupported type', () => {
    expect(() => parseWgslStruct(SOURCE, 'Missing')).toThrow(/no struct Missing/);
    expect(() => parseWgslStruct('struct S { m: mat4x4<f32> }', 'S')).toThrow(/unsupported WGSL type "mat4x4<f32>"/);
  });
});

describe('recordMismatches', () => {
  it('is empty for a record that matches, padding included', () => {
    const layout = new RecordLayout(['a', 'b', '_pad', 'c']);
    expect(recordMismatches(layout, 'struct S { a: u32, b: u32, _pad: u32, c: u32 }', 'S')).toEqual([]);
  });

  it('reports a swapped order, a wrong type, implicit padding and a missing field', () => {
    const layout = new RecordLayout(['b', 'a', { name: 'x', type: 'f32' }, { name: 'v', type: 'u32', count: 4 }, 'extra']);
    expect(recordMismatches(layout, 'struct S { a: u32, b: u32, x: u32, v: vec4<u32> }', 'S')).toEqual([
      'field 0: WGSL a: u32 x1 @0, TypeScript b: u32 x1 @0',
      'field 1: WGSL b: u32 x1 @1, TypeScript a: u32 x1 @1',
      'field 2: WGSL x: u32 x1 @2, TypeScript x: f32 x1 @2',
      'field 3: WGSL v: u32 x4 @4, TypeScript v: u32 x4 @3',
      'field 4: "extra" only in TypeScript',
    ]);
  });
});
