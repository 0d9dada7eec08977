// The user's files: good CSVs (with and without a header, other delimiters, quoted fields, a text
// column left out), malformed ones (the message names the line and column), UTF-8 text, and the
// limits, each refused with a message that states it.
import { describe, expect, it } from 'vitest';
import { parseCsv, parseText, USER_DATA_LIMITS, USER_DATA_LIMITS_TEXT, type Parsed } from './user-data';

const rows = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join('\n');

function ok<T>(p: Parsed<T>): { data: T; notes: string[] } {
  if (!p.ok) throw new Error(`expected data, got: ${p.errors.join('; ')}`);
  return p;
}

function errors<T>(p: Parsed<T>): string[] {
  if (p.ok) throw new Error('expected errors, got data');
  return p.errors;
}

describe('parseCsv', () => {
  it('reads numeric columns with a header', () => {
    const { data, notes } = ok(parseCsv(`temp,load\n${rows(30, (i) => `${i / 2},${-i}e-1`)}\n`));
    expect(data.columns).toEqual(['temp', 'load']);
    expect(data.rows).toBe(30);
    expect(Array.from(data.values.subarray(0, 6))).toEqual([0, 0, 0.5, -0.1, 1, -0.2]);
    expect(notes).toEqual([]);
  });

  it('reads a file without a header, with CRLF line ends, blank lines, a BOM and tabs', () => {
    const text = `\uFEFF${rows(25, (i) => `${i}\t${i * 2}`).replace(/\n/g, '\r\n')}\r\n\r\n`;
    const { data } = ok(parseCsv(text));
    expect(data.columns).toEqual(['column 1', 'column 2']);
    expect(data.rows).toBe(25);
    expect(data.values[49]).toBe(48);
  });

  it('reads semicolons, quoted numbers and one column; reads bytes as UTF-8', () => {
    expect(ok(parseCsv(rows(20, (i) => `${i};"${i + 0.25}"`))).data.values[1]).toBe(0.25);
    const single = ok(parseCsv(`price\n${rows(20, (i) => String(100 + i))}`)).data;
    expect(single.columns).toEqual(['price']);
    expect(single.values[19]).toBe(119);
    const bytes = new TextEncoder().encode(`größe,b\n${rows(20, (i) => `${i},1`)}`);
    expect(ok(parseCsv(bytes)).data.columns).toEqual(['größe', 'b']);
  });

  it('leaves out a column without numbers (dates) and says so', () => {
    const { data, notes } = ok(parseCsv(`date,value\n${rows(20, (i) => `2024-01-${i + 1},${i}`)}`));
    expect(data.columns).toEqual(['value']);
    expect(notes).toEqual(['column 1 ("date") holds no numbers and is left out']);
  });

  it('names the line and column of a value that is not a number, and of an empty cell', () => {
    const text = `a,b\n${rows(30, (i) => (i === 6 ? '1,abc' : i === 9 ? '2,' : `${i},${i}`))}`;
    expect(errors(parseCsv(text))).toEqual([
      'line 8, column 2 ("b"): "abc" is not a number',
      'line 11, column 2 ("b") is empty',
    ]);
    expect(errors(parseCsv(rows(20, (i) => (i === 4 ? 'NaN' : '1')))))
      .toEqual(['line 5, column 1 ("column 1"): "NaN" is not a number']);
    expect(errors(parseCsv(rows(20, (i) => (i === 4 ? '1e999' : '1')))))
      .toEqual(['line 5, column 1 ("column 1"): "1e999" is not a number']);
  });

  it('names ragged lines, counting lines inside quoted fields', () => {
    const text = `a,b\n"1\n",2\n${rows(25, (i) => (i === 3 ? '1,2,3' : i === 5 ? '4' : `${i},1`))}`;
    expect(errors(parseCsv(text))).toEqual([
      'line 7 has 3 columns, expected 2 (as on line 1)',
      'line 9 has 1 column, expected 2 (as on line 1)',
    ]);
  });

  it('names the line of an unclosed quote and of bytes that are not UTF-8', () => {
    expect(errors(parseCsv(`a,b\n1,2\n3,"4\n5,6\n`))).toEqual(['line 3: a quoted field is not closed']);
    const bad = new Uint8Array([...new TextEncoder().encode('a,b\n1,2\n3,'), 0xff, 0x0a]);
    expect(errors(parseCsv(bad))).toEqual(['line 3: not UTF-8 text']);
  });

  it('refuses empty files and files without numbers', () => {
    expect(errors(parseCsv(''))).toEqual(['the file is empty']);
    expect(errors(parseCsv(' \n\n'))).toEqual(['the file is empty']);
    expect(errors(parseCsv(',,\n,,\n'))).toEqual(['the file holds no values']);
    expect(errors(parseCsv(rows(30, () => 'x,y')))).toEqual([
      'no column holds numbers',
    ]);
  });

  it('states each limit: bytes before parsing, rows, columns', () => {
    const big = 'x'.repeat(USER_DATA_LIMITS.bytes + 1);
    expect(errors(parseCsv(big))).toEqual(['the file has 8.0 MiB; at most 8 MiB are allowed']);
    expect(errors(parseCsv(new Uint8Array(USER_DATA_LIMITS.bytes + 1)))).toEqual(['the file has 8.0 MiB; at most 8 MiB are allowed']);
    expect(errors(parseCsv(rows(USER_DATA_LIMITS.rows + 1, () => '1')))).toEqual(['the file has 100001 rows; at most 100000 are allowed']);
    expect(errors(parseCsv(rows(19, () => '1')))).toEqual(['the file has 19 rows; at least 20 are needed']);
    expect(errors(parseCsv(rows(20, () => new Array(17).fill('1').join(','))))).toEqual(['the file has 17 numeric columns; at most 16 are allowed']);
    expect(USER_DATA_LIMITS_TEXT).toBe('files up to 8 MiB; CSV: 20 to 100000 rows, 1 to 16 numeric columns, an optional header; ' +
      'text: UTF-8, at least 100 characters, at most 256 distinct ones');
  });

  it('lists at most ten problems', () => {
    const e = errors(parseCsv(rows(30, (i) => (i % 2 ? 'x' : '1'))));
    expect(e).toHaveLength(11);
    expect(e[10]).toBe('... and 5 more');
  });
});

describe('parseText', () => {
  it('reads UTF-8 text, normalising line ends', () => {
    const text = `Sing, goddess, the wrath of Achilles — déjà vu 🙂\r\n`.repeat(3);
    const { data } = ok(parseText(new TextEncoder().encode(text)));
    expect(data.text).toBe(text.replace(/\r\n/g, '\n'));
    expect(ok(parseText(text)).data.text).toBe(data.text);
  });

  it('refuses empty, short, wide and non-UTF-8 text, naming the limit or the line', () => {
    expect(errors(parseText('  \n'))).toEqual(['the text is empty']);
    expect(errors(parseText('too short'))).toEqual(['the text has 9 characters; at least 100 are needed']);
    const wide = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    expect(errors(parseText(wide))).toEqual(['the text has 300 distinct characters; at most 256 are allowed']);
    const bad = new Uint8Array([...new TextEncoder().encode('line one\nline two\n'), 0xc3, 0x28]);
    expect(errors(parseText(bad))).toEqual(['line 3: not UTF-8 text']);
    expect(errors(parseText('é'.repeat(USER_DATA_LIMITS.bytes / 2 + 1)))).toEqual(['the file has 8.0 MiB; at most 8 MiB are allowed']);
  });
});
