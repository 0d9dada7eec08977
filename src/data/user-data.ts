/**
 * The user's own data, from the bytes of a file (or pasted text) to what a task trains on: a
 * CSV of numeric columns (time series, one row per step) or UTF-8 text. Pure and synchronous:
 * no DOM, no storage. Anything wrong comes back as messages that say what and on which line;
 * limits are checked before parsing where they can be.
 */
import Papa from 'papaparse';

export const USER_DATA_LIMITS = {
  /** Largest file, in bytes, checked before anything is parsed. */
  bytes: 8 * 2 ** 20,
  /** CSV data rows (the header not counted). */
  rows: 100_000,
  minRows: 20,
  /** Numeric CSV columns kept. */
  columns: 16,
  /** Distinct characters (Unicode code points) of a text. */
  vocabulary: 256,
  /** Characters of a text: its last 10% is the validation split. */
  minCharacters: 100,
} as const;

export const USER_DATA_LIMITS_TEXT =
  `files up to ${USER_DATA_LIMITS.bytes / 2 ** 20} MiB; CSV: ${USER_DATA_LIMITS.minRows} to ${USER_DATA_LIMITS.rows} rows, ` +
  `1 to ${USER_DATA_LIMITS.columns} numeric columns, an optional header; text: UTF-8, at least ${USER_DATA_LIMITS.minCharacters} ` +
  `characters, at most ${USER_DATA_LIMITS.vocabulary} distinct ones`;

export interface TextData {
  kind: 'text';
  /** Line ends normalised to \n. */
  text: string;
}

export interface SeriesData {
  kind: 'series';
  /** Column names: the header's, or `column 1`, `column 2`, ... */
  columns: string[];
  rows: number;
  /** [rows][columns] */
  values: Float64Array;
}

export type Parsed<T> = { ok: true; data: T; notes: string[] } | { ok: false; errors: string[] };

/** Most messages one file gets; the rest are counted. */
const MAX_ERRORS = 10;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fail<T>(errors: string[]): Parsed<T> {
  const shown = errors.slice(0, MAX_ERRORS);
  if (errors.length > MAX_ERRORS) shown.push(`... and ${errors.length - MAX_ERRORS} more`);
  return { ok: false, errors: shown };
}

/** UTF-8 bytes of a string, without encoding it. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The file's text with \n line ends, or why it is not usable text. */
function decode(input: string | Uint8Array): { text: string } | { error: string } {
  const bytes = typeof input === 'string' ? utf8Length(input) : input.length;
  if (bytes > USER_DATA_LIMITS.bytes) {
    return { error: `the file has ${(bytes / 2 ** 20).toFixed(1)} MiB; at most ${USER_DATA_LIMITS.bytes / 2 ** 20} MiB are allowed` };
  }
  let text: string;
  if (typeof input === 'string') text = input.replace(/^\uFEFF/, '');
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      const lossy = new TextDecoder('utf-8').decode(input);
      return { error: `line ${lossy.slice(0, lossy.indexOf('\uFFFD')).split('\n').length}: not UTF-8 text` };
    }
  }
  return { text: text.replace(/\r\n?/g, '\n') };
}

/** UTF-8 text for a character model. */
export function parseText(input: string | Uint8Array): Parsed<TextData> {
  const decoded = decode(input);
  if ('error' in decoded) return fail([decoded.error]);
  const { text } = decoded;
  if (text.trim() === '') return fail(['the text is empty']);
  const chars = Array.from(text);
  const errors: string[] = [];
  if (chars.length < USER_DATA_LIMITS.minCharacters) {
    errors.push(`the text has ${chars.length} characters; at least ${USER_DATA_LIMITS.minCharacters} are needed`);
  }
  const distinct = new Set(chars).size;
  if (distinct > USER_DATA_LIMITS.vocabulary) {
    errors.push(`the text has ${distinct} distinct characters; at most ${USER_DATA_LIMITS.vocabulary} are allowed`);
  }
  return errors.length > 0 ? fail(errors) : { ok: true, data: { kind: 'text', text }, notes: [] };
}

/** The first delimiter of `, \t ;` that the first line holds (one column when none). */
function guessDelimiter(text: string): string {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return [',', '\t', ';'].find((d) => first.includes(d)) ?? ',';
}

/** A CSV of numeric columns, one row per time step, with an optional header. */
export function parseCsv(input: string | Uint8Array): Parsed<SeriesData> {
  const decoded = decode(input);
  if ('error' in decoded) return fail([decoded.error]);
  const { text } = decoded;
  if (text.trim() === '') return fail(['the file is empty']);

  const rows: { cells: string[]; line: number }[] = [];
  const errors: string[] = [];
  let start = 0;
  let nextLine = 1;
  Papa.parse<string[]>(text, {
    delimiter: guessDelimiter(text),
    step: (result) => {
      // The cursor is just past the row (and its line end); quoted fields may span lines.
      const line = nextLine;
      for (let i = start; i < result.meta.cursor; i++) if (text.charCodeAt(i) === 10) nextLine++;
      start = result.meta.cursor;
      for (const e of result.errors) {
        errors.push(`line ${line}: ${e.code === 'MissingQuotes' ? 'a quoted field is not closed' : e.message.toLowerCase()}`);
      }
      const cells = result.data.map((c) => c.trim());
      if (cells.some((c) => c !== '')) rows.push({ cells, line });
    },
  });
  if (errors.length > 0) return fail(errors);
  if (rows.length === 0) return fail(['the file holds no values']);

  const isNumber = (c: string) => NUMBER.test(c) && Number.isFinite(Number(c));
  const width = rows[0].cells.length;
  // A header: some cell of the first row is not a number where the second row has one.
  const header = rows.length > 1 && rows[0].cells.some((c, j) => !isNumber(c) && isNumber(rows[1].cells[j] ?? ''));
  const data = header ? rows.slice(1) : rows;
  const names = Array.from({ length: width }, (_, j) => (header && rows[0].cells[j]) || `column ${j + 1}`);
  for (const r of data) {
    if (r.cells.length !== width) errors.push(`line ${r.line} has ${r.cells.length} column${r.cells.length === 1 ? '' : 's'}, expected ${width} (as on line ${rows[0].line})`);
  }
  if (errors.length > 0) return fail(errors);
  if (data.length > USER_DATA_LIMITS.rows) return fail([`the file has ${data.length} rows; at most ${USER_DATA_LIMITS.rows} are allowed`]);

  // Columns without a single number (dates, labels) are left out; a stray word in a numeric column is an error.
  const notes: string[] = [];
  const kept: number[] = [];
  for (let j = 0; j < width; j++) {
    if (data.some((r) => isNumber(r.cells[j]))) kept.push(j);
    else notes.push(`column ${j + 1} ("${names[j]}") holds no numbers and is left out`);
  }
  for (const r of data) {
    for (const j of kept) {
      const c = r.cells[j];
      if (c === '') errors.push(`line ${r.line}, column ${j + 1} ("${names[j]}") is empty`);
      else if (!isNumber(c)) errors.push(`line ${r.line}, column ${j + 1} ("${names[j]}"): "${c.length > 20 ? `${c.slice(0, 17)}...` : c}" is not a number`);
    }
  }
  if (kept.length === 0) errors.push('no column holds numbers');
  if (kept.length > USER_DATA_LIMITS.columns) errors.push(`the file has ${kept.length} numeric columns; at most ${USER_DATA_LIMITS.columns} are allowed`);
  if (data.length < USER_DATA_LIMITS.minRows) errors.push(`the file has ${data.length} rows; at least ${USER_DATA_LIMITS.minRows} are needed`);
  if (errors.length > 0) return fail(errors);

  const values = new Float64Array(data.length * kept.length);
  data.forEach((r, i) => kept.forEach((j, k) => (values[i * kept.length + k] = Number(r.cells[j]))));
  return { ok: true, data: { kind: 'series', columns: kept.map((j) => names[j]), rows: data.length, values }, notes };
}
