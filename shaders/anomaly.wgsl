// Anomaly detection (PyTorch's detect_anomaly as the model): after a step's update, a per-run flag
// on the GPU records the first step at which something was not finite, and where. One dispatch
// (1, 1, R), one thread per run: unless the run's flag is already set, it checks in order the
// step's loss, each segment's gradient norm (a layer, the head; written by optimizer.wgsl), the
// global gradient norm, then whether the update wrote a non-finite weight (optimizer.wgsl sets
// `nonfinite[r]` as it writes one, so no scan of the weights is needed), and writes (where, the
// run's own step). It clears nonfinite[r] for the next step.
// where: 0 none, 1 loss, 2 gradient (the global norm only), 3 + s gradient of segment s,
// 3 + S update. Finiteness is read from the bits, so no compiler may fold x != x away.

struct Anomaly {
  segments: u32,    // S
  norm_off: u32,    // norms [R][2 + S] in `norms`: global, S segments, clipped
  loss_off: u32,    // training loss [R] in `losses`
  runs: u32,        // R
}

const WHERE_LOSS: u32 = 1u;
const WHERE_GRADIENT: u32 = 2u;
const WHERE_SEGMENT0: u32 = 3u;

@group(0) @binding(0) var<uniform> u: Anomaly;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read> losses: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<u32>;     // flags [R][2] (where, step), the runs' steps [R]
@group(0) @binding(5) var<storage, read_write> nonfinite: array<u32>; // [R], optimizer.wgsl

fn non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

@compute @workgroup_size(1, 1, 1)
fn anomaly_check(@builtin(workgroup_id) wg: vec3<u32>) {
  let r = wg.z;
  let updated_badly = nonfinite[r] != 0u;
  nonfinite[r] = 0u;
  if (state[2u * r] != 0u) {
    return;
  }
  let at = u.norm_off + r * (2u + u.segments);
  var where_ = 0u;
  if (non_finite(losses[u.loss_off + r])) {
    where_ = WHERE_LOSS;
  } else {
    for (var s = 0u; s < u.segments; s++) {
      if (where_ == 0u && non_finite(norms[at + 1u + s])) {
        where_ = WHERE_SEGMENT0 + s;
      }
    }
    if (where_ == 0u && non_finite(norms[at])) {
      where_ = WHERE_GRADIENT;
    }
    if (where_ == 0u && updated_badly) {
      where_ = WHERE_SEGMENT0 + u.segments;
    }
  }
  if (where_ != 0u) {
    state[2u * r] = where_;
    state[2u * r + 1u] = state[2u * u.runs + r];
  }
}
