// The per-run table on the CPU side: values by name, f32 rounding, u32 checks, and one
// writeBuffer per flush only when something changed (a fake queue counts the writes).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from './engine';
import { RecordLayout } from './record';
import { RunTable } from './run-table';

function fakeEngine() {
  const writes: Uint32Array[] = [];
  const engine = {
    createBuffer: (label: string, bytes: number) => ({ label, size: bytes, destroy: () => {} }),
    device: { queue: { writeBuffer: (_b: unknown, _o: number, data: Uint32Array) => writes.push(data.slice()) } },
  } as unknown as Engine;
  return { engine, writes };
}

// Node has no WebGPU globals outside the GPU tests; the table only reads two usage flags.
beforeAll(() => {
  vi.stubGlobal('GPUBufferUsage', { STORAGE: 0x80, COPY_DST: 0x8 });
});

const LAYOUT = new RecordLayout<'kind' | 'lr' | 'steps'>(['kind', { name: 'lr', type: 'f32' }, 'steps']);

describe('RunTable', () => {
  it('writes the whole table once per flush, and only after a change', () => {
    const { engine, writes } = fakeEngine();
    const table = new RunTable(engine, 'test table', 2, LAYOUT);
    expect(table.flush()).toBe(true); // the initial zeros
    expect(table.flush()).toBe(false);
    table.set(1, 'lr', 0.1);
    table.set(0, 'kind', 3);
    expect(table.flush()).toBe(true);
    expect(writes).toHaveLength(2);
    const last = writes[1];
    expect(last.length).toBe(2 * LAYOUT.words);
    expect(last[0]).toBe(3);
    expect(new Float32Array(last.buffer)[LAYOUT.words + 1]).toBe(Math.fround(0.1));
    table.set(1, 'lr', 0.1); // the same value: nothing to write
    table.set(0, 'kind', 3);
    expect(table.flush()).toBe(false);
    expect(table.writes).toBe(2);
  });

  it('reads values back as the GPU sees them', () => {
    const { engine } = fakeEngine();
    const table = new RunTable(engine, 'test table', 1, LAYOUT);
    table.set(0, 'lr', 1e-3);
    table.set(0, 'steps', 4000000000);
    expect(table.get(0, 'lr')).toBe(Math.fround(1e-3));
    expect(table.get(0, 'steps')).toBe(4000000000);
  });

  it('refuses a bad run, a u32 that does not fit, and array fields', () => {
    const { engine } = fakeEngine();
    const table = new RunTable(engine, 'test table', 2, LAYOUT);
    expect(() => table.set(2, 'kind', 1)).toThrow('run table "test table": run must be 0 to 1, got 2');
    expect(() => table.set(0, 'kind', -1)).toThrow('record field "kind" = -1 is not a u32');
    expect(() => table.set(0, 'steps', 1.5)).toThrow('record field "steps" = 1.5 is not a u32');
    expect(() => new RunTable(engine, 'arrays', 1, new RecordLayout([{ name: 'v', type: 'u32', count: 4 }])))
      .toThrow('run table "arrays": field "v" must be one scalar');
  });
});
