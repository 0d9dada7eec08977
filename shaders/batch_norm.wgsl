// Recurrent batch norm of a cell's gate pre-activations (Cooijmans et al. 2016; torch's batch_norm
// per timestep, eps 1e-5): statistics over the B rows of each of the n = G*H columns, one thread per
// column summing its rows in a fixed order (deterministic), dispatch (ceil(n / 64), 1, R).
//   bn_gates_forward   gx = BN(gxr; bn_ih) + b_ih and gh = BN(ghr; bn_hh) (the cell adds b_hh).
//                      Training (train = 1): batch statistics (variance biased), kept per column in
//                      the stats view for backward, and the running ones of processing step k moved
//                      towards them (momentum 0.1, the unbiased variance, as torch.nn.BatchNorm1d).
//                      Evaluation (train = 0): the running statistics; nothing is updated.
//   bn_gates_backward  training only: the standard batch-norm backward through mean and variance,
//                      dgx, dgh -> dgxr, dghr, and per element [dy * xhat, dy] (dn_ih, dn_hh) whose
//                      column sums are the gains' and biases' gradients.
// The cell state's batch norm (LSTM) lives in lstm.wgsl (bn_c_forward, bn_c_backward).

struct BatchNormStep {
  t: u32,
  B: u32,
  n: u32,                                  // G * H
  p_run: u32,                              // params: run stride
  w_ih: u32, w_hh: u32, b_ih: u32,         // offsets in a run: bn_ih.weight, bn_hh.weight (each bias n later), bias_ih
  g_run: u32,                              // run stride of the [R][T][B][n] views below: T * B * n
  gxr_off: u32, gx_off: u32, ghr_off: u32, gh_off: u32,     // in the gx arena; gxr, ghr of this direction
  gr_run: u32,                             // run stride of gxr and ghr ([R][L][T][B][n]): L * T * B * n
  st_off: u32, st_run: u32,                // this step's statistics in acts: [mean n][rstd n] of ih, then of hh
  rn_ih: u32, rn_hh: u32, rn_run: u32,     // running [mean n][var n] of ih and hh at step k in acts
  train: u32,
  dgx_off: u32, dgh_off: u32, dgxr_off: u32, dghr_off: u32, // in the gate-gradient arena
  dn_ih_off: u32, dn_hh_off: u32, dn_run: u32,              // [R][T][B][2n] in the gate-gradient arena
}

const NORM_EPS: f32 = 1e-5;
const MOMENTUM: f32 = 0.1;

@group(0) @binding(0) var<uniform> u: BatchNormStep;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> gates: array<f32>;  // the gx arena
@group(0) @binding(3) var<storage, read_write> acts: array<f32>;   // statistics, running statistics
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;     // backward only: the gate-gradient arena

// Column i of one site: x rows at x + b * n, y rows at y + b * n; st: [mean n][rstd n]; rn: running [mean n][var n].
fn norm_column(x: u32, y: u32, i: u32, w: u32, extra: u32, with_extra: bool, st: u32, rn: u32) {
  let n = u.n;
  var mean: f32;
  var rstd: f32;
  if (u.train != 0u) {
    var s = 0.0;
    for (var b = 0u; b < u.B; b++) {
      s += gates[x + b * n + i];
    }
    mean = s / f32(u.B);
    var v = 0.0;
    for (var b = 0u; b < u.B; b++) {
      let d = gates[x + b * n + i] - mean;
      v += d * d;
    }
    v /= f32(u.B);
    rstd = inverseSqrt(v + NORM_EPS);
    let unbias = select(1.0, f32(u.B) / f32(u.B - 1u), u.B > 1u);
    acts[rn + i] = (1.0 - MOMENTUM) * acts[rn + i] + MOMENTUM * mean;
    acts[rn + n + i] = (1.0 - MOMENTUM) * acts[rn + n + i] + MOMENTUM * v * unbias;
  } else {
    mean = acts[rn + i];
    rstd = inverseSqrt(acts[rn + n + i] + NORM_EPS);
  }
  acts[st + i] = mean;
  acts[st + n + i] = rstd;
  var add = params[w + n + i];
  if (with_extra) {
    add += params[extra + i];
  }
  let gain = params[w + i];
  for (var b = 0u; b < u.B; b++) {
    gates[y + b * n + i] = (gates[x + b * n + i] - mean) * rstd * gain + add;
  }
}

@compute @workgroup_size(64, 1, 1)
fn bn_gates_forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.z;
  if (i >= u.n) {
    return;
  }
  let row = r * u.g_run + u.t * u.B * u.n;
  let raw = r * u.gr_run + u.t * u.B * u.n;
  let p = r * u.p_run;
  let st = u.st_off + r * u.st_run;
  let rn = r * u.rn_run;
  norm_column(u.gxr_off + raw, u.gx_off + row, i, p + u.w_ih, p + u.b_ih, true, st, rn + u.rn_ih);
  norm_column(u.ghr_off + raw, u.gh_off + row, i, p + u.w_hh, 0u, false, st + 2u * u.n, rn + u.rn_hh);
}

// dx = rstd * (dxhat - mean_b(dxhat) - xhat * mean_b(dxhat * xhat)), dxhat = dy * gain, for column i;
// dn gets [dy * xhat, dy] per element.
fn norm_column_backward(x: u32, dy: u32, dx: u32, dn: u32, i: u32, w: u32, st: u32) {
  let n = u.n;
  let mean = acts[st + i];
  let rstd = acts[st + n + i];
  let gain = params[w + i];
  var sd = 0.0;
  var sdx = 0.0;
  for (var b = 0u; b < u.B; b++) {
    let xhat = (gates[x + b * n + i] - mean) * rstd;
    let d = dg[dy + b * n + i] * gain;
    sd += d;
    sdx += d * xhat;
  }
  let mean_d = sd / f32(u.B);
  let mean_dx = sdx / f32(u.B);
  for (var b = 0u; b < u.B; b++) {
    let xhat = (gates[x + b * n + i] - mean) * rstd;
    let g = dg[dy + b * n + i];
    dg[dx + b * n + i] = rstd * (g * gain - mean_d - xhat * mean_dx);
    dg[dn + b * 2u * n + i] = g * xhat;
    dg[dn + b * 2u * n + n + i] = g;
  }
}

@compute @workgroup_size(64, 1, 1)
fn bn_gates_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.z;
  if (i >= u.n) {
    return;
  }
  let row = r * u.g_run + u.t * u.B * u.n;
  let raw = r * u.gr_run + u.t * u.B * u.n;
  let dn = r * u.dn_run + u.t * u.B * 2u * u.n;
  let p = r * u.p_run;
  let st = u.st_off + r * u.st_run;
  norm_column_backward(u.gxr_off + raw, u.dgx_off + row, u.dgxr_off + row, u.dn_ih_off + dn, i, p + u.w_ih, st);
  norm_column_backward(u.ghr_off + raw, u.dgh_off + row, u.dghr_off + row, u.dn_hh_off + dn, i, p + u.w_hh, st + 2u * u.n);
}
