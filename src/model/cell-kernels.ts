/**
 * The cell kernels (a cell's shader file on top of shaders/lib/recurrent.wgsl): their
 * descriptors, read from the cell registry, and the layout of their per-dispatch `Step` record.
 */
import type { KernelDesc } from '../engine/engine';
import { RecordLayout } from '../engine/record';
import { CELLS, hasState, type CellKind } from './cells';

/** Field order of `struct Step` in shaders/lib/recurrent.wgsl (all u32). */
export const STEP_FIELDS = [
  't', 's_in', 's_out', 'rec_row', 'mode', 'B', 'H',
  'p_run', 'w_hh', 'b_hh',
  'h_off', 'h_run', 'hr_off', 'vm_off', 'vm_run', 'c_off', 'c_run', 's_off', 's_run',
  'gx_off', 'gx_run', 'dy_off', 'dy_run',
  'dgx_off', 'dgh_off', 'dg_run',
  'carry_off', 'carry_run',
  'dh0_off', 'dc0_off', 'out_run',
  'keep', 'kh_off', 'kc_off', 'k_run',
  'gt_off', 'gt_run',
  'rec_off', 'gh_off', 'phase', 'nc_w', 'st_off', 'st_run', 'dhs_off', 'dch_off', 'dnc_off', 'dnc_run',
  'rn_c', 'rn_run', 'train',
  'first', 'steps', 'T', 'reverse', 'keep_t',
  'w_ih', 'b_ih', 'n_in', 'x_off', 'x_run', 'zero_in',
  'n_out', 'hw_off', 'hw_rs',
] as const;

export type StepField = (typeof STEP_FIELDS)[number];

export const STEP_RECORD = new RecordLayout<StepField>(STEP_FIELDS);

/** Batch rows per thread in the step kernels (`ROWS` in shaders/lib/recurrent.wgsl). */
export const ROWS_PER_THREAD = 4;

/** Backward modes: an inner step, the last timestep (nothing arrives from t + 1), the dh0/dc0 pass. */
export const MODE = { inner: 0, last: 1, initial: 2 } as const;

/** Backward phases of a step with a cell-state norm (NORM_C): whole, up to dh, from dh on. */
export const PHASE = { whole: 0, split: 1, resume: 2 } as const;

/** `keep` bits of a forward step: copy h (and c) after this step into the kept state. */
export const KEEP = { h: 1, c: 2 } as const;

/**
 * The kernel variants (override constants of lib/recurrent.wgsl): recurrent dropout's masked
 * product, and backward's dL/dh_t for the per-timestep norms. Off: the plain kernel.
 */
export interface StepVariant {
  variational?: boolean;
  diagnostics?: boolean;
  /** A norm inside the cell: NORM, and NORM_C for cells with a cell state. */
  norm?: boolean;
  /** That norm is recurrent batch norm (BATCH: per-column statistics) rather than layer norm. */
  batch?: boolean;
  /** The forward kernel computes its input projection from the data input (FOLD_INPUT; layer 0 with I < 16). */
  foldInput?: boolean;
  /** The backward kernels form the gradient on h_t from the head's dY and W_head (FOLD_HEAD; kernel-path.ts foldsHead). */
  foldHead?: boolean;
  /** Threads per workgroup of the looping entry points (LOOP_WG; kernel-path.ts loopingWorkgroup); default 64. */
  loopWorkgroup?: number;
  /** Hidden units per backward_step thread (UNITS; kernel-path.ts backwardStepUnits); default 1. */
  stepUnits?: number;
}

/**
 * The step kernels (one timestep per dispatch), the looping kernels (a chunk of timesteps per
 * dispatch, src/model/rnn-looping.ts), and the LSTM's cell-state norm passes (lstm.wgsl) that run
 * beside the step kernels.
 */
export type CellEntryPoint = 'forward_step' | 'backward_step' | 'forward_loop' | 'backward_loop' | 'norm_c_forward' | 'norm_c_backward' | 'bn_c_forward' | 'bn_c_backward';

export function cellKernel(cell: CellKind, entryPoint: CellEntryPoint, variant: StepVariant = {}): KernelDesc {
  const { file, constants } = CELLS[cell].shader;
  const all: Record<string, number> = { ...constants };
  if (variant.variational) all.VARIATIONAL = 1;
  const loop = entryPoint === 'forward_loop' || entryPoint === 'backward_loop';
  const forward = entryPoint === 'forward_step' || entryPoint === 'forward_loop';
  const backward = entryPoint === 'backward_step' || entryPoint === 'backward_loop';
  if (variant.diagnostics && backward) all.DIAGNOSTICS = 1;
  if (variant.foldInput && forward) all.FOLD_INPUT = 1;
  if (variant.foldHead && backward) all.FOLD_HEAD = 1;
  if (loop && variant.loopWorkgroup !== undefined && variant.loopWorkgroup !== 64) all.LOOP_WG = variant.loopWorkgroup;
  if (entryPoint === 'backward_step' && variant.stepUnits !== undefined && variant.stepUnits !== 1) all.UNITS = variant.stepUnits;
  if (variant.norm) {
    all.NORM = 1;
    if (hasState(cell, 'c')) all.NORM_C = 1;
    if (variant.batch) all.BATCH = 1;
  }
  const normName = variant.batch ? 'batch norm' : 'layer norm';
  const names = [
    variant.variational && 'recurrent dropout', all.DIAGNOSTICS && 'diagnostics', variant.norm && normName,
    all.FOLD_INPUT && 'input folded', all.FOLD_HEAD && 'head folded', all.LOOP_WG && `${all.LOOP_WG} threads`, all.UNITS && `${all.UNITS} units a thread`,
  ].filter(Boolean);
  return {
    label: `${cell} ${entryPoint}${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
    file,
    entryPoint,
    lib: ['activations', 'recurrent', 'recurrent_loop', 'row_sum'],
    constants: Object.keys(all).length > 0 ? all : undefined,
  };
}
