// The per-run table: one Run per run of the group, set by name on the CPU and written before a
// step only when a value changed (src/engine/run-table.ts). Field list: RUN_FIELDS in
// src/training/run-fields.ts, checked against this struct by src/training/run-fields.test.ts.
// A kernel that includes this file reads run r's settings as run_table[r]; binding 10 is the
// table's one place in every bind group.

struct Run {
  optimizer: u32,           // index into OPTIMIZER_KINDS: 0 sgd, 1 rmsprop, 2 adam, 3 adamw
  optimizer_flags: u32,     // FLAG_NESTEROV | FLAG_CENTERED | FLAG_FIRST_STEP (the optimizer's step 1)
  lr: f32,                  // this step's learning rate (the run's schedule at the run's own step)
  weight_decay: f32,
  momentum: f32,
  one_minus_dampening: f32,
  alpha: f32,
  one_minus_alpha: f32,
  eps: f32,
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  step_size: f32,           // Adam: lr / (1 - beta1^t), t the optimizer's own step
  bc2_sqrt: f32,            // Adam: sqrt(1 - beta2^t)
  decay_factor: f32,        // AdamW: 1 - lr * weight_decay
  max_norm: f32,            // clip_grad_norm_ threshold, 0 = off
  clip_value: f32,          // clip_grad_value_ threshold, 0 = off
  dropout_key: u32,         // dropout masks of this step: key from the run's seed and own step
  dropout_threshold: u32,   // between layers and on the head's input: keep when 24 random bits >= this
  dropout_scale: f32,       // 1 / (1 - dropout)
  recurrent_threshold: u32, // recurrent (variational) dropout, the same way
  recurrent_scale: f32,
  bc1_inv: f32,             // Adam: 1 / (1 - beta1^t), for the step size of a run on a plateau
  plateau_flags: u32,       // PLATEAU_ON | PLATEAU_MAX | PLATEAU_ABS | PLATEAU_DECIDE (lib/plateau.wgsl); 0 = off
  plateau_factor: f32,      // ReduceLROnPlateau factor
  plateau_threshold: f32,   // 1 - threshold (min, rel), 1 + threshold (max, rel) or threshold (abs)
  plateau_patience: u32,
  plateau_cooldown: u32,
  plateau_min_lr: f32,
  prune_flags: u32,         // PRUNE_ON | PRUNE_SELECT (prune.wgsl); 0 = not pruning
}

@group(0) @binding(10) var<storage, read> run_table: array<Run>; // [R]
