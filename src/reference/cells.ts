/**
 * The buffers of one timestep of a recurrent cell in the float64 reference, shared by every cell's
 * reference file (cell-elman.ts, cell-lstm.ts, cell-gru.ts): what the GPU's fused per-timestep
 * kernels do after the matrix products. The products (W_ih x + b_ih, W_hh h + b_hh and their
 * gradients) live in rnn.ts; a cell sees pre-activations only. No cell is named here.
 */

/** Buffers of one forward step for a whole batch. Fields a cell does not use are empty arrays. */
export interface CellForwardStep {
  batch: number;
  hidden: number;
  /** [B][G*H] in: W_ih x_t + b_ih. */
  gx: Float64Array;
  /** [B][G*H] in: W_hh h_{t-1} + b_hh. */
  gh: Float64Array;
  /** [B][H] in: h_{t-1}. */
  hPrev: Float64Array;
  /** [B][H] in: c_{t-1} (cells with a cell state). */
  cPrev: Float64Array;
  /** [B][H] out: h_t. */
  h: Float64Array;
  /** [B][H] out: c_t (cells with a cell state). */
  c: Float64Array;
  /** [B][S*H] out: the S floats per unit the backward step needs, as the GPU saves them. */
  saved: Float64Array;
  /** Normalization of c_t before its tanh (norm on, cells with a cell state); absent: none. */
  normC?: Pick<StateNorm, 'forward'>;
}

/**
 * A normalization of a [B][H] state block inside the cell (src/reference/norm.ts), bound to its
 * gain, bias and statistics by the caller: the cell only applies it and differentiates it.
 */
export interface StateNorm {
  /** y = norm(x). */
  forward(x: Float64Array, y: Float64Array): void;
  /** dx from dy at the same x; accumulates the gradients of its gain and bias. */
  backward(x: Float64Array, dy: Float64Array, dx: Float64Array): void;
}

/** Buffers of one backward step for a whole batch. Fields a cell does not use are empty arrays. */
export interface CellBackwardStep {
  batch: number;
  hidden: number;
  /** [B][S*H] in: what the forward step saved. */
  saved: Float64Array;
  /** [B][H] in: h_{t-1}. */
  hPrev: Float64Array;
  /** [B][H] in: h_t. */
  h: Float64Array;
  /** [B][H] in: c_{t-1}. */
  cPrev: Float64Array;
  /** [B][H] in: c_t. */
  c: Float64Array;
  /** [B][H] in: dL/dh_t along every path (output, layer above, step t+1). */
  dh: Float64Array;
  /** [B][H] in: dL/dc_t from step t+1. */
  dc: Float64Array;
  /** [B][G*H] out: dL/d(W_ih x_t + b_ih). */
  dGx: Float64Array;
  /** [B][G*H] out: dL/d(W_hh h_{t-1} + b_hh). */
  dGh: Float64Array;
  /** [B][H] out: the part of dL/dh_{t-1} that does not pass through W_hh (0 for most cells). */
  dhPrev: Float64Array;
  /** [B][H] out: dL/dc_{t-1}. */
  dcPrev: Float64Array;
  /** The forward step's normalization of c_t, if any. */
  normC?: StateNorm;
}

/** A cell's reference: one forward and one backward step over a batch, in float64. */
export interface CellReference {
  forward(s: CellForwardStep): void;
  backward(s: CellBackwardStep): void;
}

export const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));
