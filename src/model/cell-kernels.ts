/**
 * The cell kernels (a cell's shader file on top of shaders/lib/recurrent.wgsl): their
 * descriptors, read from the cell registry, and the layout of their per-dispatch `Step` record.
 */
import type { KernelDesc } from '../engine/engine';
import { RecordLayout } from '../engine/record';
import { CELLS, type CellKind } from './cells';

/** Field order of `struct Step` in shaders/lib/recurrent.wgsl (all u32). */
export const STEP_FIELDS = [
  't', 'rec_row', 'mode', 'B', 'H',
  'p_run', 'w_hh', 'b_hh',
  'h_off', 'h_run', 'c_off', 'c_run', 's_off', 's_run',
  'gx_off', 'gx_run', 'dy_off', 'dy_run',
  'dgx_off', 'dgh_off', 'dg_run',
  'carry_off', 'carry_run',
  'dh0_off', 'dc0_off', 'out_run',
  'keep', 'kh_off', 'kc_off', 'k_run',
] as const;

export type StepField = (typeof STEP_FIELDS)[number];

export const STEP_RECORD = new RecordLayout<StepField>(STEP_FIELDS);

/** Batch rows per thread in the step kernels (`ROWS` in shaders/lib/recurrent.wgsl). */
export const ROWS_PER_THREAD = 4;

/** Backward modes: an inner step, the last timestep (nothing arrives from t + 1), the dh0/dc0 pass. */
export const MODE = { inner: 0, last: 1, initial: 2 } as const;

/** `keep` bits of a forward step: copy h (and c) after this step into the kept state. */
export const KEEP = { h: 1, c: 2 } as const;

export function cellKernel(cell: CellKind, entryPoint: 'forward_step' | 'backward_step'): KernelDesc {
  const { file, constants } = CELLS[cell].shader;
  return {
    label: `${cell} ${entryPoint}`,
    file,
    entryPoint,
    lib: ['activations', 'recurrent'],
    constants: constants ? { ...constants } : undefined,
  };
}
