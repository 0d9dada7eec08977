/**
 * Dense float32 kernels for the CPU training core: one matrix product form (C = A B^T, both
 * operands row-major so every inner loop walks contiguous memory), transposes that bring the
 * other products into that form, and row broadcasts and sums. Offsets instead of subarrays,
 * so a training step allocates nothing. Not a general BLAS: no strides, no alpha.
 */

/**
 * C[M][N] (=, or += when `accumulate`) A[M][K] B[N][K]^T, each row-major and contiguous from its
 * offset. Blocks of 2 rows by 4 columns keep 8 sums in registers, so each loaded element feeds
 * 2 or 4 multiply-adds; sums run in float64 (JavaScript numbers) and round once on the store.
 */
export function gemmNT(
  C: Float32Array, c0: number,
  A: Float32Array, a0: number,
  B: Float32Array, b0: number,
  M: number, N: number, K: number,
  accumulate: boolean,
): void {
  const M2 = M - (M % 2);
  const N4 = N - (N % 4);
  for (let i = 0; i < M2; i += 2) {
    const ar0 = a0 + i * K;
    const ar1 = ar0 + K;
    const cr0 = c0 + i * N;
    const cr1 = cr0 + N;
    for (let j = 0; j < N4; j += 4) {
      const br0 = b0 + j * K;
      const br1 = br0 + K;
      const br2 = br1 + K;
      const br3 = br2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[ar0 + k];
        const x1 = A[ar1 + k];
        const y0 = B[br0 + k];
        const y1 = B[br1 + k];
        const y2 = B[br2 + k];
        const y3 = B[br3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (accumulate) {
        C[cr0 + j] += s00; C[cr0 + j + 1] += s01; C[cr0 + j + 2] += s02; C[cr0 + j + 3] += s03;
        C[cr1 + j] += s10; C[cr1 + j + 1] += s11; C[cr1 + j + 2] += s12; C[cr1 + j + 3] += s13;
      } else {
        C[cr0 + j] = s00; C[cr0 + j + 1] = s01; C[cr0 + j + 2] = s02; C[cr0 + j + 3] = s03;
        C[cr1 + j] = s10; C[cr1 + j + 1] = s11; C[cr1 + j + 2] = s12; C[cr1 + j + 3] = s13;
      }
    }
    for (let j = N4; j < N; j++) {
      const br = b0 + j * K;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < K; k++) {
        const y = B[br + k];
        s0 += A[ar0 + k] * y;
        s1 += A[ar1 + k] * y;
      }
      C[cr0 + j] = accumulate ? C[cr0 + j] + s0 : s0;
      C[cr1 + j] = accumulate ? C[cr1 + j] + s1 : s1;
    }
  }
  if (M2 < M) {
    const ar = a0 + M2 * K;
    const cr = c0 + M2 * N;
    for (let j = 0; j < N; j++) {
      const br = b0 + j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ar + k] * B[br + k];
      C[cr + j] = accumulate ? C[cr + j] + s : s;
    }
  }
}

/** dst[cols][rows] = src[rows][cols]^T. */
export function transpose(dst: Float32Array, d0: number, src: Float32Array, s0: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const sr = s0 + r * cols;
    for (let c = 0; c < cols; c++) dst[d0 + c * rows + r] = src[sr + c];
  }
}

/** C[rows][N] = bias[N] in every row (the start of an affine map before a `+=` product). */
export function broadcastRows(C: Float32Array, c0: number, bias: Float32Array, b0: number, rows: number, N: number): void {
  for (let r = 0; r < rows; r++) {
    const cr = c0 + r * N;
    for (let j = 0; j < N; j++) C[cr + j] = bias[b0 + j];
  }
}

/** out[r] = sum over c of A[r][c], A [rows][cols] (bias gradients from transposed row gradients). */
export function rowSums(out: Float32Array, o0: number, A: Float32Array, a0: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const ar = a0 + r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += A[ar + c];
    out[o0 + r] = s;
  }
}
