/**
 * One value against its FieldDef: type, range, choices, float32 representability. Returns the
 * message's tail ("must be an integer from 1 to 4096, got 0") or null when the value is fine;
 * the caller puts the field's path in front. Also the words for a field's allowed values, which
 * the panel, the runner's help and the README reuse.
 */
import type { FieldDef } from './field';

/** Largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;
/** Smallest normal float32: non-zero values below it lose precision or round to zero on the GPU. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** A short rendering of a bad value for a message; never the whole of a huge string. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function bound(x: number): string {
  if (Number.isSafeInteger(x)) return String(x);
  return Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential() : String(x);
}

/** What a field accepts, in words: "an integer from 1 to 4096", "one of lstm, gru". */
export function allowedText(def: FieldDef): string {
  switch (def.type) {
    case 'int':
      return `an integer from ${bound(def.min ?? 0)} to ${bound(def.max ?? Number.MAX_SAFE_INTEGER)}`;
    case 'number': {
      const lo = def.min ?? -F32_MAX;
      const hi = def.max ?? F32_MAX;
      const zero = def.allowZero ? ' (or 0)' : '';
      if (!def.exclusiveMin && !def.exclusiveMax) return `a number from ${bound(lo)} to ${bound(hi)}${zero}`;
      return `a number ${def.exclusiveMin ? '>' : '>='} ${bound(lo)} and ${def.exclusiveMax ? '<' : '<='} ${bound(hi)}${zero}`;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${(def.choices ?? []).join(', ')}`;
    case 'string':
      return `text of at most ${def.maxLength ?? 200} characters${def.pattern ? ` (${def.pattern.doc})` : ''}`;
    case 'color':
      return 'a colour #rrggbb';
    case 'group':
      return 'an object';
  }
}

/** Null if `v` is allowed, else "must be ..., got ...". */
export function checkValue(def: FieldDef, v: unknown): string | null {
  const refuse = () => `must be ${allowedText(def)}, got ${showValue(v)}`;
  switch (def.type) {
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return refuse();
      if (v < (def.min ?? 0) || v > (def.max ?? Number.MAX_SAFE_INTEGER)) return refuse();
      return null;
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return refuse();
      if (v === 0 && def.allowZero) return null;
      const lo = def.min ?? -F32_MAX;
      const hi = def.max ?? F32_MAX;
      if (def.exclusiveMin ? v <= lo : v < lo) return refuse();
      if (def.exclusiveMax ? v >= hi : v > hi) return refuse();
      if (Math.abs(v) > F32_MAX) return `must fit in float32 (at most ${F32_MAX.toExponential(2)}), got ${showValue(v)}`;
      if (v !== 0 && Math.abs(v) < F32_MIN_NORMAL) {
        // Say "0 or" only where 0 is allowed: for a threshold that is off when absent, 0 is not.
        const zeroAllowed = def.allowZero || ((lo < 0 || (lo === 0 && !def.exclusiveMin)) && (hi > 0 || (hi === 0 && !def.exclusiveMax)));
        return `must be ${zeroAllowed ? '0 or ' : ''}at least ${F32_MIN_NORMAL.toExponential(1)} in size (smaller values round to 0 in float32), got ${showValue(v)}`;
      }
      return null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? null : refuse();
    case 'enum':
      return typeof v === 'string' && (def.choices ?? []).includes(v) ? null : refuse();
    case 'string':
      if (typeof v !== 'string' || v.length > (def.maxLength ?? 200)) return refuse();
      if (def.pattern && !def.pattern.re.test(v)) return refuse();
      return null;
    case 'color':
      return typeof v === 'string' && HEX_COLOR.test(v) ? null : refuse();
    case 'group':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? null : refuse();
  }
}
