/**
 * The CPU backend's network for groups with a norm (layer norm or recurrent batch norm): the
 * float64 reference itself (src/reference/rnn.ts, DESIGN decision 4: the reference is the
 * fallback), behind the surface CpuGroup uses of CpuNetwork, plus batch norm's running statistics
 * per run. Slower than CpuNetwork (float64, allocates per step); at teaching sizes that is fine.
 * Running statistics: torch.nn.BatchNorm1d's (momentum 0.1, unbiased variance), one set per
 * direction, site and timestep of the window, updated by every training forward, used by
 * evaluation; a checkpoint carries them as extra["norm.running"].
 */
import type { ParamLayout, RnnShape } from '../model/layout';
import { NORM_RUNNING_KEY, normRunningSize, normSites, planLayers, type NetworkPlan } from '../model/plan';

export { NORM_RUNNING_KEY, normRunningSize };
import { stepMasks, type DropoutDraw } from '../training/dropout';
import { initialRunning, updateRunning, type NormStats } from '../reference/norm';
import { rnnBackward, rnnForward, type RnnForward, type RnnInputs } from '../reference/rnn';


type Running = NormStats[][][]; // [direction][site][t]


export class NormNetwork {
  readonly plan: NetworkPlan;
  readonly topOffset = 0;
  private readonly H: number;
  private readonly B: number;
  private readonly T: number;
  private readonly hasC: boolean;
  /** [L][B][H] initial states of the coming forward. */
  private readonly h0: Float64Array;
  private readonly c0: Float64Array;
  private masks: RnnInputs['masks'];
  private fwd: RnnForward | undefined;
  private inputs: RnnInputs | undefined;
  private topOut = new Float32Array(0);
  /** Per run; batch norm only (layer norm keeps no statistics). */
  private readonly running: Running[];
  private run = 0;
  private mode: 'train' | 'eval' = 'train';

  constructor(readonly shape: RnnShape, readonly layout: ParamLayout, seqLen: number, batch: number, runs: number) {
    this.plan = planLayers(shape);
    this.H = shape.hiddenSize;
    this.B = batch;
    this.T = seqLen;
    this.hasC = shape.cell === 'lstm';
    const L = this.plan.directions.length;
    this.h0 = new Float64Array(L * batch * this.H);
    this.c0 = new Float64Array(this.hasC ? L * batch * this.H : 0);
    this.running = Array.from({ length: shape.norm === 'batch' ? runs : 0 }, () => this.freshRunning());
  }

  /** Which run the coming forward and backward are for, and whether they train or evaluate. */
  selectRun(run: number, mode: 'train' | 'eval'): void {
    this.run = run;
    this.mode = mode;
  }

  /** The masks of the coming training forward and backward (the same draws as CpuNetwork's), or none. */
  setDropout(output?: DropoutDraw, recurrent?: DropoutDraw): void {
    this.masks = stepMasks(this.plan, this.T, this.B, output, recurrent);
  }

  get top(): Float32Array {
    return this.topOut;
  }

  forward(params: Float32Array, p0: number, x: Float32Array): void {
    const running = this.shape.norm === 'batch' && this.mode === 'eval' ? this.running[this.run] : undefined;
    this.inputs = {
      shape: this.shape, seqLen: this.T, batch: this.B,
      params: toF64(params.subarray(p0, p0 + this.layout.total)),
      x: toF64(x), h0: this.h0.slice(), c0: this.hasC ? this.c0.slice() : undefined,
      masks: this.masks, normStats: running,
    };
    this.fwd = rnnForward(this.inputs);
    this.topOut = Float32Array.from(this.fwd.output);
    if (this.fwd.batchStats) {
      const r = this.running[this.run];
      this.fwd.batchStats.forEach((sites, d) => sites.forEach((steps, s) => steps.forEach((st, t) => {
        r[d][s][t] = updateRunning(r[d][s][t], st, this.B);
      })));
    }
  }

  /** Writes the recurrent layers' gradients into grads[g0 + layout offsets]; `norms` [L][T] gets dL/dh_t's norms. */
  backward(_params: Float32Array, _p0: number, _x: Float32Array, dTop: Float32Array, grads: Float32Array, g0: number, norms?: number[][]): void {
    if (!this.fwd || !this.inputs) throw new Error('norm network: backward before forward');
    const g = rnnBackward(this.inputs, this.fwd, toF64(dTop.subarray(0, this.fwd.output.length)));
    grads.set(g.params, g0);
    norms?.forEach((row, d) => row.forEach((_, t) => { row[t] = g.dhNorms[d][t]; }));
  }

  zeroInitialState(): void {
    this.h0.fill(0);
    this.c0.fill(0);
  }

  /** Forward directions start from h0 (c0) at o0 ([L][B][H]); reverse ones from zero, as CpuNetwork. */
  loadInitialState(h0: Float32Array, c0: Float32Array, o0: number): void {
    const BH = this.B * this.H;
    this.zeroInitialState();
    for (const dir of this.plan.directions) {
      if (dir.direction !== 'forward') continue;
      const at = dir.index * BH;
      this.h0.set(h0.subarray(o0 + at, o0 + at + BH), at);
      if (this.hasC) this.c0.set(c0.subarray(o0 + at, o0 + at + BH), at);
    }
  }

  /** Forward directions' state in slot `slot` into [L][B][H] arrays at o0; reverse ones zero. */
  saveState(slot: number, hOut: Float32Array, cOut: Float32Array, o0: number): void {
    const BH = this.B * this.H;
    for (const dir of this.plan.directions) {
      const at = o0 + dir.index * BH;
      const cache = this.fwd?.layers[dir.index];
      if (dir.direction !== 'forward' || !cache) {
        hOut.fill(0, at, at + BH);
        if (this.hasC) cOut.fill(0, at, at + BH);
        continue;
      }
      hOut.set(cache.h.subarray(slot * BH, (slot + 1) * BH), at);
      if (this.hasC) cOut.set(cache.c.subarray(slot * BH, (slot + 1) * BH), at);
    }
  }

  /** Floats of one run's running statistics in a checkpoint (0 without batch norm). */
  get runningSize(): number {
    return normRunningSize(this.plan, this.T);
  }

  /** Run r's running statistics, flat: per direction, site and timestep its mean then its variance. */
  readRunning(r: number): Float32Array | undefined {
    if (this.shape.norm !== 'batch') return undefined;
    const out = new Float32Array(this.runningSize);
    let i = 0;
    for (const sites of this.running[r]) {
      for (const steps of sites) {
        for (const st of steps) {
          out.set(st.mean, i);
          out.set(st.var, i + st.mean.length);
          i += 2 * st.mean.length;
        }
      }
    }
    return out;
  }

  /** Sets run r's running statistics from readRunning's layout; absent: torch's initial ones. */
  writeRunning(r: number, flat: Float32Array | undefined): void {
    if (this.shape.norm !== 'batch') return;
    const fresh = this.freshRunning();
    if (flat) {
      let i = 0;
      for (const sites of fresh) {
        for (const steps of sites) {
          for (const st of steps) {
            const n = st.mean.length;
            st.mean.set(flat.subarray(i, i + n));
            st.var.set(flat.subarray(i + n, i + 2 * n));
            i += 2 * n;
          }
        }
      }
    }
    this.running[r] = fresh;
  }

  private freshRunning(): Running {
    const sites = normSites(this.shape);
    return this.plan.directions.map(() => sites.map((s) => Array.from({ length: this.T }, () =>
      initialRunning(s === 'c' ? this.H : this.plan.gates * this.H))));
  }
}

function toF64(a: Float32Array): Float64Array {
  return Float64Array.from(a);
}
