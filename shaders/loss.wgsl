// Loss on the head's outputs, one workgroup per run (dispatch (1, 1, R)), in two modes.
// Training (mode 0): the loss and its gradient dy.
//   mse:            loss = sum_rows w * sum_o (y - t)^2 / (W * O),   dy = 2 w (y - t) / (W * O)
//   cross_entropy:  loss = sum_rows w * (logsumexp(y) - y[c]) / W,   dy = w (softmax(y) - onehot(c)) / W
// with W = sum of the row weights (the mask), matching torch's mean reductions over scored rows.
// Evaluation (mode 1), once per validation batch i of n: the same loss, no gradient, and the task's
// metric counted with the metric weights m: mse sum_rows m * sum_o (y - t)^2 / O, accuracy
// sum_rows m * [argmax_o y == c] (the first largest wins), both over M = sum of m. The sums run
// across the n batches in `acc`; batch n - 1 writes val_loss = mean of the batch losses and
// metric = score / M (mse, accuracy) or val_loss / ln 2 (bpc) into `out`.
// Targets and weights are shared by all runs; logits and gradients are per run.

struct Loss {
  rows: u32,      // T * B
  outputs: u32,   // O
  kind: u32,      // 0 mse, 1 cross_entropy
  y_off: u32, y_run: u32,
  t_off: u32, w_off: u32,
  dy_off: u32, dy_run: u32,
  loss_off: u32,  // training: loss [R]
  mode: u32,      // 0 training, 1 evaluation
  metric: u32,    // evaluation: 0 mse, 1 accuracy, 2 bpc
  mw_off: u32,    // evaluation: metric weights [rows]
  batch_index: u32, batches: u32, // evaluation: this batch i and the count n
  acc_off: u32,   // evaluation: running sums [R][3] (loss, score, M)
  out_off: u32,   // evaluation: results [R][2] (val_loss, metric)
}

const MODE_EVAL: u32 = 1u;
const METRIC_ACCURACY: u32 = 1u;
const METRIC_BPC: u32 = 2u;
const LN2: f32 = 0.6931471805599453;

@group(0) @binding(0) var<uniform> u: Loss;
@group(0) @binding(1) var<storage, read> logits: array<f32>;    // [R][rows][O]
@group(0) @binding(2) var<storage, read> batch: array<f32>;     // targets [rows][O] or [rows]; weights, metric weights [rows]
@group(0) @binding(3) var<storage, read_write> grad: array<f32>; // dy [R][rows][O]; loss [R]; acc [R][3]; out [R][2]

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

// w * this row's loss; writes the row's dy (scaled by `scale`) when training.
fn row_loss(r: u32, row: u32, scale: f32, train: bool) -> f32 {
  let O = u.outputs;
  let y = u.y_off + r * u.y_run + row * O;
  let d = u.dy_off + r * u.dy_run + row * O;
  let w = batch[u.w_off + row];
  if (u.kind == 0u) {
    var s = 0.0;
    for (var o = 0u; o < O; o++) {
      let diff = logits[y + o] - batch[u.t_off + row * O + o];
      s += diff * diff;
      if (train) {
        grad[d + o] = 2.0 * w * diff * scale / f32(O);
      }
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
  if (train) {
    for (var o = 0u; o < O; o++) {
      let p = exp(logits[y + o] - m) / z;
      grad[d + o] = w * (p - select(0.0, 1.0, o == c)) * scale;
    }
  }
  return w * (m + log(z) - logits[y + c]);
}

// m * this row's metric score (before dividing by M).
fn row_score(r: u32, row: u32) -> f32 {
  let O = u.outputs;
  let y = u.y_off + r * u.y_run + row * O;
  let m = batch[u.mw_off + row];
  if (u.metric == METRIC_ACCURACY) {
    var best = 0u;
    for (var o = 1u; o < O; o++) {
      if (logits[y + o] > logits[y + best]) {
        best = o;
      }
    }
    return select(0.0, m, best == u32(batch[u.t_off + row]));
  }
  var s = 0.0;
  for (var o = 0u; o < O; o++) {
    let diff = logits[y + o] - batch[u.t_off + row * O + o];
    s += diff * diff;
  }
  return m * s / f32(O);
}

@compute @workgroup_size(256, 1, 1)
fn loss(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.z;
  let train = u.mode != MODE_EVAL;
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
    acc += row_loss(r, row, scale, train);
  }
  let loss = workgroup_sum(acc, lid.x) * scale;
  if (train) {
    if (lid.x == 0u) {
      grad[u.loss_off + r] = loss;
    }
    return;
  }
  var score = 0.0;
  var msum = 0.0;
  if (u.metric != METRIC_BPC) {
    for (var row = lid.x; row < u.rows; row += WG) {
      score += row_score(r, row);
      msum += batch[u.mw_off + row];
    }
  }
  let batch_score = workgroup_sum(score, lid.x);
  let batch_m = workgroup_sum(msum, lid.x);
  if (lid.x == 0u) {
    let a = u.acc_off + r * 3u;
    var sums = vec3<f32>(loss, batch_score, batch_m);
    if (u.batch_index > 0u) {
      sums += vec3<f32>(grad[a], grad[a + 1u], grad[a + 2u]);
    }
    grad[a] = sums.x;
    grad[a + 1u] = sums.y;
    grad[a + 2u] = sums.z;
    if (u.batch_index + 1u == u.batches) {
      let val_loss = sums.x / f32(u.batches);
      var metric = val_loss / LN2;
      if (u.metric != METRIC_BPC) {
        metric = select(0.0, sums.y / sums.z, sums.z > 0.0);
      }
      grad[u.out_off + r * 2u] = val_loss;
      grad[u.out_off + r * 2u + 1u] = metric;
    }
  }
}
