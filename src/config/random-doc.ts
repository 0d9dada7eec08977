/**
 * Seeded random experiment documents for tests: every applicable field drawn from what the table
 * allows, so round trips and fuzzing cover the whole table without listing fields by hand.
 * Test support only; the app never calls it.
 */
import type { ExperimentDoc } from './experiment';
import type { FieldDef } from './field';
import { applies, setPath } from './normalize-scope';
import { parseExperiment } from './parse';
import { fieldsOf } from './table';

/** mulberry32: small, seeded, good enough to pick test values. */
export function testRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(def: FieldDef, rnd: () => number, index: number): unknown {
  const lo = def.min ?? 0;
  const hi = Math.min(def.max ?? 1000, lo + 1000);
  switch (def.type) {
    case 'int':
      // Small values mostly, so random runs stay cheap to build and cross-field checks mostly pass.
      return Math.min(hi, lo + Math.floor(rnd() * Math.min(8, hi - lo + 1)));
    case 'number': {
      const span = (def.max ?? 10) - lo;
      let v = lo + rnd() * Math.min(span, 10);
      if (def.exclusiveMin && v <= lo) v = lo + span / 2;
      if (def.exclusiveMax && v >= (def.max ?? Infinity)) v = lo + span / 2;
      return Number(v.toPrecision(6));
    }
    case 'boolean':
      return rnd() < 0.5;
    case 'enum':
      return def.choices![Math.floor(rnd() * def.choices!.length)];
    case 'string':
      return def.pattern ? `r${index}x${Math.floor(rnd() * 1000)}` : `text ${Math.floor(rnd() * 1e6)} é ✓`;
    case 'color':
      return `#${Math.floor(rnd() * 0xffffff).toString(16).padStart(6, '0')}`;
    case 'group':
      return {};
  }
}

function randomScope(defs: readonly FieldDef[], rnd: () => number, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const groups = new Set(defs.filter((d) => d.type === 'group').map((d) => d.path));
  for (const def of defs) {
    if (!applies(def, out, groups)) continue;
    if ((def.optional || def.type === 'group') && rnd() < 0.5) continue;
    if (rnd() < 0.3 && !def.optional && def.type !== 'group') continue; // left to its default
    setPath(out, def.path, pick(def, rnd, index));
  }
  return out;
}

/** A valid random document (draws again until the cross-field checks pass). */
export function randomExperiment(seed: number): ExperimentDoc {
  const rnd = testRandom(seed);
  for (let attempt = 0; attempt < 100; attempt++) {
    const runs = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => randomScope(fieldsOf('run'), rnd, i));
    runs.forEach((r, i) => (r.id = `run-${i}`));
    const json = { version: 1, ...randomScope(fieldsOf('experiment'), rnd, 0), task: randomScope(fieldsOf('task'), rnd, 0), runs };
    const { doc } = parseExperiment(json);
    if (doc) return doc;
  }
  throw new Error(`no valid random experiment from seed ${seed}`);
}
