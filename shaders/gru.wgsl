// GRU cell, forward and backward side by side. Gate order r, z, n (PyTorch):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
// Saved per unit for backward: r, z, n and hn = W_hn h + b_hn.
// The input-side and hidden-side pre-activation gradients differ in the n block, so
// backward writes both dgx and dgh.

const G: u32 = 3u;
const S: u32 = 4u;

fn cell_forward(r: u32, b: u32, j: u32, hh: vec4<f32>) {
  let rg = sigmoid(gx_value(0u, r, b, j) + hh.x + bias_hh(0u, r, j));
  let z = sigmoid(gx_value(1u, r, b, j) + hh.y + bias_hh(1u, r, j));
  let hn = hh.z + bias_hh(2u, r, j);
  let n = tanh_stable(gx_value(2u, r, b, j) + rg * hn);
  let h_prev = acts[h_at(ts.s_in, r, b, j)];
  acts[h_at(ts.s_out, r, b, j)] = (1.0 - z) * n + z * h_prev;
  acts[saved_at(0u, r, b, j)] = rg;
  acts[saved_at(1u, r, b, j)] = z;
  acts[saved_at(2u, r, b, j)] = n;
  acts[saved_at(3u, r, b, j)] = hn;
}

// carry is z_{t+1} * dL/dh_{t+1}: the part of dL/dh_t that skips W_hh. Returns this step's.
fn cell_backward(r: u32, b: u32, j: u32, dh_through_w: f32, direct: f32) -> f32 {
  let rg = acts_in[saved_at(0u, r, b, j)];
  let z = acts_in[saved_at(1u, r, b, j)];
  let n = acts_in[saved_at(2u, r, b, j)];
  let hn = acts_in[saved_at(3u, r, b, j)];
  let h_prev = acts_in[h_at(ts.s_in, r, b, j)];
  let dh = dh_through_w + direct;
  // h' = (1 - z) * n + z * h
  let dn = dh * (1.0 - z);
  let dz = dh * (h_prev - n);
  // n = tanh(xn + r * hn)
  let dn_pre = dn * (1.0 - n * n);
  let dr = dn_pre * hn;
  let dr_pre = dr * rg * (1.0 - rg);
  let dz_pre = dz * z * (1.0 - z);
  dgates[dg_at(u.dgx_off, 0u, r, b, j)] = dr_pre;
  dgates[dg_at(u.dgx_off, 1u, r, b, j)] = dz_pre;
  dgates[dg_at(u.dgx_off, 2u, r, b, j)] = dn_pre;
  dgates[dg_at(u.dgh_off, 0u, r, b, j)] = dr_pre;
  dgates[dg_at(u.dgh_off, 1u, r, b, j)] = dz_pre;
  dgates[dg_at(u.dgh_off, 2u, r, b, j)] = dn_pre * rg; // hn enters as r * hn
  return dh * z;
}

fn cell_initial(r: u32, unit: u32, dh_rec: f32, direct: f32) {
  carry[u.dh0_off + r * u.out_run + unit] = dh_rec + direct;
}

// dh came through W_hh (and the output); the carry is the path that skips W_hh (z * dh_{t+1}).
fn cell_dh_total(dh_through_w: f32, direct: f32) -> f32 {
  return dh_through_w + direct;
}
