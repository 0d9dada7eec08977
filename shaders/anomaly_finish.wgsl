// The second half of anomaly detection (see anomaly.wgsl for the whole picture): one thread per
// run decides where the run's first non-finite value came from. Dispatch (1, 1, R).

struct Anomaly {
  p_run: u32,
  segments: u32,
  norm_off: u32,
  loss_off: u32,
  runs: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

const WHERE_LOSS: u32 = 1u;
const WHERE_GRADIENT: u32 = 2u;
const WHERE_SEGMENT0: u32 = 3u;

@group(0) @binding(0) var<uniform> u: Anomaly;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read> losses: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<u32>; // flags [R][2], scan [R], steps [R]

fn non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

@compute @workgroup_size(1, 1, 1)
fn anomaly_finish(@builtin(workgroup_id) wg: vec3<u32>) {
  let r = wg.z;
  let scanned = state[2u * u.runs + r];
  state[2u * u.runs + r] = 0u;
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
    if (where_ == 0u && scanned != 0u) {
      where_ = WHERE_SEGMENT0 + u.segments;
    }
  }
  if (where_ != 0u) {
    state[2u * r] = where_;
    state[2u * r + 1u] = state[3u * u.runs + r];
  }
}
