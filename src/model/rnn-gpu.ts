/**
 * A stacked recurrent network on the GPU for R runs at once (DESIGN decisions 1-3): the arenas it
 * owns, and the recorded forward and backward dispatch lists, walking planLayers' directions.
 *   forward, per direction: input projection for all T as one GEMM per input part, then one fused
 *   step kernel per t (the cell's shader, from the registry).
 *   backward, per direction from the top: one fused step kernel per t (reversed), one pass for
 *   dh0/dc0, then weight- and bias-gradient GEMMs over all timesteps and the input gradient GEMMs.
 * It knows nothing of losses or optimizers: gradients arrive in `dy` and leave in `grads`.
 */
import type { Engine } from '../engine/engine';
import { Arena } from '../engine/arena';
import { addColumnSum, addGemm, type Operand } from '../engine/gemm';
import { ProgramBuilder, type Program } from '../engine/program';
import { CELLS, hasState } from './cells';
import { paramByName, paramLayout, type ParamLayout, type RnnShape } from './layout';
import { paramSpec, planLayers, type DirectionPlan, type InputPart, type NetworkPlan, type ParamKind } from './plan';
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
   * Truncated BPTT: the forward pass also copies each layer's state after this many timesteps
   * (k1) into the `kept_h` / `kept_c` views, where the next window's restore finds it.
   */
  keepAfter?: number;
  /** Also record `forward-eval`: the forward pass without keeping state, for evaluation passes. */
  evalForward?: boolean;
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

/** One part of the network's output as a reader (the head) sees it. */
export interface OutputPart {
  /** Columns [column, column + width) of the output. */
  column: number;
  width: number;
  /** h_1..h_T of that direction as a [T*B, width] operand. */
  value: Operand;
  /** Where the gradient on it goes, a [T*B, width] operand. */
  gradient: Operand;
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
  program!: Program;

  private constructor(
    readonly engine: Engine,
    readonly shape: RnnGroupShape,
    slot: ParamSlot | undefined,
  ) {
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = shape;
    this.plan = planLayers(shape);
    const L = this.plan.directions.length;
    const GH = this.plan.gates * H;
    const S = CELLS[cell].savedPerUnit;
    const hasC = hasState(cell, 'c');
    this.layout = paramLayout(shape);
    const label = `${cell} ${shape.numLayers}x${H}`;
    if (!slot) {
      this.ownParams = new Arena(engine, `${label} params`, [{ name: 'params', shape: [R, this.layout.total] }]);
      this.ownGrads = new Arena(engine, `${label} grads`, [{ name: 'grads', shape: [R, this.layout.total] }]);
      slot = { params: this.ownParams.buffer, grads: this.ownGrads.buffer, base: 0, runStride: this.layout.total };
    }
    this.slot = slot;
    const keep = shape.keepAfter !== undefined;
    this.acts = new Arena(engine, `${label} activations`, [
      { name: 'x', shape: [shape.sharedInput ? 1 : R, T, B, I] },
      { name: 'h', shape: [R, L, T + 1, B, H] },
      ...(hasC ? [{ name: 'c', shape: [R, L, T + 1, B, H] }] : []),
      ...(S > 0 ? [{ name: 'saved', shape: [R, L, T, B, S * H] }] : []),
      ...(keep ? [{ name: 'kept_h', shape: [R, L, B, H] }] : []),
      ...(keep && hasC ? [{ name: 'kept_c', shape: [R, L, B, H] }] : []),
    ]);
    this.gx = new Arena(engine, `${label} input projection`, [{ name: 'gx', shape: [R, T, B, GH] }]);
    this.dgates = new Arena(engine, `${label} gate gradients`, [
      { name: 'dgx', shape: [R, T, B, GH] },
      ...(CELLS[cell].ownRecurrentGradient ? [{ name: 'dgh', shape: [R, T, B, GH] }] : []),
    ]);
    this.dy = new Arena(engine, `${label} output gradients`, [
      { name: 'dy', shape: [R, T, B, H] },
      { name: 'dx', shape: [R, T, B, I] },
    ]);
    this.carry = new Arena(engine, `${label} carried gradients`, [
      { name: 'carry', shape: [R, B, H] },
      { name: 'dh0', shape: [R, L, B, H] },
      { name: 'dc0', shape: [R, L, B, H] },
    ]);
  }

  /** Builds arenas and records the dispatch lists `forward`, `backward` (and `forward-eval`). */
  static async create(engine: Engine, shape: RnnGroupShape, slot?: ParamSlot): Promise<RnnGpu> {
    const net = new RnnGpu(engine, shape, slot);
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

  /** The per-direction strides of the h/c views: [R][L][T+1][B][H]. */
  private stateOf(view: 'h' | 'c', dir: number): { off: number; run: number } {
    const { seqLen: T, batch: B, hiddenSize: H } = this.shape;
    const L = this.plan.directions.length;
    return { off: this.acts.view(view).offset + dir * (T + 1) * B * H, run: L * (T + 1) * B * H };
  }

  /** h_1..h_T of a direction as a [T*B, H] operand. */
  private outputsOf(dir: number): Operand {
    const { batch: B, hiddenSize: H } = this.shape;
    const h = this.stateOf('h', dir);
    return { buffer: this.acts.buffer, off: h.off + B * H, run: h.run, rs: H, cs: 1 };
  }

  /** The gradient on a direction's outputs (`dy`, consumed by its backward steps) as a [T*B, H] operand. */
  private outputGradient(): Operand {
    const { seqLen: T, batch: B, hiddenSize: H } = this.shape;
    return { buffer: this.dy.buffer, off: this.dy.view('dy').offset, run: T * B * H, rs: H, cs: 1 };
  }

  /** The rows feeding an input part, as a [T*B, width] operand. */
  private partInput(part: InputPart): Operand {
    const { seqLen: T, batch: B, inputSize: I } = this.shape;
    if (part.source !== 'data') return this.outputsOf(part.source);
    const run = this.shape.sharedInput ? 0 : T * B * I;
    return { buffer: this.acts.buffer, off: this.acts.view('x').offset, run, rs: I, cs: 1 };
  }

  /** Where the gradient on an input part goes, as a [T*B, width] operand. */
  private partGradient(part: InputPart): Operand {
    const { seqLen: T, batch: B, inputSize: I } = this.shape;
    if (part.source !== 'data') return this.outputGradient();
    return { buffer: this.dy.buffer, off: this.dy.view('dx').offset, run: T * B * I, rs: I, cs: 1 };
  }

  /** The top layer's outputs, one part per direction: what a head reads and where its gradient goes. */
  outputParts(): OutputPart[] {
    const top = this.plan.layers[this.plan.layers.length - 1];
    return top.directions.map((d) => ({
      column: d.outputColumn,
      width: this.shape.hiddenSize,
      value: this.outputsOf(d.index),
      gradient: this.outputGradient(),
    }));
  }

  private async record(builder: ProgramBuilder): Promise<void> {
    const { engine, shape, slot, plan } = this;
    const { runs: R, seqLen: T, batch: B, hiddenSize: H, cell } = shape;
    const L = plan.directions.length;
    const GH = plan.gates * H;
    const S = CELLS[cell].savedPerUnit;
    const hasC = hasState(cell, 'c');
    const forwardKernel = await engine.kernel(cellKernel(cell, 'forward_step'));
    const backwardKernel = await engine.kernel(cellKernel(cell, 'backward_step'));
    const p = (dir: DirectionPlan, kind: ParamKind) => slot.base + paramByName(this.layout, paramSpec(dir, kind).name).offset;
    const dgx = this.dgates.view('dgx').offset;
    const dgh = this.dgates.has('dgh') ? this.dgates.view('dgh').offset : dgx;
    const stepGroups = [Math.ceil(H / 64), Math.ceil(B / ROWS_PER_THREAD), R] as const;
    const kept = (view: 'kept_h' | 'kept_c', d: number) => (this.acts.has(view) ? this.acts.view(view).offset + d * B * H : 0);

    const stepRecord = (dir: DirectionPlan, t: number, extra: Partial<Record<StepField, number>>): number[] => {
      const d = dir.index;
      const h = this.stateOf('h', d);
      const c = hasC ? this.stateOf('c', d) : { off: 0, run: 0 };
      const saved = S > 0 ? this.acts.view('saved').offset + d * T * B * S * H : 0;
      const carry = this.carry;
      return STEP_RECORD.pack({
        t, rec_row: 0, mode: MODE.inner, B, H,
        p_run: slot.runStride, w_hh: p(dir, 'weight_hh'), b_hh: p(dir, 'bias_hh'),
        h_off: h.off, h_run: h.run, c_off: c.off, c_run: c.run,
        s_off: saved, s_run: L * T * B * S * H,
        gx_off: this.gx.view('gx').offset, gx_run: T * B * GH,
        dy_off: this.dy.view('dy').offset, dy_run: T * B * H,
        dgx_off: dgx, dgh_off: dgh, dg_run: T * B * GH,
        carry_off: carry.view('carry').offset, carry_run: B * H,
        dh0_off: carry.view('dh0').offset + d * B * H,
        dc0_off: carry.view('dc0').offset + d * B * H,
        out_run: L * B * H,
        keep: 0, kh_off: kept('kept_h', d), kc_off: kept('kept_c', d), k_run: L * B * H,
        ...extra,
      });
    };

    const keepBits = KEEP.h | (hasC ? KEEP.c : 0);
    const forwardLists = shape.evalForward ? ['forward', 'forward-eval'] : ['forward'];
    for (const dir of plan.directions) {
      for (const list of forwardLists) {
        // gx (T*B x G*H) = sum over input parts of input (T*B x width) W_ih[:, part]^T, + b_ih
        for (const [k, part] of dir.input.entries()) {
          await addGemm(engine, builder, list, {
            label: `input projection l${dir.layer}${k > 0 ? ` part ${k}` : ''}`, runs: R, m: T * B, n: GH, k: part.width,
            a: this.partInput(part),
            b: { buffer: slot.params, off: p(dir, 'weight_ih') + part.column, run: slot.runStride, rs: 1, cs: dir.inputSize },
            bias: k === 0 ? { buffer: slot.params, off: p(dir, 'bias_ih'), run: slot.runStride, rs: 0, cs: 0 } : undefined,
            accumulate: k > 0,
            c: { buffer: this.gx.buffer, off: this.gx.view('gx').offset, run: T * B * GH, rs: GH, cs: 1 },
          });
        }
        for (let t = 0; t < T; t++) {
          const keep = list === 'forward' && shape.keepAfter === t + 1 ? keepBits : 0;
          builder.add(list, forwardKernel, `${cell} forward l${dir.layer} t${t}`, stepRecord(dir, t, { keep }),
            { 1: slot.params, 2: this.gx.buffer, 3: this.acts.buffer }, stepGroups);
        }
      }
    }

    const backwardResources = { 1: slot.params, 4: this.acts.buffer, 5: this.dy.buffer, 6: this.dgates.buffer, 7: this.carry.buffer };
    for (const dir of [...plan.directions].reverse()) {
      const l = dir.layer;
      for (let t = T - 1; t >= 0; t--) {
        const mode = t === T - 1 ? MODE.last : MODE.inner;
        builder.add('backward', backwardKernel, `${cell} backward l${l} t${t}`,
          stepRecord(dir, t, { mode, rec_row: t + 1 }), backwardResources, stepGroups);
      }
      builder.add('backward', backwardKernel, `${cell} initial-state gradient l${l}`,
        stepRecord(dir, 0, { mode: MODE.initial, rec_row: 0 }), backwardResources, stepGroups);

      const gates = (off: number): Operand => ({ buffer: this.dgates.buffer, off, run: T * B * GH, rs: GH, cs: 1 });
      const gatesT = (off: number): Operand => ({ buffer: this.dgates.buffer, off, run: T * B * GH, rs: 1, cs: GH });
      const grad = (kind: ParamKind, rs: number, column = 0): Operand =>
        ({ buffer: slot.grads, off: p(dir, kind) + column, run: slot.runStride, rs, cs: 1 });
      const hPrev = this.stateOf('h', dir.index);
      for (const [k, part] of dir.input.entries()) {
        await addGemm(engine, builder, 'backward', {
          label: `weight_ih gradient l${l}${k > 0 ? ` part ${k}` : ''}`, runs: R, m: GH, n: part.width, k: T * B,
          a: gatesT(dgx), b: this.partInput(part), c: grad('weight_ih', dir.inputSize, part.column),
        });
      }
      await addGemm(engine, builder, 'backward', {
        label: `weight_hh gradient l${l}`, runs: R, m: GH, n: H, k: T * B,
        a: gatesT(dgh), b: { buffer: this.acts.buffer, off: hPrev.off, run: hPrev.run, rs: H, cs: 1 },
        c: grad('weight_hh', H),
      });
      await addColumnSum(engine, builder, 'backward', {
        label: `bias_ih gradient l${l}`, runs: R, m: T * B, n: GH, a: gates(dgx), c: grad('bias_ih', 0),
      });
      await addColumnSum(engine, builder, 'backward', {
        label: `bias_hh gradient l${l}`, runs: R, m: T * B, n: GH, a: gates(dgh), c: grad('bias_hh', 0),
      });
      for (const part of dir.input) {
        if (part.source === 'data' && shape.inputGradient === false) continue;
        // d input (T*B x width) = dgx (T*B x G*H) W_ih[:, part] (G*H x width)
        await addGemm(engine, builder, 'backward', {
          label: part.source === 'data' ? 'input gradient' : `output gradient of l${plan.directions[part.source].layer}`,
          runs: R, m: T * B, n: part.width, k: GH,
          a: gates(dgx),
          b: { buffer: slot.params, off: p(dir, 'weight_ih') + part.column, run: slot.runStride, rs: dir.inputSize, cs: 1 },
          c: this.partGradient(part),
        });
      }
    }
  }

  encodeForward(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'forward');
  }

  /** The forward pass of an evaluation batch: like encodeForward, but the kept state stays as it is. */
  encodeForwardEval(encoder: GPUCommandEncoder): void {
    if (!this.shape.evalForward) throw new Error(`${this.shape.cell} network was built without evalForward`);
    this.program.encode(encoder, 'forward-eval');
  }

  encodeBackward(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'backward');
  }

  destroy(): void {
    for (const a of [this.ownParams, this.ownGrads, this.acts, this.gx, this.dgates, this.dy, this.carry]) a?.destroy();
    this.program?.destroy();
  }
}
