// Spectral norm (diagnostics): the largest singular value of one direction's weight_hh [rows, cols]
// (rows = G*H, cols = H, the whole matrix) for every run, by a fixed number of power iterations
// on W^T W warm-started from the vector the last call left: v <- normalise(v); u = W v;
// v = W^T u; ... then sigma = ||W normalise(v)||. A zero v (a fresh one, or W = 0) restarts from
// the fixed start vector. One workgroup per run walks the products in a fixed order and reduces
// norms in a fixed tree, so the same weights give the same bits. Dispatch: (1, 1, R).

struct Spectral {
  rows: u32,    // G * H
  cols: u32,    // H
  iters: u32,   // power iterations per call
  p_run: u32,   // floats per run of params
  w_off: u32,   // weight_hh of this direction in params, run 0
  v_off: u32,   // v [R][cols] in state (kept between calls)
  v_run: u32,
  u_off: u32,   // u [R][rows] in state (scratch)
  u_run: u32,
  out_off: u32, // sigma [R][dirs] in state
  out_run: u32,
}

const WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Spectral;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;

var<workgroup> partial: array<f32, WG>;

/** The fixed start vector's element j (also in src/reference/spectral-norm.ts). */
fn start_at(j: u32) -> f32 {
  return 0.5 + f32((j * 2654435761u) % 1000u) / 1000.0;
}

/** Sum over the workgroup of each thread's `s`, in a fixed tree; every thread gets the total. */
fn workgroup_sum(lid: u32, s: f32) -> f32 {
  partial[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      partial[lid] += partial[lid + k];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

/** v <- v / ||v||, or the start vector normalised when v is zero. */
fn normalise_v(lid: u32, v0: u32) {
  var s = 0.0;
  for (var j = lid; j < u.cols; j += WG) {
    s += state[v0 + j] * state[v0 + j];
  }
  let n = sqrt(workgroup_sum(lid, s));
  var s0 = 0.0;
  for (var j = lid; j < u.cols; j += WG) {
    s0 += start_at(j) * start_at(j);
  }
  let n0 = sqrt(workgroup_sum(lid, s0));
  for (var j = lid; j < u.cols; j += WG) {
    state[v0 + j] = select(start_at(j) / n0, state[v0 + j] / n, n > 0.0);
  }
  storageBarrier();
}

/** u = W v; returns ||u|| to every thread. */
fn multiply_w(lid: u32, w: u32, v0: u32, u0: u32) -> f32 {
  var s = 0.0;
  for (var i = lid; i < u.rows; i += WG) {
    var acc = 0.0;
    for (var j = 0u; j < u.cols; j++) {
      acc += params[w + i * u.cols + j] * state[v0 + j];
    }
    state[u0 + i] = acc;
    s += acc * acc;
  }
  storageBarrier();
  return sqrt(workgroup_sum(lid, s));
}

@compute @workgroup_size(64, 1, 1)
fn spectral_norm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let r = wg.z;
  let w = u.w_off + r * u.p_run;
  let v0 = u.v_off + r * u.v_run;
  let u0 = u.u_off + r * u.u_run;
  for (var it = 0u; it < u.iters; it++) {
    normalise_v(lid, v0);
    _ = multiply_w(lid, w, v0, u0);
    // v = W^T u
    for (var j = lid; j < u.cols; j += WG) {
      var acc = 0.0;
      for (var i = 0u; i < u.rows; i++) {
        acc += params[w + i * u.cols + j] * state[u0 + i];
      }
      state[v0 + j] = acc;
    }
    storageBarrier();
  }
  normalise_v(lid, v0);
  let sigma = multiply_w(lid, w, v0, u0);
  if (lid == 0u) {
    state[u.out_off + r * u.out_run] = sigma;
  }
}
