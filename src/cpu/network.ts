/**
 * A stacked recurrent network on the CPU, forward and backpropagation through time, for one
 * run's parameters at a time (float32, PyTorch layout), walking planLayers' layers and directions
 * as the GPU does: reverse directions, residual layers, dropout masks between layers and on the
 * head's input, recurrent (variational) masks, and the per-timestep dL/dh_t norms. All scratch is
 * allocated once per shape: a step allocates nothing. Ordered like the GPU program: the input
 * projection for all timesteps as one product, one recurrent product and pointwise cell step per
 * timestep, then the weight gradients over all timesteps at once from transposed row gradients.
 * No head, loss or optimizer.
 */
import { GATES, type ParamLayout, type RnnShape } from '../model/layout';
import { initialSlot, outputSlot, paramSpec, planLayers, type DirectionPlan, type NetworkPlan, type ParamKind } from '../model/plan';
import { fillMask, LAYER_SITE, RECURRENT_SITE, type DropoutDraw } from '../training/dropout';
import { cellBackward, cellForward, type StepBuffers, type StepGrads } from './cells';
import { broadcastRows, gemmNT, rowSums, transpose } from './gemm';

type Offsets = Record<ParamKind, number>;

export class CpuNetwork {
  readonly plan: NetworkPlan;
  readonly H: number;
  readonly GH: number;
  /** Per direction, [T+1][B][H] by state slot (plan.ts): the initial state and h_t of every timestep. */
  readonly h: Float32Array[];
  /** Per direction, [T+1][B][H] (lstm), else empty arrays. */
  readonly c: Float32Array[];
  /** Per direction, [T+1][B][H]: h times the recurrent mask, as W_hh read it (recurrent dropout only). */
  private readonly hm: Float32Array[];
  /** Per direction, [B][H] recurrent masks of the step. */
  private readonly vmask: Float32Array[];
  /** Per layer, [T][B][D]: what it hands on (directions side by side, + input when residual, times the mask). */
  private readonly out: Float32Array[];
  /** Per layer, [T][B][D] dropout masks of the step. */
  private readonly outMask: Float32Array[];
  private readonly offsets: Offsets[];
  private readonly isLstm: boolean;
  private readonly isGru: boolean;
  private readonly rows: number;
  /** Whether the layers' outputs always go through `out` (bidirectional, residual), or this step (dropout). */
  private readonly structural: boolean;
  private formed: boolean;
  private dropping = false;
  private recurrentDropping = false;
  /** Per direction, its timesteps in forward processing order, and reversed (backward's order). */
  private readonly order: number[][];
  private readonly backOrder: number[][];
  private readonly layersTopDown: NetworkPlan['layers'];
  /** Per direction, [T][B][G*H] activated gates, and gru's [T][B][H] W_hn h + b_hn. */
  private readonly gates: Float32Array[];
  private readonly hn: Float32Array[];
  /** [T][B][G*H] input projection of the current direction; [B][G*H] recurrent projection of a step. */
  private readonly gx: Float32Array;
  private readonly gh: Float32Array;
  /** Backward scratch: row gradients [T][B][G*H] and their transposes [G*H][T*B]. */
  private readonly dGx: Float32Array;
  private readonly dGh: Float32Array;
  private readonly dGxT: Float32Array;
  private readonly dGhT: Float32Array;
  /** [widest][T*B]: an input or h_{t-1} sequence transposed. */
  private readonly seqT: Float32Array;
  /** [widest][G*H]: a weight matrix transposed. */
  private readonly wT: Float32Array;
  /** [B][H] gradients carried between timesteps, and the part that came through W_hh. */
  private dh: Float32Array;
  private dc: Float32Array;
  private dhPrev: Float32Array;
  private dcPrev: Float32Array;
  private readonly through: Float32Array;
  /** [T][B][widest]: the gradient arriving at a layer's output, and the one it sends below. */
  private dCur: Float32Array;
  private dNext: Float32Array;
  private readonly step: StepBuffers;
  private readonly grads: StepGrads;

  constructor(readonly shape: RnnShape, readonly layout: ParamLayout, readonly seqLen: number, readonly batch: number) {
    const { hiddenSize: H, cell } = shape;
    const T = seqLen;
    const B = batch;
    this.plan = planLayers(shape);
    const plan = this.plan;
    const D = plan.outputSize;
    this.H = H;
    this.GH = GATES[cell] * H;
    this.isLstm = cell === 'lstm';
    this.isGru = cell === 'gru';
    this.rows = T * B;
    const GH = this.GH;
    const rows = this.rows;
    const widest = Math.max(shape.inputSize, D);
    const per = (list: readonly unknown[], n: number) => list.map(() => new Float32Array(n));
    const offset = (dir: DirectionPlan, kind: ParamKind) => {
      const e = layout.byName.get(paramSpec(dir, kind).name);
      if (!e) throw new Error(`cpu network: no parameter ${paramSpec(dir, kind).name} in the layout`);
      return e.offset;
    };
    this.offsets = plan.directions.map((d) => ({
      weight_ih: offset(d, 'weight_ih'), weight_hh: offset(d, 'weight_hh'), bias_ih: offset(d, 'bias_ih'), bias_hh: offset(d, 'bias_hh'),
    }));
    const dirs = plan.directions;
    this.structural = plan.directionsPerLayer > 1 || plan.layers.some((l) => l.residual);
    this.formed = this.structural;
    const times = Array.from({ length: T }, (_, t) => t);
    this.order = dirs.map((d) => (d.direction === 'forward' ? times : [...times].reverse()));
    this.backOrder = this.order.map((o) => [...o].reverse());
    this.layersTopDown = [...plan.layers].reverse();
    this.h = per(dirs, (T + 1) * B * H);
    this.c = per(dirs, this.isLstm ? (T + 1) * B * H : 0);
    this.hm = per(dirs, (T + 1) * B * H);
    this.vmask = per(dirs, B * H);
    this.out = per(plan.layers, rows * D);
    this.outMask = per(plan.layers, rows * D);
    this.gates = per(dirs, rows * GH);
    this.hn = per(dirs, this.isGru ? rows * H : 0);
    this.gx = new Float32Array(rows * GH);
    this.gh = new Float32Array(B * GH);
    this.dGx = new Float32Array(rows * GH);
    this.dGh = this.isGru ? new Float32Array(rows * GH) : this.dGx;
    this.dGxT = new Float32Array(rows * GH);
    this.dGhT = this.isGru ? new Float32Array(rows * GH) : this.dGxT;
    this.seqT = new Float32Array(widest * rows);
    this.wT = new Float32Array(widest * GH);
    [this.dh, this.dc, this.dhPrev, this.dcPrev, this.through] = [0, 1, 2, 3, 4].map(() => new Float32Array(B * H));
    this.dCur = new Float32Array(rows * widest);
    this.dNext = new Float32Array(rows * widest);
    const empty = new Float32Array(0);
    this.step = { batch: B, hidden: H, gx: this.gx, gx0: 0, gh: this.gh, h: empty, c: empty, prev0: 0, next0: 0, gates: empty, hn: empty, hn0: 0 };
    this.grads = { dh: this.dh, dc: this.dc, dGx: this.dGx, dGh: this.dGh, dhPrev: this.dhPrev, dcPrev: this.dcPrev };
  }

  /** Direction d's [T][B][G*H] activated gates from the last forward (diagnostics read them). */
  activatedGates(d: number): Float32Array {
    return this.gates[d];
  }

  /**
   * The masks of the coming forward and backward (a training step), or none (an evaluation, a
   * rate of 0): `output` between layers and on the head's input, `recurrent` on h_{t-1}.
   */
  setDropout(output?: DropoutDraw, recurrent?: DropoutDraw): void {
    this.dropping = !!output && output.threshold > 0;
    this.recurrentDropping = !!recurrent && recurrent.threshold > 0;
    if (this.dropping) this.outMask.forEach((m, l) => fillMask(m, output!, LAYER_SITE + l));
    if (this.recurrentDropping) this.vmask.forEach((m, d) => fillMask(m, recurrent!, RECURRENT_SITE + d));
    this.formed = this.structural || this.dropping;
  }

  /** [T][B][D] of the top layer's output, starting at `topOffset`. */
  get top(): Float32Array {
    return this.formed ? this.out[this.out.length - 1] : this.h[this.h.length - 1];
  }

  get topOffset(): number {
    return this.formed ? 0 : this.batch * this.H;
  }

  /** The input rows [T][B][I_l] of layer l: the data, the formed output below, or (plain unidirectional) h from slot 1. */
  private inputOf(l: number, x: Float32Array): Float32Array {
    return l === 0 ? x : this.formed ? this.out[l - 1] : this.h[l - 1];
  }

  private inputOffset(l: number): number {
    return l === 0 || this.formed ? 0 : this.batch * this.H;
  }

  /**
   * Forward over T timesteps for the run whose parameters start at params[p0]. `x` is [T][B][I];
   * the initial states must already be in place (zeroInitialState, loadInitialState), and the
   * step's masks set (setDropout).
   */
  forward(params: Float32Array, p0: number, x: Float32Array): void {
    const { cell } = this.shape;
    const { GH, H, rows, batch: B, plan } = this;
    const BH = B * H;
    const s = this.step;
    for (const layer of plan.layers) {
      const I = layer.inputSize;
      const input = this.inputOf(layer.layer, x);
      const inOff = this.inputOffset(layer.layer);
      for (const dir of layer.directions) {
        const o = this.offsets[dir.index];
        const d = dir.index;
        const forward = dir.direction === 'forward';
        // gx [T*B][G*H] = b_ih + input W_ih^T, for all timesteps at once
        broadcastRows(this.gx, 0, params, p0 + o.bias_ih, rows, GH);
        gemmNT(this.gx, 0, input, inOff, params, p0 + o.weight_ih, rows, GH, I, true);
        s.h = this.h[d];
        s.c = this.c[d];
        s.gates = this.gates[d];
        s.hn = this.hn[d];
        const hIn = this.recurrentDropping ? this.hm[d] : this.h[d];
        for (const t of this.order[d]) {
          const prev = forward ? t : t + 1;
          const next = forward ? t + 1 : t;
          if (this.recurrentDropping) multiplyInto(this.hm[d], prev * BH, this.h[d], prev * BH, this.vmask[d], BH);
          // gh [B][G*H] = b_hh + (m *) h_{t-1} W_hh^T
          broadcastRows(this.gh, 0, params, p0 + o.bias_hh, B, GH);
          gemmNT(this.gh, 0, hIn, prev * BH, params, p0 + o.weight_hh, B, GH, H, true);
          s.gx0 = t * B * GH;
          s.prev0 = prev * BH;
          s.next0 = next * BH;
          s.hn0 = t * BH;
          cellForward(cell, s);
        }
      }
      if (this.formed) this.formLayer(layer.layer, input);
    }
  }

  /** out[l] = (h of its directions side by side + input when residual) * mask. */
  private formLayer(l: number, input: Float32Array): void {
    const { H, batch: B, seqLen: T, plan } = this;
    const layer = plan.layers[l];
    const D = layer.outputSize;
    const out = this.out[l];
    for (const dir of layer.directions) {
      const h = this.h[dir.index];
      const first = outputSlot(dir);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const src = ((t + first) * B + b) * H;
          const dst = (t * B + b) * D + dir.outputColumn;
          for (let j = 0; j < H; j++) out[dst + j] = h[src + j];
        }
      }
    }
    if (layer.residual) for (let i = 0; i < out.length; i++) out[i] += input[i];
    if (this.dropping) {
      const m = this.outMask[l];
      for (let i = 0; i < out.length; i++) out[i] *= m[i];
    }
  }

  /** Zeroes every direction's initial state (a fresh window). */
  zeroInitialState(): void {
    const BH = this.batch * this.H;
    for (const dir of this.plan.directions) {
      const at = initialSlot(dir, this.seqLen) * BH;
      this.h[dir.index].fill(0, at, at + BH);
      if (this.isLstm) this.c[dir.index].fill(0, at, at + BH);
    }
  }

  /**
   * Initial states from [L][B][H] states `h0` (and `c0`, lstm) starting at `o0` (a carried window):
   * forward directions take theirs; a reverse direction sees only the window and starts from zero.
   */
  loadInitialState(h0: Float32Array, c0: Float32Array, o0: number): void {
    const BH = this.batch * this.H;
    this.zeroInitialState();
    for (const dir of this.plan.directions) {
      if (dir.direction !== 'forward') continue;
      copy(this.h[dir.index], 0, h0, o0 + dir.index * BH, BH);
      if (this.isLstm) copy(this.c[dir.index], 0, c0, o0 + dir.index * BH, BH);
    }
  }

  /** Every forward direction's state in slot `slot` (after timestep slot - 1) into [L][B][H] arrays at `o0`; reverse ones: zero. */
  saveState(slot: number, hOut: Float32Array, cOut: Float32Array, o0: number): void {
    const BH = this.batch * this.H;
    for (const dir of this.plan.directions) {
      const at = o0 + dir.index * BH;
      if (dir.direction !== 'forward') {
        hOut.fill(0, at, at + BH);
        if (this.isLstm) cOut.fill(0, at, at + BH);
        continue;
      }
      copy(hOut, at, this.h[dir.index], slot * BH, BH);
      if (this.isLstm) copy(cOut, at, this.c[dir.index], slot * BH, BH);
    }
  }

  /**
   * BPTT after `forward` with the same parameters and masks: `dTop` [T][B][D] is dL/d(the top
   * layer's output). Writes the recurrent layers' gradients into grads[g0 + layout offsets]
   * (overwritten). `x` is the forward's input. With `norms` ([L][T]), also each direction's
   * per-timestep norm of dL/dh_t.
   */
  backward(params: Float32Array, p0: number, x: Float32Array, dTop: Float32Array, grads: Float32Array, g0: number, norms?: number[][]): void {
    const { cell } = this.shape;
    const { GH, H, rows, batch: B, plan } = this;
    const BH = B * H;
    const s = this.step;
    const d = this.grads;
    copy(this.dCur, 0, dTop, 0, rows * plan.outputSize);
    for (const layer of this.layersTopDown) {
      const l = layer.layer;
      const I = layer.inputSize;
      const D = layer.outputSize;
      const dY = this.dCur;
      if (this.dropping) {
        const m = this.outMask[l];
        for (let i = 0; i < rows * D; i++) dY[i] *= m[i];
      }
      // The layer's input gradient (not needed below layer 0): the residual path, then each direction's.
      const dIn = this.dNext;
      if (l > 0) {
        if (layer.residual) copy(dIn, 0, dY, 0, rows * I);
        else dIn.fill(0, 0, rows * I);
      }
      const input = this.inputOf(l, x);
      const inOff = this.inputOffset(l);
      for (const dir of layer.directions) {
        const o = this.offsets[dir.index];
        const forward = dir.direction === 'forward';
        s.h = this.h[dir.index];
        s.c = this.c[dir.index];
        s.gates = this.gates[dir.index];
        s.hn = this.hn[dir.index];
        const mask = this.recurrentDropping ? this.vmask[dir.index] : undefined;
        // W_hh^T [H][G*H]: dh_{t-1} = dGh_t W_hh is then a product of contiguous rows
        transpose(this.wT, 0, params, p0 + o.weight_hh, GH, H);
        this.dh.fill(0);
        this.dc.fill(0);
        for (const t of this.backOrder[dir.index]) {
          const prev = forward ? t : t + 1;
          const next = forward ? t + 1 : t;
          // h_t is both this step's output (dY's columns) and the next processed step's h_{t-1} (dh)
          let sq = 0;
          for (let b = 0; b < B; b++) {
            const y0 = (t * B + b) * D + dir.outputColumn;
            for (let j = 0; j < H; j++) {
              const v = (this.dh[b * H + j] += dY[y0 + j]);
              sq += v * v;
            }
          }
          if (norms) norms[dir.index][t] = Math.sqrt(sq);
          s.gx0 = t * B * GH;
          s.prev0 = prev * BH;
          s.next0 = next * BH;
          s.hn0 = t * BH;
          d.dh = this.dh;
          d.dc = this.dc;
          d.dhPrev = this.dhPrev;
          d.dcPrev = this.dcPrev;
          cellBackward(cell, s, d);
          // gh = W_hh (m *) h_{t-1} + b_hh  =>  dh_{t-1} += (m *) dGh_t W_hh
          gemmNT(this.through, 0, this.dGh, t * B * GH, this.wT, 0, B, H, GH, false);
          for (let k = 0; k < BH; k++) this.dhPrev[k] += mask ? mask[k] * this.through[k] : this.through[k];
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
        transpose(this.seqT, 0, input, inOff, rows, I);
        gemmNT(grads, g0 + o.weight_ih, this.dGxT, 0, this.seqT, 0, GH, I, rows, false);
        rowSums(grads, g0 + o.bias_ih, this.dGxT, 0, GH, rows);
        // gh = (m *) h_{t-1} W_hh^T + b_hh, rows in time order: slots 0..T-1 forward, 1..T reverse
        const hIn = mask ? this.hm[dir.index] : this.h[dir.index];
        transpose(this.seqT, 0, hIn, (forward ? 0 : 1) * BH, rows, H);
        gemmNT(grads, g0 + o.weight_hh, this.dGhT, 0, this.seqT, 0, GH, H, rows, false);
        rowSums(grads, g0 + o.bias_hh, this.dGhT, 0, GH, rows);
        if (l > 0) {
          // gx = input W_ih^T  =>  d(input) += dGx W_ih, through W_ih^T [I][G*H]
          transpose(this.wT, 0, params, p0 + o.weight_ih, GH, I);
          gemmNT(dIn, 0, this.dGx, 0, this.wT, 0, rows, I, GH, true);
        }
      }
      const cur = this.dCur;
      this.dCur = this.dNext;
      this.dNext = cur;
    }
  }
}

function multiplyInto(dst: Float32Array, d0: number, src: Float32Array, s0: number, mask: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dst[d0 + i] = src[s0 + i] * mask[i];
}

function copy(dst: Float32Array, d0: number, src: Float32Array, s0: number, n: number): void {
  for (let i = 0; i < n; i++) dst[d0 + i] = src[s0 + i];
}
