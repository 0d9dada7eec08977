/**
 * The parity case format: one JSON object holding a network's shape, its parameters under
 * PyTorch names, inputs, an upstream gradient and the expected output and gradients (loss =
 * sum(output * grad_output)). PyTorch and the float64 reference write it; the parity tool reads it.
 * `bidirectional: true` (optional) is torch's bidirectional=True: outputs are 2H wide and the
 * states hold num_layers * 2 blocks, in torch's order. `norm: "layer" | "batch"` (optional) adds
 * the norms of src/model/plan.ts (batch norm with the batch's statistics, as in training). Parsing and validation only: no file
 * system, no numerics.
 */
import { hasState } from './cells';
import { CELL_KINDS, paramLayout } from './layout';
import type { CellKind, ParamLayout, RnnInputs, RnnShape } from './layout';

export interface ParityGrads {
  /** [P] flat, in paramLayout(shape) order. */
  params: Float64Array;
  /** [T][B][I] */
  x: Float64Array;
  /** [L][B][H] */
  h0: Float64Array;
  /** [L][B][H], lstm only. */
  c0?: Float64Array;
}

export interface ParityExpected {
  /** [T][B][D], D = H per direction */
  output: Float64Array;
  /** [L][B][H], L counting directions */
  hN: Float64Array;
  /** [L][B][H], lstm only. */
  cN?: Float64Array;
  grads: ParityGrads;
}

export interface ParityCase extends RnnInputs {
  name: string;
  /** [T][B][D] dL/d output. */
  gradOutput: Float64Array;
  expected: ParityExpected;
}

/** A case file that does not follow the format; the message names the source and the field. */
export class CaseFormatError extends Error {
  constructor(source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'CaseFormatError';
  }
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short rendering of a bad value for an error message. */
function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isObject(v)) return 'an object';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Reads one case object, failing on the first field that is missing or malformed. */
class CaseReader {
  constructor(private readonly source: string) {}

  fail(detail: string): never {
    throw new CaseFormatError(this.source, detail);
  }

  field(obj: JsonObject, key: string, path: string): unknown {
    if (!(key in obj) || obj[key] === undefined) this.fail(`missing field "${path}"`);
    return obj[key];
  }

  object(obj: JsonObject, key: string, path: string): JsonObject {
    const v = this.field(obj, key, path);
    if (!isObject(v)) this.fail(`field "${path}" is ${show(v)}, expected an object`);
    return v;
  }

  string(obj: JsonObject, key: string): string {
    const v = this.field(obj, key, key);
    if (typeof v !== 'string') this.fail(`field "${key}" is ${show(v)}, expected a string`);
    return v;
  }

  positiveInt(obj: JsonObject, key: string): number {
    const v = this.field(obj, key, key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      this.fail(`field "${key}" is ${show(v)}, expected a positive integer`);
    }
    return v;
  }

  /** An optional boolean: false when absent. */
  flag(obj: JsonObject, key: string): boolean {
    if (!(key in obj)) return false;
    const v = obj[key];
    if (typeof v !== 'boolean') this.fail(`field "${key}" is ${show(v)}, expected true or false`);
    return v;
  }

  cell(obj: JsonObject): CellKind {
    const v = this.field(obj, 'cell', 'cell');
    if (!CELL_KINDS.includes(v as CellKind)) {
      this.fail(`field "cell" is ${show(v)}, allowed: ${CELL_KINDS.join(', ')}`);
    }
    return v as CellKind;
  }

  /** A flat row-major array of finite numbers holding exactly a tensor of `dims`. */
  numbers(obj: JsonObject, key: string, path: string, dims: number[]): Float64Array {
    const v = this.field(obj, key, path);
    if (!Array.isArray(v)) this.fail(`field "${path}" is ${show(v)}, expected an array of numbers`);
    const want = dims.reduce((a, b) => a * b, 1);
    if (v.length !== want) {
      this.fail(`field "${path}" has ${v.length} numbers, expected ${want} ([${dims.join(', ')}])`);
    }
    const out = new Float64Array(want);
    for (let i = 0; i < want; i++) {
      const e: unknown = v[i];
      if (typeof e !== 'number' || !Number.isFinite(e)) {
        this.fail(`field "${path}" entry ${i} is ${show(e)}, expected a finite number`);
      }
      out[i] = e;
    }
    return out;
  }

  /** Every parameter of `layout` under its torch name inside obj[key], packed flat. */
  paramMap(obj: JsonObject, key: string, path: string, layout: ParamLayout): Float64Array {
    const map = this.object(obj, key, path);
    for (const name of Object.keys(map)) {
      if (!layout.byName.has(name)) {
        this.fail(`field "${path}.${name}" is not a parameter of this network`);
      }
    }
    return this.paramsInto(map, path, layout);
  }

  paramsInto(map: JsonObject, path: string, layout: ParamLayout): Float64Array {
    const flat = new Float64Array(layout.total);
    for (const e of layout.entries) {
      flat.set(this.numbers(map, e.name, `${path}.${e.name}`, e.shape), e.offset);
    }
    return flat;
  }

  /** Cells with a cell state (lstm): c0 / c_n must be there; other cells: must not. */
  cellState(obj: JsonObject, key: string, path: string, withC: boolean, dims: number[]) {
    if (withC) return this.numbers(obj, key, path, dims);
    if (key in obj) this.fail(`field "${path}" is only allowed for ${CELL_KINDS.filter((k) => hasState(k, 'c')).join(', ')}`);
    return undefined;
  }
}

const GRAD_KEYS = new Set(['x', 'h0', 'c0']);

/** Validates a parsed JSON value as a parity case; `source` (a file name) prefixes every error. */
export function parseParityCase(json: unknown, source: string): ParityCase {
  const r = new CaseReader(source);
  if (!isObject(json)) throw new CaseFormatError(source, `expected a JSON object, got ${show(json)}`);
  const name = r.string(json, 'name');
  const cell = r.cell(json);
  const shape: RnnShape = {
    cell,
    inputSize: r.positiveInt(json, 'input_size'),
    hiddenSize: r.positiveInt(json, 'hidden_size'),
    numLayers: r.positiveInt(json, 'num_layers'),
  };
  if (r.flag(json, 'bidirectional')) shape.bidirectional = true;
  if (json.norm !== undefined) {
    const norm = json.norm;
    if (norm !== 'layer' && norm !== 'batch') r.fail(`field "norm" is ${show(norm)}, allowed: layer, batch`);
    shape.norm = norm === 'layer' ? 'layer' : 'batch';
  }
  const seqLen = r.positiveInt(json, 'seq_len');
  const batch = r.positiveInt(json, 'batch');
  const layout = paramLayout(shape);
  const withC = hasState(cell, 'c');
  const directions = shape.bidirectional ? 2 : 1;
  const xDims = [seqLen, batch, shape.inputSize];
  const outDims = [seqLen, batch, directions * shape.hiddenSize];
  const stateDims = [directions * shape.numLayers, batch, shape.hiddenSize];

  const params = r.paramMap(json, 'params', 'params', layout);
  const x = r.numbers(json, 'x', 'x', xDims);
  const h0 = r.numbers(json, 'h0', 'h0', stateDims);
  const c0 = r.cellState(json, 'c0', 'c0', withC, stateDims);
  const gradOutput = r.numbers(json, 'grad_output', 'grad_output', outDims);

  const exp = r.object(json, 'expected', 'expected');
  const grads = r.object(exp, 'grads', 'expected.grads');
  for (const key of Object.keys(grads)) {
    if (!GRAD_KEYS.has(key) && !layout.byName.has(key)) {
      r.fail(`field "expected.grads.${key}" is not a parameter of this network`);
    }
  }
  return {
    name,
    shape,
    seqLen,
    batch,
    params,
    x,
    h0,
    c0,
    gradOutput,
    expected: {
      output: r.numbers(exp, 'output', 'expected.output', outDims),
      hN: r.numbers(exp, 'h_n', 'expected.h_n', stateDims),
      cN: r.cellState(exp, 'c_n', 'expected.c_n', withC, stateDims),
      grads: {
        params: r.paramsInto(grads, 'expected.grads', layout),
        x: r.numbers(grads, 'x', 'expected.grads.x', xDims),
        h0: r.numbers(grads, 'h0', 'expected.grads.h0', stateDims),
        c0: r.cellState(grads, 'c0', 'expected.grads.c0', withC, stateDims),
      },
    },
  };
}

/** { torch name: flat numbers } for a flat parameter vector. */
function paramObject(layout: ParamLayout, flat: Float64Array): Record<string, number[]> {
  return Object.fromEntries(
    layout.entries.map((e) => [e.name, Array.from(flat.subarray(e.offset, e.offset + e.size))]),
  );
}

/** The JSON object of a case (parseParityCase's inverse); c0 and c_n only for cells with a cell state. */
export function caseToJson(c: ParityCase): object {
  const layout = paramLayout(c.shape);
  const list = (a: Float64Array): number[] => Array.from(a);
  const cellStateOnly = (key: string, a: Float64Array | undefined) =>
    hasState(c.shape.cell, 'c') && a ? { [key]: list(a) } : {};
  return {
    name: c.name,
    cell: c.shape.cell,
    input_size: c.shape.inputSize,
    hidden_size: c.shape.hiddenSize,
    num_layers: c.shape.numLayers,
    ...(c.shape.bidirectional ? { bidirectional: true } : {}),
    ...(c.shape.norm && c.shape.norm !== 'none' ? { norm: c.shape.norm } : {}),
    seq_len: c.seqLen,
    batch: c.batch,
    params: paramObject(layout, c.params),
    x: list(c.x),
    h0: list(c.h0),
    ...cellStateOnly('c0', c.c0),
    grad_output: list(c.gradOutput),
    expected: {
      output: list(c.expected.output),
      h_n: list(c.expected.hN),
      ...cellStateOnly('c_n', c.expected.cN),
      grads: {
        ...paramObject(layout, c.expected.grads.params),
        x: list(c.expected.grads.x),
        h0: list(c.expected.grads.h0),
        ...cellStateOnly('c0', c.expected.grads.c0),
      },
    },
  };
}
