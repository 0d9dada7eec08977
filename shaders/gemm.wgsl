// Batched strided GEMM over the run axis, with optional split-K, and the reduction of split partials.
//   C[r](m, n) = sum_k A[r](m, k) * B[r](k, n)  (+ bias[r](n))  (+ C[r](m, n) if accumulating)
// Operands are addressed through strides, so transposes cost nothing:
//   A(m, k) = a[a_off + r * a_run + m * a_rs + k * a_cs], likewise B(k, n); with ONES_A, A(m, k) = 1
//   (a column sum is ones(1, K) x B). A run stride of 0 shares one operand among all runs.
// Row sums (ROW_SUMS): C gets an extra column n = sum_k A(m, k), as if B had a ones column appended;
//   a weight gradient's GEMM thus also yields the bias gradient. With SUMS_APART that column is
//   stored at c[sum_off + r * sum_run + m] instead of in C's row. The tiled and blocked kernels add
//   it up in the workgroups of the first column tile from the A values they load anyway, so the
//   extra column costs no tile of its own.
// Split-K: dispatch z is r * splits + s, and split s sums k in [s * k_chunk, (s + 1) * k_chunk) into
//   C(m, n) at c_off + r * c_run + s * c_split + m * c_rs + n. With splits > 1 the host points C at a
//   scratch of partials and clears the epilogue flags; gemm_reduce then adds the partials in split order
//   (a fixed order: the same bits every run) and applies bias and accumulation. A product whose C is one
//   block written outright may leave that reduction to a later pass (src/engine/gemm-defer.ts: the
//   gradient-norm pass in norms.wgsl makes the same additions in the same order).
// Dispatch: tiled (ceil(N / 64), ceil(M / 64), R * splits); blocked (tiles, 1, R * splits);
// direct (M * N / 64, 1, R * splits); reduce (M * N / 64, 1, R); x dimensions grid-stride past the limit.

struct Gemm {
  m: u32, n: u32, k: u32, flags: u32,
  a_off: u32, a_run: u32, a_rs: u32, a_cs: u32,
  b_off: u32, b_run: u32, b_rs: u32, b_cs: u32,
  c_off: u32, c_run: u32, c_rs: u32, bias_off: u32,
  bias_run: u32, splits: u32, k_chunk: u32, c_split: u32,
  lanes_n: u32, sum_off: u32, sum_run: u32,
}

const ACCUMULATE: u32 = 1u;
const ADD_BIAS: u32 = 2u;
const ONES_A: u32 = 4u;
const ROW_SUMS: u32 = 8u;
const SUMS_APART: u32 = 16u;

@group(0) @binding(0) var<uniform> u: Gemm;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// Which run, which split and which k range dispatch z stands for.
struct Slice {
  r: u32,
  s: u32,
  k0: u32,
  k1: u32,
}

fn slice_of(z: u32) -> Slice {
  let s = z % u.splits;
  let k0 = min(u.k, s * u.k_chunk);
  return Slice(z / u.splits, s, k0, min(u.k, k0 + u.k_chunk));
}

fn ones_a() -> bool {
  return (u.flags & ONES_A) != 0u;
}

fn row_sums() -> bool {
  return (u.flags & ROW_SUMS) != 0u;
}

// Columns of C a kernel writes: n, and the row-sum column n when there is one.
fn columns() -> u32 {
  return select(u.n, u.n + 1u, row_sums());
}

// C(m, n) = v (+ bias(n)) (+ C(m, n)): the end of every kernel here. Column u.n is the row sums
// (never biased), in C's row or, with SUMS_APART, at its own place.
fn store(q: Slice, m: u32, n: u32, v: f32) {
  var x = v;
  var ci = u.c_off + q.r * u.c_run + q.s * u.c_split + m * u.c_rs + n;
  if (n == u.n) {
    if ((u.flags & SUMS_APART) != 0u) {
      ci = u.sum_off + q.r * u.sum_run + m;
    }
  } else if ((u.flags & ADD_BIAS) != 0u) {
    x += bias[u.bias_off + q.r * u.bias_run + n];
  }
  if ((u.flags & ACCUMULATE) != 0u) {
    x += c[ci];
  }
  c[ci] = x;
}

// The row-sum column for rows ms.
fn store_sums(q: Slice, ms: vec4<u32>, v: vec4<f32>) {
  if (ms.x < u.m) { store(q, ms.x, u.n, v.x); }
  if (ms.y < u.m) { store(q, ms.y, u.n, v.y); }
  if (ms.z < u.m) { store(q, ms.z, u.n, v.z); }
  if (ms.w < u.m) { store(q, ms.w, u.n, v.w); }
}

// ---- tiled: 64 x 64 output tile per workgroup, 4 x 4 per thread, K in slices of 16 ----

var<workgroup> a_tile: array<f32, 1024>; // [16 k][64 m]
var<workgroup> b_tile: array<f32, 1024>; // [16 k][64 n]

fn load_a(q: Slice, m: u32, k: u32) -> f32 {
  if (m < u.m && k < q.k1) {
    if (ones_a()) {
      return 1.0;
    }
    return a[u.a_off + q.r * u.a_run + m * u.a_rs + k * u.a_cs];
  }
  return 0.0;
}

fn load_b(q: Slice, k: u32, n: u32) -> f32 {
  if (k < q.k1 && n < u.n) {
    return b[u.b_off + q.r * u.b_run + k * u.b_rs + n * u.b_cs];
  }
  return 0.0;
}

fn store_row(q: Slice, m: u32, n0: u32, v: vec4<f32>) {
  if (m >= u.m) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + 16u * j;
    if (n < u.n) {
      store(q, m, n, v[j]);
    }
  }
}

// Thread (x, y) owns rows m0 + y + 16 i and columns n0 + x + 16 j, i, j < 4. The 4 x 4 block is
// held in four vec4 registers with constant indices: software adapters run invocations as SIMD
// lanes, where a dynamically indexed private array turns into slow gathers and scatters.
@compute @workgroup_size(16, 16, 1)
fn gemm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let q = slice_of(wg.z);
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  // Rows m0 + lid.y + 16 i summed over k (the row-sum column), in the first column tile only.
  let sums = row_sums() && wg.x == 0u;
  var acc_sum = vec4<f32>();
  for (var k0 = q.k0; k0 < q.k1; k0 += 16u) {
    for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      // A slice: e -> (k = e % 16, m = e / 16); B slice: e -> (n = e % 64, k = e / 64).
      a_tile[(e % 16u) * 64u + e / 16u] = load_a(q, m0 + e / 16u, k0 + e % 16u);
      b_tile[e] = load_b(q, k0 + e / 64u, n0 + e % 64u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let ar = kk * 64u + lid.y;
      let br = kk * 64u + lid.x;
      let av = vec4<f32>(a_tile[ar], a_tile[ar + 16u], a_tile[ar + 32u], a_tile[ar + 48u]);
      let bv = vec4<f32>(b_tile[br], b_tile[br + 16u], b_tile[br + 32u], b_tile[br + 48u]);
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
      if (sums) {
        acc_sum += av;
      }
    }
    workgroupBarrier();
  }
  let n = n0 + lid.x;
  store_row(q, m0 + lid.y, n, acc0);
  store_row(q, m0 + lid.y + 16u, n, acc1);
  store_row(q, m0 + lid.y + 32u, n, acc2);
  store_row(q, m0 + lid.y + 48u, n, acc3);
  if (sums && lid.x == 0u) {
    store_sums(q, m0 + lid.y + vec4<u32>(0u, 16u, 32u, 48u), acc_sum);
  }
}

// ---- blocked: a 4 x 4 block of C per thread straight from memory, no workgroup memory ----

fn store_block_row(q: Slice, m: u32, ns: vec4<u32>, v: vec4<f32>) {
  if (m >= u.m) {
    return;
  }
  if (ns.x < u.n) { store(q, m, ns.x, v.x); }
  if (ns.y < u.n) { store(q, m, ns.y, v.y); }
  if (ns.z < u.n) { store(q, m, ns.z, v.z); }
  if (ns.w < u.n) { store(q, m, ns.w, v.w); }
}

// A thread's 4 x 4 block of C (row i in ci) and its rows' sums of A.
struct Block {
  c0: vec4<f32>,
  c1: vec4<f32>,
  c2: vec4<f32>,
  c3: vec4<f32>,
  sum: vec4<f32>,
}

// One k of a block: A's four rows (from ai) times B's four columns (from bi).
fn block_term(acc: ptr<function, Block>, ai: vec4<u32>, bi: vec4<u32>, k: u32, sums: bool) {
  var av = vec4<f32>(1.0);
  if (!ones_a()) {
    let ak = ai + k * u.a_cs;
    av = vec4<f32>(a[ak.x], a[ak.y], a[ak.z], a[ak.w]);
  }
  let bk = bi + k * u.b_rs;
  let bv = vec4<f32>(b[bk.x], b[bk.y], b[bk.z], b[bk.w]);
  (*acc).c0 += av.x * bv;
  (*acc).c1 += av.y * bv;
  (*acc).c2 += av.z * bv;
  (*acc).c3 += av.w * bv;
  if (sums) {
    (*acc).sum += av;
  }
}

// A workgroup owns a (4 * 64 / lanes_n) x (4 * lanes_n) tile; thread (tx, ty) = (index % lanes_n,
// index / lanes_n) owns rows ty + (64 / lanes_n) i and columns tx + lanes_n j, i, j < 4. Neighbouring
// invocations thus read neighbouring floats of whichever operand is contiguous along the lanes, which
// software adapters turn into one vector load instead of a gather. Each k step loads four values of
// A and four of B for sixteen multiply-adds, with no barriers. Rows and columns past the edge are
// clamped to the last one, so the inner loop has no bounds checks; their results are dropped.
@compute @workgroup_size(64, 1, 1)
fn gemm_blocked(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let q = slice_of(wg.z);
  let ln = u.lanes_n;
  let lm = 64u / ln;
  let tiles_n = (u.n + 4u * ln - 1u) / (4u * ln);
  let tiles = ((u.m + 4u * lm - 1u) / (4u * lm)) * tiles_n;
  let tx = li % ln;
  let ty = li / ln;
  for (var t = wg.x; t < tiles; t += groups.x) {
    let m0 = (t / tiles_n) * 4u * lm + ty;
    let n0 = (t % tiles_n) * 4u * ln + tx;
    let ms = vec4<u32>(m0, m0 + lm, m0 + 2u * lm, m0 + 3u * lm);
    let ns = vec4<u32>(n0, n0 + ln, n0 + 2u * ln, n0 + 3u * ln);
    let ai = u.a_off + q.r * u.a_run + min(ms, vec4<u32>(u.m - 1u)) * u.a_rs + q.k0 * u.a_cs;
    let bi = u.b_off + q.r * u.b_run + min(ns, vec4<u32>(u.n - 1u)) * u.b_cs + q.k0 * u.b_rs;
    var acc: Block;
    let sums = row_sums() && t % tiles_n == 0u;
    // four k per iteration (the same additions in the same order): a software adapter pays for
    // every loop iteration's branch and lane masks about as much as for a load
    let len = q.k1 - q.k0;
    let quads = len & ~3u;
    var k = 0u;
    for (; k < quads; k += 4u) {
      block_term(&acc, ai, bi, k, sums);
      block_term(&acc, ai, bi, k + 1u, sums);
      block_term(&acc, ai, bi, k + 2u, sums);
      block_term(&acc, ai, bi, k + 3u, sums);
    }
    for (; k < len; k++) {
      block_term(&acc, ai, bi, k, sums);
    }
    store_block_row(q, ms.x, ns, acc.c0);
    store_block_row(q, ms.y, ns, acc.c1);
    store_block_row(q, ms.z, ns, acc.c2);
    store_block_row(q, ms.w, ns, acc.c3);
    if (sums && tx == 0u) {
      store_sums(q, ms, acc.sum);
    }
  }
}

// ---- direct: one thread per element of C, no workgroup memory and no barriers ----

// Products with one row or one column (the head, column sums) waste nothing here; with splits the
// long dot products of m = 1 or n = 1 shapes are cut into chunks instead of walked by one thread.
@compute @workgroup_size(64, 1, 1)
fn gemm_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let q = slice_of(gid.z);
  let nc = columns();
  let total = u.m * nc;
  for (var e = gid.x; e < total; e += groups.x * 64u) {
    let m = e / nc;
    let n = e % nc;
    var v = 0.0;
    let b0 = u.b_off + q.r * u.b_run + n * u.b_cs;
    if (n == u.n) {
      let a0 = u.a_off + q.r * u.a_run + m * u.a_rs;
      for (var k = q.k0; k < q.k1; k++) {
        v += a[a0 + k * u.a_cs];
      }
    } else if (ones_a()) {
      for (var k = q.k0; k < q.k1; k++) {
        v += b[b0 + k * u.b_rs];
      }
    } else {
      let a0 = u.a_off + q.r * u.a_run + m * u.a_rs;
      for (var k = q.k0; k < q.k1; k++) {
        v += a[a0 + k * u.a_cs] * b[b0 + k * u.b_rs];
      }
    }
    store(q, m, n, v);
  }
}

// ---- reduce: C(m, n) = sum over s of P[s](m, n) in split order, then the epilogue ----

// The partials are A here: P[r][s](m, n) = a[a_off + r * a_run + s * a_cs + m * a_rs + n], with
// u.k = the number of partials (and n up to u.n with row sums). Dispatch z is the run alone (u.splits = 1).
@compute @workgroup_size(64, 1, 1)
fn gemm_reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let q = Slice(gid.z, 0u, 0u, 0u);
  let nc = columns();
  let total = u.m * nc;
  for (var e = gid.x; e < total; e += groups.x * 64u) {
    let m = e / nc;
    let n = e % nc;
    let p0 = u.a_off + q.r * u.a_run + m * u.a_rs + n;
    var v = 0.0;
    for (var s = 0u; s < u.k; s++) {
      v += a[p0 + s * u.a_cs];
    }
    store(q, m, n, v);
  }
}
