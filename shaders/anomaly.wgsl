// Anomaly detection (PyTorch's detect_anomaly as the model): after a step's update, a per-run flag
// on the GPU records the first step at which something was not finite, and where. Two dispatches,
// neither with a workgroup barrier:
//   anomaly_scan:   dispatch (G, 1, R); every thread looks at a strided chunk of run r's updated
//                   weights and sets scan[r] when one of them is NaN or infinite.
//   anomaly_finish: dispatch (1, 1, R), one thread per run; unless the run's flag is already set,
//                   it checks in order the step's loss, the global gradient norm, each segment's
//                   gradient norm (a layer, the head; norms.wgsl), then scan[r] (the update made a
//                   weight non-finite), and writes (where, the run's own step). It clears scan[r].
// where: 0 none, 1 loss, 2 gradient (the global norm only), 3 + s gradient of segment s,
// 3 + S update. Finiteness is read from the bits, so no compiler may fold x != x away.

struct Anomaly {
  p_run: u32,       // P: floats per run in params
  segments: u32,    // S
  norm_off: u32,    // norms [R][2 + S] in `norms`: global, S segments, clipped
  loss_off: u32,    // training loss [R] in `losses`
  runs: u32,        // R
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> u: Anomaly;
@group(0) @binding(1) var<storage, read> params: array<f32>;  // [R][P]

fn non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// u32 words: flags [R][2] (where, step) at 0; scan [R] at 2R; the runs' steps [R] at 3R.
// anomaly_finish.wgsl reads the flags, scan and steps and writes the flags.
@group(0) @binding(4) var<storage, read_write> scan_state: array<atomic<u32>>;

@compute @workgroup_size(256, 1, 1)
fn anomaly_scan(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32,
                @builtin(num_workgroups) count: vec3<u32>) {
  let r = wg.z;
  let base = r * u.p_run;
  var bad = false;
  for (var i = wg.x * 256u + lid; i < u.p_run; i += count.x * 256u) {
    bad = bad || non_finite(params[base + i]);
  }
  if (bad) {
    atomicOr(&scan_state[2u * u.runs + r], 1u);
  }
}
