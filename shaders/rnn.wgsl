// Elman RNN cell, forward and backward side by side: h' = act(W_ih x + b_ih + W_hh h + b_hh),
// act = tanh, or relu when the override RELU is true. Backward needs only h', so S = 0.

const G: u32 = 1u;
const S: u32 = 0u;

override RELU: bool = false;

fn cell_forward(r: u32, b: u32, j: u32, hh: vec4<f32>) {
  let pre = gx_value(0u, r, b, j) + hh.x + bias_hh(0u, r, j);
  var h: f32;
  if (RELU) {
    h = max(pre, 0.0);
  } else {
    h = tanh_stable(pre);
  }
  acts[h_at(ts.s_out, r, b, j)] = h;
}

fn cell_backward(r: u32, b: u32, j: u32, dh: f32, carry_in: f32) -> f32 {
  let h = acts_in[h_at(ts.s_out, r, b, j)];
  var d_pre: f32;
  if (RELU) {
    d_pre = select(0.0, dh, h > 0.0); // relu'(pre) = 1 where h > 0
  } else {
    d_pre = dh * (1.0 - h * h); // tanh' = 1 - h^2
  }
  dgates[dg_at(u.dgx_off, 0u, r, b, j)] = d_pre;
  return carry_in;
}

fn cell_initial(r: u32, unit: u32, dh_rec: f32, carry_in: f32) {
  carry[u.dh0_off + r * u.out_run + unit] = dh_rec;
}

// The carry is always 0 here: dh holds every path into h_t.
fn cell_dh_total(dh: f32, carry_in: f32) -> f32 {
  return dh;
}
