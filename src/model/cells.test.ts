// The cell registry against the files it names: each entry's shader declares the gate count,
// saved floats and override constants the entry says, writes the recurrent-side gradient and the
// cell state exactly when the entry says so, and its reference fills what the shader saves.
import { describe, expect, it } from 'vitest';
import { nodeShaderSource } from '../engine/shader-source-node';
import { CELL_KINDS, CELLS, GATES, hasState, type CellKind } from './cells';

const constant = (source: string, name: string) => Number(new RegExp(`const ${name}: u32 = (\\d+)u;`).exec(source)?.[1]);

describe.each(CELL_KINDS)('registry entry %s', (cell: CellKind) => {
  const def = CELLS[cell];
  const source = nodeShaderSource(def.shader.file);

  it('matches its shader: G, S, overrides, the dgh and c paths', () => {
    expect(constant(source, 'G')).toBe(def.gates.length);
    expect(constant(source, 'S')).toBe(def.savedPerUnit);
    expect(def.gates.length).toBeLessThanOrEqual(4); // the step kernels hold the gates in one vec4
    for (const name of Object.keys(def.shader.constants ?? {})) expect(source).toMatch(new RegExp(`override ${name}\\b`));
    expect(/dg_at\(u\.dgh_off/.test(source)).toBe(def.ownRecurrentGradient);
    expect(/c_at\(/.test(source)).toBe(hasState(cell, 'c'));
    expect(def.states[0]).toBe('h');
    expect(GATES[cell]).toBe(def.gates.length);
  });

  it('its reference writes h, c and exactly S floats per unit', () => {
    const [B, H] = [2, 3];
    const G = def.gates.length;
    const S = def.savedPerUnit;
    const filled = (n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.7);
    const withC = hasState(cell, 'c');
    const step = {
      batch: B, hidden: H, gx: filled(B * G * H), gh: filled(B * G * H).reverse(), hPrev: filled(B * H),
      cPrev: withC ? filled(B * H) : new Float64Array(0),
      h: new Float64Array(B * H).fill(NaN),
      c: withC ? new Float64Array(B * H).fill(NaN) : new Float64Array(0),
      saved: new Float64Array(B * S * H).fill(NaN),
    };
    def.reference.forward(step);
    for (const [name, a] of [['h', step.h], ['c', step.c], ['saved', step.saved]] as const) {
      expect(a.every(Number.isFinite), `${cell} forward leaves ${name} unset`).toBe(true);
    }
  });
});
