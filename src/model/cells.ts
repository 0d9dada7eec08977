/**
 * The registry of cell kinds (DESIGN decision 10): the only place that knows what an LSTM is.
 * Everything that depends on the cell (parameter shapes, the GPU's buffers and kernels, the
 * float64 reference, memory estimates) reads an entry here.
 *
 * A new cell kind is exactly three things:
 *  1. a WGSL file in shaders/ on top of shaders/lib/recurrent.wgsl that defines `const G: u32`
 *     (gates, at most 4), `const S: u32` (floats saved per unit), `cell_forward`, `cell_backward`
 *     and `cell_initial` (see the header of lib/recurrent.wgsl for their contracts);
 *  2. a reference file in src/reference/ exporting a CellReference (forward and backward over
 *     CellForwardStep / CellBackwardStep, saving the same S floats per unit as the shader);
 *  3. an entry below. Its key becomes a CellKind everywhere (configs, parity cases, the UI).
 * src/model/cells.test.ts checks every entry against its shader file.
 */
import type { CellReference } from '../reference/cells';
import { elmanCell } from '../reference/cell-elman';
import { gruCell } from '../reference/cell-gru';
import { lstmCell } from '../reference/cell-lstm';

/** A state tensor a layer carries from step to step: h always, c for cells with a cell state. */
export type StateName = 'h' | 'c';

export interface CellDef {
  /** Short human name, e.g. "LSTM". */
  label: string;
  /** Names of the gate blocks, in PyTorch's order: the row blocks of weight_ih / weight_hh. */
  gates: readonly string[];
  /** State tensors per layer, h first; each is [B][H] per step and is carried by truncated BPTT. */
  states: readonly StateName[];
  /** Floats per hidden unit and timestep the forward kernel saves for backward (`S` in the shader). */
  savedPerUnit: number;
  /**
   * Whether the gradient on the recurrent pre-activations (W_hh h + b_hh) differs from the one on
   * the input side (GRU's n gate, where r multiplies the recurrent term): the GPU then keeps both.
   */
  ownRecurrentGradient: boolean;
  /**
   * The sigmoid gates whose saturation diagnostics report, each with its slot among the S floats
   * saved per unit (shaders/gate_saturation.wgsl reads them there). Absent: none (plain RNNs).
   */
  saturating?: readonly { gate: string; slot: number }[];
  /** The WGSL file under shaders/ and its `override` constants. */
  shader: { file: string; constants?: Readonly<Record<string, number>> };
  /** The float64 mirror of the shader. */
  reference: CellReference;
}

const REGISTRY = {
  rnn_tanh: {
    label: 'RNN (tanh)', gates: ['h'], states: ['h'], savedPerUnit: 0, ownRecurrentGradient: false,
    shader: { file: 'rnn.wgsl', constants: { RELU: 0 } }, reference: elmanCell('tanh'),
  },
  rnn_relu: {
    label: 'RNN (relu)', gates: ['h'], states: ['h'], savedPerUnit: 0, ownRecurrentGradient: false,
    shader: { file: 'rnn.wgsl', constants: { RELU: 1 } }, reference: elmanCell('relu'),
  },
  lstm: {
    label: 'LSTM', gates: ['i', 'f', 'g', 'o'], states: ['h', 'c'], savedPerUnit: 4, ownRecurrentGradient: false,
    saturating: [{ gate: 'i', slot: 0 }, { gate: 'f', slot: 1 }, { gate: 'o', slot: 3 }],
    shader: { file: 'lstm.wgsl' }, reference: lstmCell,
  },
  gru: {
    label: 'GRU', gates: ['r', 'z', 'n'], states: ['h'], savedPerUnit: 4, ownRecurrentGradient: true,
    saturating: [{ gate: 'r', slot: 0 }, { gate: 'z', slot: 1 }],
    shader: { file: 'gru.wgsl' }, reference: gruCell,
  },
} as const satisfies Record<string, CellDef>;

/** Cell kinds, keyed as in the parity case format and the experiment file. */
export type CellKind = keyof typeof REGISTRY;

export const CELLS: Readonly<Record<CellKind, CellDef>> = REGISTRY;

export const CELL_KINDS = Object.keys(CELLS) as readonly CellKind[];

/** Gates per cell: the number of row blocks of weight_ih / weight_hh. */
export const GATES = Object.fromEntries(CELL_KINDS.map((k) => [k, CELLS[k].gates.length])) as Readonly<Record<CellKind, number>>;

/** Whether layers of this cell carry a state `name`. */
export function hasState(cell: CellKind, name: StateName): boolean {
  return CELLS[cell].states.includes(name);
}
