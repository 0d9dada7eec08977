// LSTM cell, forward and backward side by side. Gate order i, f, g, o (PyTorch).
// Saved per unit for backward: the gate activations i, f, g, o.

const G: u32 = 4u;
const S: u32 = 4u;

fn pre_activation(g: u32, r: u32, b: u32, j: u32, hh: f32) -> f32 {
  return gx[gx_at(g, r, b, j)] + hh + bias_hh(g, r, j);
}

fn cell_forward(r: u32, b: u32, j: u32, hh: vec4<f32>) {
  let i = sigmoid(pre_activation(0u, r, b, j, hh.x));
  let f = sigmoid(pre_activation(1u, r, b, j, hh.y));
  let gg = tanh_stable(pre_activation(2u, r, b, j, hh.z));
  let o = sigmoid(pre_activation(3u, r, b, j, hh.w));
  let c = f * acts[c_at(u.s_in, r, b, j)] + i * gg;   // c_t = f * c_{t-1} + i * g
  acts[c_at(u.s_out, r, b, j)] = c;
  acts[h_at(u.s_out, r, b, j)] = o * tanh_stable(c); // h_t = o * tanh(c_t)
  acts[saved_at(0u, r, b, j)] = i;
  acts[saved_at(1u, r, b, j)] = f;
  acts[saved_at(2u, r, b, j)] = gg;
  acts[saved_at(3u, r, b, j)] = o;
}

// carry is dL/dc_t arriving from step t + 1; returns dL/dc_{t-1}.
fn cell_backward(r: u32, b: u32, j: u32, dh: f32, dc_next: f32) -> f32 {
  let i = acts_in[saved_at(0u, r, b, j)];
  let f = acts_in[saved_at(1u, r, b, j)];
  let gg = acts_in[saved_at(2u, r, b, j)];
  let o = acts_in[saved_at(3u, r, b, j)];
  let tc = tanh_stable(acts_in[c_at(u.s_out, r, b, j)]);
  let c_prev = acts_in[c_at(u.s_in, r, b, j)];
  // h_t = o * tanh(c_t)
  let d_o = dh * tc;
  let dc = dc_next + dh * o * (1.0 - tc * tc);
  // c_t = f * c_{t-1} + i * g
  let d_i = dc * gg;
  let d_f = dc * c_prev;
  let d_g = dc * i;
  // back through the gate nonlinearities to the pre-activations
  dgates[dg_at(u.dgx_off, 0u, r, b, j)] = d_i * i * (1.0 - i);
  dgates[dg_at(u.dgx_off, 1u, r, b, j)] = d_f * f * (1.0 - f);
  dgates[dg_at(u.dgx_off, 2u, r, b, j)] = d_g * (1.0 - gg * gg);
  dgates[dg_at(u.dgx_off, 3u, r, b, j)] = d_o * o * (1.0 - o);
  return dc * f;
}

fn cell_initial(r: u32, unit: u32, dh_rec: f32, dc: f32) {
  carry[u.dh0_off + r * u.out_run + unit] = dh_rec;
  carry[u.dc0_off + r * u.out_run + unit] = dc;
}

// The carry is dL/dc: dh already holds every path into h_t.
fn cell_dh_total(dh: f32, dc_next: f32) -> f32 {
  return dh;
}
