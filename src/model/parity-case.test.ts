/**
 * Tests of the parity case format: exact round trip through JSON text, one clear message per
 * kind of malformed case, and every committed fixture parsing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeReferenceCase } from '../reference/cases';
import { CELL_KINDS } from './layout';
import type { CellKind } from './layout';
import { caseToJson, CaseFormatError, parseParityCase } from './parity-case';

type Json = Record<string, any>;

/** A valid case as parsed JSON text, ready to be broken. */
function goodJson(cell: CellKind = 'lstm', numLayers = 2): Json {
  const c = makeReferenceCase('good', { cell, inputSize: 2, hiddenSize: 3, numLayers }, 4, 2, 7);
  return JSON.parse(JSON.stringify(caseToJson(c)));
}

function errorOf(json: unknown): string {
  try {
    parseParityCase(json, 'cases/a.json');
  } catch (e) {
    expect(e).toBeInstanceOf(CaseFormatError);
    return (e as Error).message;
  }
  throw new Error('parseParityCase accepted a malformed case');
}

describe('round trip', () => {
  it.each(CELL_KINDS)('%s: case -> JSON text -> case is exact', (cell) => {
    const c = makeReferenceCase(`rt-${cell}`, { cell, inputSize: 3, hiddenSize: 5, numLayers: 2 }, 3, 2, 42);
    const back = parseParityCase(JSON.parse(JSON.stringify(caseToJson(c))), 'memory');
    expect(back).toEqual(c);
    expect(back.params).toBeInstanceOf(Float64Array);
    expect(back.c0 === undefined).toBe(cell !== 'lstm');
    expect(back.expected.cN === undefined).toBe(cell !== 'lstm');
  });

  it('writes torch names, snake_case keys and lstm-only fields only for lstm', () => {
    const lstm = goodJson('lstm', 2);
    expect(Object.keys(lstm.params)).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
    ]);
    expect(lstm.params.weight_ih_l0).toHaveLength(12 * 2); // [4*H, I]
    expect(lstm.params.weight_hh_l1).toHaveLength(12 * 3); // [4*H, H]
    expect(Object.keys(lstm.expected)).toEqual(['output', 'h_n', 'c_n', 'grads']);
    expect(lstm.expected.grads).toHaveProperty('c0');
    const gru = goodJson('gru', 1);
    expect(gru).not.toHaveProperty('c0');
    expect(gru.expected).not.toHaveProperty('c_n');
    expect(gru.expected.grads).not.toHaveProperty('c0');
  });
});

describe('malformed cases', () => {
  it('not an object', () => {
    expect(errorOf([1, 2])).toBe('cases/a.json: expected a JSON object, got an array of 2');
  });

  it('missing fields, top level and nested', () => {
    const a = goodJson();
    delete a.grad_output;
    expect(errorOf(a)).toBe('cases/a.json: missing field "grad_output"');
    const b = goodJson();
    delete b.params.bias_hh_l1;
    expect(errorOf(b)).toBe('cases/a.json: missing field "params.bias_hh_l1"');
    const c = goodJson();
    delete c.expected.grads.weight_ih_l0;
    expect(errorOf(c)).toBe('cases/a.json: missing field "expected.grads.weight_ih_l0"');
    const d = goodJson();
    delete d.expected;
    expect(errorOf(d)).toBe('cases/a.json: missing field "expected"');
  });

  it('wrong sizes name the field, the count and the shape', () => {
    const a = goodJson('rnn_tanh', 2);
    a.params.weight_hh_l1.pop();
    expect(errorOf(a)).toBe('cases/a.json: field "params.weight_hh_l1" has 8 numbers, expected 9 ([3, 3])');
    const b = goodJson('lstm', 2);
    b.x.push(0.5);
    expect(errorOf(b)).toBe('cases/a.json: field "x" has 17 numbers, expected 16 ([4, 2, 2])');
    const c = goodJson('gru', 2);
    c.expected.h_n = c.expected.h_n.slice(0, 6);
    expect(errorOf(c)).toBe('cases/a.json: field "expected.h_n" has 6 numbers, expected 12 ([2, 2, 3])');
  });

  it('an unknown cell lists the allowed ones', () => {
    const a = goodJson();
    a.cell = 'foo';
    expect(errorOf(a)).toBe(
      'cases/a.json: field "cell" is "foo", allowed: rnn_tanh, rnn_relu, lstm, gru',
    );
  });

  it('sizes must be positive integers', () => {
    const a = goodJson();
    a.hidden_size = 0;
    expect(errorOf(a)).toBe('cases/a.json: field "hidden_size" is 0, expected a positive integer');
    const b = goodJson();
    b.seq_len = '4';
    expect(errorOf(b)).toBe('cases/a.json: field "seq_len" is "4", expected a positive integer');
  });

  it('entries must be finite numbers, flat', () => {
    const a = goodJson();
    a.x[3] = 'abc';
    expect(errorOf(a)).toBe('cases/a.json: field "x" entry 3 is "abc", expected a finite number');
    const b = goodJson();
    b.params.bias_ih_l0[0] = null;
    expect(errorOf(b)).toBe(
      'cases/a.json: field "params.bias_ih_l0" entry 0 is null, expected a finite number',
    );
    const c = goodJson('rnn_relu', 1);
    c.h0 = [[1, 2, 3], [4, 5, 6]];
    expect(errorOf(c)).toBe('cases/a.json: field "h0" has 2 numbers, expected 6 ([1, 2, 3])');
    const d = goodJson();
    d.grad_output = { a: 1 };
    expect(errorOf(d)).toBe('cases/a.json: field "grad_output" is an object, expected an array of numbers');
  });

  it('lstm needs c0, c_n and grads.c0; other cells refuse them', () => {
    const a = goodJson('lstm');
    delete a.c0;
    expect(errorOf(a)).toBe('cases/a.json: missing field "c0"');
    const b = goodJson('lstm');
    delete b.expected.c_n;
    expect(errorOf(b)).toBe('cases/a.json: missing field "expected.c_n"');
    const c = goodJson('lstm');
    delete c.expected.grads.c0;
    expect(errorOf(c)).toBe('cases/a.json: missing field "expected.grads.c0"');
    const d = goodJson('gru');
    d.c0 = d.h0;
    expect(errorOf(d)).toBe('cases/a.json: field "c0" is only allowed for lstm');
  });

  it('parameters of another network are refused', () => {
    const a = goodJson('gru', 2);
    a.params.weight_ih_l2 = [1];
    expect(errorOf(a)).toBe('cases/a.json: field "params.weight_ih_l2" is not a parameter of this network');
    const b = goodJson('gru', 2);
    b.expected.grads.weight = [1];
    expect(errorOf(b)).toBe(
      'cases/a.json: field "expected.grads.weight" is not a parameter of this network',
    );
  });
});

describe('committed fixtures', () => {
  const dirs = ['reference', 'torch'].map((d) => fileURLToPath(new URL(`../../fixtures/${d}/`, import.meta.url)));
  const files = dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${dir}${f}`),
  );

  it('exist in both folders', () => {
    for (const dir of dirs) expect(files.some((f) => f.startsWith(dir)), dir).toBe(true);
  });

  it.each(files)('%s parses', (file) => {
    const c = parseParityCase(JSON.parse(readFileSync(file, 'utf8')), file);
    const directions = c.shape.bidirectional ? 2 : 1;
    expect(c.expected.output.length).toBe(c.seqLen * c.batch * directions * c.shape.hiddenSize);
    expect(c.h0.length).toBe(directions * c.shape.numLayers * c.batch * c.shape.hiddenSize);
  });

  it('a bidirectional case: reverse tensors named as torch names them, a flag that must be boolean', () => {
    const file = files.find((f) => f.endsWith('lstm-bidirectional-2layers.json'))!;
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const c = parseParityCase(json, 'bi.json');
    expect(c.shape.bidirectional).toBe(true);
    expect(Object.keys(json.params)).toContain('weight_hh_l1_reverse');
    const { made_by: _by, ...ours } = json;
    expect(caseToJson(c)).toEqual(ours);
    expect(() => parseParityCase({ ...json, bidirectional: 'yes' }, 'bi.json')).toThrow('bi.json: field "bidirectional" is "yes", expected true or false');
    const { bidirectional: _, ...plain } = json;
    expect(() => parseParityCase(plain, 'bi.json')).toThrow('bi.json: field "params.weight_ih_l0_reverse" is not a parameter of this network');
  });
});
