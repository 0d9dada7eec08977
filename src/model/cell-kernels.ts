/**
 * The cell kernels (shaders/rnn.wgsl, lstm.wgsl, gru.wgsl on top of lib/recurrent.wgsl):
 * their descriptors and the field order of their per-dispatch `Step` record.
 */
import type { KernelDesc } from '../engine/engine';
import type { CellKind } from './layout';

/** Field order of `struct Step` in shaders/lib/recurrent.wgsl. */
export const STEP_FIELDS = [
  't', 'rec_row', 'mode', 'B', 'H',
  'p_run', 'w_hh', 'b_hh',
  'h_off', 'h_run', 'c_off', 'c_run', 's_off', 's_run',
  'gx_off', 'gx_run', 'dy_off', 'dy_run',
  'dgx_off', 'dgh_off', 'dg_run',
  'carry_off', 'carry_run',
  'dh0_off', 'dc0_off', 'out_run',
] as const;

export type StepField = (typeof STEP_FIELDS)[number];

/** Batch rows per thread in the step kernels (`ROWS` in shaders/lib/recurrent.wgsl). */
export const ROWS_PER_THREAD = 4;

/** Backward modes: an inner step, the last timestep (nothing arrives from t + 1), the dh0/dc0 pass. */
export const MODE = { inner: 0, last: 1, initial: 2 } as const;

/** Floats each cell saves per hidden unit and timestep for its backward pass. */
export function savedPerUnit(cell: CellKind): number {
  return cell === 'lstm' || cell === 'gru' ? 4 : 0;
}

export function cellKernel(cell: CellKind, entryPoint: 'forward_step' | 'backward_step'): KernelDesc {
  const file = cell === 'lstm' ? 'lstm.wgsl' : cell === 'gru' ? 'gru.wgsl' : 'rnn.wgsl';
  return {
    label: `${cell} ${entryPoint}`,
    file,
    entryPoint,
    lib: ['activations', 'recurrent'],
    constants: cell === 'rnn_relu' ? { RELU: 1 } : cell === 'rnn_tanh' ? { RELU: 0 } : undefined,
  };
}
