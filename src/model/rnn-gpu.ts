/**
 * A stacked recurrent network on the GPU for R runs at once (DESIGN decisions 1-3):
 * the arenas it owns, and the recorded forward and backward dispatch lists.
 *   forward, per layer: input projection for all T as one GEMM, then one fused step kernel per t.
 *   backward, per layer from the top: one fused step kernel per t (reversed), one pass for
 *   dh0/dc0, then weight- and bias-gradient GEMMs over all timesteps and the input gradient GEMM.
 * It knows nothing of losses or optimizers: gradients arrive in `dy` and leave in `grads`.
 */
import type { Engine } from '../engine/engine';
import { Arena } from '../engine/arena';
import { addColumnSum, addGemm, type Operand } from '../engine/gemm';
import { packRecord, ProgramBuilder, type Program } from '../engine/program';
import { GATES, layerInputSize, paramEntry, paramLayout, type ParamLayout, type RnnShape } from './layout';
import { cellKernel, savedPerUnit, STEP_FIELDS, MODE, ROWS_PER_THREAD, type StepField } from './cell-kernels';

export interface RnnGroupShape extends RnnShape {
  seqLen: number;
  batch: number;
  /** R: runs that train side by side with their own weights. */
  runs: number;
  /** All runs read one input sequence (run stride 0) instead of one each. */
  sharedInput?: boolean;
  /** Compute dL/dx for the input sequence (default true); training on data does not need it. */
  inputGradient?: boolean;
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

export class RnnGpu {
  readonly layout: ParamLayout;
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
    const { runs: R, numLayers: L, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = shape;
    const GH = GATES[cell] * H;
    const S = savedPerUnit(cell);
    this.layout = paramLayout(shape);
    const label = `${cell} ${L}x${H}`;
    if (!slot) {
      this.ownParams = new Arena(engine, `${label} params`, [{ name: 'params', shape: [R, this.layout.total] }]);
      this.ownGrads = new Arena(engine, `${label} grads`, [{ name: 'grads', shape: [R, this.layout.total] }]);
      slot = { params: this.ownParams.buffer, grads: this.ownGrads.buffer, base: 0, runStride: this.layout.total };
    }
    this.slot = slot;
    this.acts = new Arena(engine, `${label} activations`, [
      { name: 'x', shape: [shape.sharedInput ? 1 : R, T, B, I] },
      { name: 'h', shape: [R, L, T + 1, B, H] },
      ...(cell === 'lstm' ? [{ name: 'c', shape: [R, L, T + 1, B, H] }] : []),
      ...(S > 0 ? [{ name: 'saved', shape: [R, L, T, B, S * H] }] : []),
    ]);
    this.gx = new Arena(engine, `${label} input projection`, [{ name: 'gx', shape: [R, T, B, GH] }]);
    this.dgates = new Arena(engine, `${label} gate gradients`, [
      { name: 'dgx', shape: [R, T, B, GH] },
      ...(cell === 'gru' ? [{ name: 'dgh', shape: [R, T, B, GH] }] : []),
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

  /** Builds arenas and records the dispatch lists `forward` and `backward`. */
  static async create(engine: Engine, shape: RnnGroupShape, slot?: ParamSlot): Promise<RnnGpu> {
    const net = new RnnGpu(engine, shape, slot);
    const builder = new ProgramBuilder(engine, `${shape.cell} network`);
    await net.record(builder);
    net.program = builder.finish();
    return net;
  }

  /** Per-layer strides of the h/c views: [R][L][T+1][B][H]. */
  private hLayer(view: 'h' | 'c', layer: number): { off: number; run: number } {
    const { numLayers: L, seqLen: T, batch: B, hiddenSize: H } = this.shape;
    return { off: this.acts.view(view).offset + layer * (T + 1) * B * H, run: L * (T + 1) * B * H };
  }

  /** The input sequence of layer l as a [T*B, I_l] operand. */
  private layerInput(layer: number): Operand {
    const { seqLen: T, batch: B, hiddenSize: H, inputSize: I } = this.shape;
    if (layer === 0) {
      const run = this.shape.sharedInput ? 0 : T * B * I;
      return { buffer: this.acts.buffer, off: this.acts.view('x').offset, run, rs: I, cs: 1 };
    }
    const below = this.hLayer('h', layer - 1);
    return { buffer: this.acts.buffer, off: below.off + B * H, run: below.run, rs: H, cs: 1 };
  }

  /** The top layer's outputs h_1..h_T as a [T*B, H] operand (what a head reads). */
  topOutput(): Operand {
    const { numLayers: L, batch: B, hiddenSize: H } = this.shape;
    const top = this.hLayer('h', L - 1);
    return { buffer: this.acts.buffer, off: top.off + B * H, run: top.run, rs: H, cs: 1 };
  }

  private async record(builder: ProgramBuilder): Promise<void> {
    const { engine, shape, slot } = this;
    const { runs: R, numLayers: L, seqLen: T, batch: B, hiddenSize: H, cell } = shape;
    const GH = GATES[cell] * H;
    const S = savedPerUnit(cell);
    const forwardKernel = await engine.kernel(cellKernel(cell, 'forward_step'));
    const backwardKernel = await engine.kernel(cellKernel(cell, 'backward_step'));
    const p = (kind: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh', l: number) =>
      slot.base + paramEntry(this.layout, kind, l).offset;
    const dgx = this.dgates.view('dgx').offset;
    const dgh = this.dgates.has('dgh') ? this.dgates.view('dgh').offset : dgx;
    const stepGroups = [Math.ceil(H / 64), Math.ceil(B / ROWS_PER_THREAD), R] as const;

    const stepRecord = (l: number, t: number, extra: Partial<Record<StepField, number>>): number[] => {
      const h = this.hLayer('h', l);
      const c = cell === 'lstm' ? this.hLayer('c', l) : { off: 0, run: 0 };
      const saved = S > 0 ? this.acts.view('saved').offset + l * T * B * S * H : 0;
      const carry = this.carry;
      return packRecord(STEP_FIELDS, {
        t, rec_row: 0, mode: MODE.inner, B, H,
        p_run: slot.runStride, w_hh: p('weight_hh', l), b_hh: p('bias_hh', l),
        h_off: h.off, h_run: h.run, c_off: c.off, c_run: c.run,
        s_off: saved, s_run: L * T * B * S * H,
        gx_off: this.gx.view('gx').offset, gx_run: T * B * GH,
        dy_off: this.dy.view('dy').offset, dy_run: T * B * H,
        dgx_off: dgx, dgh_off: dgh, dg_run: T * B * GH,
        carry_off: carry.view('carry').offset, carry_run: B * H,
        dh0_off: carry.view('dh0').offset + l * B * H,
        dc0_off: carry.view('dc0').offset + l * B * H,
        out_run: L * B * H,
        ...extra,
      });
    };

    for (let l = 0; l < L; l++) {
      const I = layerInputSize(shape, l);
      await addGemm(engine, builder, 'forward', {
        label: `input projection l${l}`, runs: R, m: T * B, n: GH, k: I,
        a: this.layerInput(l),
        b: { buffer: slot.params, off: p('weight_ih', l), run: slot.runStride, rs: 1, cs: I },
        bias: { buffer: slot.params, off: p('bias_ih', l), run: slot.runStride, rs: 0, cs: 0 },
        c: { buffer: this.gx.buffer, off: this.gx.view('gx').offset, run: T * B * GH, rs: GH, cs: 1 },
      });
      for (let t = 0; t < T; t++) {
        builder.add('forward', forwardKernel, `${cell} forward l${l} t${t}`, stepRecord(l, t, {}),
          { 1: slot.params, 2: this.gx.buffer, 3: this.acts.buffer }, stepGroups);
      }
    }

    const backwardResources = { 1: slot.params, 4: this.acts.buffer, 5: this.dy.buffer, 6: this.dgates.buffer, 7: this.carry.buffer };
    for (let l = L - 1; l >= 0; l--) {
      const I = layerInputSize(shape, l);
      for (let t = T - 1; t >= 0; t--) {
        const mode = t === T - 1 ? MODE.last : MODE.inner;
        builder.add('backward', backwardKernel, `${cell} backward l${l} t${t}`,
          stepRecord(l, t, { mode, rec_row: t + 1 }), backwardResources, stepGroups);
      }
      builder.add('backward', backwardKernel, `${cell} initial-state gradient l${l}`,
        stepRecord(l, 0, { mode: MODE.initial, rec_row: 0 }), backwardResources, stepGroups);

      const gates = (off: number): Operand => ({ buffer: this.dgates.buffer, off, run: T * B * GH, rs: GH, cs: 1 });
      const gatesT = (off: number): Operand => ({ buffer: this.dgates.buffer, off, run: T * B * GH, rs: 1, cs: GH });
      const grad = (kind: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh', rs: number): Operand =>
        ({ buffer: slot.grads, off: p(kind, l), run: slot.runStride, rs, cs: 1 });
      const hPrev = this.hLayer('h', l);
      await addGemm(engine, builder, 'backward', {
        label: `weight_ih gradient l${l}`, runs: R, m: GH, n: I, k: T * B,
        a: gatesT(dgx), b: this.layerInput(l), c: grad('weight_ih', I),
      });
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
      if (l === 0 && shape.inputGradient === false) continue;
      const below: Operand = l > 0
        ? { buffer: this.dy.buffer, off: this.dy.view('dy').offset, run: T * B * H, rs: H, cs: 1 }
        : { buffer: this.dy.buffer, off: this.dy.view('dx').offset, run: T * B * I, rs: I, cs: 1 };
      await addGemm(engine, builder, 'backward', {
        label: l > 0 ? `output gradient of l${l - 1}` : 'input gradient',
        runs: R, m: T * B, n: I, k: GH,
        a: gates(dgx),
        b: { buffer: slot.params, off: p('weight_ih', l), run: slot.runStride, rs: I, cs: 1 },
        c: below,
      });
    }
  }

  encodeForward(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'forward');
  }

  encodeBackward(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'backward');
  }

  destroy(): void {
    for (const a of [this.ownParams, this.ownGrads, this.acts, this.gx, this.dgates, this.dy, this.carry]) a?.destroy();
    this.program?.destroy();
  }
}
