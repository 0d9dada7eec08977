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

@compute @workgroup_size(16, 16, 1)
fn gemm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.z;
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < u.k; k0 += 16u) {
    for (var i = 0u; i < 4u; i++) {
      let e = tid + i * 256u;
      // A slice: e -> (k = e % 16, m = e / 16); B slice: e -> (n = e % 64, k = e / 64).
      a_tile[(e % 16u) * 64u + e / 16u] = load_a(r, m0 + e / 16u, k0 + e % 16u);
      b_tile[e] = load_b(r, k0 + e / 64u, n0 + e % 64u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        av[i] = a_tile[kk * 64u + lid.y + 16u * i];
        bv[i] = b_tile[kk * 64u + lid.x + 16u * i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          acc[i * 4u + j] += av[i] * bv[j];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y + 16u * i;
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + 16u * j;
      if (m < u.m && n < u.n) {
        var v = acc[i * 4u + j];
        if ((u.flags & ADD_BIAS) != 0u) {
          v += bias[u.bias_off + r * u.bias_run + n];
        }
        let ci = u.c_off + r * u.c_run + m * u.c_rs + n;
        if ((u.flags & ACCUMULATE) != 0u) {
          v += c[ci];
        }
        c[ci] = v;
      }
    }
  }
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
