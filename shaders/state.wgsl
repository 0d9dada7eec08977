// Recurrent state at the start of a window, in slot 0 of each layer's h (and c). Truncated BPTT
// restores the state the previous window kept (the forward step kernel copies it out of slot k1
// into `kept`, which no evaluation pass touches): a copy, so no gradient flows back, the state is
// detached. A new episode, and every evaluation batch, zeroes slot 0 instead.
// Dispatch: (ceil(B * H / 64), L, R).

struct State {
  units: u32,      // B * H
  slots: u32,      // T + 1
  layers: u32,     // L
  zero: u32,       // 1: write zeros instead of the kept state
  h_off: u32,      // h: [R][L][T+1][B][H]
  c_off: u32,      // c: same shape, cells with a cell state
  has_c: u32,
  kh_off: u32,     // kept h: [R][L][B][H]
  kc_off: u32,     // kept c: same shape
}

@group(0) @binding(0) var<uniform> u: State;
@group(0) @binding(1) var<storage, read_write> acts: array<f32>;

@compute @workgroup_size(64, 1, 1)
fn restore(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= u.units) {
    return;
  }
  let run_layer = gid.z * u.layers + gid.y;
  let dst = run_layer * u.slots * u.units + i;
  let src = run_layer * u.units + i;
  acts[u.h_off + dst] = select(acts[u.kh_off + src], 0.0, u.zero == 1u);
  if (u.has_c == 1u) {
    acts[u.c_off + dst] = select(acts[u.kc_off + src], 0.0, u.zero == 1u);
  }
}
