/**
 * A stacked recurrent network on the CPU, forward and backpropagation through time, for one
 * run's parameters at a time (float32, PyTorch layout). All scratch is allocated once per shape:
 * a step allocates nothing. Ordered like the GPU program: the input projection for all timesteps
 * as one product, one recurrent product and pointwise cell step per timestep, then the weight
 * gradients over all timesteps at once from transposed row gradients. No head, loss or optimizer.
 */
import { GATES, type ParamLayout, type RnnShape } from '../model/layout';
import { cellBackward, cellForward, type StepBuffers, type StepGrads } from './cells';
import { broadcastRows, gemmNT, rowSums, transpose } from './gemm';

interface LayerOffsets {
  inputs: number;
  wIh: number;
  wHh: number;
  bIh: number;
  bHh: number;
}

export class CpuNetwork {
  readonly H: number;
  readonly GH: number;
  /** [L] of [T+1][B][H]: slot 0 is the initial state, slot t+1 the state after timestep t. */
  readonly h: Float32Array[];
  /** [L] of [T+1][B][H] (lstm), else empty arrays. */
  readonly c: Float32Array[];
  private readonly layers: LayerOffsets[];
  private readonly isLstm: boolean;
  private readonly isGru: boolean;
  private readonly rows: number;
  /** [L] of [T][B][G*H] activated gates, and gru's [T][B][H] W_hn h + b_hn. */
  private readonly gates: Float32Array[];
  private readonly hn: Float32Array[];
  /** [T][B][G*H] input projection of the current layer; [B][G*H] recurrent projection of a step. */
  private readonly gx: Float32Array;
  private readonly gh: Float32Array;
  /** Backward scratch: row gradients [T][B][G*H] and their transposes [G*H][T*B]. */
  private readonly dGx: Float32Array;
  private readonly dGh: Float32Array;
  private readonly dGxT: Float32Array;
  private readonly dGhT: Float32Array;
  /** [max(I, H)][T*B]: a layer's input or h_{t-1} sequence transposed. */
  private readonly seqT: Float32Array;
  /** [max(I, H)][G*H]: a weight matrix transposed. */
  private readonly wT: Float32Array;
  /** [B][H] gradients carried between timesteps. */
  private dh: Float32Array;
  private dc: Float32Array;
  private dhPrev: Float32Array;
  private dcPrev: Float32Array;
  /** [T][B][H] gradient arriving at a layer's outputs, and the one it sends to the layer below. */
  private dOut: Float32Array;
  private dBelow: Float32Array;
  private readonly step: StepBuffers;
  private readonly grads: StepGrads;

  constructor(readonly shape: RnnShape, readonly layout: ParamLayout, readonly seqLen: number, readonly batch: number) {
    const { hiddenSize: H, numLayers: L, cell } = shape;
    const T = seqLen;
    const B = batch;
    this.H = H;
    this.GH = GATES[cell] * H;
    this.isLstm = cell === 'lstm';
    this.isGru = cell === 'gru';
    this.rows = T * B;
    const GH = this.GH;
    const rows = this.rows;
    const widest = Math.max(shape.inputSize, H);
    const per = (n: number) => Array.from({ length: L }, () => new Float32Array(n));
    const offset = (name: string) => {
      const e = layout.byName.get(name);
      if (!e) throw new Error(`cpu network: no parameter ${name} in the layout`);
      return e.offset;
    };
    this.layers = Array.from({ length: L }, (_, l) => ({
      inputs: l === 0 ? shape.inputSize : H,
      wIh: offset(`weight_ih_l${l}`),
      wHh: offset(`weight_hh_l${l}`),
      bIh: offset(`bias_ih_l${l}`),
      bHh: offset(`bias_hh_l${l}`),
    }));
    this.h = per((T + 1) * B * H);
    this.c = this.isLstm ? per((T + 1) * B * H) : per(0);
    this.gates = per(rows * GH);
    this.hn = this.isGru ? per(rows * H) : per(0);
    this.gx = new Float32Array(rows * GH);
    this.gh = new Float32Array(B * GH);
    this.dGx = new Float32Array(rows * GH);
    this.dGh = this.isGru ? new Float32Array(rows * GH) : this.dGx;
    this.dGxT = new Float32Array(rows * GH);
    this.dGhT = this.isGru ? new Float32Array(rows * GH) : this.dGxT;
    this.seqT = new Float32Array(widest * rows);
    this.wT = new Float32Array(widest * GH);
    [this.dh, this.dc, this.dhPrev, this.dcPrev] = [0, 1, 2, 3].map(() => new Float32Array(B * H));
    this.dOut = new Float32Array(rows * H);
    this.dBelow = new Float32Array(rows * H);
    const empty = new Float32Array(0);
    this.step = { batch: B, hidden: H, gx: this.gx, gx0: 0, gh: this.gh, h: empty, c: empty, prev0: 0, gates: empty, hn: empty, hn0: 0 };
    this.grads = { dh: this.dh, dc: this.dc, dGx: this.dGx, dGh: this.dGh, dhPrev: this.dhPrev, dcPrev: this.dcPrev };
  }

  /** [T][B][H] of the top layer's outputs h_1..h_T, starting at `topOffset`. */
  get top(): Float32Array {
    return this.h[this.h.length - 1];
  }

  get topOffset(): number {
    return this.batch * this.H;
  }

  /**
   * Forward over T timesteps for the run whose parameters start at params[p0]. `x` is [T][B][I];
   * the initial states must already be in slot 0 of `h` and `c` (zeroInitialState, loadInitialState).
   */
  forward(params: Float32Array, p0: number, x: Float32Array): void {
    const { cell } = this.shape;
    const { GH, H, rows, batch: B, seqLen: T } = this;
    const BH = B * H;
    const s = this.step;
    for (let l = 0; l < this.layers.length; l++) {
      const lay = this.layers[l];
      // gx [T*B][G*H] = b_ih + input W_ih^T, for all timesteps at once
      broadcastRows(this.gx, 0, params, p0 + lay.bIh, rows, GH);
      if (l === 0) gemmNT(this.gx, 0, x, 0, params, p0 + lay.wIh, rows, GH, lay.inputs, true);
      else gemmNT(this.gx, 0, this.h[l - 1], BH, params, p0 + lay.wIh, rows, GH, lay.inputs, true);
      s.h = this.h[l];
      s.c = this.c[l];
      s.gates = this.gates[l];
      s.hn = this.hn[l];
      for (let t = 0; t < T; t++) {
        // gh [B][G*H] = b_hh + h_{t-1} W_hh^T
        broadcastRows(this.gh, 0, params, p0 + lay.bHh, B, GH);
        gemmNT(this.gh, 0, s.h, t * BH, params, p0 + lay.wHh, B, GH, H, true);
        s.gx0 = t * B * GH;
        s.prev0 = t * BH;
        s.hn0 = t * BH;
        cellForward(cell, s);
      }
    }
  }

  /** Zeroes every layer's slot 0 (a fresh window). */
  zeroInitialState(): void {
    const BH = this.batch * this.H;
    for (let l = 0; l < this.h.length; l++) {
      this.h[l].fill(0, 0, BH);
      if (this.isLstm) this.c[l].fill(0, 0, BH);
    }
  }

  /** Slot 0 of every layer from [L][B][H] states `h0` (and `c0`, lstm) starting at `o0` (a carried window). */
  loadInitialState(h0: Float32Array, c0: Float32Array, o0: number): void {
    const BH = this.batch * this.H;
    for (let l = 0; l < this.h.length; l++) {
      copy(this.h[l], 0, h0, o0 + l * BH, BH);
      if (this.isLstm) copy(this.c[l], 0, c0, o0 + l * BH, BH);
    }
  }

  /** Every layer's state in slot `slot` (after timestep slot - 1) into [L][B][H] arrays at `o0`. */
  saveState(slot: number, hOut: Float32Array, cOut: Float32Array, o0: number): void {
    const BH = this.batch * this.H;
    for (let l = 0; l < this.h.length; l++) {
      copy(hOut, o0 + l * BH, this.h[l], slot * BH, BH);
      if (this.isLstm) copy(cOut, o0 + l * BH, this.c[l], slot * BH, BH);
    }
  }

  /**
   * BPTT after `forward` with the same parameters: `dTop` [T][B][H] is dL/d(top layer's h_1..h_T).
   * Writes the recurrent layers' gradients into grads[g0 + layout offsets] (overwritten).
   * `x` is the forward's input (needed for layer 0's weight gradient).
   */
  backward(params: Float32Array, p0: number, x: Float32Array, dTop: Float32Array, grads: Float32Array, g0: number): void {
    const { cell } = this.shape;
    const { GH, H, rows, batch: B, seqLen: T } = this;
    const BH = B * H;
    const s = this.step;
    const d = this.grads;
    this.dOut.set(dTop);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const lay = this.layers[l];
      const I = lay.inputs;
      s.h = this.h[l];
      s.c = this.c[l];
      s.gates = this.gates[l];
      s.hn = this.hn[l];
      // W_hh^T [H][G*H]: dh_{t-1} = dGh_t W_hh is then a product of contiguous rows
      transpose(this.wT, 0, params, p0 + lay.wHh, GH, H);
      this.dh.fill(0);
      this.dc.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        // h_t is both this step's output (dOut) and the next step's h_{t-1} (dh)
        const o0 = t * BH;
        for (let k = 0; k < BH; k++) this.dh[k] += this.dOut[o0 + k];
        s.gx0 = t * B * GH;
        s.prev0 = t * BH;
        s.hn0 = t * BH;
        d.dh = this.dh;
        d.dc = this.dc;
        d.dhPrev = this.dhPrev;
        d.dcPrev = this.dcPrev;
        cellBackward(cell, s, d);
        // gh = W_hh h_{t-1} + b_hh  =>  dh_{t-1} += dGh_t W_hh
        gemmNT(this.dhPrev, 0, this.dGh, t * B * GH, this.wT, 0, B, H, GH, true);
        const dh = this.dh;
        this.dh = this.dhPrev;
        this.dhPrev = dh;
        const dc = this.dc;
        this.dc = this.dcPrev;
        this.dcPrev = dc;
      }
      // Weight gradients over all timesteps: dW = dG^T [G*H][T*B] times the inputs [T*B][in]
      transpose(this.dGxT, 0, this.dGx, 0, rows, GH);
      if (this.isGru) transpose(this.dGhT, 0, this.dGh, 0, rows, GH);
      if (l === 0) transpose(this.seqT, 0, x, 0, rows, I);
      else transpose(this.seqT, 0, this.h[l - 1], BH, rows, I);
      gemmNT(grads, g0 + lay.wIh, this.dGxT, 0, this.seqT, 0, GH, I, rows, false);
      rowSums(grads, g0 + lay.bIh, this.dGxT, 0, GH, rows);
      // gh = h_{t-1} W_hh^T + b_hh with h_0..h_{T-1} as the rows
      transpose(this.seqT, 0, this.h[l], 0, rows, H);
      gemmNT(grads, g0 + lay.wHh, this.dGhT, 0, this.seqT, 0, GH, H, rows, false);
      rowSums(grads, g0 + lay.bHh, this.dGhT, 0, GH, rows);
      if (l > 0) {
        // gx = input W_ih^T  =>  d(input) = dGx W_ih, through W_ih^T [I][G*H]
        transpose(this.wT, 0, params, p0 + lay.wIh, GH, I);
        gemmNT(this.dBelow, 0, this.dGx, 0, this.wT, 0, rows, I, GH, false);
        const above = this.dOut;
        this.dOut = this.dBelow;
        this.dBelow = above;
      }
    }
  }
}

function copy(dst: Float32Array, d0: number, src: Float32Array, s0: number, n: number): void {
  for (let i = 0; i < n; i++) dst[d0 + i] = src[s0 + i];
}
