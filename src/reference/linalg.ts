/**
 * Dense float64 helpers for the CPU reference: a row-major affine map and its three gradients.
 * These are the GEMMs the GPU path runs as kernels (input projection, recurrent projection,
 * weight gradients over all timesteps). Plain loops, no blocking, no allocation, no speed.
 */

/**
 * out = x W^T + b, row by row.
 * x [rows][inSize], w [outSize][inSize], b [outSize] -> out [rows][outSize] (overwritten).
 */
export function affineRows(
  out: Float64Array,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  rows: number,
  inSize: number,
  outSize: number,
): void {
  for (let r = 0; r < rows; r++) {
    const xRow = r * inSize;
    for (let o = 0; o < outSize; o++) {
      const wRow = o * inSize;
      let acc = b[o];
      for (let i = 0; i < inSize; i++) acc += w[wRow + i] * x[xRow + i];
      out[r * outSize + o] = acc;
    }
  }
}

/**
 * From `out[r][o] = b[o] + sum_i w[o][i] * x[r][i]`: dW[o][i] += sum_r dOut[r][o] * x[r][i].
 * dOut [rows][outSize], x [rows][inSize], dW [outSize][inSize] (accumulated).
 */
export function accumulateWeightGrad(
  dW: Float64Array,
  dOut: Float64Array,
  x: Float64Array,
  rows: number,
  inSize: number,
  outSize: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outSize; o++) {
      const g = dOut[r * outSize + o];
      if (g === 0) continue;
      const wRow = o * inSize;
      const xRow = r * inSize;
      for (let i = 0; i < inSize; i++) dW[wRow + i] += g * x[xRow + i];
    }
  }
}

/**
 * From `out[r][o] = b[o] + ...`: db[o] += sum_r dOut[r][o].
 * dOut [rows][outSize], db [outSize] (accumulated).
 */
export function accumulateBiasGrad(
  db: Float64Array,
  dOut: Float64Array,
  rows: number,
  outSize: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outSize; o++) db[o] += dOut[r * outSize + o];
  }
}

/**
 * From `out[r][o] = ... + sum_i w[o][i] * x[r][i]`: dx[r][i] += sum_o dOut[r][o] * w[o][i].
 * dOut [rows][outSize], w [outSize][inSize], dx [rows][inSize] (accumulated).
 */
export function accumulateInputGrad(
  dx: Float64Array,
  dOut: Float64Array,
  w: Float64Array,
  rows: number,
  inSize: number,
  outSize: number,
): void {
  for (let r = 0; r < rows; r++) {
    const xRow = r * inSize;
    for (let o = 0; o < outSize; o++) {
      const g = dOut[r * outSize + o];
      if (g === 0) continue;
      const wRow = o * inSize;
      for (let i = 0; i < inSize; i++) dx[xRow + i] += g * w[wRow + i];
    }
  }
}
