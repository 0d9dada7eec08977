// Recurrent (variational) dropout, once per training step, before the forward pass: each
// direction's mask m [B][H] (Gal and Ghahramani 2016: one per sequence and layer, the same at
// every timestep of the window), and the masked copy of the initial state that the first step's
// W_hh reads (the forward steps write the masked copies of the later states themselves).
// The second direction of a layer (dirs_per_layer 2) is the reverse one: its initial state is in
// the last slot. Dispatch: (ceil(B * H / 64), L, R). Needs lib/rng, lib/dropout and lib/run.

struct RecurrentMask {
  units: u32,          // B * H
  slots: u32,          // T + 1
  layers: u32,         // L, every direction
  dirs_per_layer: u32,
  site: u32,           // dropout site of direction 0 (direction d: site + d)
  h_off: u32,          // h [R][L][T+1][B][H]
  hm_off: u32,         // the masked copy, same shape
  vm_off: u32,         // the masks [R][L][B][H]
}

@group(0) @binding(0) var<uniform> u: RecurrentMask;
@group(0) @binding(1) var<storage, read_write> acts: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn recurrent_mask(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= u.units) {
    return;
  }
  let d = gid.y;
  let r = gid.z;
  let run = run_table[r];
  let m = dropout_factor(run.dropout_key, u.site + d, i, run.recurrent_threshold, run.recurrent_scale);
  acts[u.vm_off + (r * u.layers + d) * u.units + i] = m;
  let reverse = u.dirs_per_layer == 2u && (d % 2u) == 1u;
  let slot = select(0u, u.slots - 1u, reverse);
  let at = ((r * u.layers + d) * u.slots + slot) * u.units + i;
  acts[u.hm_off + at] = acts[u.h_off + at] * m;
}
