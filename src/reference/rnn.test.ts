/**
 * Tests of the float64 reference: hand-computed steps and gate orders, stacking and batch
 * independence, and every analytic gradient against finite differences for all four cells.
 */
import { describe, expect, it } from 'vitest';
import { CELL_KINDS, GATES, paramLayout } from '../model/layout';
import type { CellKind, DropoutMasks, RnnShape } from '../model/layout';
import { planLayers } from '../model/plan';
import { checkTensor, DEFAULT_EPS4 } from './gradcheck';
import { Rng } from './random';
import { rnnBackward, rnnForward } from './rnn';
import type { RnnInputs } from './rnn';

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function randomInputs(shape: RnnShape, seqLen: number, batch: number, seed: number): RnnInputs {
  const rng = new Rng(seed);
  const LBH = planLayers(shape).directions.length * batch * shape.hiddenSize;
  return {
    shape,
    seqLen,
    batch,
    params: rng.uniform(paramLayout(shape).total, 1 / Math.sqrt(shape.hiddenSize)),
    x: rng.uniform(seqLen * batch * shape.inputSize, 1),
    h0: rng.uniform(LBH, 1),
    c0: shape.cell === 'lstm' ? rng.uniform(LBH, 1) : undefined,
  };
}

/** Params of a one-unit, one-input, one-layer net, given per gate as [w_ih, w_hh, b_ih, b_hh]. */
function unitParams(cell: CellKind, perGate: [number, number, number, number][]): Float64Array {
  expect(perGate.length).toBe(GATES[cell]);
  // layout: weight_ih [G,1], weight_hh [G,1], bias_ih [G], bias_hh [G]
  return Float64Array.from([0, 1, 2, 3].flatMap((k) => perGate.map((g) => g[k])));
}

describe('hand-computed steps', () => {
  it('a 1x1 LSTM step matches the formula written out', () => {
    const shape: RnnShape = { cell: 'lstm', inputSize: 1, hiddenSize: 1, numLayers: 1 };
    // gates i, f, g, o: [w_ih, w_hh, b_ih, b_hh]
    const p: [number, number, number, number][] = [
      [0.5, -0.2, 0.1, 0.05],
      [-0.3, 0.4, 0.2, -0.1],
      [0.7, 0.6, -0.3, 0.2],
      [0.2, -0.5, 0.15, 0.1],
    ];
    const [x, h0, c0] = [0.9, -0.4, 0.6];
    const pre = p.map(([w, u, b1, b2]) => w * x + u * h0 + b1 + b2);
    const i = sigmoid(pre[0]);
    const f = sigmoid(pre[1]);
    const g = Math.tanh(pre[2]);
    const o = sigmoid(pre[3]);
    const c = f * c0 + i * g;
    const h = o * Math.tanh(c);
    const fwd = rnnForward({
      shape,
      seqLen: 1,
      batch: 1,
      params: unitParams('lstm', p),
      x: Float64Array.of(x),
      h0: Float64Array.of(h0),
      c0: Float64Array.of(c0),
    });
    expect(fwd.output[0]).toBeCloseTo(h, 15);
    expect(fwd.hN[0]).toBeCloseTo(h, 15);
    expect(fwd.cN![0]).toBeCloseTo(c, 15);
  });

  it('a 1x1 GRU step matches the formula written out, with r inside the W_hn term', () => {
    const shape: RnnShape = { cell: 'gru', inputSize: 1, hiddenSize: 1, numLayers: 1 };
    const p: [number, number, number, number][] = [
      [0.5, -0.2, 0.1, 0.05],
      [-0.3, 0.4, 0.2, -0.1],
      [0.7, 0.6, -0.3, 0.2],
    ];
    const [x, h0] = [0.9, -0.4];
    const r = sigmoid(p[0][0] * x + p[0][2] + p[0][1] * h0 + p[0][3]);
    const z = sigmoid(p[1][0] * x + p[1][2] + p[1][1] * h0 + p[1][3]);
    const n = Math.tanh(p[2][0] * x + p[2][2] + r * (p[2][1] * h0 + p[2][3]));
    const h = (1 - z) * n + z * h0;
    const fwd = rnnForward({
      shape,
      seqLen: 1,
      batch: 1,
      params: unitParams('gru', p),
      x: Float64Array.of(x),
      h0: Float64Array.of(h0),
    });
    expect(fwd.output[0]).toBeCloseTo(h, 15);
    expect(fwd.cN).toBeUndefined();
  });

  it('zero parameters give the textbook constants: LSTM h = 0.5 tanh(0.5 c0), GRU h = 0.5 h0', () => {
    const lstm = rnnForward({
      shape: { cell: 'lstm', inputSize: 1, hiddenSize: 1, numLayers: 1 },
      seqLen: 1,
      batch: 1,
      params: new Float64Array(16),
      x: Float64Array.of(3),
      h0: Float64Array.of(-2),
      c0: Float64Array.of(1),
    });
    expect(lstm.cN![0]).toBe(0.5);
    expect(lstm.output[0]).toBeCloseTo(0.23105857863000487, 15);
    const gru = rnnForward({
      shape: { cell: 'gru', inputSize: 1, hiddenSize: 1, numLayers: 1 },
      seqLen: 1,
      batch: 1,
      params: new Float64Array(12),
      x: Float64Array.of(3),
      h0: Float64Array.of(-0.8),
    });
    expect(gru.output[0]).toBe(-0.4);
  });

  it('gate order: saturated biases pick out LSTM i, f, o and GRU z', () => {
    // LSTM: i shut, f open, o open -> c_1 = c0, h_1 = tanh(c0)
    const lstm = rnnForward({
      shape: { cell: 'lstm', inputSize: 1, hiddenSize: 1, numLayers: 1 },
      seqLen: 1,
      batch: 1,
      params: unitParams('lstm', [
        [1, 1, -60, 0],
        [1, 1, 60, 0],
        [1, 1, 0, 0],
        [1, 1, 60, 0],
      ]),
      x: Float64Array.of(0.3),
      h0: Float64Array.of(0.2),
      c0: Float64Array.of(0.7),
    });
    expect(lstm.cN![0]).toBeCloseTo(0.7, 12);
    expect(lstm.output[0]).toBeCloseTo(Math.tanh(0.7), 12);
    // GRU: z open -> h_1 = h0
    const gru = rnnForward({
      shape: { cell: 'gru', inputSize: 1, hiddenSize: 1, numLayers: 1 },
      seqLen: 1,
      batch: 1,
      params: unitParams('gru', [
        [1, 1, 0, 0],
        [1, 1, 60, 0],
        [1, 1, 0, 0],
      ]),
      x: Float64Array.of(0.3),
      h0: Float64Array.of(0.2),
    });
    expect(gru.output[0]).toBeCloseTo(0.2, 12);
  });

  it('rnn_tanh runs two steps by the recurrence, rnn_relu clamps negatives only', () => {
    const [w, u, b1, b2] = [0.8, -0.6, 0.1, 0.2];
    const x = Float64Array.of(0.5, -1.5); // [T=2][B=1][I=1]
    const tanhNet = rnnForward({
      shape: { cell: 'rnn_tanh', inputSize: 1, hiddenSize: 1, numLayers: 1 },
      seqLen: 2,
      batch: 1,
      params: Float64Array.of(w, u, b1, b2),
      x,
      h0: Float64Array.of(0.3),
    });
    const h1 = Math.tanh(w * 0.5 + u * 0.3 + b1 + b2);
    const h2 = Math.tanh(w * -1.5 + u * h1 + b1 + b2);
    expect(Array.from(tanhNet.output)).toEqual([h1, h2].map((v) => expect.closeTo(v, 15)));
    const reluNet = rnnForward({
      shape: { cell: 'rnn_relu', inputSize: 1, hiddenSize: 1, numLayers: 1 },
      seqLen: 2,
      batch: 1,
      params: Float64Array.of(1, 0, 0, 0),
      x: Float64Array.of(3, -2),
      h0: Float64Array.of(5),
    });
    expect(Array.from(reluNet.output)).toEqual([3, 0]);
  });
});

describe('structure', () => {
  it.each(CELL_KINDS)('%s: two stacked layers equal layer 0 fed into layer 1', (cell) => {
    const [I, H, T, B] = [3, 4, 3, 2];
    const stacked = randomInputs({ cell, inputSize: I, hiddenSize: H, numLayers: 2 }, T, B, 11);
    const full = rnnForward(stacked);
    const layout = paramLayout(stacked.shape);
    const half = layout.total - paramLayout({ cell, inputSize: H, hiddenSize: H, numLayers: 1 }).total;
    const BH = B * H;
    const bottom = rnnForward({
      shape: { cell, inputSize: I, hiddenSize: H, numLayers: 1 },
      seqLen: T,
      batch: B,
      params: stacked.params.slice(0, half),
      x: stacked.x,
      h0: stacked.h0.slice(0, BH),
      c0: stacked.c0?.slice(0, BH),
    });
    const top = rnnForward({
      shape: { cell, inputSize: H, hiddenSize: H, numLayers: 1 },
      seqLen: T,
      batch: B,
      params: stacked.params.slice(half),
      x: bottom.output,
      h0: stacked.h0.slice(BH),
      c0: stacked.c0?.slice(BH),
    });
    expect(full.output).toEqual(top.output);
    expect(full.hN).toEqual(Float64Array.from([...bottom.hN, ...top.hN]));
    if (cell === 'lstm') expect(full.cN).toEqual(Float64Array.from([...bottom.cN!, ...top.cN!]));
    // the top layer's last output is its h_n
    expect(full.output.slice((T - 1) * BH)).toEqual(full.hN.slice(BH));
  });

  it.each(CELL_KINDS)('%s: batch rows do not mix', (cell) => {
    const [I, H, T, B, L] = [2, 3, 3, 2, 2];
    const both = randomInputs({ cell, inputSize: I, hiddenSize: H, numLayers: L }, T, B, 5);
    const fwd = rnnForward(both);
    // row b of a [N][B][K] tensor, as a [N][1][K] tensor
    const row = (a: Float64Array, k: number, b: number) =>
      Float64Array.from({ length: a.length / B }, (_, i) => a[Math.floor(i / k) * B * k + b * k + (i % k)]);
    for (let b = 0; b < B; b++) {
      const one = rnnForward({
        ...both,
        batch: 1,
        x: row(both.x, I, b),
        h0: row(both.h0, H, b),
        c0: both.c0 && row(both.c0, H, b),
      });
      expect(one.output).toEqual(row(fwd.output, H, b));
      expect(one.hN).toEqual(row(fwd.hN, H, b));
    }
  });

  it('refuses tensors of the wrong size', () => {
    const inp = randomInputs({ cell: 'gru', inputSize: 3, hiddenSize: 5, numLayers: 2 }, 4, 2, 1);
    expect(() => rnnForward({ ...inp, params: inp.params.subarray(1) })).toThrow(
      /params has \d+ numbers, expected \d+/,
    );
    expect(() => rnnForward({ ...inp, x: new Float64Array(5) })).toThrow(/x has 5 numbers, expected 24/);
    const fwd = rnnForward(inp);
    expect(() => rnnBackward(inp, fwd, new Float64Array(3))).toThrow(/gradOutput/);
  });
});

interface GradCase {
  label: string;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  seqLen: number;
  batch: number;
  /** Also put gradients on h_n and c_n. */
  finalGrads: boolean;
  bidirectional?: boolean;
  residual?: boolean;
  /** Fixed dropout masks (values 0 and 2) between layers, on the head's input and on h_{t-1}. */
  dropout?: boolean;
}

/** Masks of p = 0.5 for every layer's output and every direction's recurrent input, from `seed`. */
function randomMasks(shape: RnnShape, T: number, B: number, seed: number): DropoutMasks {
  const rng = new Rng(seed);
  const plan = planLayers(shape);
  const mask = (n: number) => Float64Array.from(rng.uniform(n, 1), (u) => (u > 0 ? 2 : 0));
  return {
    output: plan.layers.map((l) => mask(T * B * l.outputSize)),
    recurrent: plan.directions.map(() => mask(B * shape.hiddenSize)),
  };
}

const GRAD_CASES: GradCase[] = [
  { label: '1 layer, I=3 H=5 T=4 B=2', inputSize: 3, hiddenSize: 5, numLayers: 1, seqLen: 4, batch: 2, finalGrads: true },
  { label: '3 layers, I=3 H=5 T=4 B=2', inputSize: 3, hiddenSize: 5, numLayers: 3, seqLen: 4, batch: 2, finalGrads: true },
  { label: '1 layer, T=1 B=1', inputSize: 3, hiddenSize: 5, numLayers: 1, seqLen: 1, batch: 1, finalGrads: false },
  { label: '3 layers, I=2 H=3 T=1 B=1', inputSize: 2, hiddenSize: 3, numLayers: 3, seqLen: 1, batch: 1, finalGrads: true },
  { label: '2 layers, I=1 H=2 T=6 B=1', inputSize: 1, hiddenSize: 2, numLayers: 2, seqLen: 6, batch: 1, finalGrads: false },
  { label: 'bidirectional 2 layers, I=3 H=4 T=3 B=2', inputSize: 3, hiddenSize: 4, numLayers: 2, seqLen: 3, batch: 2, finalGrads: true, bidirectional: true },
  { label: 'residual 3 layers (all: I = H), I=4 H=4 T=3 B=2', inputSize: 4, hiddenSize: 4, numLayers: 3, seqLen: 3, batch: 2, finalGrads: true, residual: true },
  {
    label: 'bidirectional residual 3 layers (layers 1, 2), I=3 H=3 T=3 B=2', inputSize: 3, hiddenSize: 3, numLayers: 3, seqLen: 3, batch: 2,
    finalGrads: false, bidirectional: true, residual: true,
  },
  {
    label: 'dropout masks, bidirectional residual 2 layers (layer 1), I=2 H=3 T=4 B=2', inputSize: 2, hiddenSize: 3, numLayers: 2, seqLen: 4, batch: 2,
    finalGrads: true, bidirectional: true, residual: true, dropout: true,
  },
  { label: 'dropout masks, 2 layers, I=3 H=4 T=3 B=3', inputSize: 3, hiddenSize: 4, numLayers: 2, seqLen: 3, batch: 3, finalGrads: true, dropout: true },
];

describe.each(CELL_KINDS)('%s gradients vs finite differences', (cell) => {
  it.each(GRAD_CASES)('$label', (c) => {
    const shape: RnnShape = {
      cell, inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional, residual: c.residual,
    };
    const plan = planLayers(shape);
    const inp = randomInputs(shape, c.seqLen, c.batch, 1234);
    if (c.dropout) inp.masks = randomMasks(shape, c.seqLen, c.batch, 77);
    const rng = new Rng(99);
    const LBH = plan.directions.length * c.batch * c.hiddenSize;
    const gradOutput = rng.uniform(c.seqLen * c.batch * plan.outputSize, 1); // [T][B][D]
    const gradHN = c.finalGrads ? rng.uniform(LBH, 1) : undefined; // [L][B][H]
    const gradCN = c.finalGrads && cell === 'lstm' ? rng.uniform(LBH, 1) : undefined;
    const loss = (): number => {
      const f = rnnForward(inp);
      return (
        dot(f.output, gradOutput) +
        (gradHN ? dot(f.hN, gradHN) : 0) +
        (gradCN ? dot(f.cN!, gradCN) : 0)
      );
    };
    const grads = rnnBackward(inp, rnnForward(inp), gradOutput, gradHN, gradCN);

    // [name, the live tensor the loss reads, its analytic gradient]
    const tensors: [string, Float64Array, Float64Array][] = paramLayout(shape).entries.map((e) => [
      e.name,
      inp.params.subarray(e.offset, e.offset + e.size),
      grads.params.subarray(e.offset, e.offset + e.size),
    ]);
    tensors.push(['x', inp.x, grads.x], ['h0', inp.h0, grads.h0]);
    if (cell === 'lstm') tensors.push(['c0', inp.c0!, grads.c0!]);
    else expect(grads.c0).toBeUndefined();

    // relu: an element whose stencil moves some pre-activation across 0 (h_t = max(a, 0) > 0 flips)
    // has no derivative to check
    const activity = (): string =>
      rnnForward(inp).layers.map((l) => l.h.map((v) => (v > 0 ? 1 : 0)).join('')).join('|');
    const crossesKink = (t: Float64Array) => (i: number): boolean => {
      const saved = t[i];
      const base = activity();
      t[i] = saved + 2 * DEFAULT_EPS4;
      const up = activity();
      t[i] = saved - 2 * DEFAULT_EPS4;
      const down = activity();
      t[i] = saved;
      return up !== base || down !== base;
    };

    let checked = 0;
    let skipped = 0;
    for (const [name, value, analytic] of tensors) {
      // relu units can be dead over a whole short sequence, so only the smooth cells must reach every tensor
      if (cell !== 'rnn_relu') expect(analytic.some((v) => v !== 0), `${name} has a non-zero gradient`).toBe(true);
      const r = checkTensor(loss, value, analytic, {
        skip: cell === 'rnn_relu' ? crossesKink(value) : undefined,
      });
      expect(r.maxRelError, `${name}[${r.worstIndex}]: ${r.analytic} vs ${r.numeric}`).toBeLessThan(1e-6);
      checked += r.checked;
      skipped += r.skipped;
    }
    expect(skipped).toBeLessThanOrEqual(Math.max(1, 0.02 * (checked + skipped)));
  });
});

describe('per-timestep gradient norms (dhNorms)', () => {
  it.each(CELL_KINDS)('%s: the norm of dL/dh_t is the gradient of the rest of the sequence started from h_t, plus the output\'s', (cell) => {
    const shape: RnnShape = { cell, inputSize: 2, hiddenSize: 3, numLayers: 1 };
    const [T, B] = [4, 2];
    const BH = B * 3;
    const inp = randomInputs(shape, T, B, 8);
    const gradOutput = new Rng(3).uniform(T * BH, 1);
    const fwd = rnnForward(inp);
    const { dhNorms } = rnnBackward(inp, fwd, gradOutput);
    expect(dhNorms).toHaveLength(1);
    for (let t = 0; t < T; t++) {
      const dh = gradOutput.slice(t * BH, (t + 1) * BH);
      if (t < T - 1) {
        // h_t (slot t + 1) is the initial state of timesteps t + 1 .. T - 1
        const rest: RnnInputs = {
          shape, seqLen: T - 1 - t, batch: B, params: inp.params, x: inp.x.slice((t + 1) * B * 2),
          h0: fwd.layers[0].h.slice((t + 1) * BH, (t + 2) * BH), c0: cell === 'lstm' ? fwd.layers[0].c.slice((t + 1) * BH, (t + 2) * BH) : undefined,
        };
        const later = rnnBackward(rest, rnnForward(rest), gradOutput.slice((t + 1) * BH));
        for (let k = 0; k < BH; k++) dh[k] += later.h0[k];
      }
      expect(dhNorms[0][t]).toBeCloseTo(Math.sqrt(dot(dh, dh)), 12);
    }
  });

  it('one row per direction; a reverse direction\'s first timestep is the one it processes last', () => {
    const shape: RnnShape = { cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true };
    const [T, B] = [3, 1];
    const inp = randomInputs(shape, T, B, 4);
    const gradOutput = new Float64Array(T * B * 6);
    gradOutput.fill(1, (T - 1) * 6, T * 6); // only the last timestep is scored
    const { dhNorms } = rnnBackward(inp, rnnForward(inp), gradOutput);
    expect(dhNorms).toHaveLength(4);
    // the top forward direction gets nothing before the last timestep except through time
    expect(dhNorms[2][T - 1]).toBeCloseTo(Math.sqrt(3), 12);
    // the top reverse direction reads timestep T - 1 first: earlier timesteps get no gradient
    expect(dhNorms[3].slice(0, T - 1)).toEqual([0, 0]);
    expect(dhNorms[3][T - 1]).toBeCloseTo(Math.sqrt(3), 12);
  });
});
