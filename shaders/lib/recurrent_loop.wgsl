// The time-looping entry points (src/model/rnn-looping.ts records them; kernel-path.ts says when):
// forward_loop and backward_loop walk u.steps processing steps from u.first of one layer and
// direction in one dispatch. A workgroup of LOOP_WG threads owns run wg.z and the batch tile wg.y
// across all H units (unit j on thread j % LOOP_WG), so the rows it steps depend on no other
// workgroup: one storageBarrier() per timestep makes this step's h (forward) or gate gradients
// (backward) visible to the next step's mat-vec, and nothing ever waits on another workgroup.
// The per-timestep values go into `ts` (recurrent.wgsl) as the per-step entry points set them, so
// the cell code is the same on both paths. Backward step T is the dh0/dc0 pass.

// The timestep of forward processing step k: t = k, or T - 1 - k walking time backwards.
fn forward_time(k: u32) -> u32 {
  return select(k, u.T - 1u - k, u.reverse != 0u);
}

// h_{t-1} and c_{t-1} sit in slot t and the new state goes to t + 1, one slot later walking backwards.
fn set_slots(t: u32) {
  ts.t = t;
  ts.s_in = select(t, t + 1u, u.reverse != 0u);
  ts.s_out = select(t + 1u, t, u.reverse != 0u);
}

fn set_forward_step(k: u32) {
  let t = forward_time(k);
  set_slots(t);
  ts.rec_row = 0u;
  ts.mode = MODE_INNER;
  ts.keep = select(0u, u.keep, t == u.keep_t);
}

// Backward step k walks the forward order from its end: k = 0 is the last forward step (MODE_LAST),
// and k = T is the dh0/dc0 pass at the first one. The W_hh term reads the gate gradients of the
// step before (the timestep processed after this one going forward).
fn set_backward_step(k: u32) {
  set_slots(forward_time(u.T - 1u - min(k, u.T - 1u)));
  ts.rec_row = select(forward_time(u.T - k), 0u, k == 0u);
  ts.mode = select(select(MODE_INNER, MODE_LAST, k == 0u), MODE_INITIAL, k == u.T);
  ts.keep = 0u;
}

// The zero initial state of rows b0..b0+3, unit j (and recurrent dropout's masked copy: 0 times the mask).
fn zero_initial(r: u32, b0: u32, j: u32) {
  for (var b = b0; b < min(b0 + ROWS, u.B); b++) {
    let at = h_at(ts.s_in, r, b, j);
    acts[at] = 0.0;
    if (VARIATIONAL) {
      acts[at - u.h_off + u.hr_off] = 0.0;
    }
    if ((u.zero_in & KEEP_C) != 0u) {
      acts[c_at(ts.s_in, r, b, j)] = 0.0;
    }
  }
}

// Looping entry points. Loop bounds come from the record and the unit loop's bound is uniform too
// (the `if` on j only guards work), so each storageBarrier is reached by all LOOP_WG threads.
@compute @workgroup_size(LOOP_WG, 1, 1)
fn forward_loop(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.z;
  let b0 = wg.y * ROWS;
  if (u.zero_in != 0u && u.first == 0u) {
    set_forward_step(0u);
    for (var j0 = 0u; j0 < u.H; j0 += LOOP_WG) {
      let j = j0 + lid.x;
      if (j < u.H) {
        zero_initial(r, b0, j);
      }
    }
    storageBarrier(); // the first step's W_hh product reads other threads' units
  }
  for (var i = 0u; i < u.steps; i++) {
    set_forward_step(u.first + i);
    for (var j0 = 0u; j0 < u.H; j0 += LOOP_WG) {
      let j = j0 + lid.x;
      if (j < u.H) {
        forward_unit(r, b0, j);
      }
    }
    storageBarrier();
  }
}

@compute @workgroup_size(LOOP_WG, 1, 1)
fn backward_loop(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.z;
  let b0 = wg.y * ROWS;
  for (var i = 0u; i < u.steps; i++) {
    set_backward_step(u.first + i);
    for (var j0 = 0u; j0 < u.H; j0 += LOOP_WG) {
      let j = j0 + lid.x;
      if (j < u.H) {
        backward_unit(r, b0, j, 0u);
      }
    }
    storageBarrier();
  }
}
