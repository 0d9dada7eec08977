/**
 * A stacked recurrent network on the GPU for R runs at once (DESIGN decisions 1-3): the arenas it
 * owns, the views of them that its kernels and its readers use (as GEMM operands), and its program,
 * whose lists rnn-program.ts records walking planLayers' layers and directions (a reverse
 * direction walks time backwards; plan.ts says where its states sit).
 * Tricks are recorded only when asked for, so a plain network records exactly the plain lists:
 *   dropout           masks between layers and on the head's input (drawn in the kernels, per run),
 *                     through the `out` view of formed layer outputs;
 *   recurrentDropout  the cell kernels' VARIATIONAL variant, reading h_{t-1} through a mask
 *                     (the mask itself is drawn by the dropout stage, src/training/dropout-stage.ts);
 *   diagnostics       a second backward list whose steps also write dL/dh_t, and their norms;
 *   norm 'layer'      layer norm inside the cell: the products before their norms (gxr, ghr), the
 *                     normalized ones (gx, gh), per-row statistics (nstat), the gradients before the
 *                     norms (dgxr, dghr) and per element for the gains and biases (dnih, dnhh, dnc);
 *   norm 'batch'      recurrent batch norm: the same views with per-column statistics, and the
 *                     running statistics per run (nrun), which training forwards update.
 * Residual layers also form their outputs in `out`. It knows nothing of losses or optimizers:
 * gradients arrive in `dy` and leave in `grads`; given its head (HeadGradient), the top layer may
 * instead form its own from the head's dY and weights (FOLD_HEAD, kernel-path.ts foldsHead).
 */
import type { BindingResource, Engine } from '../engine/engine';
import { Arena } from '../engine/arena';
import type { Operand } from '../engine/gemm';
import { DeferredReductions } from '../engine/gemm-defer';
import { ProgramBuilder, type Program } from '../engine/program';
import { CELLS, hasState } from './cells';
import { paramByName, paramLayout, type ParamLayout, type RnnShape } from './layout';
import { normRunningSize, normSites, outputSlot, paramSpec, planLayers, type DirectionPlan, type InputPart, type NetworkPlan, type NormSite, type ParamSpec } from './plan';
import { recordNetwork, weightGradientProducts } from './rnn-program';

export interface RnnGroupShape extends RnnShape {
  seqLen: number;
  batch: number;
  /** R: runs that train side by side with their own weights. */
  runs: number;
  /** All runs read one input sequence (run stride 0) instead of one each. */
  sharedInput?: boolean;
  /** Compute dL/dx for the input sequence (default true); training on data does not need it. */
  inputGradient?: boolean;
  /**
   * Truncated BPTT: the forward pass also copies each forward direction's state after this many
   * timesteps (k1) into the `kept_h` / `kept_c` views, where the next window's restore finds it.
   */
  keepAfter?: number;
  /**
   * Every window starts from a zero state (a training group without kept state): on the looping path
   * the forward kernels write it (RnnGpu.zeroesInitialState), else the state stage does.
   */
  zeroInitial?: boolean;
  /** Also record `forward-eval`: the forward pass without dropout and without keeping state, for evaluation passes. */
  evalForward?: boolean;
  /** Record dropout between layers and on the head's input (needs the run table). */
  dropout?: boolean;
  /** Record recurrent (variational) dropout (needs the run table and the dropout stage's masks). */
  recurrentDropout?: boolean;
  /** Also record `backward-diagnostics`, which leaves each direction's dL/dh_t norms per timestep in `gradTimeNorms`. */
  diagnostics?: boolean;
  /**
   * Weight-gradient GEMMs that run split-K record no reduce dispatch: their partials stay in
   * `deferred`, and grads hold those blocks only once a later pass (the update stage's norm pass)
   * has added them up. Only for an owner whose first reader of grads is that pass.
   */
  deferReductions?: boolean;
}

/** Where the network's parameters live: inside a larger per-run vector, or in its own arena. */
export interface ParamSlot {
  params: GPUBuffer;
  grads: GPUBuffer;
  /** Float offset of this network's first parameter inside a run's vector. */
  base: number;
  /** Floats per run in that vector. */
  runStride: number;
}

/** The per-run table's binding, for the kernels that draw dropout masks. */
export interface RunTableBinding {
  binding: number;
  resource: BindingResource;
}

/** One part of the network's output as a reader (the head) sees it. */
export interface OutputPart {
  /** Columns [column, column + width) of the output. */
  column: number;
  width: number;
  /** That part of every timestep's output as a [T*B, width] operand. */
  value: Operand;
  /** Where the gradient on it goes, a [T*B, width] operand (unread when the network folds the head's input gradient: foldsHead). */
  gradient: Operand;
}

/**
 * The head above the network, for a top layer that forms the head's input gradient itself
 * (FOLD_HEAD; kernel-path.ts foldsHead says when): where the head's output gradient is, and its weights.
 */
export interface HeadGradient {
  /** dY [R][T][B][O]: buffer, float offset and run stride. */
  dY: { buffer: GPUBuffer; off: number; run: number };
  /** O: the head's outputs. */
  outputs: number;
  /** Float offset of W_head [O][D] (D = plan.outputSize) within a run of the slot's parameter vector. */
  weight: number;
}

export class RnnGpu {
  readonly layout: ParamLayout;
  readonly plan: NetworkPlan;
  readonly acts: Arena;
  readonly gx: Arena;
  readonly dgates: Arena;
  readonly dy: Arena;
  readonly carry: Arena;
  /** Present when the network owns its parameters (no ParamSlot given). */
  readonly ownParams?: Arena;
  readonly ownGrads?: Arena;
  readonly slot: ParamSlot;
  /** Whether each layer's output is formed into the `out` view (dropout or residual layers recorded). */
  readonly layerOutputs: boolean;
  /** dy buffers: one per direction, or two layers' worth when layers above and below must not share one. */
  private readonly dyBanks: number;
  program!: Program;
  /** The forward lists write the zero initial state themselves (rnn-program.ts RecordedNetwork). */
  zeroesInitialState = false;
  /** With shape.deferReductions: the weight-gradient GEMMs' partials and the blocks of grads still to add up. */
  deferred: DeferredReductions | undefined;
  /** The top layer's backward reads the head's dY and W_head, so the head records no input gradient GEMM (RecordedNetwork). */
  foldsHead = false;

  private constructor(
    readonly engine: Engine,
    readonly shape: RnnGroupShape,
    slot: ParamSlot | undefined,
    readonly runTable: RunTableBinding | undefined,
    readonly head: HeadGradient | undefined,
  ) {
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = shape;
    this.plan = planLayers(shape);
    const plan = this.plan;
    const L = plan.directions.length;
    const per = plan.directionsPerLayer;
    const GH = plan.gates * H;
    const S = CELLS[cell].savedPerUnit;
    const hasC = hasState(cell, 'c');
    const residual = plan.layers.some((l) => l.residual);
    if ((shape.dropout || shape.recurrentDropout) && !runTable) throw new Error('rnn: dropout needs the per-run table');
    this.layerOutputs = !!shape.dropout || residual;
    this.dyBanks = shape.numLayers > 1 && (per > 1 || residual) ? 2 * per : per;
    this.layout = paramLayout(shape);
    const label = `${cell} ${shape.numLayers}x${H}${per > 1 ? ' bidirectional' : ''}`;
    if (!slot) {
      this.ownParams = new Arena(engine, `${label} params`, [{ name: 'params', shape: [R, this.layout.total] }]);
      this.ownGrads = new Arena(engine, `${label} grads`, [{ name: 'grads', shape: [R, this.layout.total] }]);
      slot = { params: this.ownParams.buffer, grads: this.ownGrads.buffer, base: 0, runStride: this.layout.total };
    }
    this.slot = slot;
    const keep = shape.keepAfter !== undefined;
    const variational = !!shape.recurrentDropout;
    const norm = shape.norm === 'layer' || shape.norm === 'batch';
    const batchNorm = shape.norm === 'batch';
    this.acts = new Arena(engine, `${label} activations`, [
      { name: 'x', shape: [shape.sharedInput ? 1 : R, T, B, I] },
      { name: 'h', shape: [R, L, T + 1, B, H] },
      ...(hasC ? [{ name: 'c', shape: [R, L, T + 1, B, H] }] : []),
      ...(S > 0 ? [{ name: 'saved', shape: [R, L, T, B, S * H] }] : []),
      ...(keep ? [{ name: 'kept_h', shape: [R, L, B, H] }] : []),
      ...(keep && hasC ? [{ name: 'kept_c', shape: [R, L, B, H] }] : []),
      ...(variational ? [{ name: 'hm', shape: [R, L, T + 1, B, H] }, { name: 'vmask', shape: [R, L, B, H] }] : []),
      ...(this.layerOutputs ? [{ name: 'out', shape: [R, shape.numLayers, T, B, plan.outputSize] }] : []),
      // statistics for backward: per row (layer norm: mean, rstd of ih, hh, c) or per column (batch
      // norm: [mean, rstd] of the G*H columns of ih, of hh, then of the H of c), per timestep
      ...(norm ? [{ name: 'nstat', shape: batchNorm ? [R, L, T, (4 * plan.gates + 2) * H] : [R, L, T, B, 6] }] : []),
      // batch norm's running statistics, per run laid out as checkpoints carry them (runningOffset)
      ...(batchNorm ? [{ name: 'nrun', shape: [R, normRunningSize(plan, T)] }] : []),
    ]);
    this.gx = new Arena(engine, `${label} input projection`, [
      { name: 'gx', shape: [R, T, B, GH] },
      // the products before the norm stay per direction: backward recomputes the norm from them
      ...(norm ? [{ name: 'gxr', shape: [R, L, T, B, GH] }, { name: 'ghr', shape: [R, L, T, B, GH] }, { name: 'gh', shape: [R, T, B, GH] }] : []),
    ]);
    this.dgates = new Arena(engine, `${label} gate gradients`, [
      { name: 'dgx', shape: [R, T, B, GH] },
      ...(CELLS[cell].ownRecurrentGradient ? [{ name: 'dgh', shape: [R, T, B, GH] }] : []),
      ...(norm ? [
        { name: 'dgxr', shape: [R, T, B, GH] }, { name: 'dghr', shape: [R, T, B, GH] },
        { name: 'dnih', shape: [R, T, B, 2 * GH] }, { name: 'dnhh', shape: [R, T, B, 2 * GH] },
        ...(hasC ? [{ name: 'dnc', shape: [R, T, B, 2 * H] }] : []),
      ] : []),
    ]);
    this.dy = new Arena(engine, `${label} output gradients`, [
      { name: 'dy', shape: [R, this.dyBanks, T, B, H] },
      { name: 'dx', shape: [R, T, B, I] },
    ]);
    this.carry = new Arena(engine, `${label} carried gradients`, [
      { name: 'carry', shape: [R, B, H] },
      { name: 'dh0', shape: [R, L, B, H] },
      { name: 'dc0', shape: [R, L, B, H] },
      ...(shape.diagnostics ? [{ name: 'gt', shape: [R, L, T, B, H] }, { name: 'gtNorms', shape: [R, L, T] }] : []),
      ...(norm && hasC ? [{ name: 'dhs', shape: [R, B, H] }, { name: 'dch', shape: [R, B, H] }] : []),
    ]);
  }

  /**
   * Builds arenas and records the dispatch lists `forward`, `backward` (and `forward-eval`, `backward-diagnostics`).
   * With `head`, the top layer may fold the head's input gradient into its backward (foldsHead says whether it did).
   */
  static async create(engine: Engine, shape: RnnGroupShape, slot?: ParamSlot, runTable?: RunTableBinding, head?: HeadGradient): Promise<RnnGpu> {
    const net = new RnnGpu(engine, shape, slot, runTable, head);
    try {
      if (!engine.dryRun) for (let r = 0; r < shape.runs; r++) net.writeRunning(r);
      if (shape.deferReductions) {
        net.deferred = await DeferredReductions.plan(engine, `${shape.cell} network`, net.plan.directions.flatMap((d) => weightGradientProducts(net, d)));
      }
      const builder = new ProgramBuilder(engine, `${shape.cell} network`);
      ({ zeroesInitialState: net.zeroesInitialState, foldsHead: net.foldsHead } = await recordNetwork(net, builder));
      net.program = builder.finish();
    } catch (e) {
      net.destroy();
      throw e;
    }
    return net;
  }

  /** The per-direction strides of the h-shaped views (h, c, hm): [R][L][T+1][B][H]. */
  stateOf(view: 'h' | 'c' | 'hm', dir: number): { off: number; run: number } {
    const { seqLen: T, batch: B, hiddenSize: H } = this.shape;
    const L = this.plan.directions.length;
    return { off: this.acts.view(view).offset + dir * (T + 1) * B * H, run: L * (T + 1) * B * H };
  }

  /** h_t of a direction for t = 0..T-1, in time order, as a [T*B, H] operand. */
  outputsOf(dir: DirectionPlan): Operand {
    const { batch: B, hiddenSize: H } = this.shape;
    const h = this.stateOf('h', dir.index);
    return { buffer: this.acts.buffer, off: h.off + outputSlot(dir) * B * H, run: h.run, rs: H, cs: 1 };
  }

  /** A layer's formed output [T][B][D] (layerOutputs only) as a [T*B, D] operand, from column `column`. */
  layerOutput(layer: number, column = 0): Operand {
    const { runs: R, seqLen: T, batch: B } = this.shape;
    const D = this.plan.outputSize;
    const view = this.acts.view('out');
    return { buffer: this.acts.buffer, off: view.offset + layer * T * B * D + column, run: view.length / R, rs: D, cs: 1 };
  }

  /** The gradient on a direction's outputs (consumed by its backward steps) as a [T*B, H] operand. */
  dyOf(dir: DirectionPlan): Operand {
    const { seqLen: T, batch: B, hiddenSize: H } = this.shape;
    const per = this.plan.directionsPerLayer;
    const bank = (this.dyBanks > per ? (dir.layer % 2) * per : 0) + (dir.index % per);
    return { buffer: this.dy.buffer, off: this.dy.view('dy').offset + bank * T * B * H, run: this.dyBanks * T * B * H, rs: H, cs: 1 };
  }

  dataInput(): Operand {
    const { seqLen: T, batch: B, inputSize: I } = this.shape;
    const run = this.shape.sharedInput ? 0 : T * B * I;
    return { buffer: this.acts.buffer, off: this.acts.view('x').offset, run, rs: I, cs: 1 };
  }

  dataGradient(): Operand {
    const { seqLen: T, batch: B, inputSize: I } = this.shape;
    return { buffer: this.dy.buffer, off: this.dy.view('dx').offset, run: T * B * I, rs: I, cs: 1 };
  }

  /** The rows feeding an input part, as a [T*B, width] operand. */
  partInput(part: InputPart): Operand {
    if (part.source === 'data') return this.dataInput();
    const dir = this.plan.directions[part.source];
    return this.layerOutputs ? this.layerOutput(dir.layer, dir.outputColumn) : this.outputsOf(dir);
  }

  /** Where the gradient on an input part goes, as a [T*B, width] operand. */
  partGradient(part: InputPart): Operand {
    return part.source === 'data' ? this.dataGradient() : this.dyOf(this.plan.directions[part.source]);
  }

  /** The top layer's outputs, one part per direction: what a head reads and where its gradient goes. */
  outputParts(): OutputPart[] {
    const top = this.plan.layers[this.plan.layers.length - 1];
    return top.directions.map((d) => ({
      column: d.outputColumn,
      width: this.shape.hiddenSize,
      value: this.partInput({ source: d.index, column: d.outputColumn, width: this.shape.hiddenSize }),
      gradient: this.dyOf(d),
    }));
  }

  /** Where the diagnostics pass leaves the norms: [R][L][T] floats in the `carry` arena. */
  gradTimeView(): { buffer: GPUBuffer; offset: number; perRun: number } | undefined {
    if (!this.carry.has('gtNorms')) return undefined;
    const { seqLen: T } = this.shape;
    return { buffer: this.carry.buffer, offset: this.carry.view('gtNorms').offset, perRun: this.plan.directions.length * T };
  }

  /**
   * Float offset, in the acts arena, of run 0's running statistics ([mean n][var n]) of a direction's
   * norm site at processing step k (k-th timestep in the direction's own order), as
   * extra["norm.running"] lays them out: per direction, site (normSites) and step.
   */
  runningOffset(dir: DirectionPlan, site: NormSite, k: number): number {
    const H = this.shape.hiddenSize;
    const T = this.shape.seqLen;
    const sites = normSites(this.shape);
    const width = (s: NormSite) => (s === 'c' ? H : this.plan.gates * H);
    let at = this.acts.view('nrun').offset + dir.index * T * sites.reduce((a, s) => a + 2 * width(s), 0);
    for (const s of sites.slice(0, sites.indexOf(site))) at += T * 2 * width(s);
    return at + k * 2 * width(site);
  }

  /** Floats of one run's running statistics (0 without batch norm). */
  get runningSize(): number {
    return normRunningSize(this.plan, this.shape.seqLen);
  }

  /** torch's initial running statistics (means 0, variances 1) in one run's layout. */
  freshRunning(): Float32Array {
    const out = new Float32Array(this.runningSize);
    const base = this.acts.view('nrun').offset;
    for (const dir of this.plan.directions) {
      for (const site of normSites(this.shape)) {
        const n = site === 'c' ? this.shape.hiddenSize : this.plan.gates * this.shape.hiddenSize;
        for (let k = 0; k < this.shape.seqLen; k++) out.fill(1, this.runningOffset(dir, site, k) - base + n, this.runningOffset(dir, site, k) - base + 2 * n);
      }
    }
    return out;
  }

  /** Sets run r's running statistics (runningOffset's layout); absent: the initial ones. */
  writeRunning(run: number, values?: Float32Array): void {
    if (this.runningSize === 0) return;
    this.acts.write('nrun', values ?? this.freshRunning(), run * this.runningSize);
  }

  /** Every run's running statistics, [R][runningSize] (after queued work has run). */
  async readRunning(): Promise<Float32Array> {
    return this.runningSize === 0 ? new Float32Array(0) : this.acts.read('nrun');
  }

  /** Float offset of a direction's tensor inside a run's parameter vector. */
  paramOffset(dir: DirectionPlan, kind: ParamSpec['kind']): number {
    return this.slot.base + paramByName(this.layout, paramSpec(dir, kind).name).offset;
  }

  encodeForward(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'forward');
  }

  /** The forward pass of an evaluation batch: no dropout, and the kept state stays as it is. */
  encodeForwardEval(encoder: GPUCommandEncoder): void {
    if (!this.shape.evalForward) throw new Error(`${this.shape.cell} network was built without evalForward`);
    this.program.encode(encoder, 'forward-eval');
  }

  /** Backpropagation through time; with `diagnostics`, the variant that also leaves the per-timestep norms. */
  encodeBackward(encoder: GPUCommandEncoder, diagnostics = false): void {
    if (diagnostics && !this.shape.diagnostics) throw new Error(`${this.shape.cell} network was built without diagnostics`);
    this.program.encode(encoder, diagnostics ? 'backward-diagnostics' : 'backward');
  }

  destroy(): void {
    for (const a of [this.ownParams, this.ownGrads, this.acts, this.gx, this.dgates, this.dy, this.carry, this.deferred]) a?.destroy();
    this.program?.destroy();
  }
}
