// The fused parameter update for R runs at once, one thread per parameter: finish the gradient
// norms from the partial sums of norms.wgsl, clip the gradient (clip_grad_norm_ from the global
// norm, then clip_grad_value_), then one torch.optim rule (single-tensor SGD, RMSprop, Adam, AdamW)
// chosen per run by data in the per-run table (lib/run.wgsl), never by pipeline. Scalars derived
// from the hyperparameters (1 - beta, bias corrections, 1 - lr * wd) are computed on the CPU in
// float64, as torch does in Python. Gradients are only read: the clipped gradient lives in
// registers. Dispatch: (ceil(P / 256), 1, R).
// The norms' last reduction is folded in here instead of a dispatch of its own: every thread that
// clips by norm adds up the run's S x G partials itself, in one fixed order (the same bits in every
// thread and every run of the step), and thread 0 of each run writes the norms and the `clipped`
// flag that the metrics and the anomaly check read. A thread that writes a non-finite weight sets
// the run's word in `nonfinite`, which anomaly.wgsl reads (and clears) after the step.
// A run on a reduce-on-plateau schedule trains at the rate lib/plateau.wgsl derives from the
// plateau state the GPU keeps (decided without readback), so its lr, Adam step size and AdamW
// decay are recomputed here from that rate. Float64 mirror: src/reference/optim.ts.

struct Update {
  p_run: u32,      // P: floats per run in params, grads and each slot
  norm_stride: u32, // floats per run in norms (2 + S); the global norm comes first
  slot0: u32,      // offsets of the three state slots in `state`, each [R][P]
  slot1: u32,
  slot2: u32,
  segments: u32,   // S, as in norms.wgsl
  groups: u32,     // G partials per segment
  part_off: u32,   // sums of squares [R][S][G] in `control`
  max_off: u32,    // largest |g| [R][S][G] in `control`
  norm_off: u32,   // norms [R][2 + S] in `control`: global, S segments, clipped
}

const KIND_SGD: u32 = 0u;
const KIND_RMSPROP: u32 = 1u;
const KIND_ADAM: u32 = 2u;
const KIND_ADAMW: u32 = 3u;

const FLAG_NESTEROV: u32 = 1u;
const FLAG_CENTERED: u32 = 2u;
const FLAG_FIRST_STEP: u32 = 4u;

// torch.nn.utils.clip_grad_norm_: coef = max_norm / (total_norm + 1e-6), clamped to 1.
const CLIP_NORM_EPS: f32 = 1e-6;

@group(0) @binding(0) var<uniform> u: Update;
@group(0) @binding(1) var<storage, read_write> params: array<f32>; // [R][P]
@group(0) @binding(2) var<storage, read> grads: array<f32>;        // [R][P]
@group(0) @binding(4) var<storage, read_write> control: array<f32>; // partials, maxes and norms of norms.wgsl
@group(0) @binding(5) var<storage, read_write> state: array<f32>;  // slots 0..2, each [R][P]
@group(0) @binding(6) var<storage, read> plateau: array<f32>;      // [R][PLATEAU_STATE], lib/plateau.wgsl
@group(0) @binding(7) var<storage, read_write> nonfinite: array<atomic<u32>>; // [R]

fn non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// Run r's sum of squares over segment s: its G partials in order.
fn segment_squares(r: u32, s: u32) -> f32 {
  let at = u.part_off + (r * u.segments + s) * u.groups;
  var x = 0.0;
  for (var g = 0u; g < u.groups; g++) {
    x += control[at + g];
  }
  return x;
}

// Run r's global gradient norm: the segments' sums of squares added in order.
fn total_norm(r: u32) -> f32 {
  var total = 0.0;
  for (var s = 0u; s < u.segments; s++) {
    total += segment_squares(r, s);
  }
  return sqrt(total);
}

// norms[r] = [global, segment 0 .. S - 1, clipped]. clipped is 1.0 when clip_grad_norm_ scales
// (max_norm / (total + 1e-6) < 1) or clip_grad_value_ clamps some element of the norm-clipped
// gradient, else 0.0. The global norm is total_norm's, bit for bit.
fn write_norms(r: u32, h: Run) {
  let out = u.norm_off + r * u.norm_stride;
  var total = 0.0;
  var largest = 0.0;
  for (var s = 0u; s < u.segments; s++) {
    let squares = segment_squares(r, s);
    total += squares;
    control[out + 1u + s] = sqrt(squares);
    let at = u.max_off + (r * u.segments + s) * u.groups;
    for (var g = 0u; g < u.groups; g++) {
      largest = max(largest, control[at + g]);
    }
  }
  let norm = sqrt(total);
  control[out] = norm;
  var coef = 1.0;
  if (h.max_norm > 0.0) {
    coef = min(h.max_norm / (norm + CLIP_NORM_EPS), 1.0);
  }
  let clipped = coef < 1.0 || (h.clip_value > 0.0 && largest * coef > h.clip_value);
  control[out + 1u + u.segments] = select(0.0, 1.0, clipped);
}

fn has(h: Run, flag: u32) -> bool {
  return (h.optimizer_flags & flag) != 0u;
}

// Slot 0 = momentum_buffer.
fn sgd(h: Run, lr: f32, at: u32, p: f32, grad: f32) -> f32 {
  var g = grad;
  if (h.weight_decay != 0.0) {
    g = g + h.weight_decay * p;
  }
  if (h.momentum != 0.0) {
    let i = u.slot0 + at;
    // torch starts the buffer as a copy of the first gradient, with no dampening.
    var buf = g;
    if (!has(h, FLAG_FIRST_STEP)) {
      buf = h.momentum * state[i] + h.one_minus_dampening * g;
    }
    state[i] = buf;
    g = select(buf, g + h.momentum * buf, has(h, FLAG_NESTEROV));
  }
  return p - lr * g;
}

// Slot 0 = square_avg, slot 1 = grad_avg (centered), slot 2 = momentum_buffer.
fn rmsprop(h: Run, lr: f32, at: u32, p: f32, grad: f32) -> f32 {
  var g = grad;
  if (h.weight_decay != 0.0) {
    g = g + h.weight_decay * p;
  }
  let sq = h.alpha * state[u.slot0 + at] + h.one_minus_alpha * g * g;
  state[u.slot0 + at] = sq;
  var avg: f32;
  if (has(h, FLAG_CENTERED)) {
    let ga = h.alpha * state[u.slot1 + at] + h.one_minus_alpha * g;
    state[u.slot1 + at] = ga;
    avg = sqrt(sq - ga * ga) + h.eps;
  } else {
    avg = sqrt(sq) + h.eps;
  }
  if (h.momentum > 0.0) {
    let buf = h.momentum * state[u.slot2 + at] + g / avg;
    state[u.slot2 + at] = buf;
    return p - lr * buf;
  }
  return p - lr * (g / avg);
}

// Slot 0 = exp_avg, slot 1 = exp_avg_sq. AdamW decays the weight first instead of adding an L2 term.
fn adam(h: Run, step_size: f32, decay_factor: f32, at: u32, param: f32, grad: f32) -> f32 {
  var p = param;
  var g = grad;
  if (h.optimizer == KIND_ADAMW) {
    p = p * decay_factor;
  } else if (h.weight_decay != 0.0) {
    g = g + h.weight_decay * p;
  }
  let m = h.beta1 * state[u.slot0 + at] + h.one_minus_beta1 * g;
  let v = h.beta2 * state[u.slot1 + at] + h.one_minus_beta2 * g * g;
  state[u.slot0 + at] = m;
  state[u.slot1 + at] = v;
  let denom = sqrt(v) / h.bc2_sqrt + h.eps;
  return p - step_size * (m / denom);
}

@compute @workgroup_size(256, 1, 1)
fn update(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.z;
  let h = run_table[r];
  if (i == 0u) {
    write_norms(r, h);
  }
  if (i >= u.p_run) {
    return;
  }
  var lr = h.lr;
  var step_size = h.step_size;
  var decay_factor = h.decay_factor;
  if ((h.plateau_flags & PLATEAU_ON) != 0u) {
    lr = plateau_lr(h.lr, plateau[r * PLATEAU_STATE + PLATEAU_SCALE], h.plateau_min_lr);
    step_size = lr * h.bc1_inv;
    decay_factor = 1.0 - lr * h.weight_decay;
  }
  let at = r * u.p_run + i;
  var g = grads[at];
  if (h.max_norm > 0.0) {
    g = g * min(h.max_norm / (total_norm(r) + CLIP_NORM_EPS), 1.0);
  }
  if (h.clip_value > 0.0) {
    g = clamp(g, -h.clip_value, h.clip_value);
  }
  let p = params[at];
  var next: f32;
  switch h.optimizer {
    case KIND_SGD: {
      next = sgd(h, lr, at, p, g);
    }
    case KIND_RMSPROP: {
      next = rmsprop(h, lr, at, p, g);
    }
    default: {
      next = adam(h, step_size, decay_factor, at, p, g);
    }
  }
  params[at] = next;
  if (non_finite(next)) {
    atomicOr(&nonfinite[r], 1u);
  }
}
