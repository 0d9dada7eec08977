// Recurrent state at the start of a window, in the initial slot of each direction's h (and c):
// slot 0, or the last slot for the reverse direction of a bidirectional layer (its initial state
// enters at the window's last timestep). Truncated BPTT restores the state the previous window
// kept for forward directions (the forward step kernel copies it out of slot k1 into `kept`,
// which no evaluation pass touches): a copy, so no gradient flows back, the state is detached.
// A new episode, every evaluation batch and every reverse direction (it sees only the window)
// start from zeros instead. Dispatch: (ceil(B * H / 64), L, R).

struct State {
  units: u32,      // B * H
  slots: u32,      // T + 1
  layers: u32,     // L, every direction
  zero: u32,       // 1: write zeros instead of the kept state
  h_off: u32,      // h: [R][L][T+1][B][H]
  c_off: u32,      // c: same shape, cells with a cell state
  has_c: u32,
  kh_off: u32,     // kept h: [R][L][B][H]
  kc_off: u32,     // kept c: same shape
  dirs_per_layer: u32, // 2: direction d is a reverse one when d is odd
}

@group(0) @binding(0) var<uniform> u: State;
@group(0) @binding(1) var<storage, read_write> acts: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn restore(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= u.units) {
    return;
  }
  let reverse = u.dirs_per_layer == 2u && (gid.y % 2u) == 1u;
  let zero = u.zero == 1u || reverse;
  let run_layer = gid.z * u.layers + gid.y;
  let dst = (run_layer * u.slots + select(0u, u.slots - 1u, reverse)) * u.units + i;
  let src = run_layer * u.units + i;
  acts[u.h_off + dst] = select(acts[u.kh_off + src], 0.0, zero);
  if (u.has_c == 1u) {
    acts[u.c_off + dst] = select(acts[u.kc_off + src], 0.0, zero);
  }
}
