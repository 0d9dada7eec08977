/**
 * The recorded dispatch lists of a network on the GPU (src/model/rnn-gpu.ts owns the arenas and
 * their views): `forward`, `backward`, and when the shape asks, `forward-eval` (no dropout, no kept
 * state) and `backward-diagnostics` (steps that also write dL/dh_t, then their norms).
 *   forward, per layer: per direction the input projection for all T as one GEMM per input part,
 *   then one fused step kernel per timestep in the direction's time order; then, when the network
 *   forms its layers' outputs (dropout or residual), one layer-output kernel.
 *   backward, per layer from the top: the layer-output kernel's gradient, then per direction one
 *   fused step kernel per timestep against its time order, one pass for dh0/dc0, the weight- and
 *   bias-gradient GEMMs over all timesteps and the input gradient GEMMs.
 *   With layer norm (shape.norm 'layer') a forward timestep is the recurrent product (a GEMM), the
 *   norm of both products (shaders/norm.wgsl), the step kernel reading the normalized product, and
 *   for the LSTM the cell-state norm; a backward timestep is the step kernel (for the LSTM in two
 *   phases around the cell-state norm's backward), then the gate norms' backward; the weight
 *   gradients read the gradients before the norms, and column sums give the gains and biases theirs.
 *   Batch norm (shape.norm 'batch') records the same places with shaders/batch_norm.wgsl and the
 *   LSTM's bn_c_* (one thread per column, statistics over the batch); 'forward' normalizes with the
 *   batch's statistics and updates the running ones of each processing step, 'forward-eval' uses them.
 * That is the per-step path. When chooseKernelPath (kernel-path.ts) says 'looping', each direction's
 * timesteps, and backward its dh0/dc0 pass too, are one dispatch per chunk of the sequence instead
 * (rnn-looping.ts); everything around them is recorded the same way, except that layer 0 of a tiny
 * input (kernel-path.ts foldsInput) has no input projection GEMM: its forward kernel forms gx itself.
 * On both paths, a network given its head (RnnGpu.head) whose top layer may fold the head's input
 * gradient (kernel-path.ts foldsHead) records that layer's backward with FOLD_HEAD, reading the
 * head's dY and W_head in place of its dy.
 */
import type { BindingResource, Kernel } from '../engine/engine';
import { addColumnSum, addGemm, type GemmSpec, type Operand } from '../engine/gemm';
import type { ProgramBuilder } from '../engine/program';
import { RecordLayout } from '../engine/record';
import { CELLS, hasState } from './cells';
import { cellKernel, KEEP, MODE, PHASE, ROWS_PER_THREAD, STEP_RECORD, type StepField } from './cell-kernels';
import type { DirectionPlan, LayerPlan, NormSite, ParamSpec } from './plan';
import type { RnnGpu } from './rnn-gpu';
import { backwardStepUnits, chooseKernelPath, foldsHead, foldsInput, loopingWorkgroup } from './kernel-path';
import { recordBackwardLoop, recordForwardLoop } from './rnn-looping';

/** `struct LayerOut` in shaders/layer_output.wgsl. */
export const LAYER_OUT_RECORD = new RecordLayout([
  'B', 'H', 'D', 'flags', 'site', 'h_off', 'h_run', 'dir_stride', 'u_off', 'u_run', 'z_off', 'z_run',
  'dy_off', 'dy_run', 'dy_dir', 'du_off', 'du_run', 'du_dir', 'du_rs',
]);
/** `struct NormStep` in shaders/norm.wgsl. */
export const NORM_RECORD = new RecordLayout([
  't', 'B', 'n', 'p_run', 'w_ih', 'w_hh', 'b_ih', 'g_run', 'gxr_off', 'gx_off', 'ghr_off', 'gh_off', 'st_off', 'st_run',
  'dgx_off', 'dgh_off', 'dgxr_off', 'dghr_off', 'dn_ih_off', 'dn_hh_off', 'dn_run', 'gr_run',
]);
/** `struct BatchNormStep` in shaders/batch_norm.wgsl. */
export const BATCH_NORM_RECORD = new RecordLayout([
  't', 'B', 'n', 'p_run', 'w_ih', 'w_hh', 'b_ih', 'g_run', 'gxr_off', 'gx_off', 'ghr_off', 'gh_off', 'gr_run',
  'st_off', 'st_run', 'rn_ih', 'rn_hh', 'rn_run', 'train',
  'dgx_off', 'dgh_off', 'dgxr_off', 'dghr_off', 'dn_ih_off', 'dn_hh_off', 'dn_run',
]);
/** `struct GradTime` in shaders/grad_time.wgsl. */
export const GRAD_TIME_RECORD = new RecordLayout(['units', 'steps', 'dirs', 'gt_off', 'out_off']);

/** `flags` bit of struct LayerOut: add the layer's input. */
const LAYER_OUT_RESIDUAL = 1;
/** Its masks need the RNG and the per-run table (only the *_dropout entry points bind it). */
const LAYER_OUT_LIB = ['rng', 'dropout', 'run'];

/** The cell kernels' record of direction `dir` at timestep t. */
function stepRecord(net: RnnGpu, dir: DirectionPlan, t: number, variational: boolean, extra: Partial<Record<StepField, number>>): number[] {
  const { seqLen: T, batch: B, hiddenSize: H, cell } = net.shape;
  const L = net.plan.directions.length;
  const GH = net.plan.gates * H;
  const S = CELLS[cell].savedPerUnit;
  const d = dir.index;
  const h = net.stateOf('h', d);
  const c = hasState(cell, 'c') ? net.stateOf('c', d) : { off: 0, run: 0 };
  const at = (view: string, floats: number) => (net.acts.has(view) ? net.acts.view(view).offset + d * floats : 0);
  const carry = net.carry;
  const dy = net.dyOf(dir);
  const forward = dir.direction === 'forward';
  const norm = hasNorm(net);
  const stride = statStride(net);
  const { dgh } = gateGradients(net);
  const view = (arena: { has(v: string): boolean; view(v: string): { offset: number } }, v: string) => (arena.has(v) ? arena.view(v).offset : 0);
  const x = net.dataInput();
  return STEP_RECORD.pack({
    t, s_in: forward ? t : t + 1, s_out: forward ? t + 1 : t, rec_row: 0, mode: MODE.inner, B, H,
    p_run: net.slot.runStride, w_hh: net.paramOffset(dir, 'weight_hh'), b_hh: net.paramOffset(dir, 'bias_hh'),
    h_off: h.off, h_run: h.run, hr_off: variational ? net.stateOf('hm', d).off : h.off,
    vm_off: at('vmask', B * H), vm_run: L * B * H,
    c_off: c.off, c_run: c.run,
    s_off: at('saved', T * B * S * H), s_run: L * T * B * S * H,
    gx_off: net.gx.view('gx').offset, gx_run: T * B * GH,
    dy_off: dy.off, dy_run: dy.run,
    dgx_off: net.dgates.view('dgx').offset, dgh_off: dgh, dg_run: T * B * GH,
    carry_off: carry.view('carry').offset, carry_run: B * H,
    dh0_off: carry.view('dh0').offset + d * B * H,
    dc0_off: carry.view('dc0').offset + d * B * H,
    out_run: L * B * H,
    keep: 0, kh_off: at('kept_h', B * H), kc_off: at('kept_c', B * H), k_run: L * B * H,
    gt_off: carry.has('gt') ? carry.view('gt').offset + d * T * B * H : 0, gt_run: L * T * B * H,
    rec_off: norm ? net.dgates.view('dghr').offset : dgh,
    gh_off: view(net.gx, 'gh'), phase: PHASE.whole,
    nc_w: norm && hasState(cell, 'c') ? net.paramOffset(dir, 'norm_c_weight') : 0,
    st_off: at('nstat', T * stride), st_run: L * T * stride,
    dhs_off: view(carry, 'dhs'), dch_off: view(carry, 'dch'),
    dnc_off: view(net.dgates, 'dnc'), dnc_run: T * B * 2 * H,
    rn_c: 0, rn_run: 0, train: 0,
    first: 0, steps: 0, T, reverse: dir.direction === 'reverse' ? 1 : 0, keep_t: 0,
    w_ih: net.paramOffset(dir, 'weight_ih'), b_ih: net.paramOffset(dir, 'bias_ih'), n_in: dir.inputSize, x_off: x.off, x_run: x.run, zero_in: 0,
    n_out: 0, hw_off: 0, hw_rs: 0, // FOLD_HEAD's fields: recordBackward's headFold sets them
    ...extra,
  });
}

/** Whether the network has a norm inside the cell (layer or batch). */
function hasNorm(net: RnnGpu): boolean {
  return net.shape.norm === 'layer' || net.shape.norm === 'batch';
}

/** Floats of one timestep's statistics in `nstat`: per row (layer norm) or per column (batch norm). */
function statStride(net: RnnGpu): number {
  const { batch: B, hiddenSize: H } = net.shape;
  return net.shape.norm === 'batch' ? (4 * net.plan.gates + 2) * H : B * 6;
}

/** The record fields of the LSTM's cell-state batch norm at timestep t: its running statistics, train or evaluate. */
function batchCRecord(net: RnnGpu, dir: DirectionPlan, t: number, train: boolean): Partial<Record<StepField, number>> {
  if (net.shape.norm !== 'batch' || !hasState(net.shape.cell, 'c')) return {};
  return { rn_c: net.runningOffset(dir, 'c', stepIndex(dir, t, net.shape.seqLen)), rn_run: net.runningSize, train: train ? 1 : 0 };
}

/** The processing step of timestep t: its position in the direction's own time order. */
function stepIndex(dir: DirectionPlan, t: number, T: number): number {
  return dir.direction === 'forward' ? t : T - 1 - t;
}

/** shaders/batch_norm.wgsl's record of direction `dir` at timestep t, training or evaluating. */
function batchNormRecord(net: RnnGpu, dir: DirectionPlan, t: number, train: boolean): number[] {
  const { seqLen: T, batch: B, hiddenSize: H } = net.shape;
  const L = net.plan.directions.length;
  const GH = net.plan.gates * H;
  const W = statStride(net);
  const k = stepIndex(dir, t, T);
  const g = (v: string) => net.gx.view(v).offset;
  const dg = (v: string) => net.dgates.view(v).offset;
  return BATCH_NORM_RECORD.pack({
    t, B, n: GH, p_run: net.slot.runStride,
    w_ih: net.paramOffset(dir, 'norm_ih_weight'), w_hh: net.paramOffset(dir, 'norm_hh_weight'), b_ih: net.paramOffset(dir, 'bias_ih'),
    g_run: T * B * GH, gx_off: g('gx'), gh_off: g('gh'),
    gxr_off: g('gxr') + dir.index * T * B * GH, ghr_off: g('ghr') + dir.index * T * B * GH, gr_run: L * T * B * GH,
    st_off: net.acts.view('nstat').offset + (dir.index * T + t) * W, st_run: L * T * W,
    rn_ih: net.runningOffset(dir, 'ih', k), rn_hh: net.runningOffset(dir, 'hh', k), rn_run: net.runningSize, train: train ? 1 : 0,
    dgx_off: dg('dgx'), dgh_off: dg(net.dgates.has('dgh') ? 'dgh' : 'dgx'), dgxr_off: dg('dgxr'), dghr_off: dg('dghr'),
    dn_ih_off: dg('dnih'), dn_hh_off: dg('dnhh'), dn_run: T * B * 2 * GH,
  });
}

/** shaders/norm.wgsl's record of direction `dir` at timestep t. */
function normRecord(net: RnnGpu, dir: DirectionPlan, t: number): number[] {
  const { seqLen: T, batch: B, hiddenSize: H } = net.shape;
  const L = net.plan.directions.length;
  const GH = net.plan.gates * H;
  const g = (v: string) => net.gx.view(v).offset;
  const dg = (v: string) => net.dgates.view(v).offset;
  return NORM_RECORD.pack({
    t, B, n: GH, p_run: net.slot.runStride,
    w_ih: net.paramOffset(dir, 'norm_ih_weight'), w_hh: net.paramOffset(dir, 'norm_hh_weight'), b_ih: net.paramOffset(dir, 'bias_ih'),
    g_run: T * B * GH, gx_off: g('gx'), gh_off: g('gh'),
    gxr_off: g('gxr') + dir.index * T * B * GH, ghr_off: g('ghr') + dir.index * T * B * GH, gr_run: L * T * B * GH,
    st_off: net.acts.view('nstat').offset + dir.index * T * B * 6, st_run: L * T * B * 6,
    dgx_off: dg('dgx'), dgh_off: dg(net.dgates.has('dgh') ? 'dgh' : 'dgx'), dgxr_off: dg('dgxr'), dghr_off: dg('dghr'),
    dn_ih_off: dg('dnih'), dn_hh_off: dg('dnhh'), dn_run: T * B * 2 * GH,
  });
}

/** A kernel's bindings plus the per-run table, for the kernels that draw dropout masks. */
function withTable(net: RnnGpu, resources: Record<number, BindingResource>): Record<number, BindingResource> {
  return net.runTable ? { ...resources, [net.runTable.binding]: net.runTable.resource } : resources;
}

/** What the recording decided that the stages around the network need to know. */
export interface RecordedNetwork {
  /**
   * The forward lists write the zero initial state themselves: on the looping path, when the shape
   * says every window starts from zeros (a training group with full BPTT). The state stage then
   * records no restore (src/training/state-stage.ts).
   */
  zeroesInitialState: boolean;
  /** The top layer's backward forms the head's input gradient itself (FOLD_HEAD): the head records no GEMM for it. */
  foldsHead: boolean;
}

/** Records the network's lists: `forward`, `backward`, and `forward-eval`, `backward-diagnostics` when its shape asks. */
export async function recordNetwork(net: RnnGpu, builder: ProgramBuilder): Promise<RecordedNetwork> {
  const { engine, shape, slot, plan } = net;
  const { runs: R, seqLen: T, batch: B, hiddenSize: H, cell } = shape;
  const variational = !!shape.recurrentDropout;
  const norm = hasNorm(net);
  const batch = shape.norm === 'batch';
  const normC = norm && hasState(cell, 'c');
  const cEntry = batch ? 'bn_c_forward' : 'norm_c_forward';
  // one dispatch per timestep, or one per chunk of timesteps (src/model/rnn-looping.ts)
  const path = chooseKernelPath(engine, shape).path;
  const looping = path === 'looping';
  // layer 0 of a tiny input: the forward kernel forms b_ih + W_ih x_t itself, no input projection GEMM
  const fold = (dir: DirectionPlan) => !norm && foldsInput(dir.layer, dir.inputSize) && dir.input.every((p) => p.source === 'data');
  const folding = plan.directions.some(fold);
  const zeroInitial = looping && !!shape.zeroInitial && shape.keepAfter === undefined;
  const foldHead = net.head !== undefined && foldsHead(net.head.outputs, net.layerOutputs);
  const [fwd, bwd] = looping ? ['forward_loop', 'backward_loop'] as const : ['forward_step', 'backward_step'] as const;
  const loopWorkgroup = looping ? loopingWorkgroup(engine, H) : undefined;
  const stepUnits = looping ? undefined : backwardStepUnits(engine);
  const kernels = {
    forward: await engine.kernel(cellKernel(cell, fwd, { variational, norm, batch, loopWorkgroup })),
    forwardPlain: await engine.kernel(cellKernel(cell, fwd, { norm, batch, loopWorkgroup })),
    forwardFold: folding ? await engine.kernel(cellKernel(cell, fwd, { variational, foldInput: true, loopWorkgroup })) : undefined,
    forwardFoldPlain: folding ? await engine.kernel(cellKernel(cell, fwd, { foldInput: true, loopWorkgroup })) : undefined,
    backward: await engine.kernel(cellKernel(cell, bwd, { variational, norm, batch, loopWorkgroup, stepUnits })),
    diagnostics: shape.diagnostics ? await engine.kernel(cellKernel(cell, bwd, { variational, diagnostics: true, norm, batch, loopWorkgroup, stepUnits })) : undefined,
    backwardFold: foldHead ? await engine.kernel(cellKernel(cell, bwd, { variational, norm, batch, loopWorkgroup, foldHead, stepUnits })) : undefined,
    diagnosticsFold: foldHead && shape.diagnostics
      ? await engine.kernel(cellKernel(cell, bwd, { variational, diagnostics: true, norm, batch, loopWorkgroup, foldHead, stepUnits }))
      : undefined,
    normC: normC ? await engine.kernel(cellKernel(cell, cEntry, { variational, norm, batch })) : undefined,
    normCPlain: normC ? await engine.kernel(cellKernel(cell, cEntry, { norm, batch })) : undefined,
    normGates: !norm ? undefined : batch
      ? await engine.kernel({ label: 'batch norm of the gates, forward', file: 'batch_norm.wgsl', entryPoint: 'bn_gates_forward' })
      : await engine.kernel({ label: 'layer norm of the gates, forward', file: 'norm.wgsl', entryPoint: 'norm_gates_forward', lib: ['row_sum'] }),
  };
  // layer norm: one workgroup per batch row; batch norm: one thread per column
  const GH = plan.gates * H;
  const rowGroups = [B, 1, R] as const;
  const gateNormGroups = batch ? [Math.ceil(GH / 64), 1, R] as const : rowGroups;
  const cNormGroups = batch ? [Math.ceil(H / 64), 1, R] as const : rowGroups;
  const stepGroups = [Math.ceil(H / 64), Math.ceil(B / ROWS_PER_THREAD), R] as const;
  const keepBits = KEEP.h | (hasState(cell, 'c') ? KEEP.c : 0);
  const forwardLists = shape.evalForward ? ['forward', 'forward-eval'] : ['forward'];
  for (const list of forwardLists) {
    const train = list === 'forward';
    for (const layer of plan.layers) {
      for (const dir of layer.directions) {
        const folded = fold(dir);
        const kernel = folded ? (train ? kernels.forwardFold! : kernels.forwardFoldPlain!) : train ? kernels.forward : kernels.forwardPlain;
        // gx (T*B x G*H) = sum over input parts of input (T*B x width) W_ih[:, part]^T, + b_ih
        // (with a norm: gxr, without b_ih, which the norm adds after normalizing)
        for (const [k, part] of folded ? [] : dir.input.entries()) {
          await addGemm(engine, builder, list, {
            label: `input projection ${dirName(dir)}${k > 0 ? ` part ${k}` : ''}`, runs: R, m: T * B, n: GH, k: part.width,
            a: net.partInput(part),
            b: { buffer: slot.params, off: net.paramOffset(dir, 'weight_ih') + part.column, run: slot.runStride, rs: 1, cs: dir.inputSize },
            bias: k === 0 && !norm ? { buffer: slot.params, off: net.paramOffset(dir, 'bias_ih'), run: slot.runStride, rs: 0, cs: 0 } : undefined,
            accumulate: k > 0,
            c: norm
              ? { buffer: net.gx.buffer, off: net.gx.view('gxr').offset + dir.index * T * B * GH, run: plan.directions.length * T * B * GH, rs: GH, cs: 1 }
              : { buffer: net.gx.buffer, off: net.gx.view('gx').offset, run: T * B * GH, rs: GH, cs: 1 },
          });
        }
        const masked = train && variational;
        if (looping) {
          recordForwardLoop(net, builder, list, dir, stepRecord, {
            kernel, masked, keep: train ? keepBits : 0, keepAfter: shape.keepAfter, zero: zeroInitial ? keepBits : 0, label: `${cell} forward ${dirName(dir)}`,
          });
          continue;
        }
        const hIn = net.stateOf(masked ? 'hm' : 'h', dir.index);
        for (const t of timeOrder(dir, T)) {
          const keep = train && dir.direction === 'forward' && shape.keepAfter === t + 1 ? keepBits : 0;
          const record = stepRecord(net, dir, t, masked, { keep, ...batchCRecord(net, dir, t, train) });
          if (norm) {
            // ghr (B x G*H) = h_{t-1} W_hh^T (as W_hh reads it), then both products normalized
            const prev = dir.direction === 'forward' ? t : t + 1;
            await addGemm(engine, builder, list, {
              label: `recurrent product ${dirName(dir)} t${t}`, runs: R, m: B, n: GH, k: H,
              a: { buffer: net.acts.buffer, off: hIn.off + prev * B * H, run: hIn.run, rs: H, cs: 1 },
              b: { buffer: slot.params, off: net.paramOffset(dir, 'weight_hh'), run: slot.runStride, rs: 1, cs: H },
              c: {
                buffer: net.gx.buffer, off: net.gx.view('ghr').offset + (dir.index * T + t) * B * GH,
                run: plan.directions.length * T * B * GH, rs: GH, cs: 1,
              },
            });
            builder.add(list, kernels.normGates!, `${shape.norm} norm ${dirName(dir)} t${t}`,
              batch ? batchNormRecord(net, dir, t, train) : normRecord(net, dir, t),
              { 1: slot.params, 2: net.gx.buffer, 3: net.acts.buffer }, gateNormGroups);
          }
          builder.add(list, kernel, `${cell} forward ${dirName(dir)} t${t}`, record,
            { 1: slot.params, 2: net.gx.buffer, 3: net.acts.buffer }, stepGroups);
          if (normC) {
            builder.add(list, train ? kernels.normC! : kernels.normCPlain!, `${cell} cell-state norm ${dirName(dir)} t${t}`, record,
              { 1: slot.params, 3: net.acts.buffer }, cNormGroups);
          }
        }
      }
      if (net.layerOutputs) await recordLayerOutput(net, builder, list, layer, 'forward', train && !!shape.dropout);
    }
  }
  await recordBackward(net, builder, 'backward', kernels.backward, kernels.backwardFold, false, looping, stepUnits ?? 1);
  if (kernels.diagnostics) await recordBackward(net, builder, 'backward-diagnostics', kernels.diagnostics, kernels.diagnosticsFold, true, looping, stepUnits ?? 1);
  return { zeroesInitialState: zeroInitial, foldsHead: foldHead };
}

/** The layer-output kernel of `layer` (shaders/layer_output.wgsl) in `list`; backward records nothing when it would do nothing. */
async function recordLayerOutput(net: RnnGpu, builder: ProgramBuilder, list: string, layer: LayerPlan, pass: 'forward' | 'backward', dropout: boolean): Promise<void> {
  const { runs: R, seqLen: T, batch: B, hiddenSize: H, inputSize: I } = net.shape;
  const D = layer.outputSize;
  const first = layer.directions[0];
  // The residual input and, backward, where its gradient starts: the data (dx, when wanted) or the layer below.
  const below = layer.layer > 0 ? net.plan.layers[layer.layer - 1].directions[0] : undefined;
  const wantsInputGradient = below !== undefined || net.shape.inputGradient !== false;
  const residual = layer.residual && (pass === 'forward' || wantsInputGradient);
  if (pass === 'backward' && !residual && !dropout) return;
  const input = below ? net.layerOutput(below.layer) : net.dataInput();
  const du = below ? net.dyOf(below) : net.dataGradient();
  const dy = net.dyOf(first);
  const h = net.stateOf('h', first.index);
  const entryPoint = dropout ? `${pass}_dropout` : pass;
  const kernel = await net.engine.kernel({
    label: `layer output ${entryPoint}`, file: 'layer_output.wgsl', entryPoint, lib: LAYER_OUT_LIB,
  });
  const record = LAYER_OUT_RECORD.pack({
    B, H, D, flags: residual ? LAYER_OUT_RESIDUAL : 0, site: layer.layer,
    h_off: h.off, h_run: h.run, dir_stride: (T + 1) * B * H,
    u_off: input.off, u_run: input.run, z_off: net.layerOutput(layer.layer).off, z_run: net.layerOutput(layer.layer).run,
    dy_off: dy.off, dy_run: dy.run, dy_dir: T * B * H,
    du_off: du.off, du_run: du.run, du_dir: below ? T * B * H : H, du_rs: below ? H : I,
  });
  const base: Record<number, BindingResource> = pass === 'forward' ? { 1: net.acts.buffer } : { 2: net.dy.buffer };
  const resources = dropout ? withTable(net, base) : base;
  builder.add(list, kernel, `layer output ${pass} l${layer.layer}`, record, resources, [Math.ceil((B * D) / 64), T, R]);
}

/** The record fields and bindings of a top-layer direction whose backward reads the head's dY and W_head (FOLD_HEAD). */
function headFold(net: RnnGpu, dir: DirectionPlan): { fields: Partial<Record<StepField, number>>; dY: GPUBuffer } {
  const head = net.head!;
  return {
    fields: { dy_off: head.dY.off, dy_run: head.dY.run, n_out: head.outputs, hw_off: head.weight + dir.outputColumn, hw_rs: net.plan.outputSize },
    dY: head.dY.buffer,
  };
}

/**
 * The backward list `list` with the step kernel `plain`; the top layer runs `folded` instead when
 * given (FOLD_HEAD: it reads the head's dY where the others read their dy).
 */
async function recordBackward(
  net: RnnGpu, builder: ProgramBuilder, list: string, plain: Kernel, folded: Kernel | undefined, diagnostics: boolean, looping: boolean, units: number,
): Promise<void> {
  const { engine, shape, slot, plan } = net;
  const { runs: R, seqLen: T, batch: B, hiddenSize: H, cell } = shape;
  const GH = plan.gates * H;
  const variational = !!shape.recurrentDropout;
  const norm = hasNorm(net);
  const batch = shape.norm === 'batch';
  const normC = norm && hasState(cell, 'c');
  // backward_step: a thread per `units` hidden units (lib/recurrent.wgsl UNITS)
  const stepGroups = [Math.ceil(Math.ceil(H / units) / 64), Math.ceil(B / ROWS_PER_THREAD), R] as const;
  const rowGroups = [B, 1, R] as const;
  const gateNormGroups = batch ? [Math.ceil(GH / 64), 1, R] as const : rowGroups;
  const cNormGroups = batch ? [Math.ceil(H / 64), 1, R] as const : rowGroups;
  const plainResources = { 1: slot.params, 4: net.acts.buffer, 5: net.dy.buffer, 6: net.dgates.buffer, 7: net.carry.buffer };
  const normResources = { 1: slot.params, 2: net.gx.buffer, 3: net.acts.buffer, 4: net.dgates.buffer };
  const normGates = !norm ? undefined : batch
    ? await engine.kernel({ label: 'batch norm of the gates, backward', file: 'batch_norm.wgsl', entryPoint: 'bn_gates_backward' })
    : await engine.kernel({ label: 'layer norm of the gates, backward', file: 'norm.wgsl', entryPoint: 'norm_gates_backward', lib: ['row_sum'] });
  const normCBackward = normC
    ? await engine.kernel(cellKernel(cell, batch ? 'bn_c_backward' : 'norm_c_backward', { variational, norm, batch }))
    : undefined;
  const { dgx, dgh, dgxIn } = gateGradients(net);
  const gates = (off: number, width = GH): Operand => ({ buffer: net.dgates.buffer, off, run: T * B * width, rs: width, cs: 1 });
  // Gradient targets (a direction's dy, or 'data') already holding a value: later writers accumulate.
  const written = new Set<number | 'data'>();

  for (const layer of [...plan.layers].reverse()) {
    if (net.layerOutputs) {
      await recordLayerOutput(net, builder, list, layer, 'backward', !!shape.dropout);
      if (layer.residual) {
        if (layer.layer > 0) for (const d of plan.layers[layer.layer - 1].directions) written.add(d.index);
        else if (shape.inputGradient !== false) written.add('data');
      }
    }
    const top = layer.layer === plan.layers.length - 1;
    for (const dir of [...layer.directions].reverse()) {
      const name = dirName(dir);
      const fold = top && folded ? headFold(net, dir) : undefined;
      const kernel = fold ? folded! : plain;
      const resources = fold ? { ...plainResources, 5: fold.dY } : plainResources;
      const recordAt: typeof stepRecord = fold ? (n, d, t, v, extra) => stepRecord(n, d, t, v, { ...fold.fields, ...extra }) : stepRecord;
      const order = timeOrder(dir, T).reverse(); // backward walks the direction's steps last to first
      if (looping) recordBackwardLoop(net, builder, list, dir, recordAt, kernel, variational, resources, `${cell} backward ${name}`);
      else order.forEach((t, i) => {
        const mode = i === 0 ? MODE.last : MODE.inner;
        const step = { mode, rec_row: i === 0 ? 0 : order[i - 1] };
        if (normC) {
          builder.add(list, kernel, `${cell} backward ${name} t${t} to dh`, recordAt(net, dir, t, variational, { ...step, phase: PHASE.split }),
            resources, stepGroups);
          builder.add(list, normCBackward!, `${cell} cell-state norm backward ${name} t${t}`, recordAt(net, dir, t, variational, step),
            { 1: slot.params, 4: net.acts.buffer, 6: net.dgates.buffer, 7: net.carry.buffer }, cNormGroups);
          builder.add(list, kernel, `${cell} backward ${name} t${t} from dh`, recordAt(net, dir, t, variational, { ...step, phase: PHASE.resume }),
            resources, stepGroups);
        } else {
          builder.add(list, kernel, `${cell} backward ${name} t${t}`, recordAt(net, dir, t, variational, step), resources, stepGroups);
        }
        if (normGates) {
          builder.add(list, normGates, `${shape.norm} norm backward ${name} t${t}`,
            batch ? batchNormRecord(net, dir, t, true) : normRecord(net, dir, t), normResources, gateNormGroups);
        }
      });
      const firstStep = order[order.length - 1];
      if (!looping) {
        builder.add(list, kernel, `${cell} initial-state gradient ${name}`,
          recordAt(net, dir, firstStep, variational, { mode: MODE.initial, rec_row: firstStep }), resources, stepGroups);
      }

      const grad = (kind: ParamSpec['kind'], rs: number) => gradOperand(net, dir, kind, rs);
      for (const spec of weightGradientProducts(net, dir)) await addGemm(engine, builder, list, spec, net.deferred);
      if (norm) {
        await addColumnSum(engine, builder, list, { label: `bias_ih gradient ${name}`, runs: R, m: T * B, n: GH, a: gates(dgx), c: grad('bias_ih', 0) });
        await addColumnSum(engine, builder, list, { label: `bias_hh gradient ${name}`, runs: R, m: T * B, n: GH, a: gates(dgh), c: grad('bias_hh', 0) });
      }
      if (norm) {
        // per element [dy * xhat, dy]: summed over rows, the gain's then the bias's gradient (adjacent in the layout)
        const sites: [NormSite, string][] = [['ih', 'dnih'], ['hh', 'dnhh'], ...(normC ? [['c', 'dnc'] as [NormSite, string]] : [])];
        for (const [site, view] of sites) {
          const width = site === 'c' ? 2 * H : 2 * GH;
          await addColumnSum(engine, builder, list, {
            label: `${shape.norm} norm ${site} gain and bias gradients ${name}`, runs: R, m: T * B, n: width,
            a: gates(net.dgates.view(view).offset, width), c: grad(`norm_${site}_weight`, 0),
          });
        }
      }
      for (const part of dir.input) {
        if (part.source === 'data' && shape.inputGradient === false) continue;
        // d input (T*B x width) = dgx (T*B x G*H) W_ih[:, part] (G*H x width)
        await addGemm(engine, builder, list, {
          label: part.source === 'data' ? 'input gradient' : `output gradient of ${dirName(plan.directions[part.source])}`,
          runs: R, m: T * B, n: part.width, k: GH,
          a: gates(dgxIn),
          b: { buffer: slot.params, off: net.paramOffset(dir, 'weight_ih') + part.column, run: slot.runStride, rs: dir.inputSize, cs: 1 },
          c: net.partGradient(part),
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
      units: B * H, steps: T, dirs: L, gt_off: net.carry.view('gt').offset, out_off: net.carry.view('gtNorms').offset,
    }), { 1: net.carry.buffer }, [T, L, R]);
  }
}

/**
 * The weight-gradient GEMMs of a direction, over all timesteps at once: W_ih per input part and
 * W_hh. RnnGpu plans them before recording (deferred reductions), so they are described here once.
 */
export function weightGradientProducts(net: RnnGpu, dir: DirectionPlan): GemmSpec[] {
  const { plan, shape } = net;
  const { runs: R, seqLen: T, batch: B, hiddenSize: H } = shape;
  const GH = plan.gates * H;
  const norm = hasNorm(net);
  const variational = !!shape.recurrentDropout;
  const name = dirName(dir);
  const { dgxIn, dghIn } = gateGradients(net);
  const gatesT = (off: number): Operand => ({ buffer: net.dgates.buffer, off, run: T * B * GH, rs: 1, cs: GH });
  const grad = (kind: ParamSpec['kind'], rs: number, column = 0) => gradOperand(net, dir, kind, rs, column);
  // Without norm the weight gradients' A operands are the bias gradients' summands (dgx, dgh), so
  // each GEMM's row-sum column yields its bias gradient; under norm the biases see the normalised
  // gates' gradient instead, summed by column sums of their own.
  const sums = (kind: 'bias_ih' | 'bias_hh') => (norm ? undefined : grad(kind, 0));
  const specs: GemmSpec[] = dir.input.map((part, k) => ({
    label: `weight_ih gradient ${name}${k > 0 ? ` part ${k}` : ''}`, runs: R, m: GH, n: part.width, k: T * B,
    a: gatesT(dgxIn), b: net.partInput(part), c: grad('weight_ih', dir.inputSize, part.column),
    rowSums: k === 0 ? sums('bias_ih') : undefined,
  }));
  // W_hh saw h_{t-1} (masked under recurrent dropout) for t = 0..T-1: slots 0..T-1 forward, 1..T reverse
  const hPrev = net.stateOf(variational ? 'hm' : 'h', dir.index);
  const prevSlot = dir.direction === 'forward' ? 0 : 1;
  specs.push({
    label: `weight_hh gradient ${name}`, runs: R, m: GH, n: H, k: T * B,
    a: gatesT(dghIn), b: { buffer: net.acts.buffer, off: hPrev.off + prevSlot * B * H, run: hPrev.run, rs: H, cs: 1 },
    c: grad('weight_hh', H), rowSums: sums('bias_hh'),
  });
  return specs;
}

/**
 * Where the gate gradients are in dgates: dgx and dgh (dgx itself where the cell keeps no separate
 * one), and what the weights saw (with a norm, the gradients before it).
 */
function gateGradients(net: RnnGpu): { dgx: number; dgh: number; dgxIn: number; dghIn: number } {
  const norm = hasNorm(net);
  const dgx = net.dgates.view('dgx').offset;
  const dgh = net.dgates.has('dgh') ? net.dgates.view('dgh').offset : dgx;
  return { dgx, dgh, dgxIn: norm ? net.dgates.view('dgxr').offset : dgx, dghIn: norm ? net.dgates.view('dghr').offset : dgh };
}

/** The gradient of direction `dir`'s parameter `kind` (from `column` on) in grads, rows `rs` apart. */
function gradOperand(net: RnnGpu, dir: DirectionPlan, kind: ParamSpec['kind'], rs: number, column = 0): Operand {
  return { buffer: net.slot.grads, off: net.paramOffset(dir, kind) + column, run: net.slot.runStride, rs, cs: 1 };
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
