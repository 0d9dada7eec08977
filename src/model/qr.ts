/**
 * A deterministic float64 QR factorisation (Householder reflections) for the orthogonal
 * initialisation: the thin Q of an m x n matrix (m >= n) with torch.nn.init.orthogonal_'s sign
 * fix, so R's diagonal is positive and Q is the unique one of a full-rank matrix. Plain loops;
 * no pivoting, no blocking. Not a general linear-algebra library.
 */

/**
 * The thin Q [m][n] (row-major) of a = Q R, a [m][n] row-major with m >= n, each column j
 * multiplied by the sign of R[j][j] as torch does (`q *= d.sign()`); a zero diagonal entry
 * (a rank-deficient a, which a normal draw gives with probability 0) keeps its column as it is.
 */
export function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  if (m < n) throw new Error(`orthonormalColumns needs rows >= columns, got ${m} x ${n}`);
  if (a.length !== m * n) throw new Error(`orthonormalColumns: expected ${m * n} numbers, got ${a.length}`);
  const r = Float64Array.from(a);
  // Reflector k acts on rows k..m-1: H_k = I - 2 v v^T with |v| = 1 (v = 0 when the column is already zero).
  const reflectors: Float64Array[] = [];
  const diagonal = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * n + k];
    // alpha = -sign(x0) |x| keeps v = x - alpha e1 away from cancellation.
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k];
    v[0] -= alpha;
    let vNorm = 0;
    for (const x of v) vNorm += x * x;
    vNorm = Math.sqrt(vNorm);
    if (vNorm > 0) for (let i = 0; i < v.length; i++) v[i] /= vNorm;
    reflect(r, v, k, n, k);
    reflectors.push(v);
    diagonal[k] = vNorm > 0 ? alpha : x0;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, reflectors[k], k, n, 0);
  for (let j = 0; j < n; j++) {
    if (diagonal[j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}

/** x[k.., from..n) -= 2 v (v^T x[k.., from..n)) for a row-major matrix with n columns. */
function reflect(x: Float64Array, v: Float64Array, k: number, n: number, from: number): void {
  for (let j = from; j < n; j++) {
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += v[i] * x[(k + i) * n + j];
    if (dot === 0) continue;
    for (let i = 0; i < v.length; i++) x[(k + i) * n + j] -= 2 * v[i] * dot;
  }
}
