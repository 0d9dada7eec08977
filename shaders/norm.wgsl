// Layer norm of a cell's gate pre-activations (Ba et al. 2016; torch.nn.functional.layer_norm over
// the G*H values of a batch row, eps 1e-5), forward and backward, one workgroup per batch row of
// one timestep: dispatch (B, 1, R). The cell state's norm (LSTM) lives in lstm.wgsl.
//   norm_gates_forward   gx = LN(gxr; ln_ih) + b_ih and gh = LN(ghr; ln_hh), from the input
//                        projection gxr = x W_ih^T and the recurrent product ghr = h_{t-1} W_hh^T
//                        (no biases); the cell kernel adds b_hh, as it does without the norm. Each
//                        row's mean and 1/sqrt(var + eps) go to stats.
//   norm_gates_backward  from the cell's gradients on gx and gh (dgx, dgh), those on gxr and ghr
//                        (dgxr, dghr: what the weight gradients and W_hh's recurrent term use), and
//                        per element [dy * xhat, dy] (dn_ih, dn_hh), whose column sums are the
//                        gains' and biases' gradients.

struct NormStep {
  t: u32,
  B: u32,
  n: u32,                                  // G * H
  p_run: u32,                              // params: run stride
  w_ih: u32, w_hh: u32, b_ih: u32,         // offsets in a run: ln_ih.weight, ln_hh.weight (each bias n later), bias_ih
  g_run: u32,                              // run stride of the [R][T][B][n] views below: T * B * n
  gxr_off: u32, gx_off: u32, ghr_off: u32, gh_off: u32,     // in the gx arena; gxr, ghr of this direction
  st_off: u32, st_run: u32,                // statistics of this direction [R][T][B][6] in acts (mean, rstd of ih, hh, c)
  dgx_off: u32, dgh_off: u32, dgxr_off: u32, dghr_off: u32, // in the gate-gradient arena
  dn_ih_off: u32, dn_hh_off: u32, dn_run: u32,              // [R][T][B][2n] in the gate-gradient arena
  gr_run: u32,                             // run stride of gxr and ghr ([R][L][T][B][n], kept for backward): L * T * B * n
}

const NORM_EPS: f32 = 1e-5;

@group(0) @binding(0) var<uniform> u: NormStep;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> gates: array<f32>;  // the gx arena
@group(0) @binding(3) var<storage, read_write> acts: array<f32>;   // statistics
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;     // backward only: the gate-gradient arena

// y = LN(x) * gain + bias (+ extra bias when `extra` is set) for one row; returns (mean, rstd).
fn norm_row(x: u32, y: u32, w: u32, extra: u32, with_extra: bool, lid: u32) -> vec2<f32> {
  let n = u.n;
  var s = 0.0;
  for (var i = lid; i < n; i += 64u) {
    s += gates[x + i];
  }
  let mean = row_sum(s, lid) / f32(n);
  var v = 0.0;
  for (var i = lid; i < n; i += 64u) {
    let d = gates[x + i] - mean;
    v += d * d;
  }
  let rstd = inverseSqrt(row_sum(v, lid) / f32(n) + NORM_EPS);
  for (var i = lid; i < n; i += 64u) {
    var out = (gates[x + i] - mean) * rstd * params[w + i] + params[w + n + i];
    if (with_extra) {
      out += params[extra + i];
    }
    gates[y + i] = out;
  }
  return vec2<f32>(mean, rstd);
}

@compute @workgroup_size(64, 1, 1)
fn norm_gates_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wg.x;
  let r = wg.z;
  let row = r * u.g_run + (u.t * u.B + b) * u.n;
  let raw = r * u.gr_run + (u.t * u.B + b) * u.n;
  let p = r * u.p_run;
  let ih = norm_row(u.gxr_off + raw, u.gx_off + row, p + u.w_ih, p + u.b_ih, true, lid.x);
  let hh = norm_row(u.ghr_off + raw, u.gh_off + row, p + u.w_hh, 0u, false, lid.x);
  if (lid.x == 0u) {
    let st = u.st_off + r * u.st_run + (u.t * u.B + b) * 6u;
    acts[st] = ih.x;
    acts[st + 1u] = ih.y;
    acts[st + 2u] = hh.x;
    acts[st + 3u] = hh.y;
  }
}

// dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gain, for one row;
// dn gets [dy * xhat, dy].
fn norm_row_backward(x: u32, dy: u32, dx: u32, dn: u32, w: u32, mean: f32, rstd: f32, lid: u32) {
  let n = u.n;
  var sd = 0.0;
  var sdx = 0.0;
  for (var i = lid; i < n; i += 64u) {
    let xhat = (gates[x + i] - mean) * rstd;
    let d = dg[dy + i] * params[w + i];
    sd += d;
    sdx += d * xhat;
  }
  let mean_d = row_sum(sd, lid) / f32(n);
  let mean_dx = row_sum(sdx, lid) / f32(n);
  for (var i = lid; i < n; i += 64u) {
    let xhat = (gates[x + i] - mean) * rstd;
    let g = dg[dy + i];
    dg[dx + i] = rstd * (g * params[w + i] - mean_d - xhat * mean_dx);
    dg[dn + i] = g * xhat;
    dg[dn + n + i] = g;
  }
}

@compute @workgroup_size(64, 1, 1)
fn norm_gates_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = wg.x;
  let r = wg.z;
  let at = (u.t * u.B + b);
  let row = r * u.g_run + at * u.n;
  let raw = r * u.gr_run + at * u.n;
  let dn = r * u.dn_run + at * 2u * u.n;
  let p = r * u.p_run;
  let st = u.st_off + r * u.st_run + at * 6u;
  let m_ih = acts[st];
  let r_ih = acts[st + 1u];
  let m_hh = acts[st + 2u];
  let r_hh = acts[st + 3u];
  norm_row_backward(u.gxr_off + raw, u.dgx_off + row, u.dgxr_off + row, u.dn_ih_off + dn, p + u.w_ih, m_ih, r_ih, lid.x);
  norm_row_backward(u.ghr_off + raw, u.dgh_off + row, u.dghr_off + row, u.dn_hh_off + dn, p + u.w_hh, m_hh, r_hh, lid.x);
}
