/**
 * Float64 CPU reference of a stacked recurrent network (torch.nn.RNN / LSTM / GRU semantics,
 * batch_first=False): forward, and hand-written backpropagation through time. It is the oracle the
 * GPU kernels are checked against, so it is ordered like them (input projection for all timesteps,
 * one step per timestep, weight gradients over all timesteps at once), not tuned for speed.
 */
import { GATES, layerInputSize, paramEntry, paramLayout } from '../model/layout';
import type { ParamLayout, RnnInputs } from '../model/layout';
import { cellBackward, cellForward } from './cells';
import {
  accumulateBiasGrad,
  accumulateInputGrad,
  accumulateWeightGrad,
  affineRows,
} from './linalg';

export type { RnnInputs } from '../model/layout';

/** What one layer's forward keeps for backward. */
export interface LayerCache {
  /** [T][B][I_l] this layer's input sequence (x, or the layer below's h_1..h_T). */
  input: Float64Array;
  /** [T+1][B][H] h[0] = h0 of this layer, h[t+1] = h after step t. */
  h: Float64Array;
  /** [T+1][B][H] like h, lstm only (empty otherwise). */
  c: Float64Array;
  /** [T][B][G*H] activated gates per step (see CellForwardStep.gates). */
  gates: Float64Array;
  /** [T][B][H] gru only (empty otherwise): W_hn h_{t-1} + b_hn. */
  hn: Float64Array;
}

export interface RnnForward {
  /** [T][B][H] the top layer's h_t. */
  output: Float64Array;
  /** [L][B][H] */
  hN: Float64Array;
  /** [L][B][H], lstm only. */
  cN?: Float64Array;
  /** One per layer, bottom first. */
  layers: LayerCache[];
}

export interface RnnGrads {
  /** [P] flat, same layout as the parameters. */
  params: Float64Array;
  /** [T][B][I] */
  x: Float64Array;
  /** [L][B][H] */
  h0: Float64Array;
  /** [L][B][H], lstm only. */
  c0?: Float64Array;
}

const EMPTY = new Float64Array(0);

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`rnn reference: ${what} has ${got} numbers, expected ${want}`);
}

/** The weight and bias views of one layer. */
function layerParams(layout: ParamLayout, params: Float64Array, layer: number) {
  const view = (kind: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh') => {
    const e = paramEntry(layout, kind, layer);
    return params.subarray(e.offset, e.offset + e.size);
  };
  // wIh [G*H][I_l], wHh [G*H][H], bIh [G*H], bHh [G*H]
  return { wIh: view('weight_ih'), wHh: view('weight_hh'), bIh: view('bias_ih'), bHh: view('bias_hh') };
}

export function rnnForward(inp: RnnInputs): RnnForward {
  const { shape, seqLen: T, batch: B } = inp;
  const H = shape.hiddenSize;
  const GH = GATES[shape.cell] * H;
  const BH = B * H;
  const isLstm = shape.cell === 'lstm';
  const layout = paramLayout(shape);
  checkLength('params', inp.params.length, layout.total);
  checkLength('x', inp.x.length, T * B * shape.inputSize);
  checkLength('h0', inp.h0.length, shape.numLayers * BH);
  if (isLstm) checkLength('c0', inp.c0?.length ?? 0, shape.numLayers * BH);

  const layers: LayerCache[] = [];
  let input = inp.x; // [T][B][I_l]
  for (let l = 0; l < shape.numLayers; l++) {
    const I = layerInputSize(shape, l);
    const { wIh, wHh, bIh, bHh } = layerParams(layout, inp.params, l);
    const gx = new Float64Array(T * B * GH); // [T][B][G*H]
    affineRows(gx, input, wIh, bIh, T * B, I, GH);

    const h = new Float64Array((T + 1) * BH); // [T+1][B][H]
    h.set(inp.h0.subarray(l * BH, (l + 1) * BH));
    const c = isLstm ? new Float64Array((T + 1) * BH) : EMPTY; // [T+1][B][H]
    if (isLstm) c.set(inp.c0!.subarray(l * BH, (l + 1) * BH));
    const gates = new Float64Array(T * B * GH); // [T][B][G*H]
    const hn = shape.cell === 'gru' ? new Float64Array(T * BH) : EMPTY; // [T][B][H]
    const gh = new Float64Array(B * GH); // [B][G*H]

    for (let t = 0; t < T; t++) {
      const hPrev = h.subarray(t * BH, (t + 1) * BH);
      affineRows(gh, hPrev, wHh, bHh, B, H, GH);
      cellForward(shape.cell, {
        batch: B,
        hidden: H,
        gx: gx.subarray(t * B * GH, (t + 1) * B * GH),
        gh,
        hPrev,
        cPrev: isLstm ? c.subarray(t * BH, (t + 1) * BH) : EMPTY,
        h: h.subarray((t + 1) * BH, (t + 2) * BH),
        c: isLstm ? c.subarray((t + 1) * BH, (t + 2) * BH) : EMPTY,
        gates: gates.subarray(t * B * GH, (t + 1) * B * GH),
        hn: hn.length ? hn.subarray(t * BH, (t + 1) * BH) : EMPTY,
      });
    }
    layers.push({ input, h, c, gates, hn });
    input = h.subarray(BH); // h_1..h_T feed the layer above
  }

  const hN = new Float64Array(shape.numLayers * BH); // [L][B][H]
  const cN = isLstm ? new Float64Array(shape.numLayers * BH) : undefined;
  layers.forEach((layer, l) => {
    hN.set(layer.h.subarray(T * BH), l * BH);
    cN?.set(layer.c.subarray(T * BH), l * BH);
  });
  return { output: input.slice(), hN, cN, layers };
}

/**
 * Gradients of L = sum(output * gradOutput) + sum(hN * gradHN) + sum(cN * gradCN)
 * (the last two terms only when given), by BPTT: layer by layer from the top, time reversed.
 */
export function rnnBackward(
  inp: RnnInputs,
  fwd: RnnForward,
  gradOutput: Float64Array,
  gradHN?: Float64Array,
  gradCN?: Float64Array,
): RnnGrads {
  const { shape, seqLen: T, batch: B } = inp;
  const H = shape.hiddenSize;
  const GH = GATES[shape.cell] * H;
  const BH = B * H;
  const isLstm = shape.cell === 'lstm';
  const layout = paramLayout(shape);
  checkLength('gradOutput', gradOutput.length, T * BH);
  if (gradHN) checkLength('gradHN', gradHN.length, shape.numLayers * BH);
  if (gradCN) checkLength('gradCN', gradCN.length, shape.numLayers * BH);

  const dParams = new Float64Array(layout.total);
  const dH0 = new Float64Array(shape.numLayers * BH); // [L][B][H]
  const dC0 = isLstm ? new Float64Array(shape.numLayers * BH) : undefined;
  let dOut = gradOutput; // [T][B][H] dL/d(this layer's h_1..h_T) from outside the layer

  for (let l = shape.numLayers - 1; l >= 0; l--) {
    const I = layerInputSize(shape, l);
    const cache = fwd.layers[l];
    const { wIh, wHh } = layerParams(layout, inp.params, l);
    const dGx = new Float64Array(T * B * GH); // [T][B][G*H]
    const dGh = new Float64Array(T * B * GH); // [T][B][G*H]
    // dh, dc: [B][H] carried from step t+1 to step t; they start as dL/dh_T, dL/dc_T from hN, cN
    let dh = gradHN ? gradHN.slice(l * BH, (l + 1) * BH) : new Float64Array(BH);
    let dc = gradCN ? gradCN.slice(l * BH, (l + 1) * BH) : new Float64Array(BH);
    let dhPrev = new Float64Array(BH);
    let dcPrev = new Float64Array(BH);

    for (let t = T - 1; t >= 0; t--) {
      // h_t is both this step's output (dOut) and the next step's hPrev (dh)
      for (let k = 0; k < BH; k++) dh[k] += dOut[t * BH + k];
      const dGhT = dGh.subarray(t * B * GH, (t + 1) * B * GH);
      cellBackward(shape.cell, {
        batch: B,
        hidden: H,
        gates: cache.gates.subarray(t * B * GH, (t + 1) * B * GH),
        hPrev: cache.h.subarray(t * BH, (t + 1) * BH),
        cPrev: isLstm ? cache.c.subarray(t * BH, (t + 1) * BH) : EMPTY,
        c: isLstm ? cache.c.subarray((t + 1) * BH, (t + 2) * BH) : EMPTY,
        hn: cache.hn.length ? cache.hn.subarray(t * BH, (t + 1) * BH) : EMPTY,
        dh,
        dc: isLstm ? dc : EMPTY,
        dGx: dGx.subarray(t * B * GH, (t + 1) * B * GH),
        dGh: dGhT,
        dhPrev,
        dcPrev: isLstm ? dcPrev : EMPTY,
      });
      // gh = W_hh hPrev + b_hh  =>  dhPrev += dGh W_hh
      accumulateInputGrad(dhPrev, dGhT, wHh, B, H, GH);
      [dh, dhPrev] = [dhPrev, dh];
      [dc, dcPrev] = [dcPrev, dc];
    }
    dH0.set(dh, l * BH);
    dC0?.set(dc, l * BH);

    // Weight gradients over all timesteps at once, as the GPU's GEMMs do.
    const grad = layerParams(layout, dParams, l);
    // gx = input W_ih^T + b_ih over [T*B] rows
    accumulateWeightGrad(grad.wIh, dGx, cache.input, T * B, I, GH);
    accumulateBiasGrad(grad.bIh, dGx, T * B, GH);
    // gh = h_{t-1} W_hh^T + b_hh, with h_0..h_{T-1} as the rows
    accumulateWeightGrad(grad.wHh, dGh, cache.h.subarray(0, T * BH), T * B, H, GH);
    accumulateBiasGrad(grad.bHh, dGh, T * B, GH);
    const dInput = new Float64Array(T * B * I); // [T][B][I_l]
    accumulateInputGrad(dInput, dGx, wIh, T * B, I, GH);
    dOut = dInput;
  }
  return { params: dParams, x: dOut, h0: dH0, c0: dC0 };
}
