/**
 * Float64 CPU reference of a stacked recurrent network (torch.nn.RNN / LSTM / GRU semantics,
 * batch_first=False): forward, and hand-written backpropagation through time. It is the oracle the
 * GPU kernels are checked against, so it is ordered like them (input projection for all timesteps,
 * one step per timestep, weight gradients over all timesteps at once), not tuned for speed. The
 * layers come from planLayers and the cells from the registry, as on the GPU.
 */
import { CELLS, hasState } from '../model/cells';
import { paramByName, paramLayout } from '../model/layout';
import type { ParamLayout, RnnInputs } from '../model/layout';
import { paramSpec, planLayers, type DirectionPlan, type InputPart, type NetworkPlan, type ParamKind } from '../model/plan';
import {
  accumulateBiasGrad,
  accumulateInputGrad,
  accumulateWeightGrad,
  affineRows,
} from './linalg';

export type { RnnInputs } from '../model/layout';

/** What one direction's forward keeps for backward (one per layer today). */
export interface LayerCache {
  /** [T][B][I_l] this direction's input sequence (its input parts side by side). */
  input: Float64Array;
  /** [T+1][B][H] h[0] = its h0, h[t+1] = h after step t. */
  h: Float64Array;
  /** [T+1][B][H] like h, for cells with a cell state (empty otherwise). */
  c: Float64Array;
  /** [T][B][S*H] what the cell saved for backward, S = the registry's savedPerUnit. */
  saved: Float64Array;
}

export interface RnnForward {
  /** [T][B][D] the top layer's h_t, D its output width. */
  output: Float64Array;
  /** [L][B][H] one block per direction. */
  hN: Float64Array;
  /** [L][B][H], cells with a cell state only. */
  cN?: Float64Array;
  /** One per direction, bottom first. */
  layers: LayerCache[];
}

export interface RnnGrads {
  /** [P] flat, same layout as the parameters. */
  params: Float64Array;
  /** [T][B][I] */
  x: Float64Array;
  /** [L][B][H] */
  h0: Float64Array;
  /** [L][B][H], cells with a cell state only. */
  c0?: Float64Array;
}

const EMPTY = new Float64Array(0);

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`rnn reference: ${what} has ${got} numbers, expected ${want}`);
}

/** A view of one parameter tensor of a direction inside a flat vector shaped like `layout`. */
function tensor(layout: ParamLayout, flat: Float64Array, dir: DirectionPlan, kind: ParamKind): Float64Array {
  const e = paramByName(layout, paramSpec(dir, kind).name);
  return flat.subarray(e.offset, e.offset + e.size);
}

/** Rows of `part`'s source: the data x [T][B][I], or h_1..h_T of a direction below. */
function partSource(part: InputPart, x: Float64Array, layers: readonly LayerCache[], BH: number): Float64Array {
  return part.source === 'data' ? x : layers[part.source].h.subarray(BH);
}

/** Copies each [rows][width] block into columns [column, column + width) of a [rows][cols] array. */
function placeColumns(out: Float64Array, cols: number, block: Float64Array, column: number, width: number, rows: number): void {
  for (let r = 0; r < rows; r++) out.set(block.subarray(r * width, (r + 1) * width), r * cols + column);
}

/** Adds columns [column, column + width) of a [rows][cols] array into a [rows][width] array. */
function addColumns(into: Float64Array, from: Float64Array, cols: number, column: number, width: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < width; k++) into[r * width + k] += from[r * cols + column + k];
  }
}

function checkInputs(inp: RnnInputs, plan: NetworkPlan, layout: ParamLayout): void {
  const { shape, seqLen: T, batch: B } = inp;
  const stateSize = plan.directions.length * B * shape.hiddenSize;
  checkLength('params', inp.params.length, layout.total);
  checkLength('x', inp.x.length, T * B * shape.inputSize);
  checkLength('h0', inp.h0.length, stateSize);
  if (hasState(shape.cell, 'c')) checkLength('c0', inp.c0?.length ?? 0, stateSize);
}

export function rnnForward(inp: RnnInputs): RnnForward {
  const { shape, seqLen: T, batch: B } = inp;
  const H = shape.hiddenSize;
  const BH = B * H;
  const cell = CELLS[shape.cell];
  const hasC = hasState(shape.cell, 'c');
  const plan = planLayers(shape);
  const GH = plan.gates * H;
  const SH = cell.savedPerUnit * H;
  const layout = paramLayout(shape);
  checkInputs(inp, plan, layout);

  const layers: LayerCache[] = [];
  for (const dir of plan.directions) {
    const I = dir.inputSize;
    const input = new Float64Array(T * B * I); // [T][B][I_l]
    for (const part of dir.input) placeColumns(input, I, partSource(part, inp.x, layers, BH), part.column, part.width, T * B);
    const gx = new Float64Array(T * B * GH); // [T][B][G*H]
    affineRows(gx, input, tensor(layout, inp.params, dir, 'weight_ih'), tensor(layout, inp.params, dir, 'bias_ih'), T * B, I, GH);
    const wHh = tensor(layout, inp.params, dir, 'weight_hh');
    const bHh = tensor(layout, inp.params, dir, 'bias_hh');

    const h = new Float64Array((T + 1) * BH); // [T+1][B][H]
    h.set(inp.h0.subarray(dir.index * BH, (dir.index + 1) * BH));
    const c = hasC ? new Float64Array((T + 1) * BH) : EMPTY; // [T+1][B][H]
    if (hasC) c.set(inp.c0!.subarray(dir.index * BH, (dir.index + 1) * BH));
    const saved = new Float64Array(T * B * SH); // [T][B][S*H]
    const gh = new Float64Array(B * GH); // [B][G*H]

    for (let t = 0; t < T; t++) {
      const hPrev = h.subarray(t * BH, (t + 1) * BH);
      affineRows(gh, hPrev, wHh, bHh, B, H, GH);
      cell.reference.forward({
        batch: B,
        hidden: H,
        gx: gx.subarray(t * B * GH, (t + 1) * B * GH),
        gh,
        hPrev,
        cPrev: hasC ? c.subarray(t * BH, (t + 1) * BH) : EMPTY,
        h: h.subarray((t + 1) * BH, (t + 2) * BH),
        c: hasC ? c.subarray((t + 1) * BH, (t + 2) * BH) : EMPTY,
        saved: saved.subarray(t * B * SH, (t + 1) * B * SH),
      });
    }
    layers.push({ input, h, c, saved });
  }

  const D = plan.outputSize;
  const output = new Float64Array(T * B * D); // [T][B][D]
  for (const top of plan.layers[plan.layers.length - 1].directions) {
    placeColumns(output, D, layers[top.index].h.subarray(BH), top.outputColumn, H, T * B);
  }
  const hN = new Float64Array(layers.length * BH); // [L][B][H]
  const cN = hasC ? new Float64Array(layers.length * BH) : undefined;
  layers.forEach((layer, d) => {
    hN.set(layer.h.subarray(T * BH), d * BH);
    cN?.set(layer.c.subarray(T * BH), d * BH);
  });
  return { output, hN, cN, layers };
}

/**
 * Gradients of L = sum(output * gradOutput) + sum(hN * gradHN) + sum(cN * gradCN)
 * (the last two terms only when given), by BPTT: directions from the top, time reversed.
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
  const BH = B * H;
  const cell = CELLS[shape.cell];
  const hasC = hasState(shape.cell, 'c');
  const plan = planLayers(shape);
  const GH = plan.gates * H;
  const SH = cell.savedPerUnit * H;
  const layout = paramLayout(shape);
  const nDir = plan.directions.length;
  checkLength('gradOutput', gradOutput.length, T * B * plan.outputSize);
  if (gradHN) checkLength('gradHN', gradHN.length, nDir * BH);
  if (gradCN) checkLength('gradCN', gradCN.length, nDir * BH);

  const dParams = new Float64Array(layout.total);
  const dX = new Float64Array(T * B * shape.inputSize); // [T][B][I]
  const dH0 = new Float64Array(nDir * BH); // [L][B][H]
  const dC0 = hasC ? new Float64Array(nDir * BH) : undefined;
  // dL/d(h_1..h_T) of each direction from outside it: the head's gradient, or the layers above
  const dOuts = plan.directions.map(() => new Float64Array(T * BH)); // each [T][B][H]
  for (const d of plan.directions) {
    if (d.readers.some((r) => r.kind === 'head')) addColumns(dOuts[d.index], gradOutput, plan.outputSize, d.outputColumn, H, T * B);
  }

  for (const dir of [...plan.directions].reverse()) {
    const I = dir.inputSize;
    const cache = fwd.layers[dir.index];
    const dOut = dOuts[dir.index];
    const wHh = tensor(layout, inp.params, dir, 'weight_hh');
    const dGx = new Float64Array(T * B * GH); // [T][B][G*H]
    const dGh = new Float64Array(T * B * GH); // [T][B][G*H]
    // dh, dc: [B][H] carried from step t+1 to step t; they start as dL/dh_T, dL/dc_T from hN, cN
    const at = dir.index * BH;
    let dh = gradHN ? gradHN.slice(at, at + BH) : new Float64Array(BH);
    let dc = gradCN ? gradCN.slice(at, at + BH) : new Float64Array(BH);
    let dhPrev = new Float64Array(BH);
    let dcPrev = new Float64Array(BH);

    for (let t = T - 1; t >= 0; t--) {
      // h_t is both this step's output (dOut) and the next step's hPrev (dh)
      for (let k = 0; k < BH; k++) dh[k] += dOut[t * BH + k];
      const dGhT = dGh.subarray(t * B * GH, (t + 1) * B * GH);
      cell.reference.backward({
        batch: B,
        hidden: H,
        saved: cache.saved.subarray(t * B * SH, (t + 1) * B * SH),
        hPrev: cache.h.subarray(t * BH, (t + 1) * BH),
        h: cache.h.subarray((t + 1) * BH, (t + 2) * BH),
        cPrev: hasC ? cache.c.subarray(t * BH, (t + 1) * BH) : EMPTY,
        c: hasC ? cache.c.subarray((t + 1) * BH, (t + 2) * BH) : EMPTY,
        dh,
        dc: hasC ? dc : EMPTY,
        dGx: dGx.subarray(t * B * GH, (t + 1) * B * GH),
        dGh: dGhT,
        dhPrev,
        dcPrev: hasC ? dcPrev : EMPTY,
      });
      // gh = W_hh hPrev + b_hh  =>  dhPrev += dGh W_hh
      accumulateInputGrad(dhPrev, dGhT, wHh, B, H, GH);
      [dh, dhPrev] = [dhPrev, dh];
      [dc, dcPrev] = [dcPrev, dc];
    }
    dH0.set(dh, at);
    dC0?.set(dc, at);

    // Weight gradients over all timesteps at once, as the GPU's GEMMs do.
    // gx = input W_ih^T + b_ih over [T*B] rows
    accumulateWeightGrad(tensor(layout, dParams, dir, 'weight_ih'), dGx, cache.input, T * B, I, GH);
    accumulateBiasGrad(tensor(layout, dParams, dir, 'bias_ih'), dGx, T * B, GH);
    // gh = h_{t-1} W_hh^T + b_hh, with h_0..h_{T-1} as the rows
    accumulateWeightGrad(tensor(layout, dParams, dir, 'weight_hh'), dGh, cache.h.subarray(0, T * BH), T * B, H, GH);
    accumulateBiasGrad(tensor(layout, dParams, dir, 'bias_hh'), dGh, T * B, GH);
    const dInput = new Float64Array(T * B * I); // [T][B][I_l]
    accumulateInputGrad(dInput, dGx, tensor(layout, inp.params, dir, 'weight_ih'), T * B, I, GH);
    for (const part of dir.input) {
      addColumns(part.source === 'data' ? dX : dOuts[part.source], dInput, I, part.column, part.width, T * B);
    }
  }
  return { params: dParams, x: dX, h0: dH0, c0: dC0 };
}
