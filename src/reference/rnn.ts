/**
 * Float64 CPU reference of a stacked recurrent network (torch.nn.RNN / LSTM / GRU semantics,
 * batch_first=False, bidirectional as torch concatenates it): forward, and hand-written
 * backpropagation through time. It is the oracle the GPU kernels and the CPU backend are checked
 * against, so it is ordered like them (input projection for all timesteps, one step per timestep,
 * weight gradients over all timesteps at once), not tuned for speed. The layers come from
 * planLayers (directions, residual layers) and the cells from the registry, as on the GPU;
 * dropout masks, when given, are applied where the GPU applies them (src/model/layout.ts DropoutMasks).
 * With a norm (shape.norm, src/reference/norm.ts) the pre-activations become
 * norm(W_ih x_t) + b_ih and norm(W_hh h_{t-1}) + b_hh, the biases added after the norm, and the
 * LSTM's h_t = o * tanh(norm(c_t)) (Ba et al. 2016's LN-LSTM; Cooijmans et al. 2016 for batch norm).
 */
import { CELLS, hasState } from '../model/cells';
import { paramByName, paramLayout } from '../model/layout';
import type { ParamLayout, RnnInputs } from '../model/layout';
import { initialSlot, normSites, outputSlot, paramSpec, planLayers, type DirectionPlan, type NetworkPlan, type NormSite, type ParamSpec } from '../model/plan';
import {
  accumulateBiasGrad,
  accumulateInputGrad,
  accumulateWeightGrad,
  affineRows,
} from './linalg';
import { normBackward, normForward, type NormStats } from './norm';
import type { StateNorm } from './cells';

export type { RnnInputs } from '../model/layout';

/** What one direction's forward keeps for backward. */
export interface LayerCache {
  /** [T][B][I_l] its layer's input sequence (the data, or the layer below's output after dropout). */
  input: Float64Array;
  /** [T+1][B][H] states by slot (plan.ts: forward h_t in slot t + 1, reverse in slot t; the initial state in the other end slot). */
  h: Float64Array;
  /** [T+1][B][H] like h, for cells with a cell state (empty otherwise). */
  c: Float64Array;
  /** [T][B][S*H] what the cell saved for backward, by timestep, S = the registry's savedPerUnit. */
  saved: Float64Array;
  /** With a norm: [T][B][G*H] W_ih x_t and W_hh h_{t-1} before their norms and biases. */
  gxRaw?: Float64Array;
  ghRaw?: Float64Array;
}

export interface RnnForward {
  /** [T][B][D] the top layer's output (after its dropout mask, if any), D its output width. */
  output: Float64Array;
  /** [L][B][H] one block per direction: its state after the last timestep it processed. */
  hN: Float64Array;
  /** [L][B][H], cells with a cell state only. */
  cN?: Float64Array;
  /** One per direction, bottom first. */
  layers: LayerCache[];
  /** One per layer: [T][B][D] what it hands on (h of its directions side by side, + input if residual, times its mask). */
  outputs: Float64Array[];
  /**
   * Batch norm in training: the batch statistics of every site and step [direction][site][step]
   * (steps in processing order, variance biased), for updating the running ones (norm.ts updateRunning).
   */
  batchStats?: NormStats[][][];
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
  /** [L][T] the L2 norm over batch and units of dL/dh_t of each direction at each timestep t (all paths). */
  dhNorms: number[][];
}

const EMPTY = new Float64Array(0);

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`rnn reference: ${what} has ${got} numbers, expected ${want}`);
}

/** A view of one parameter tensor of a direction inside a flat vector shaped like `layout`. */
function tensor(layout: ParamLayout, flat: Float64Array, dir: DirectionPlan, kind: ParamSpec['kind']): Float64Array {
  const e = paramByName(layout, paramSpec(dir, kind).name);
  return flat.subarray(e.offset, e.offset + e.size);
}

/** Copies each [rows][width] block into columns [column, column + width) of a [rows][cols] array. */
function placeColumns(out: Float64Array, cols: number, block: Float64Array, column: number, width: number, rows: number): void {
  for (let r = 0; r < rows; r++) out.set(block.subarray(r * width, (r + 1) * width), r * cols + column);
}

/** Columns [column, column + width) of a [rows][cols] array, as a new [rows][width] array. */
function takeColumns(from: Float64Array, cols: number, column: number, width: number, rows: number): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(from.subarray(r * cols + column, r * cols + column + width), r * width);
  return out;
}

function multiply(a: Float64Array, mask: Float64Array | undefined): void {
  if (!mask) return;
  for (let i = 0; i < a.length; i++) a[i] *= mask[i];
}

/** The slots a direction reads h_{t-1} from and writes h_t to at timestep t. */
function slots(dir: DirectionPlan, t: number): { prev: number; out: number } {
  return dir.direction === 'forward' ? { prev: t, out: t + 1 } : { prev: t + 1, out: t };
}

/** Timesteps in the order a direction processes them. */
function timeOrder(dir: DirectionPlan, T: number): number[] {
  const ts = Array.from({ length: T }, (_, t) => t);
  return dir.direction === 'forward' ? ts : ts.reverse();
}

/**
 * A direction's norms: for each site (normSites), y = norm(x) on a [B][n] block at processing
 * step k with its gain and bias, and the same backward accumulating into `grads`' gain and bias.
 */
function directionNorms(inp: RnnInputs, layout: ParamLayout, dir: DirectionPlan, grads?: Float64Array) {
  const { shape, batch: B } = inp;
  const kind = shape.norm === 'layer' || shape.norm === 'batch' ? shape.norm : undefined;
  const sites = normSites(shape);
  const fixed = (site: NormSite, k: number): NormStats | undefined => {
    const steps = inp.normStats?.[dir.index]?.[sites.indexOf(site)];
    return steps && steps.length > 0 ? steps[Math.min(k, steps.length - 1)] : undefined;
  };
  const part = (site: NormSite, p: 'weight' | 'bias', flat: Float64Array) => tensor(layout, flat, dir, `norm_${site}_${p}`);
  return {
    kind,
    sites,
    forward(site: NormSite, k: number, x: Float64Array, y: Float64Array): NormStats {
      const n = x.length / B;
      return normForward(kind!, x, B, n, part(site, 'weight', inp.params), part(site, 'bias', inp.params), y, fixed(site, k));
    },
    backward(site: NormSite, k: number, x: Float64Array, dy: Float64Array, dx: Float64Array): void {
      const n = x.length / B;
      normBackward(kind!, x, B, n, part(site, 'weight', inp.params), dy, dx,
        part(site, 'weight', grads!), part(site, 'bias', grads!), fixed(site, k));
    },
  };
}

/** Adds bias[col] to every row of a [rows][n] block. */
function addBias(a: Float64Array, bias: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += bias[i % bias.length];
}

function checkInputs(inp: RnnInputs, plan: NetworkPlan, layout: ParamLayout): void {
  const { shape, seqLen: T, batch: B } = inp;
  const stateSize = plan.directions.length * B * shape.hiddenSize;
  checkLength('params', inp.params.length, layout.total);
  checkLength('x', inp.x.length, T * B * shape.inputSize);
  checkLength('h0', inp.h0.length, stateSize);
  if (hasState(shape.cell, 'c')) checkLength('c0', inp.c0?.length ?? 0, stateSize);
  plan.layers.forEach((l, i) => {
    const m = inp.masks?.output?.[i];
    if (m) checkLength(`output mask of layer ${i}`, m.length, T * B * l.outputSize);
  });
  plan.directions.forEach((d) => {
    const m = inp.masks?.recurrent?.[d.index];
    if (m) checkLength(`recurrent mask of direction ${d.index}`, m.length, B * shape.hiddenSize);
  });
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
  const outputs: Float64Array[] = [];
  const batchStats: NormStats[][][] = [];
  let input = inp.x; // [T][B][I_l]
  for (const layer of plan.layers) {
    const D = layer.outputSize;
    const I = layer.inputSize;
    const out = new Float64Array(T * B * D); // [T][B][D]
    for (const dir of layer.directions) {
      const norms = directionNorms(inp, layout, dir);
      const bIh = tensor(layout, inp.params, dir, 'bias_ih');
      const gx = new Float64Array(T * B * GH); // [T][B][G*H]
      // with a norm, gxRaw = W_ih x (no bias) and gx = norm(gxRaw) + b_ih, step by step below
      const gxRaw = norms.kind ? new Float64Array(T * B * GH) : undefined;
      affineRows(gxRaw ?? gx, input, tensor(layout, inp.params, dir, 'weight_ih'), norms.kind ? new Float64Array(GH) : bIh, T * B, I, GH);
      const ghRaw = norms.kind ? new Float64Array(T * B * GH) : undefined;
      const stats: NormStats[][] = norms.sites.map(() => []);
      const record = (site: NormSite, k: number, st: NormStats) => {
        if (norms.kind === 'batch' && !inp.normStats) stats[norms.sites.indexOf(site)][k] = st;
      };
      const wHh = tensor(layout, inp.params, dir, 'weight_hh');
      const bHh = tensor(layout, inp.params, dir, 'bias_hh');
      const mask = inp.masks?.recurrent?.[dir.index];
      const h = new Float64Array((T + 1) * BH); // [T+1][B][H] by slot
      const first = initialSlot(dir, T) * BH;
      h.set(inp.h0.subarray(dir.index * BH, (dir.index + 1) * BH), first);
      const c = hasC ? new Float64Array((T + 1) * BH) : EMPTY;
      if (hasC) c.set(inp.c0!.subarray(dir.index * BH, (dir.index + 1) * BH), first);
      const saved = new Float64Array(T * B * SH); // [T][B][S*H]
      const gh = new Float64Array(B * GH); // [B][G*H]
      const hIn = new Float64Array(BH); // h_{t-1} as W_hh sees it (masked by recurrent dropout)

      for (const [k, t] of timeOrder(dir, T).entries()) {
        const { prev, out: next } = slots(dir, t);
        const hPrev = h.subarray(prev * BH, (prev + 1) * BH);
        hIn.set(hPrev);
        multiply(hIn, mask);
        let normC: Pick<StateNorm, 'forward'> | undefined;
        if (gxRaw && ghRaw) {
          const gxT = gx.subarray(t * B * GH, (t + 1) * B * GH);
          record('ih', k, norms.forward('ih', k, gxRaw.subarray(t * B * GH, (t + 1) * B * GH), gxT));
          addBias(gxT, bIh);
          const ghT = ghRaw.subarray(t * B * GH, (t + 1) * B * GH);
          affineRows(ghT, hIn, wHh, new Float64Array(GH), B, H, GH);
          record('hh', k, norms.forward('hh', k, ghT, gh));
          addBias(gh, bHh);
          if (hasC) normC = { forward: (x, y) => record('c', k, norms.forward('c', k, x, y)) };
        } else {
          affineRows(gh, hIn, wHh, bHh, B, H, GH);
        }
        cell.reference.forward({
          batch: B,
          hidden: H,
          gx: gx.subarray(t * B * GH, (t + 1) * B * GH),
          gh,
          hPrev,
          cPrev: hasC ? c.subarray(prev * BH, (prev + 1) * BH) : EMPTY,
          h: h.subarray(next * BH, (next + 1) * BH),
          c: hasC ? c.subarray(next * BH, (next + 1) * BH) : EMPTY,
          saved: saved.subarray(t * B * SH, (t + 1) * B * SH),
          normC,
        });
      }
      layers.push({ input, h, c, saved, gxRaw, ghRaw });
      batchStats.push(stats);
      const o = outputSlot(dir) * BH;
      placeColumns(out, D, h.subarray(o, o + T * BH), dir.outputColumn, H, T * B);
    }
    // y = h (+ input when residual); what the next layer and the head read is y times the mask
    if (layer.residual) for (let i = 0; i < out.length; i++) out[i] += input[i];
    multiply(out, inp.masks?.output?.[layer.layer]);
    outputs.push(out);
    input = out;
  }

  const hN = new Float64Array(layers.length * BH); // [L][B][H]
  const cN = hasC ? new Float64Array(layers.length * BH) : undefined;
  plan.directions.forEach((dir, d) => {
    const last = (dir.direction === 'forward' ? T : 0) * BH;
    hN.set(layers[d].h.subarray(last, last + BH), d * BH);
    cN?.set(layers[d].c.subarray(last, last + BH), d * BH);
  });
  const normed = shape.norm === 'batch' && !inp.normStats;
  return { output: outputs[outputs.length - 1], hN, cN, layers, outputs, ...(normed ? { batchStats } : {}) };
}

/**
 * Gradients of L = sum(output * gradOutput) + sum(hN * gradHN) + sum(cN * gradCN)
 * (the last two terms only when given), by BPTT: layers from the top, each direction against
 * its own time order, with the masks of the forward pass in `inp`.
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
  const dH0 = new Float64Array(nDir * BH); // [L][B][H]
  const dC0 = hasC ? new Float64Array(nDir * BH) : undefined;
  const dhNorms = plan.directions.map(() => new Array<number>(T).fill(0));
  let dZ = Float64Array.from(gradOutput); // dL/d(layer output after its mask), [T][B][D]

  for (const layer of [...plan.layers].reverse()) {
    const D = layer.outputSize;
    const I = layer.inputSize;
    multiply(dZ, inp.masks?.output?.[layer.layer]); // now dL/dy, y = h (+ input)
    const dInput = new Float64Array(T * B * I); // [T][B][I_l]
    if (layer.residual) dInput.set(dZ);
    for (const dir of layer.directions) {
      const cache = fwd.layers[dir.index];
      const norms = directionNorms(inp, layout, dir, dParams);
      const dOut = takeColumns(dZ, D, dir.outputColumn, H, T * B); // [T][B][H]
      const wHh = tensor(layout, inp.params, dir, 'weight_hh');
      const mask = inp.masks?.recurrent?.[dir.index];
      const dGx = new Float64Array(T * B * GH); // [T][B][G*H]
      const dGh = new Float64Array(T * B * GH); // [T][B][G*H]
      // With a norm, the gradients on W_ih x_t and W_hh h_{t-1} before their norms: what the weights see.
      const dGxRaw = norms.kind ? new Float64Array(T * B * GH) : dGx;
      const dGhRaw = norms.kind ? new Float64Array(T * B * GH) : dGh;
      const processed = timeOrder(dir, T);
      // dh, dc: [B][H] carried from the step processed after t; they start from gradHN, gradCN
      const at = dir.index * BH;
      let dh = gradHN ? gradHN.slice(at, at + BH) : new Float64Array(BH);
      let dc = gradCN ? gradCN.slice(at, at + BH) : new Float64Array(BH);
      let dhPrev = new Float64Array(BH);
      let dcPrev = new Float64Array(BH);
      const through = new Float64Array(BH);

      for (const t of timeOrder(dir, T).reverse()) {
        const { prev, out } = slots(dir, t);
        // h_t is both this step's output (dOut) and the next processed step's hPrev (dh)
        let sq = 0;
        for (let k = 0; k < BH; k++) {
          dh[k] += dOut[t * BH + k];
          sq += dh[k] * dh[k];
        }
        dhNorms[dir.index][t] = Math.sqrt(sq);
        const dGhT = dGh.subarray(t * B * GH, (t + 1) * B * GH);
        const k = processed.indexOf(t);
        const normC: StateNorm | undefined = norms.kind && hasC
          ? { forward: (x, y) => norms.forward('c', k, x, y), backward: (x, dy, dx) => norms.backward('c', k, x, dy, dx) }
          : undefined;
        cell.reference.backward({
          batch: B,
          hidden: H,
          saved: cache.saved.subarray(t * B * SH, (t + 1) * B * SH),
          hPrev: cache.h.subarray(prev * BH, (prev + 1) * BH),
          h: cache.h.subarray(out * BH, (out + 1) * BH),
          cPrev: hasC ? cache.c.subarray(prev * BH, (prev + 1) * BH) : EMPTY,
          c: hasC ? cache.c.subarray(out * BH, (out + 1) * BH) : EMPTY,
          dh,
          dc: hasC ? dc : EMPTY,
          dGx: dGx.subarray(t * B * GH, (t + 1) * B * GH),
          dGh: dGhT,
          dhPrev,
          dcPrev: hasC ? dcPrev : EMPTY,
          normC,
        });
        if (norms.kind) {
          // gx = norm(gxRaw) + b_ih, gh = norm(ghRaw) + b_hh
          const rows = (a: Float64Array) => a.subarray(t * B * GH, (t + 1) * B * GH);
          norms.backward('ih', k, rows(cache.gxRaw!), rows(dGx), rows(dGxRaw));
          norms.backward('hh', k, rows(cache.ghRaw!), dGhT, rows(dGhRaw));
        }
        // gh = W_hh (m * hPrev) + b_hh  =>  dhPrev += m * (dGh W_hh)
        through.fill(0);
        accumulateInputGrad(through, dGhRaw.subarray(t * B * GH, (t + 1) * B * GH), wHh, B, H, GH);
        multiply(through, mask);
        for (let k = 0; k < BH; k++) dhPrev[k] += through[k];
        [dh, dhPrev] = [dhPrev, dh];
        [dc, dcPrev] = [dcPrev, dc];
      }
      dH0.set(dh, at);
      dC0?.set(dc, at);

      // Weight gradients over all timesteps at once, as the GPU's GEMMs do.
      // gx = input W_ih^T + b_ih over [T*B] rows
      accumulateWeightGrad(tensor(layout, dParams, dir, 'weight_ih'), dGxRaw, cache.input, T * B, I, GH);
      accumulateBiasGrad(tensor(layout, dParams, dir, 'bias_ih'), dGx, T * B, GH);
      // gh = (m * h_{t-1}) W_hh^T + b_hh, rows in time order: slots t (forward) or t + 1 (reverse)
      const first = slots(dir, 0).prev * BH;
      const hIn = cache.h.slice(first, first + T * BH);
      if (mask) for (let t = 0; t < T; t++) multiply(hIn.subarray(t * BH, (t + 1) * BH), mask);
      accumulateWeightGrad(tensor(layout, dParams, dir, 'weight_hh'), dGhRaw, hIn, T * B, H, GH);
      accumulateBiasGrad(tensor(layout, dParams, dir, 'bias_hh'), dGh, T * B, GH);
      accumulateInputGrad(dInput, dGxRaw, tensor(layout, inp.params, dir, 'weight_ih'), T * B, I, GH);
    }
    dZ = dInput;
  }
  return { params: dParams, x: dZ, h0: dH0, c0: dC0, dhNorms };
}
