// Batched strided GEMM over the run axis, and column sums.
//   gemm:   C[r](m, n) = sum_k A[r](m, k) * B[r](k, n)  (+ bias[r](n))  (+ C[r](m, n) if accumulating)
//   colsum: C[r](0, n) = sum_m A[r](m, n)                                (+ C[r](0, n) if accumulating)
// Operands are addressed through strides, so transposes cost nothing:
//   A(m, k) = a[a_off + r * a_run + m * a_rs + k * a_cs], likewise B(k, n) and C(m, n) (unit column stride).
// A run stride of 0 shares one operand among all runs. Dispatch: (ceil(N / 64), ceil(M / 64), R) for gemm,
// (ceil(N / 64), 1, R) for colsum.

struct Gemm {
  m: u32, n: u32, k: u32, flags: u32,
  a_off: u32, a_run: u32, a_rs: u32, a_cs: u32,
  b_off: u32, b_run: u32, b_rs: u32, b_cs: u32,
  c_off: u32, c_run: u32, c_rs: u32, bias_off: u32,
  bias_run: u32,
}

const ACCUMULATE: u32 = 1u;
const ADD_BIAS: u32 = 2u;

@group(0) @binding(0) var<uniform> u: Gemm;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// 64 x 64 output tile per workgroup, 4 x 4 per thread, K in slices of 16.
var<workgroup> a_tile: array<f32, 1024>; // [16 k][64 m]
var<workgroup> b_tile: array<f32, 1024>; // [16 k][64 n]

fn load_a(r: u32, m: u32, k: u32) -> f32 {
  if (m < u.m && k < u.k) {
    return a[u.a_off + r * u.a_run + m * u.a_rs + k * u.a_cs];
  }
  return 0.0;
}

fn load_b(r: u32, k: u32, n: u32) -> f32 {
  if (k < u.k && n < u.n) {
    return b[u.b_off + r * u.b_run + k * u.b_rs + n * u.b_cs];
  }
  return 0.0;
}

// C(m, n) = v (+ bias(n)) (+ C(m, n)): the end of both GEMM kernels.
fn store(r: u32, m: u32, n: u32, v: f32) {
  var x = v;
  if ((u.flags & ADD_BIAS) != 0u) {
    x += bias[u.bias_off + r * u.bias_run + n];
  }
  let ci = u.c_off + r * u.c_run + m * u.c_rs + n;
  if ((u.flags & ACCUMULATE) != 0u) {
    x += c[ci];
  }
  c[ci] = x;
}

fn store_row(r: u32, m: u32, n0: u32, v: vec4<f32>) {
  if (m >= u.m) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let n = n0 + 16u * j;
    if (n < u.n) {
      store(r, m, n, v[j]);
    }
  }
}

// Thread (x, y) owns rows m0 + y + 16 i and columns n0 + x + 16 j, i, j < 4. The 4 x 4 block is
// held in four vec4 registers with constant indices: software adapters run invocations as SIMD
// lanes, where a dynamically indexed private array turns into slow gathers and scatters.
@compute @workgroup_size(16, 16, 1)
fn gemm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.z;
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k0 = 0u; k0 < u.k; k0 += 16u) {
    for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      // A slice: e -> (k = e % 16, m = e / 16); B slice: e -> (n = e % 64, k = e / 64).
      a_tile[(e % 16u) * 64u + e / 16u] = load_a(r, m0 + e / 16u, k0 + e % 16u);
      b_tile[e] = load_b(r, k0 + e / 64u, n0 + e % 64u);
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
    }
    workgroupBarrier();
  }
  let n = n0 + lid.x;
  store_row(r, m0 + lid.y, n, acc0);
  store_row(r, m0 + lid.y + 16u, n, acc1);
  store_row(r, m0 + lid.y + 32u, n, acc2);
  store_row(r, m0 + lid.y + 48u, n, acc3);
}

@compute @workgroup_size(64, 1, 1)
fn colsum(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let r = gid.z;
  if (n >= u.n) {
    return;
  }
  var s = 0.0;
  let base = u.a_off + r * u.a_run + n * u.a_cs;
  for (var m = 0u; m < u.m; m++) {
    s += a[base + m * u.a_rs];
  }
  let ci = u.c_off + r * u.c_run + n;
  if ((u.flags & ACCUMULATE) != 0u) {
    s += c[ci];
  }
  c[ci] = s;
}

// Small or skinny problems: one thread per output element, no shared memory and no barriers.
// On a software adapter this beats the tiled kernel whenever a tile would be mostly padding.
// Dispatch: (ceil(M * N / 64), 1, R), grid-stride over x when M * N exceeds the dispatch limit.
@compute @workgroup_size(64, 1, 1)
fn gemm_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.z;
  let total = u.m * u.n;
  for (var e = gid.x; e < total; e += groups.x * 64u) {
    let m = e / u.n;
    let n = e % u.n;
    var v = 0.0;
    let a0 = u.a_off + r * u.a_run + m * u.a_rs;
    let b0 = u.b_off + r * u.b_run + n * u.b_cs;
    for (var k = 0u; k < u.k; k++) {
      v += a[a0 + k * u.a_cs] * b[b0 + k * u.b_rs];
    }
    store(r, m, n, v);
  }
}
