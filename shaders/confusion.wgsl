// Confusion counts (diagnostics) over an evaluation pass: for every row of one validation batch
// with a positive metric weight, run r adds 1 at [actual class][predicted class], the prediction
// being the first largest output (as the loss kernel's accuracy takes it). Integer atomics, so the
// counts never depend on scheduling; the encoder zeroes them before the first batch.
// Dispatch: (ceil(rows / 64), 1, R).

struct Confusion {
  rows: u32,     // T * B rows of the batch
  classes: u32,  // C = the head's outputs
  y_off: u32,    // head outputs [R][rows][C]
  y_run: u32,
  t_off: u32,    // target class indices [rows] in batch
  mw_off: u32,   // metric weights [rows] in batch
  out_off: u32,  // counts [R][C][C] in out
}

@group(0) @binding(0) var<uniform> u: Confusion;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> batch: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<u32>>;

@compute @workgroup_size(64, 1, 1)
fn confusion(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  let r = gid.z;
  if (row >= u.rows || !(batch[u.mw_off + row] > 0.0)) {
    return;
  }
  let C = u.classes;
  let y = u.y_off + r * u.y_run + row * C;
  var best = 0u;
  for (var o = 1u; o < C; o++) {
    if (logits[y + o] > logits[y + best]) {
      best = o;
    }
  }
  let actual = min(u32(batch[u.t_off + row]), C - 1u);
  atomicAdd(&out[u.out_off + (r * C + actual) * C + best], 1u);
}
