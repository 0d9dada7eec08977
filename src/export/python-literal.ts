/**
 * Values written into an exported Python script as source literals: strings (ASCII only, every
 * other code point escaped), numbers that read back as the same double (or, for weights, the
 * same float32), and nested dicts and lists laid out one entry per line. Text, not evaluation:
 * nothing here runs Python.
 */

/** One code point as a Python escape, or itself when it is printable ASCII. */
function escapeCodePoint(cp: number): string {
  switch (cp) {
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
  }
  if (cp >= 0x20 && cp < 0x7f) return String.fromCodePoint(cp);
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/**
 * A double-quoted Python str literal holding exactly `s`'s code points (a lone surrogate stays
 * one code point, as `Array.from` sees it in TypeScript).
 */
export function pyString(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeCodePoint(ch.codePointAt(0)!);
  return `${out}"`;
}

/** A number Python reads back as the same double: JavaScript's shortest round-trip form. */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} into the script: only finite numbers are allowed`);
  return Object.is(x, -0) ? '-0.0' : String(x);
}

/**
 * Like pyNumber, but always a float literal (`5.0`, not `5`): Python adds ints exactly where
 * JavaScript rounds to doubles, so data that are summed must be floats from the start.
 */
export function pyFloat(x: number): string {
  const s = pyNumber(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * The shortest decimal that becomes the float32 `x` again on the script's path: Python parses it
 * to a double, torch.tensor(..., dtype=float32) rounds that to nearest float32 (Math.fround).
 */
export function pyFloat32(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} into the script: only finite weights are allowed`);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  for (let digits = 1; digits <= 9; digits++) {
    const s = x.toPrecision(digits);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** A Python list of numbers, `perLine` to a line, each line indented by `indent`. */
export function pyNumberList(values: ArrayLike<number>, indent: string, perLine = 8, format: (x: number) => string = pyNumber): string {
  if (values.length === 0) return '[]';
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const chunk = Array.from({ length: Math.min(perLine, values.length - i) }, (_, k) => format(values[i + k]));
    lines.push(`${indent}    ${chunk.join(', ')},`);
  }
  return `[\n${lines.join('\n')}\n${indent}]`;
}

/** A long text as adjacent string literals, one per line of the text, inside parentheses. */
export function pyText(text: string, indent: string): string {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  if (lines.length === 0) return '""';
  return `(\n${lines.map((l) => `${indent}    ${pyString(l)}`).join('\n')}\n${indent})`;
}

/** JSON-like data (objects, arrays, strings, numbers, booleans) as a Python literal, one entry per line. */
export function pyValue(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${pyValue(v, inner)},`).join('\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${pyString(k)}: ${pyValue(v, inner)},`).join('\n')}\n${indent}}`;
  }
  throw new Error(`cannot write a ${typeof value} into the script`);
}
