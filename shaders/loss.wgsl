// Loss and its gradient on the head's outputs, one workgroup per run (dispatch (1, 1, R)).
//   mse:            loss = sum_rows w * sum_o (y - t)^2 / (W * O),   dy = 2 w (y - t) / (W * O)
//   cross_entropy:  loss = sum_rows w * (logsumexp(y) - y[c]) / W,   dy = w (softmax(y) - onehot(c)) / W
// with W = sum of the row weights (the mask), matching torch's mean reductions over scored rows.
// Targets and weights are shared by all runs; logits and gradients are per run.

struct Loss {
  rows: u32,      // T * B
  outputs: u32,   // O
  kind: u32,      // 0 mse, 1 cross_entropy
  y_off: u32, y_run: u32,
  t_off: u32, w_off: u32,
  dy_off: u32, dy_run: u32,
  loss_off: u32,
}

@group(0) @binding(0) var<uniform> u: Loss;
@group(0) @binding(1) var<storage, read> logits: array<f32>;    // [R][rows][O]
@group(0) @binding(2) var<storage, read> batch: array<f32>;     // targets [rows][O] or [rows]; weights [rows]
@group(0) @binding(3) var<storage, read_write> grad: array<f32>; // dy [R][rows][O]; loss [R]

const WG: u32 = 256u;
var<workgroup> partial: array<f32, WG>;

// Deterministic tree sum of every thread's value; all threads get the total.
fn workgroup_sum(v: f32, lid: u32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

fn row_loss(r: u32, row: u32, scale: f32) -> f32 {
  let O = u.outputs;
  let y = u.y_off + r * u.y_run + row * O;
  let d = u.dy_off + r * u.dy_run + row * O;
  let w = batch[u.w_off + row];
  if (u.kind == 0u) {
    var s = 0.0;
    for (var o = 0u; o < O; o++) {
      let diff = logits[y + o] - batch[u.t_off + row * O + o];
      s += diff * diff;
      grad[d + o] = 2.0 * w * diff * scale / f32(O);
    }
    return w * s / f32(O);
  }
  let c = u32(batch[u.t_off + row]);
  var m = logits[y];
  for (var o = 1u; o < O; o++) {
    m = max(m, logits[y + o]);
  }
  var z = 0.0;
  for (var o = 0u; o < O; o++) {
    z += exp(logits[y + o] - m);
  }
  for (var o = 0u; o < O; o++) {
    let p = exp(logits[y + o] - m) / z;
    grad[d + o] = w * (p - select(0.0, 1.0, o == c)) * scale;
  }
  return w * (m + log(z) - logits[y + c]);
}

@compute @workgroup_size(256, 1, 1)
fn loss(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.z;
  var wsum = 0.0;
  for (var row = lid.x; row < u.rows; row += WG) {
    wsum += batch[u.w_off + row];
  }
  let total_weight = workgroup_sum(wsum, lid.x);
  var scale = 0.0;
  if (total_weight > 0.0) {
    scale = 1.0 / total_weight;
  }
  var acc = 0.0;
  for (var row = lid.x; row < u.rows; row += WG) {
    acc += row_loss(r, row, scale);
  }
  let total = workgroup_sum(acc, lid.x);
  if (lid.x == 0u) {
    grad[u.loss_off + r] = total * scale;
  }
}
