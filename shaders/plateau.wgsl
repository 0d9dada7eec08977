// Reduce-on-plateau on the GPU, one thread per run (dispatch (ceil(R / 64), 1, 1)), after the
// step's training and evaluation passes: it reports the rate the run trained at this step and, at
// a step that decides (PLATEAU_DECIDE), feeds the watched loss to torch's ReduceLROnPlateau rule,
// so the next step's rate needs no readback. The float32 twin of plateauStep in
// src/training/plateau.ts:
//   better: a < best * t (min, rel), a < best - t (min, abs), a > best * t (max, rel), a > best + t (max, abs)
//   bad = better ? 0 : bad + 1; in cooldown: cooldown - 1 and bad = 0;
//   bad > patience: cooldown = cooldown setting, bad = 0, and the scale takes the factor when
//   old - max(old * factor, min_lr) > 1e-8, old the rate of this step.

struct Plateau {
  runs: u32,         // R
  loss_off: u32,     // training loss [R] in `head`
  val_off: u32,      // evaluation results [R][2] (valLoss, metric) in `head`
  monitor_val: u32,  // 1: watch the validation loss; 0: the training loss
}

// torch's eps: a reduction smaller than this is not applied.
const PLATEAU_EPS: f32 = 1e-8;

@group(0) @binding(0) var<uniform> u: Plateau;
@group(0) @binding(1) var<storage, read> head: array<f32>;            // the head stage's losses
@group(0) @binding(2) var<storage, read_write> plateau: array<f32>;   // [R][PLATEAU_STATE]
@group(0) @binding(3) var<storage, read_write> rates: array<f32>;     // [R]: the rate each run trained at

fn is_better(h: Run, a: f32, best: f32) -> bool {
  let rel = (h.plateau_flags & PLATEAU_ABS) == 0u;
  if ((h.plateau_flags & PLATEAU_MAX) == 0u) {
    return select(a < best - h.plateau_threshold, a < best * h.plateau_threshold, rel);
  }
  return select(a > best + h.plateau_threshold, a > best * h.plateau_threshold, rel);
}

@compute @workgroup_size(64, 1, 1)
fn plateau_step(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= u.runs) {
    return;
  }
  let h = run_table[r];
  let at = r * PLATEAU_STATE;
  let on = (h.plateau_flags & PLATEAU_ON) != 0u;
  var scale = plateau[at + PLATEAU_SCALE];
  let rate = select(h.lr, plateau_lr(h.lr, scale, h.plateau_min_lr), on);
  rates[r] = rate;
  if (!on || (h.plateau_flags & PLATEAU_DECIDE) == 0u) {
    return;
  }
  let value = select(head[u.loss_off + r], head[u.val_off + 2u * r], u.monitor_val == 1u);
  var best = plateau[at];
  var bad = plateau[at + 1u];
  var cooldown = plateau[at + 2u];
  if (is_better(h, value, best)) {
    best = value;
    bad = 0.0;
  } else {
    bad = bad + 1.0;
  }
  if (cooldown > 0.0) {
    cooldown = cooldown - 1.0;
    bad = 0.0; // bad evaluations in the cooldown do not count
  }
  if (bad > f32(h.plateau_patience)) {
    cooldown = f32(h.plateau_cooldown);
    bad = 0.0;
    let next = max(rate * h.plateau_factor, h.plateau_min_lr);
    if (rate - next > PLATEAU_EPS) {
      scale = scale * h.plateau_factor;
    }
  }
  plateau[at] = best;
  plateau[at + 1u] = bad;
  plateau[at + 2u] = cooldown;
  plateau[at + PLATEAU_SCALE] = scale;
}
