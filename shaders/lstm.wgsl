// LSTM cell, forward and backward side by side. Gate order i, f, g, o (PyTorch).
// Saved per unit for backward: the gate activations i, f, g, o.
// With NORM_C (layer norm, Ba et al. 2016): h_t = o * tanh(LN(c_t)). LN needs the whole row of c_t,
// so norm_c_forward (one workgroup per batch row, after the step) writes h and what follows from
// it, and norm_c_backward runs between a backward step's two phases (lib/recurrent.wgsl).
// With NORM_C and BATCH (recurrent batch norm, Cooijmans et al. 2016) the statistics are per unit
// over the batch: bn_c_forward and bn_c_backward take those places, one thread per unit.

const G: u32 = 4u;
const S: u32 = 4u;

fn pre_activation(g: u32, r: u32, b: u32, j: u32, hh: f32) -> f32 {
  return gx_value(g, r, b, j) + hh + bias_hh(g, r, j);
}

fn cell_forward(r: u32, b: u32, j: u32, hh: vec4<f32>) {
  let i = sigmoid(pre_activation(0u, r, b, j, hh.x));
  let f = sigmoid(pre_activation(1u, r, b, j, hh.y));
  let gg = tanh_stable(pre_activation(2u, r, b, j, hh.z));
  let o = sigmoid(pre_activation(3u, r, b, j, hh.w));
  let c = f * acts[c_at(ts.s_in, r, b, j)] + i * gg;   // c_t = f * c_{t-1} + i * g
  acts[c_at(ts.s_out, r, b, j)] = c;
  acts[h_at(ts.s_out, r, b, j)] = o * tanh_stable(c); // h_t = o * tanh(c_t)
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
  let c_prev = acts_in[c_at(ts.s_in, r, b, j)];
  // h_t = o * tanh(c_t), or o * tanh(LN(c_t)) whose gradient to c_t norm_c_backward left in dch
  var tc: f32;
  var dc_h: f32;
  if (NORM_C) {
    tc = tanh_stable(normed_c(r, b, j));
    dc_h = carry[u.dch_off + r * u.carry_run + b * u.H + j];
  } else {
    tc = tanh_stable(acts_in[c_at(ts.s_out, r, b, j)]);
    dc_h = dh * o * (1.0 - tc * tc);
  }
  let d_o = dh * tc;
  let dc = dc_next + dc_h;
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

// LN(c_t)[b, j] from the statistics norm_c_forward kept (backward: acts_in).
// BATCH: BN(c_t)[b, j] from column j's statistics bn_c_forward kept.
fn normed_c(r: u32, b: u32, j: u32) -> f32 {
  let w = r * u.p_run + u.nc_w;
  var chat: f32;
  if (BATCH) {
    let st = batch_c_stat(r);
    chat = (acts_in[c_at(ts.s_out, r, b, j)] - acts_in[st + j]) * acts_in[st + u.H + j];
  } else {
    let st = stat_at(r, b);
    chat = (acts_in[c_at(ts.s_out, r, b, j)] - acts_in[st + 4u]) * acts_in[st + 5u];
  }
  return chat * params[w + j] + params[w + u.H + j];
}

// BATCH: where this step's cell-state statistics start ([mean H][rstd H], after those of ih and hh).
fn batch_c_stat(r: u32) -> u32 {
  return u.st_off + r * u.st_run + ts.t * (4u * G + 2u) * u.H + 4u * G * u.H;
}

// After the forward step at t: h_t = o * tanh(LN(c_t)) for batch row wg.x of run wg.z, then what the
// step kernel did with h (recurrent dropout's masked copy, the kept state). Dispatch (B, 1, R).
@compute @workgroup_size(64, 1, 1)
fn norm_c_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  step_from_record();
  let b = wg.x;
  let r = wg.z;
  let H = u.H;
  var s = 0.0;
  for (var j = lid.x; j < H; j += 64u) {
    s += acts[c_at(ts.s_out, r, b, j)];
  }
  let mean = row_sum(s, lid.x) / f32(H);
  var v = 0.0;
  for (var j = lid.x; j < H; j += 64u) {
    let d = acts[c_at(ts.s_out, r, b, j)] - mean;
    v += d * d;
  }
  let rstd = inverseSqrt(row_sum(v, lid.x) / f32(H) + NORM_EPS);
  let w = r * u.p_run + u.nc_w;
  for (var j = lid.x; j < H; j += 64u) {
    let cn = (acts[c_at(ts.s_out, r, b, j)] - mean) * rstd * params[w + j] + params[w + H + j];
    let out = h_at(ts.s_out, r, b, j);
    acts[out] = acts[saved_at(3u, r, b, j)] * tanh_stable(cn);
    if (VARIATIONAL) {
      acts[out - u.h_off + u.hr_off] = acts[out] * acts[vmask_at(r, b, j)];
    }
    if (ts.keep != 0u) {
      keep_state(r, b, j);
    }
  }
  if (lid.x == 0u) {
    let st = stat_at(r, b);
    acts[st + 4u] = mean;
    acts[st + 5u] = rstd;
  }
}

// Between the two phases of the backward step at t, for batch row wg.x of run wg.z: from dh (dhs),
// dL/dLN(c) = dh * o * (1 - tanh^2), back through the norm into dch; per element [dcn * chat, dcn]
// into dnc for the gain's and bias's gradients. Dispatch (B, 1, R).
@compute @workgroup_size(64, 1, 1)
fn norm_c_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  step_from_record();
  let b = wg.x;
  let r = wg.z;
  let H = u.H;
  let st = stat_at(r, b);
  let mean = acts_in[st + 4u];
  let rstd = acts_in[st + 5u];
  let w = r * u.p_run + u.nc_w;
  let row = u.carry_run * r + b * H;
  var sd = 0.0;
  var sdx = 0.0;
  for (var j = lid.x; j < H; j += 64u) {
    let chat = (acts_in[c_at(ts.s_out, r, b, j)] - mean) * rstd;
    let tc = tanh_stable(chat * params[w + j] + params[w + H + j]);
    let dcn = carry[u.dhs_off + row + j] * acts_in[saved_at(3u, r, b, j)] * (1.0 - tc * tc);
    let d = dcn * params[w + j];
    sd += d;
    sdx += d * chat;
  }
  let mean_d = row_sum(sd, lid.x) / f32(H);
  let mean_dx = row_sum(sdx, lid.x) / f32(H);
  let dn = u.dnc_off + r * u.dnc_run + (ts.t * u.B + b) * 2u * H;
  for (var j = lid.x; j < H; j += 64u) {
    let chat = (acts_in[c_at(ts.s_out, r, b, j)] - mean) * rstd;
    let tc = tanh_stable(chat * params[w + j] + params[w + H + j]);
    let dcn = carry[u.dhs_off + row + j] * acts_in[saved_at(3u, r, b, j)] * (1.0 - tc * tc);
    carry[u.dch_off + row + j] = rstd * (dcn * params[w + j] - mean_d - chat * mean_dx);
    dgates[dn + j] = dcn * chat;
    dgates[dn + H + j] = dcn;
  }
}

// Recurrent batch norm of the cell state (BATCH): after the forward step at t, for column j = gid.x
// of run gid.z, statistics over the B rows in a fixed order (training: the batch's, biased variance,
// and the running ones of this processing step moved towards them with momentum 0.1 and the
// unbiased variance; evaluation: the running ones), then h_t = o * tanh(BN(c_t)) and what the step
// kernel did with h. Dispatch (ceil(H / 64), 1, R).
@compute @workgroup_size(64, 1, 1)
fn bn_c_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  step_from_record();
  let j = gid.x;
  let r = gid.z;
  let H = u.H;
  if (j >= H) {
    return;
  }
  let rn = u.rn_c + r * u.rn_run;
  var mean: f32;
  var rstd: f32;
  if (u.train != 0u) {
    var s = 0.0;
    for (var b = 0u; b < u.B; b++) {
      s += acts[c_at(ts.s_out, r, b, j)];
    }
    mean = s / f32(u.B);
    var v = 0.0;
    for (var b = 0u; b < u.B; b++) {
      let d = acts[c_at(ts.s_out, r, b, j)] - mean;
      v += d * d;
    }
    v /= f32(u.B);
    rstd = inverseSqrt(v + NORM_EPS);
    let unbias = select(1.0, f32(u.B) / f32(u.B - 1u), u.B > 1u);
    acts[rn + j] = 0.9 * acts[rn + j] + 0.1 * mean;
    acts[rn + H + j] = 0.9 * acts[rn + H + j] + 0.1 * v * unbias;
  } else {
    mean = acts[rn + j];
    rstd = inverseSqrt(acts[rn + H + j] + NORM_EPS);
  }
  let st = batch_c_stat(r);
  acts[st + j] = mean;
  acts[st + H + j] = rstd;
  let w = r * u.p_run + u.nc_w;
  for (var b = 0u; b < u.B; b++) {
    let cn = (acts[c_at(ts.s_out, r, b, j)] - mean) * rstd * params[w + j] + params[w + H + j];
    let out = h_at(ts.s_out, r, b, j);
    acts[out] = acts[saved_at(3u, r, b, j)] * tanh_stable(cn);
    if (VARIATIONAL) {
      acts[out - u.h_off + u.hr_off] = acts[out] * acts[vmask_at(r, b, j)];
    }
    if (ts.keep != 0u) {
      keep_state(r, b, j);
    }
  }
}

// Between the two phases of the backward step at t, for column j = gid.x of run gid.z: from dh
// (dhs), dL/dBN(c) = dh * o * (1 - tanh^2), back through the batch statistics (the standard batch
// norm backward over the B rows) into dch; per element [dcn * chat, dcn] into dnc. Dispatch
// (ceil(H / 64), 1, R).
@compute @workgroup_size(64, 1, 1)
fn bn_c_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  step_from_record();
  let j = gid.x;
  let r = gid.z;
  let H = u.H;
  if (j >= H) {
    return;
  }
  let st = batch_c_stat(r);
  let mean = acts_in[st + j];
  let rstd = acts_in[st + H + j];
  let w = r * u.p_run + u.nc_w;
  let gain = params[w + j];
  var sd = 0.0;
  var sdx = 0.0;
  for (var b = 0u; b < u.B; b++) {
    let chat = (acts_in[c_at(ts.s_out, r, b, j)] - mean) * rstd;
    let tc = tanh_stable(chat * gain + params[w + H + j]);
    let dcn = carry[u.dhs_off + u.carry_run * r + b * H + j] * acts_in[saved_at(3u, r, b, j)] * (1.0 - tc * tc);
    sd += dcn * gain;
    sdx += dcn * gain * chat;
  }
  let mean_d = sd / f32(u.B);
  let mean_dx = sdx / f32(u.B);
  for (var b = 0u; b < u.B; b++) {
    let chat = (acts_in[c_at(ts.s_out, r, b, j)] - mean) * rstd;
    let tc = tanh_stable(chat * gain + params[w + H + j]);
    let row = u.carry_run * r + b * H;
    let dcn = carry[u.dhs_off + row + j] * acts_in[saved_at(3u, r, b, j)] * (1.0 - tc * tc);
    carry[u.dch_off + row + j] = rstd * (dcn * gain - mean_d - chat * mean_dx);
    let dn = u.dnc_off + r * u.dnc_run + (ts.t * u.B + b) * 2u * H;
    dgates[dn + j] = dcn * chat;
    dgates[dn + H + j] = dcn;
  }
}
