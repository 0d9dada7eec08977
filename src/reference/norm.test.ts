/**
 * Tests of the normalizations in the float64 reference (norm.ts and their use in rnn.ts): the
 * statistics written out, the properties that tell layer from batch norm, torch's running
 * averages, and every gradient (weights, norm gains and biases, inputs, states) against finite
 * differences for each cell, stacked and bidirectional.
 */
import { describe, expect, it } from 'vitest';
import { paramLayout, type CellKind, type RnnShape } from '../model/layout';
import { planLayers, type NormKind } from '../model/plan';
import { checkTensor } from './gradcheck';
import { initialRunning, NORM_EPS, normForward, updateRunning, type NormStats } from './norm';
import { Rng } from './random';
import { rnnBackward, rnnForward, type RnnInputs } from './rnn';

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Random inputs; norm gains near their start (1 or 0.1) and biases near 0, so the check sees typical values. */
function inputs(shape: RnnShape, T: number, B: number, seed: number): RnnInputs {
  const rng = new Rng(seed);
  const layout = paramLayout(shape);
  const params = rng.uniform(layout.total, 1 / Math.sqrt(shape.hiddenSize));
  for (const e of layout.entries) {
    if (e.fill === undefined) continue;
    const noise = rng.uniform(e.size, 0.3);
    for (let i = 0; i < e.size; i++) params[e.offset + i] = e.fill + noise[i];
  }
  const LBH = planLayers(shape).directions.length * B * shape.hiddenSize;
  return {
    shape, seqLen: T, batch: B, params,
    x: rng.uniform(T * B * shape.inputSize, 1),
    h0: rng.uniform(LBH, 1),
    c0: shape.cell === 'lstm' ? rng.uniform(LBH, 1) : undefined,
  };
}

describe('norm.ts', () => {
  it('layer norm: each row to mean 0 and variance 1 / (1 + eps / var), then gain and bias per column', () => {
    const x = Float64Array.of(1, 2, 3, 10, 10, 16);
    const y = new Float64Array(6);
    normForward('layer', x, 2, 3, Float64Array.of(1, 2, 1), Float64Array.of(0, 0, 5), y);
    const r0 = 1 / Math.sqrt(2 / 3 + NORM_EPS);
    const r1 = 1 / Math.sqrt(8 + NORM_EPS);
    expect([...y]).toEqual([-r0, 0, r0 + 5, -2 * r1, -4 * r1, 4 * r1 + 5].map((v) => expect.closeTo(v, 14)));
  });

  it('batch norm: each column over the rows, or fixed statistics when given', () => {
    const x = Float64Array.of(1, 10, 3, 30);
    const one = Float64Array.of(1, 1);
    const zero = Float64Array.of(0, 0);
    const y = new Float64Array(4);
    const stats = normForward('batch', x, 2, 2, one, zero, y);
    expect([...stats.mean]).toEqual([2, 20]);
    expect([...stats.var]).toEqual([1, 100]);
    expect(y[0]).toBeCloseTo(-1 / Math.sqrt(1 + NORM_EPS), 14);
    expect(y[3]).toBeCloseTo(10 / Math.sqrt(100 + NORM_EPS), 14);
    normForward('batch', x, 2, 2, one, zero, y, { mean: Float64Array.of(0, 10), var: Float64Array.of(4, 25) });
    expect(y[1]).toBeCloseTo(0, 14);
    expect(y[2]).toBeCloseTo(3 / Math.sqrt(4 + NORM_EPS), 14);
  });

  it('running statistics: torch.nn.BatchNorm1d\'s momentum 0.1 and unbiased variance', () => {
    const next = updateRunning(initialRunning(1), { mean: Float64Array.of(2), var: Float64Array.of(3) }, 4);
    expect(next.mean[0]).toBeCloseTo(0.2, 15);
    expect(next.var[0]).toBeCloseTo(0.9 + 0.1 * 3 * (4 / 3), 15);
  });
});

describe('norm in the network', () => {
  it('layer norm makes the cell blind to the scale of W_ih x and W_hh h (gains 1, biases 0)', () => {
    const shape: RnnShape = { cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 1, norm: 'layer' };
    const a = inputs(shape, 3, 2, 5);
    const layout = paramLayout(shape);
    for (const e of layout.entries) if (e.fill !== undefined) a.params.fill(e.fill, e.offset, e.offset + e.size);
    const b = { ...a, params: Float64Array.from(a.params) };
    for (const name of ['weight_ih_l0', 'weight_hh_l0']) {
      const e = layout.byName.get(name)!;
      for (let i = e.offset; i < e.offset + e.size; i++) b.params[i] *= 3;
    }
    const ya = rnnForward(a).output;
    const yb = rnnForward(b).output;
    // not exactly: eps = 1e-5 beside variances of about 0.01 to 0.1 leaves differences near 1e-4
    expect(Math.max(...ya.map((v, i) => Math.abs(yb[i] - v)))).toBeLessThan(1e-3);
    // and the scale does matter without the norm
    const plain = { ...a, shape: { ...shape, norm: 'none' as const }, params: a.params.slice(0, layout.entries[4].offset) };
    const plainB = { ...plain, params: b.params.slice(0, layout.entries[4].offset) };
    const plainOut = rnnForward(plain).output;
    expect(Math.max(...rnnForward(plainB).output.map((v, i) => Math.abs(v - plainOut[i])))).toBeGreaterThan(0.05);
  });

  it('batch norm mixes the batch rows in training, not in evaluation with running statistics', () => {
    const shape: RnnShape = { cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, norm: 'batch' };
    const a = inputs(shape, 2, 3, 8);
    const b = { ...a, x: Float64Array.from(a.x) };
    b.x[2 * 2] += 0.5; // row 2 of timestep 0
    const row0 = (out: Float64Array) => [...out.subarray(0, 3)];
    expect(row0(rnnForward(b).output)).not.toEqual(row0(rnnForward(a).output));
    const fwd = rnnForward(a);
    expect(fwd.batchStats![0].length).toBe(2); // sites ih, hh (a GRU has no c)
    expect(fwd.batchStats![0][0].length).toBe(2); // one per timestep
    const running = fwd.batchStats!.map((sites) => sites.map((steps) => steps.map((s) => updateRunning(initialRunning(s.mean.length), s, 3))));
    const evalA = rnnForward({ ...a, normStats: running });
    const evalB = rnnForward({ ...b, normStats: running });
    expect(evalA.batchStats).toBeUndefined();
    expect(row0(evalB.output)).toEqual(row0(evalA.output));
  });

  it('evaluation past the last timestep with running statistics uses the last ones', () => {
    const shape: RnnShape = { cell: 'rnn_tanh', inputSize: 1, hiddenSize: 2, numLayers: 1, norm: 'batch' };
    const a = inputs(shape, 3, 2, 3);
    const stat = (m: number): NormStats => ({ mean: Float64Array.of(m, m), var: Float64Array.of(1, 1) });
    const short = rnnForward({ ...a, normStats: [[[stat(0), stat(0.5)], [stat(0), stat(0.25)]]] });
    const full = rnnForward({ ...a, normStats: [[[stat(0), stat(0.5), stat(0.5)], [stat(0), stat(0.25), stat(0.25)]]] });
    expect([...short.output]).toEqual([...full.output]);
  });
});

type Case = [string, CellKind, NormKind, Partial<RnnShape>, boolean];
const CASES: Case[] = [
  ['lstm layer, 2 layers', 'lstm', 'layer', { numLayers: 2 }, false],
  ['gru layer, 2 layers', 'gru', 'layer', { numLayers: 2 }, false],
  ['rnn_tanh layer, bidirectional', 'rnn_tanh', 'layer', { bidirectional: true }, false],
  ['lstm batch, 2 layers', 'lstm', 'batch', { numLayers: 2 }, false],
  ['gru batch, bidirectional', 'gru', 'batch', { bidirectional: true }, false],
  ['rnn_tanh batch, 2 layers', 'rnn_tanh', 'batch', { numLayers: 2 }, false],
  ['lstm batch in evaluation (running statistics)', 'lstm', 'batch', {}, true],
];

describe.each(CASES)('%s: gradients vs finite differences', (_name, cell, norm, extra, evaluation) => {
  it('every parameter (norm gains and biases too), x, h0, c0', () => {
    const shape: RnnShape = { cell, inputSize: 2, hiddenSize: 3, numLayers: 1, norm, ...extra };
    const T = 3;
    const B = 3;
    const inp = inputs(shape, T, B, 11);
    if (evaluation) {
      const rng = new Rng(2);
      const stats = rnnForward(inp).batchStats!;
      inp.normStats = stats.map((sites) => sites.map((steps) => steps.map((s) => ({
        mean: s.mean.map((m, i) => m + 0.1 * rng.uniform(s.mean.length, 1)[i]), var: s.var.map((v) => v * 1.3 + 0.05),
      }))));
    }
    const plan = planLayers(shape);
    const rng = new Rng(99);
    const gradOutput = rng.uniform(T * B * plan.outputSize, 1);
    const gradHN = rng.uniform(plan.directions.length * B * 3, 1);
    const gradCN = cell === 'lstm' ? rng.uniform(plan.directions.length * B * 3, 1) : undefined;
    const loss = (): number => {
      const f = rnnForward(inp);
      return dot(f.output, gradOutput) + dot(f.hN, gradHN) + (gradCN ? dot(f.cN!, gradCN) : 0);
    };
    const grads = rnnBackward(inp, rnnForward(inp), gradOutput, gradHN, gradCN);
    const layout = paramLayout(shape);
    const tensors: [string, Float64Array, Float64Array][] = layout.entries.map((e) => [
      e.name, inp.params.subarray(e.offset, e.offset + e.size), grads.params.subarray(e.offset, e.offset + e.size),
    ]);
    expect(tensors.filter(([n]) => n.startsWith(norm === 'layer' ? 'ln_' : 'bn_')).length)
      .toBe(plan.directions.length * (cell === 'lstm' ? 6 : 4));
    tensors.push(['x', inp.x, grads.x], ['h0', inp.h0, grads.h0]);
    if (gradCN) tensors.push(['c0', inp.c0!, grads.c0!]);
    for (const [name, value, analytic] of tensors) {
      expect(analytic.some((v) => v !== 0), `${name} has a non-zero gradient`).toBe(true);
      // batch norm over 3 rows is sharply curved where a column's spread is small: the default
      // fourth-order step (5e-4) leaves a truncation error near 1e-5 there, 1e-4 does not
      const r = checkTensor(loss, value, analytic, { eps: norm === 'batch' ? 1e-4 : undefined });
      expect(r.maxRelError, `${name}[${r.worstIndex}]: ${r.analytic} vs ${r.numeric}`).toBeLessThan(1e-6);
    }
  });
});
