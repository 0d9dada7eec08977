// Recurrent state between training windows. Truncated BPTT carries each layer's state at slot
// `src` of the last window into slot 0 of the next (a copy, so no gradient flows back: the
// state is detached); a new episode zeroes slot 0 instead. Covers h and, for LSTM, c.
// Dispatch: (ceil(B * H / 64), L, R).

struct State {
  units: u32,      // B * H
  slots: u32,      // T + 1
  layers: u32,     // L
  src: u32,        // slot carried into slot 0
  zero: u32,       // 1: write zeros instead
  h_off: u32,
  c_off: u32,
  has_c: u32,
}

@group(0) @binding(0) var<uniform> u: State;
@group(0) @binding(1) var<storage, read_write> acts: array<f32>; // h, c: [R][L][T+1][B][H]

@compute @workgroup_size(64, 1, 1)
fn carry(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= u.units) {
    return;
  }
  let base = ((gid.z * u.layers + gid.y) * u.slots) * u.units;
  let src_index = base + u.src * u.units + i;
  let dst_index = base + i;
  acts[u.h_off + dst_index] = select(acts[u.h_off + src_index], 0.0, u.zero == 1u);
  if (u.has_c == 1u) {
    acts[u.c_off + dst_index] = select(acts[u.c_off + src_index], 0.0, u.zero == 1u);
  }
}
