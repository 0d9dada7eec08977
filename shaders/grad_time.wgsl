// Per-timestep gradient norms (diagnostics): for run r, direction d and timestep t, the L2 norm over
// batch rows and units of dL/dh_t, which the backward steps' DIAGNOSTICS variant wrote into gt.
// One workgroup per (t, d, r) sums its B * H squares and reduces them in a fixed tree, so the same
// gradients always give the same bits. Dispatch: (T, L, R).

struct GradTime {
  units: u32,    // B * H
  steps: u32,    // T
  dirs: u32,     // L, every direction
  gt_off: u32,   // dL/dh_t [R][L][T][B][H]
  out_off: u32,  // norms [R][L][T]
}

const WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: GradTime;
@group(0) @binding(1) var<storage, read_write> buf: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(64, 1, 1)
fn grad_time(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = (wg.z * u.dirs + wg.y) * u.steps + wg.x; // (r, d, t)
  let base = u.gt_off + row * u.units;
  var s = 0.0;
  for (var i = lid.x; i < u.units; i += WG) {
    let v = buf[base + i];
    s += v * v;
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid.x < k) {
      partial[lid.x] += partial[lid.x + k];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    buf[u.out_off + row] = sqrt(partial[0]);
  }
}
