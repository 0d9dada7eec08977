/**
 * A stacked recurrent network on the GPU for R runs at once (DESIGN decisions 1-3): the arenas it
 * owns, and the recorded forward and backward dispatch lists, walking planLayers' layers and
 * directions (a reverse direction walks time backwards; plan.ts says where its states sit).
 *   forward, per direction: input projection for all T as one GEMM per input part, then one fused
 *   step kernel per t (the cell's shader, from the registry); per layer, when the group records
 *   dropout or residual layers, one kernel that forms what the layer hands on (layer_output.wgsl).
 *   backward, per layer from the top: that kernel's gradient, then per direction one fused step
 *   kernel per t (against its time order), one pass for dh0/dc0, the weight- and bias-gradient
 *   GEMMs over all timesteps and the input gradient GEMMs.
 * Tricks are recorded only when asked for, so a plain network records exactly the plain lists:
 *   dropout           masks between layers and on the head's input (drawn in the kernels, per run);
 *   recurrentDropout  the cell kernels' VARIATIONAL variant, reading h_{t-1} through a mask
 *                     (the mask itself is drawn by the dropout stage, src/training/dropout-stage.ts);
 *   diagnostics       a second backward list whose steps also write dL/dh_t, and their norms.
 * It knows nothing of losses or optimizers: gradients arrive in `dy` and leave in `grads`.
 */
import type { BindingResource, Engine, Kernel } from '../engine/engine';
import { Arena } from '../engine/arena';
import { addColumnSum, addGemm, type Operand } from '../engine/gemm';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import { CELLS, hasState } from './cells';
import { paramByName, paramLayout, type ParamLayout, type RnnShape } from './layout';
import {
  outputSlot, paramSpec, planLayers, type DirectionPlan, type InputPart, type LayerPlan, type NetworkPlan, type ParamKind,
} from './plan';
import { cellKernel, KEEP, MODE, ROWS_PER_THREAD, STEP_RECORD, type StepField } from './cell-kernels';

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
  /** Also record `forward-eval`: the forward pass without dropout and without keeping state, for evaluation passes. */
  evalForward?: boolean;
  /** Record dropout between layers and on the head's input (needs the run table). */
  dropout?: boolean;
  /** Record recurrent (variational) dropout (needs the run table and the dropout stage's masks). */
  recurrentDropout?: boolean;
  /** Also record `backward-diagnostics`, which leaves each direction's dL/dh_t norms per timestep in `gradTimeNorms`. */
  diagnostics?: boolean;
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
  /** Where the gradient on it goes, a [T*B, width] operand. */
  gradient: Operand;
}

/** `struct LayerOut` in shaders/layer_output.wgsl. */
export const LAYER_OUT_RECORD = new RecordLayout([
  'B', 'H', 'D', 'flags', 'site', 'h_off', 'h_run', 'dir_stride', 'u_off', 'u_run', 'z_off', 'z_run',
  'dy_off', 'dy_run', 'dy_dir', 'du_off', 'du_run', 'du_dir', 'du_rs',
]);
/** `struct GradTime` in shaders/grad_time.wgsl. */
export const GRAD_TIME_RECORD = new RecordLayout(['units', 'steps', 'dirs', 'gt_off', 'out_off']);

/** `flags` bit of struct LayerOut: add the layer's input. */
const LAYER_OUT_RESIDUAL = 1;
/** Its masks need the RNG and the per-run table (only the *_dropout entry points bind it). */
const LAYER_OUT_LIB = ['rng', 'dropout', 'run'];

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

  private constructor(
    readonly engine: Engine,
    readonly shape: RnnGroupShape,
    slot: ParamSlot | undefined,
    private readonly runTable: RunTableBinding | undefined,
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
    this.acts = new Arena(engine, `${label} activations`, [
      { name: 'x', shape: [shape.sharedInput ? 1 : R, T, B, I] },
      { name: 'h', shape: [R, L, T + 1, B, H] },
      ...(hasC ? [{ name: 'c', shape: [R, L, T + 1, B, H] }] : []),
      ...(S > 0 ? [{ name: 'saved', shape: [R, L, T, B, S * H] }] : []),
      ...(keep ? [{ name: 'kept_h', shape: [R, L, B, H] }] : []),
      ...(keep && hasC ? [{ name: 'kept_c', shape: [R, L, B, H] }] : []),
      ...(variational ? [{ name: 'hm', shape: [R, L, T + 1, B, H] }, { name: 'vmask', shape: [R, L, B, H] }] : []),
      ...(this.layerOutputs ? [{ name: 'out', shape: [R, shape.numLayers, T, B, plan.outputSize] }] : []),
    ]);
    this.gx = new Arena(engine, `${label} input projection`, [{ name: 'gx', shape: [R, T, B, GH] }]);
    this.dgates = new Arena(engine, `${label} gate gradients`, [
      { name: 'dgx', shape: [R, T, B, GH] },
      ...(CELLS[cell].ownRecurrentGradient ? [{ name: 'dgh', shape: [R, T, B, GH] }] : []),
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
    ]);
  }

  /** Builds arenas and records the dispatch lists `forward`, `backward` (and `forward-eval`, `backward-diagnostics`). */
  static async create(engine: Engine, shape: RnnGroupShape, slot?: ParamSlot, runTable?: RunTableBinding): Promise<RnnGpu> {
    const net = new RnnGpu(engine, shape, slot, runTable);
    try {
      const builder = new ProgramBuilder(engine, `${shape.cell} network`);
      await net.record(builder);
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
  private outputsOf(dir: DirectionPlan): Operand {
    const { batch: B, hiddenSize: H } = this.shape;
    const h = this.stateOf('h', dir.index);
    return { buffer: this.acts.buffer, off: h.off + outputSlot(dir) * B * H, run: h.run, rs: H, cs: 1 };
  }

  /** A layer's formed output [T][B][D] (layerOutputs only) as a [T*B, D] operand, from column `column`. */
  private layerOutput(layer: number, column = 0): Operand {
    const { runs: R, seqLen: T, batch: B } = this.shape;
    const D = this.plan.outputSize;
    const view = this.acts.view('out');
    return { buffer: this.acts.buffer, off: view.offset + layer * T * B * D + column, run: view.length / R, rs: D, cs: 1 };
  }

  /** The gradient on a direction's outputs (consumed by its backward steps) as a [T*B, H] operand. */
  private dyOf(dir: DirectionPlan): Operand {
    const { seqLen: T, batch: B, hiddenSize: H } = this.shape;
    const per = this.plan.directionsPerLayer;
    const bank = (this.dyBanks > per ? (dir.layer % 2) * per : 0) + (dir.index % per);
    return { buffer: this.dy.buffer, off: this.dy.view('dy').offset + bank * T * B * H, run: this.dyBanks * T * B * H, rs: H, cs: 1 };
  }

  private dataInput(): Operand {
    const { seqLen: T, batch: B, inputSize: I } = this.shape;
    const run = this.shape.sharedInput ? 0 : T * B * I;
    return { buffer: this.acts.buffer, off: this.acts.view('x').offset, run, rs: I, cs: 1 };
  }

  private dataGradient(): Operand {
    const { seqLen: T, batch: B, inputSize: I } = this.shape;
    return { buffer: this.dy.buffer, off: this.dy.view('dx').offset, run: T * B * I, rs: I, cs: 1 };
  }

  /** The rows feeding an input part, as a [T*B, width] operand. */
  private partInput(part: InputPart): Operand {
    if (part.source === 'data') return this.dataInput();
    const dir = this.plan.directions[part.source];
    return this.layerOutputs ? this.layerOutput(dir.layer, dir.outputColumn) : this.outputsOf(dir);
  }

  /** Where the gradient on an input part goes, as a [T*B, width] operand. */
  private partGradient(part: InputPart): Operand {
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

  private p(dir: DirectionPlan, kind: ParamKind): number {
    return this.slot.base + paramByName(this.layout, paramSpec(dir, kind).name).offset;
  }

  /** The cell kernels' record of direction `dir` at timestep t. */
  private stepRecord(dir: DirectionPlan, t: number, variational: boolean, extra: Partial<Record<StepField, number>>): number[] {
    const { seqLen: T, batch: B, hiddenSize: H, cell } = this.shape;
    const L = this.plan.directions.length;
    const GH = this.plan.gates * H;
    const S = CELLS[cell].savedPerUnit;
    const d = dir.index;
    const h = this.stateOf('h', d);
    const c = hasState(cell, 'c') ? this.stateOf('c', d) : { off: 0, run: 0 };
    const at = (view: string, floats: number) => (this.acts.has(view) ? this.acts.view(view).offset + d * floats : 0);
    const carry = this.carry;
    const dy = this.dyOf(dir);
    const forward = dir.direction === 'forward';
    return STEP_RECORD.pack({
      t, s_in: forward ? t : t + 1, s_out: forward ? t + 1 : t, rec_row: 0, mode: MODE.inner, B, H,
      p_run: this.slot.runStride, w_hh: this.p(dir, 'weight_hh'), b_hh: this.p(dir, 'bias_hh'),
      h_off: h.off, h_run: h.run, hr_off: variational ? this.stateOf('hm', d).off : h.off,
      vm_off: at('vmask', B * H), vm_run: L * B * H,
      c_off: c.off, c_run: c.run,
      s_off: at('saved', T * B * S * H), s_run: L * T * B * S * H,
      gx_off: this.gx.view('gx').offset, gx_run: T * B * GH,
      dy_off: dy.off, dy_run: dy.run,
      dgx_off: this.dgates.view('dgx').offset, dgh_off: this.dgates.view(this.dgates.has('dgh') ? 'dgh' : 'dgx').offset, dg_run: T * B * GH,
      carry_off: carry.view('carry').offset, carry_run: B * H,
      dh0_off: carry.view('dh0').offset + d * B * H,
      dc0_off: carry.view('dc0').offset + d * B * H,
      out_run: L * B * H,
      keep: 0, kh_off: at('kept_h', B * H), kc_off: at('kept_c', B * H), k_run: L * B * H,
      gt_off: carry.has('gt') ? carry.view('gt').offset + d * T * B * H : 0, gt_run: L * T * B * H,
      ...extra,
    });
  }

  private withTable(resources: Record<number, BindingResource>): Record<number, BindingResource> {
    return this.runTable ? { ...resources, [this.runTable.binding]: this.runTable.resource } : resources;
  }

  private async record(builder: ProgramBuilder): Promise<void> {
    const { engine, shape, slot, plan } = this;
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, cell } = shape;
    const variational = !!shape.recurrentDropout;
    const kernels = {
      forward: await engine.kernel(cellKernel(cell, 'forward_step', { variational })),
      forwardPlain: await engine.kernel(cellKernel(cell, 'forward_step')),
      backward: await engine.kernel(cellKernel(cell, 'backward_step', { variational })),
      diagnostics: shape.diagnostics ? await engine.kernel(cellKernel(cell, 'backward_step', { variational, diagnostics: true })) : undefined,
    };
    const stepGroups = [Math.ceil(H / 64), Math.ceil(B / ROWS_PER_THREAD), R] as const;
    const keepBits = KEEP.h | (hasState(cell, 'c') ? KEEP.c : 0);
    const forwardLists = shape.evalForward ? ['forward', 'forward-eval'] : ['forward'];
    for (const list of forwardLists) {
      const train = list === 'forward';
      const kernel = train ? kernels.forward : kernels.forwardPlain;
      for (const layer of plan.layers) {
        for (const dir of layer.directions) {
          // gx (T*B x G*H) = sum over input parts of input (T*B x width) W_ih[:, part]^T, + b_ih
          for (const [k, part] of dir.input.entries()) {
            await addGemm(engine, builder, list, {
              label: `input projection ${dirName(dir)}${k > 0 ? ` part ${k}` : ''}`, runs: R, m: T * B, n: plan.gates * H, k: part.width,
              a: this.partInput(part),
              b: { buffer: slot.params, off: this.p(dir, 'weight_ih') + part.column, run: slot.runStride, rs: 1, cs: dir.inputSize },
              bias: k === 0 ? { buffer: slot.params, off: this.p(dir, 'bias_ih'), run: slot.runStride, rs: 0, cs: 0 } : undefined,
              accumulate: k > 0,
              c: { buffer: this.gx.buffer, off: this.gx.view('gx').offset, run: T * B * plan.gates * H, rs: plan.gates * H, cs: 1 },
            });
          }
          for (const t of timeOrder(dir, T)) {
            const keep = train && dir.direction === 'forward' && shape.keepAfter === t + 1 ? keepBits : 0;
            builder.add(list, kernel, `${cell} forward ${dirName(dir)} t${t}`, this.stepRecord(dir, t, train && variational, { keep }),
              { 1: slot.params, 2: this.gx.buffer, 3: this.acts.buffer }, stepGroups);
          }
        }
        if (this.layerOutputs) await this.recordLayerOutput(builder, list, layer, 'forward', train && !!shape.dropout);
      }
    }
    await this.recordBackward(builder, 'backward', kernels.backward, false);
    if (kernels.diagnostics) await this.recordBackward(builder, 'backward-diagnostics', kernels.diagnostics, true);
  }

  /** The layer-output kernel of `layer` (shaders/layer_output.wgsl) in `list`; backward records nothing when it would do nothing. */
  private async recordLayerOutput(builder: ProgramBuilder, list: string, layer: LayerPlan, pass: 'forward' | 'backward', dropout: boolean): Promise<void> {
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, inputSize: I } = this.shape;
    const D = layer.outputSize;
    const first = layer.directions[0];
    // The residual input and, backward, where its gradient starts: the data (dx, when wanted) or the layer below.
    const below = layer.layer > 0 ? this.plan.layers[layer.layer - 1].directions[0] : undefined;
    const wantsInputGradient = below !== undefined || this.shape.inputGradient !== false;
    const residual = layer.residual && (pass === 'forward' || wantsInputGradient);
    if (pass === 'backward' && !residual && !dropout) return;
    const input = below ? this.layerOutput(below.layer) : this.dataInput();
    const du = below ? this.dyOf(below) : this.dataGradient();
    const dy = this.dyOf(first);
    const h = this.stateOf('h', first.index);
    const entryPoint = dropout ? `${pass}_dropout` : pass;
    const kernel = await this.engine.kernel({
      label: `layer output ${entryPoint}`, file: 'layer_output.wgsl', entryPoint, lib: LAYER_OUT_LIB,
    });
    const record = LAYER_OUT_RECORD.pack({
      B, H, D, flags: residual ? LAYER_OUT_RESIDUAL : 0, site: layer.layer,
      h_off: h.off, h_run: h.run, dir_stride: (T + 1) * B * H,
      u_off: input.off, u_run: input.run, z_off: this.layerOutput(layer.layer).off, z_run: this.layerOutput(layer.layer).run,
      dy_off: dy.off, dy_run: dy.run, dy_dir: T * B * H,
      du_off: du.off, du_run: du.run, du_dir: below ? T * B * H : H, du_rs: below ? H : I,
    });
    const base: Record<number, BindingResource> = pass === 'forward' ? { 1: this.acts.buffer } : { 2: this.dy.buffer };
    const resources = dropout ? this.withTable(base) : base;
    builder.add(list, kernel, `layer output ${pass} l${layer.layer}`, record, resources, [Math.ceil((B * D) / 64), T, R]);
  }

  private async recordBackward(builder: ProgramBuilder, list: string, kernel: Kernel, diagnostics: boolean): Promise<void> {
    const { engine, shape, slot, plan } = this;
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, cell } = shape;
    const GH = plan.gates * H;
    const variational = !!shape.recurrentDropout;
    const stepGroups = [Math.ceil(H / 64), Math.ceil(B / ROWS_PER_THREAD), R] as const;
    const resources = { 1: slot.params, 4: this.acts.buffer, 5: this.dy.buffer, 6: this.dgates.buffer, 7: this.carry.buffer };
    const dgx = this.dgates.view('dgx').offset;
    const dgh = this.dgates.has('dgh') ? this.dgates.view('dgh').offset : dgx;
    const gates = (off: number): Operand => ({ buffer: this.dgates.buffer, off, run: T * B * GH, rs: GH, cs: 1 });
    const gatesT = (off: number): Operand => ({ buffer: this.dgates.buffer, off, run: T * B * GH, rs: 1, cs: GH });
    // Gradient targets (a direction's dy, or 'data') already holding a value: later writers accumulate.
    const written = new Set<number | 'data'>();

    for (const layer of [...plan.layers].reverse()) {
      if (this.layerOutputs) {
        await this.recordLayerOutput(builder, list, layer, 'backward', !!shape.dropout);
        if (layer.residual) {
          if (layer.layer > 0) for (const d of plan.layers[layer.layer - 1].directions) written.add(d.index);
          else if (shape.inputGradient !== false) written.add('data');
        }
      }
      for (const dir of [...layer.directions].reverse()) {
        const name = dirName(dir);
        const order = timeOrder(dir, T).reverse(); // backward walks the direction's steps last to first
        order.forEach((t, i) => {
          const mode = i === 0 ? MODE.last : MODE.inner;
          builder.add(list, kernel, `${cell} backward ${name} t${t}`,
            this.stepRecord(dir, t, variational, { mode, rec_row: i === 0 ? 0 : order[i - 1] }), resources, stepGroups);
        });
        const firstStep = order[order.length - 1];
        builder.add(list, kernel, `${cell} initial-state gradient ${name}`,
          this.stepRecord(dir, firstStep, variational, { mode: MODE.initial, rec_row: firstStep }), resources, stepGroups);

        const grad = (kind: ParamKind, rs: number, column = 0): Operand =>
          ({ buffer: slot.grads, off: this.p(dir, kind) + column, run: slot.runStride, rs, cs: 1 });
        for (const [k, part] of dir.input.entries()) {
          await addGemm(engine, builder, list, {
            label: `weight_ih gradient ${name}${k > 0 ? ` part ${k}` : ''}`, runs: R, m: GH, n: part.width, k: T * B,
            a: gatesT(dgx), b: this.partInput(part), c: grad('weight_ih', dir.inputSize, part.column),
          });
        }
        // W_hh saw h_{t-1} (masked under recurrent dropout) for t = 0..T-1: slots 0..T-1 forward, 1..T reverse
        const hPrev = this.stateOf(variational ? 'hm' : 'h', dir.index);
        const prevSlot = dir.direction === 'forward' ? 0 : 1;
        await addGemm(engine, builder, list, {
          label: `weight_hh gradient ${name}`, runs: R, m: GH, n: H, k: T * B,
          a: gatesT(dgh), b: { buffer: this.acts.buffer, off: hPrev.off + prevSlot * B * H, run: hPrev.run, rs: H, cs: 1 },
          c: grad('weight_hh', H),
        });
        await addColumnSum(engine, builder, list, { label: `bias_ih gradient ${name}`, runs: R, m: T * B, n: GH, a: gates(dgx), c: grad('bias_ih', 0) });
        await addColumnSum(engine, builder, list, { label: `bias_hh gradient ${name}`, runs: R, m: T * B, n: GH, a: gates(dgh), c: grad('bias_hh', 0) });
        for (const part of dir.input) {
          if (part.source === 'data' && shape.inputGradient === false) continue;
          // d input (T*B x width) = dgx (T*B x G*H) W_ih[:, part] (G*H x width)
          await addGemm(engine, builder, list, {
            label: part.source === 'data' ? 'input gradient' : `output gradient of ${dirName(plan.directions[part.source])}`,
            runs: R, m: T * B, n: part.width, k: GH,
            a: gates(dgx),
            b: { buffer: slot.params, off: this.p(dir, 'weight_ih') + part.column, run: slot.runStride, rs: dir.inputSize, cs: 1 },
            c: this.partGradient(part),
            accumulate: written.has(part.source),
          });
          written.add(part.source);
        }
      }
    }
    if (diagnostics) {
      const kernel = await engine.kernel({ label: 'gradient through time norms', file: 'grad_time.wgsl', entryPoint: 'grad_time' });
      const L = plan.directions.length;
      builder.add(list, kernel, 'gradient through time norms', GRAD_TIME_RECORD.pack({
        units: B * H, steps: T, dirs: L, gt_off: this.carry.view('gt').offset, out_off: this.carry.view('gtNorms').offset,
      }), { 1: this.carry.buffer }, [T, L, R]);
    }
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
    for (const a of [this.ownParams, this.ownGrads, this.acts, this.gx, this.dgates, this.dy, this.carry]) a?.destroy();
    this.program?.destroy();
  }
}

/** `l1` or `l1 reverse`, for labels. */
function dirName(dir: DirectionPlan): string {
  return `l${dir.layer}${dir.direction === 'reverse' ? ' reverse' : ''}`;
}

/** Timesteps in the order a direction processes them forward. */
function timeOrder(dir: DirectionPlan, T: number): number[] {
  const ts = Array.from({ length: T }, (_, t) => t);
  return dir.direction === 'forward' ? ts : ts.reverse();
}
