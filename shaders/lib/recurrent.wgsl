// Scaffolding shared by the cell kernels (rnn.wgsl, lstm.wgsl, gru.wgsl): the per-dispatch
// record, the bindings, index helpers, the two recurrent mat-vecs and the entry points.
// A cell file defines G (gates), S (floats saved per unit for backward) and four functions:
//   cell_forward(r, b, j, hh: vec4<f32>)            the step after the W_hh mat-vec (gate g in hh[g])
//   cell_backward(r, b, j, dh, carry_in) -> f32     writes dgates, returns the new carry
//   cell_initial(r, unit, dh_rec, carry_in)         writes dh0 (and dc0) after the last backward step
//   cell_dh_total(dh, carry_in) -> f32              dL/dh_t along every path, from what backward_row
//                                                   gives cell_backward (GRU adds its carry)
// States are read from slot s_in and written to slot s_out (a reverse direction walks time
// backwards: see src/model/plan.ts); gx, saved, dy and the gate gradients are indexed by time t.
// Two kernel paths (src/model/kernel-path.ts) share the cell code through `ts`, the values that change
// per timestep (t, the state slots, rec_row, mode, keep):
//   per-step  forward_step / backward_step, one dispatch per timestep, take `ts` from the record.
//             Dispatch (ceil(H / 64), ceil(B / ROWS), R); thread (j, q, r) owns hidden unit j of
//             batch rows q * ROWS .. q * ROWS + ROWS - 1 of run r. backward_step's threads may own
//             UNITS units each (j, j + s, ... with s = ceil(H / UNITS); dispatch (ceil(s / 64), ...)),
//             so the gate gradients its recurrent term loads serve them all (kernel-path.ts backwardStepUnits).
//   looping   forward_loop / backward_loop (lib/recurrent_loop.wgsl) walk `steps` processing steps from `first` in one
//             dispatch (a chunk of the sequence; src/model/rnn-looping.ts). Dispatch (1, ceil(B / ROWS), R):
//             a workgroup of LOOP_WG threads owns one batch tile of one run across all H units (thread x
//             serves units x, x + LOOP_WG, ...), and since batch rows are independent through time it needs nobody
//             else's results. After each timestep a storageBarrier (a control barrier that also
//             orders storage writes within the workgroup) makes h_t, or the gate gradients the next
//             backward step's W_hh term reads, visible to the workgroup's other threads. It never
//             waits on other workgroups: WebGPU promises no forward progress between them.
// State reset: a looping forward of a training group without kept state (full BPTT) writes the zero
// initial state itself (zero_in) in the chunk that starts at processing step 0, so no state restore
// dispatch runs before it (src/training/state-stage.ts records none then).
// Truncated BPTT: the forward dispatch of the carried timestep also copies the new h (and c) into
// `kept` (keep != 0), which the next window's state restore reads and no evaluation pass touches.
// Variants (override constants, so a group without the trick runs exactly the plain kernels):
//   VARIATIONAL  recurrent dropout: W_hh reads h_{t-1} times the direction's mask (the masked copy
//                at hr_off, which forward writes for the next step), and backward multiplies the
//                gradient that came through W_hh by the same mask;
//   DIAGNOSTICS  backward also writes dL/dh_t of every row and unit (gt_off) for the per-timestep norms.
//   NORM         layer norm inside the cell (shaders/norm.wgsl): forward takes the recurrent
//                pre-activations from gh (normalized W_hh h_{t-1}, without b_hh) instead of its own
//                mat-vec, and backward's recurrent term reads the gradient before that norm (rec_off).
//   NORM_C       the cell state is normalized too (LSTM): a backward step runs in two phases around
//                the norm's backward (lstm.wgsl norm_c_backward): PHASE_SPLIT leaves dh in dhs,
//                PHASE_RESUME takes dh back from there and the cell reads dL/dc through the norm from dch.
//   FOLD_INPUT   layer 0 with a tiny input (I < 16), both paths: forward_unit forms the input
//                projection b_ih + W_ih x_t of its rows from the data input in acts (fold_input; the
//                cell reads it through gx_value) instead of reading gx, so no input projection GEMM
//                runs; backward is unchanged.
//   FOLD_HEAD    the top layer under a head with few outputs (src/model/kernel-path.ts foldsHead), both
//                paths: backward computes the gradient arriving on h_t from the head's dY and W_head
//                (dy_value) instead of reading dy, so the head records no input gradient GEMM; the dy
//                binding then holds the head's dY [R][T][B][O].
//   BATCH        the norms are recurrent batch norm (shaders/batch_norm.wgsl, lstm.wgsl bn_c_*): the
//                statistics are per column, [R][L][T][(4G + 2) H] at st_off (ih, hh, c: mean then rstd).

struct Step {
  t: u32,        // timestep of this dispatch: the row of gx, saved, dy and the gate gradients
  s_in: u32,     // state slot of h_{t-1} and c_{t-1}: t (forward) or t + 1 (reverse)
  s_out: u32,    // state slot of h_t and c_t: t + 1 (forward) or t (reverse)
  rec_row: u32,  // backward: the dgh row read for the recurrent term (the timestep processed after t in
                 // forward order), or, in the initial pass, the first one processed
  mode: u32,     // backward: MODE_INNER, MODE_LAST (t = T - 1) or MODE_INITIAL (dh0/dc0 pass)
  B: u32,
  H: u32,
  p_run: u32, w_hh: u32, b_hh: u32,   // params: run stride, weight_hh_l / bias_hh_l offsets within a run
  h_off: u32, h_run: u32,             // h of this direction: [R][T+1][B][H] by slot
  hr_off: u32,                        // h as W_hh reads it: h_off, or recurrent dropout's masked copy (same strides)
  vm_off: u32, vm_run: u32,           // recurrent dropout mask of this direction: [R][B][H] at run stride vm_run
  c_off: u32, c_run: u32,             // c of this layer (LSTM), same shape as h
  s_off: u32, s_run: u32,             // saved activations of this layer: [R][T][B][S*H]
  gx_off: u32, gx_run: u32,           // input projection: [R][T][B][G*H], includes bias_ih
  dy_off: u32, dy_run: u32,           // gradient on this layer's outputs: [R][T][B][H]
  dgx_off: u32, dgh_off: u32, dg_run: u32, // pre-activation gradients, input and hidden side: [R][T][B][G*H]
  carry_off: u32, carry_run: u32,     // elementwise gradient carried from t to t-1: [R][B][H]
  dh0_off: u32, dc0_off: u32, out_run: u32, // gradients of h0 / c0 for this layer: [R][B][H] at run stride out_run
  keep: u32,                          // forward: KEEP_H | KEEP_C to copy h_{t+1} (and c_{t+1}) into kept
  kh_off: u32, kc_off: u32, k_run: u32, // kept h and c of this layer: [R][B][H] at run stride k_run
  gt_off: u32, gt_run: u32,           // diagnostics: dL/dh_t of this direction [R][T][B][H] at run stride gt_run
  rec_off: u32,                       // backward: the gradient W_hh's term reads, at run stride dg_run (dgh_off, or before the norm)
  gh_off: u32,                        // NORM forward: normalized W_hh h_{t-1} [R][T][B][G*H] in the gx binding, run stride gx_run
  phase: u32,                         // NORM_C backward: PHASE_WHOLE, PHASE_SPLIT or PHASE_RESUME
  nc_w: u32,                          // NORM_C: params offset of the cell-state norm's gain (its bias follows, H later)
  st_off: u32, st_run: u32,           // NORM: per-row statistics of this direction [R][T][B][6] (mean, rstd of ih, hh, c)
  dhs_off: u32, dch_off: u32,         // NORM_C backward: dh and dL/dc through the norm, [R][B][H] at run stride carry_run
  dnc_off: u32, dnc_run: u32,         // NORM_C backward: per element [dcn * chat, dcn] of the gain and bias [R][T][B][2H]
  rn_c: u32, rn_run: u32,             // BATCH NORM_C forward: running [mean H][var H] of c at this processing step in acts, run stride
  train: u32,                         // BATCH NORM_C forward: 1 batch statistics (and update the running ones), 0 the running ones
  first: u32,                         // looping: the chunk's first processing step (backward: step T is the dh0/dc0 pass)
  steps: u32,                         // looping: processing steps in this chunk
  T: u32,                             // looping: the sequence length
  reverse: u32,                       // looping: 1 for a direction that walks time backwards
  keep_t: u32,                        // looping forward: the timestep after which `keep` copies the state
  w_ih: u32, b_ih: u32,               // FOLD_INPUT: weight_ih_l / bias_ih_l offsets within a run
  n_in: u32,                          // FOLD_INPUT: the input size I (weight_ih's row length)
  x_off: u32, x_run: u32,             // FOLD_INPUT: the data input [R][T][B][I] in acts, run stride x_run (0: shared)
  zero_in: u32,                       // looping forward: KEEP_H | KEEP_C to zero h (and c) in the initial slot first
  n_out: u32,                         // FOLD_HEAD: the head's outputs O (dY's row length; dy_off, dy_run locate dY)
  hw_off: u32, hw_rs: u32,            // FOLD_HEAD: offset within a run of W_head[0, column] (this direction's block), W_head's row length
}

// The values of the timestep being processed. The per-step entry points copy them from the
// record; the looping ones derive them for each processing step (set_forward_step, set_backward_step).
struct TimeStep {
  t: u32,
  s_in: u32,
  s_out: u32,
  rec_row: u32,
  mode: u32,
  keep: u32,
}

var<private> ts: TimeStep;

override VARIATIONAL: bool = false;
override DIAGNOSTICS: bool = false;
override NORM: bool = false;
override NORM_C: bool = false;
override BATCH: bool = false;
override FOLD_INPUT: bool = false;
override FOLD_HEAD: bool = false;
// Threads per looping workgroup (src/model/kernel-path.ts loopingWorkgroup): 64, or up to 256 so a
// GPU gives each hidden unit its own thread.
override LOOP_WG: u32 = 64u;
// Hidden units per backward_step thread (1, 2 or 4): the gate gradients each k loads serve them all.
override UNITS: u32 = 1u;

const PHASE_WHOLE: u32 = 0u;
const PHASE_SPLIT: u32 = 1u;
const PHASE_RESUME: u32 = 2u;

// torch.nn.LayerNorm's default eps.
const NORM_EPS: f32 = 1e-5;

const MODE_INNER: u32 = 0u;
const MODE_LAST: u32 = 1u;
const MODE_INITIAL: u32 = 2u;

const KEEP_H: u32 = 1u;
const KEEP_C: u32 = 2u;

@group(0) @binding(0) var<uniform> u: Step;
@group(0) @binding(1) var<storage, read> params: array<f32>;        // [R][P]
@group(0) @binding(2) var<storage, read> gx: array<f32>;            // forward only
@group(0) @binding(3) var<storage, read_write> acts: array<f32>;    // forward: writes h, c, saved (reads the mask)
@group(0) @binding(4) var<storage, read> acts_in: array<f32>;       // backward: reads h, c, saved, the mask
@group(0) @binding(5) var<storage, read> dy: array<f32>;            // backward only (FOLD_HEAD: the head's dY)
@group(0) @binding(6) var<storage, read_write> dgates: array<f32>;  // backward only
@group(0) @binding(7) var<storage, read_write> carry: array<f32>;   // backward only: carry, dh0, dc0, dL/dh_t

fn h_at(slot: u32, r: u32, b: u32, j: u32) -> u32 {
  return u.h_off + r * u.h_run + (slot * u.B + b) * u.H + j;
}

fn c_at(slot: u32, r: u32, b: u32, j: u32) -> u32 {
  return u.c_off + r * u.c_run + (slot * u.B + b) * u.H + j;
}

fn vmask_at(r: u32, b: u32, j: u32) -> u32 {
  return u.vm_off + r * u.vm_run + b * u.H + j;
}

fn saved_at(s: u32, r: u32, b: u32, j: u32) -> u32 {
  return u.s_off + r * u.s_run + (ts.t * u.B + b) * S * u.H + s * u.H + j;
}

fn gx_at(g: u32, r: u32, b: u32, j: u32) -> u32 {
  return u.gx_off + r * u.gx_run + (ts.t * u.B + b) * G * u.H + g * u.H + j;
}

// The input projection of gate g, unit j, row b at this step: gx's element, or under FOLD_INPUT
// b_ih + sum_i W_ih[g*H + j, i] * x[t, b, i] computed here (the same sum the GEMM forms).
fn gx_value(g: u32, r: u32, b: u32, j: u32) -> f32 {
  if (FOLD_INPUT) {
    let q = b - folded_b0;
    var v = folded.r0;
    if (q == 1u) { v = folded.r1; }
    if (q == 2u) { v = folded.r2; }
    if (q == 3u) { v = folded.r3; }
    return v[g];
  }
  return gx[gx_at(g, r, b, j)];
}

// FOLD_INPUT: b_ih + W_ih x_t of the four rows forward_unit is on (gate g in component g), formed
// by fold_input before the cell reads it through gx_value.
var<private> folded: Rows4;
var<private> folded_b0: u32;

// folded[b][g] = b_ih[g*H + j] + sum_i W_ih[g*H + j, i] * x_t[b, i] for rows b0..b0+3 (each
// weight loaded once for the four rows, as in recurrent_forward).
fn fold_input(r: u32, b0: u32, j: u32) {
  let I = u.n_in;
  let bias = gate_vector(r * u.p_run + u.b_ih + j, u.H);
  var acc = Rows4(bias, bias, bias, bias);
  let w = r * u.p_run + u.w_ih + j * I;
  let x = u.x_off + r * u.x_run + ts.t * u.B * I;
  let rows = vec4<u32>(row_start(x, b0, 0u, I), row_start(x, b0, 1u, I), row_start(x, b0, 2u, I), row_start(x, b0, 3u, I));
  for (var i = 0u; i < I; i++) {
    add_gate_rows(&acc, w, u.H * I, rows, i);
  }
  folded = acc;
  folded_b0 = b0;
}

// The gradient arriving on h_t[b, j] from above: dy's element, or under FOLD_HEAD
// sum_o dY[t, b, o] * W_head[o, column + j] computed here in o order (the sum the head input gradient GEMM forms).
fn dy_value(r: u32, b: u32, j: u32) -> f32 {
  if (FOLD_HEAD) {
    let d = u.dy_off + r * u.dy_run + (ts.t * u.B + b) * u.n_out;
    let w = r * u.p_run + u.hw_off + j;
    var s = 0.0;
    for (var o = 0u; o < u.n_out; o++) {
      s += dy[d + o] * params[w + o * u.hw_rs];
    }
    return s;
  }
  return dy[u.dy_off + r * u.dy_run + (ts.t * u.B + b) * u.H + j];
}

fn bias_hh(g: u32, r: u32, j: u32) -> f32 {
  return params[r * u.p_run + u.b_hh + g * u.H + j];
}

fn dg_at(off: u32, g: u32, r: u32, b: u32, j: u32) -> u32 {
  return off + r * u.dg_run + (ts.t * u.B + b) * G * u.H + g * u.H + j;
}

// Each thread serves ROWS batch rows of one hidden unit: every weight it loads is used ROWS
// times, which is what makes these mat-vecs fast on SIMD software adapters (and cuts weight
// traffic on GPUs). Rows past the batch read row B - 1 and are never written.
const ROWS: u32 = 4u;

// Gate sums of four batch rows; gate g in component g (constant indices: a dynamically indexed
// private array is slow on SIMD software adapters).
struct Rows4 {
  r0: vec4<f32>,
  r1: vec4<f32>,
  r2: vec4<f32>,
  r3: vec4<f32>,
}

// Row b0 + i of a [B][width] block starting at `base`, clamped to the last row.
fn row_start(base: u32, b0: u32, i: u32, width: u32) -> u32 {
  return base + min(b0 + i, u.B - 1u) * width;
}

// hh[b][g] = sum_k W_hh[g*H + j, k] * h_{t-1}[b, k] for rows b0..b0+3 and the G <= 4 gates
// (h_{t-1} as W_hh reads it: masked under recurrent dropout).
fn recurrent_forward(r: u32, b0: u32, j: u32) -> Rows4 {
  var hh: Rows4;
  let H = u.H;
  let w = r * u.p_run + u.w_hh + j * H;
  let h_base = u.hr_off + r * u.h_run + ts.s_in * u.B * H;
  let rows = vec4<u32>(row_start(h_base, b0, 0u, H), row_start(h_base, b0, 1u, H), row_start(h_base, b0, 2u, H), row_start(h_base, b0, 3u, H));
  // four k per iteration, as in recurrent_backward (the same additions in the same order)
  let quads = H & ~3u;
  var k = 0u;
  for (; k < quads; k += 4u) {
    forward_term(&hh, w, rows, k);
    forward_term(&hh, w, rows, k + 1u);
    forward_term(&hh, w, rows, k + 2u);
    forward_term(&hh, w, rows, k + 3u);
  }
  for (; k < H; k++) {
    forward_term(&hh, w, rows, k);
  }
  return hh;
}

// hh += W_hh[g*H + j, k] * h_{t-1}[row, k] for the four rows (starting at `rows`) and the G gates.
fn forward_term(hh: ptr<function, Rows4>, w: u32, rows: vec4<u32>, k: u32) {
  add_gate_rows(hh, w, u.H * u.H, rows, k);
}

// acc[b] += (params[w + g * gate + k] for the G gates) * acts[rows[b] + k]: one column k of a
// gate-major weight matrix (gate blocks `gate` floats apart) times four rows of acts.
fn add_gate_rows(acc: ptr<function, Rows4>, w: u32, gate: u32, rows: vec4<u32>, k: u32) {
  let wv = gate_vector(w + k, gate);
  (*acc).r0 += wv * acts[rows.x + k];
  (*acc).r1 += wv * acts[rows.y + k];
  (*acc).r2 += wv * acts[rows.z + k];
  (*acc).r3 += wv * acts[rows.w + k];
}

// params[at + g * gate] for the G gates in component g (the rest 0).
fn gate_vector(at: u32, gate: u32) -> vec4<f32> {
  var v = vec4<f32>(params[at], 0.0, 0.0, 0.0);
  if (G > 1u) { // G is 1, 3 or 4
    v.y = params[at + gate];
    v.z = params[at + 2u * gate];
  }
  if (G > 3u) {
    v.w = params[at + 3u * gate];
  }
  return v;
}

// The gradient reaching h_{t-1}[b, j] through W_hh for rows b0..b0+3 (component i = row b0 + i):
// sum_k W_hh[k, j] * dgh[rec_row, b, k] over k < G*H.
fn recurrent_backward(r: u32, b0: u32, j: u32, stride: u32) -> Rows4 {
  let H = u.H;
  let GH = G * H;
  let w = r * u.p_run + u.w_hh + vec4<u32>(j, min(j + stride, H - 1u), min(j + 2u * stride, H - 1u), min(j + 3u * stride, H - 1u));
  let base = u.rec_off + r * u.dg_run + ts.rec_row * u.B * GH;
  let rows = vec4<u32>(row_start(base, b0, 0u, GH), row_start(base, b0, 1u, GH), row_start(base, b0, 2u, GH), row_start(base, b0, 3u, GH));
  var s: Rows4;
  // four k per iteration (the same additions in the same order): a software adapter pays for
  // every loop iteration's branch and lane masks about as much as for a load
  let quads = GH & ~3u;
  var k = 0u;
  for (; k < quads; k += 4u) {
    backward_term(&s, w, rows, k);
    backward_term(&s, w, rows, k + 1u);
    backward_term(&s, w, rows, k + 2u);
    backward_term(&s, w, rows, k + 3u);
  }
  for (; k < GH; k++) {
    backward_term(&s, w, rows, k);
  }
  return s;
}

// s.r<m> += W_hh[k, unit m] * dgh[row, k] for the four rows (starting at `rows`) and the UNITS
// units (W_hh's columns from w): the gate gradients are loaded once for all units.
fn backward_term(s: ptr<function, Rows4>, w: vec4<u32>, rows: vec4<u32>, k: u32) {
  let d = vec4<f32>(dgates[rows.x + k], dgates[rows.y + k], dgates[rows.z + k], dgates[rows.w + k]);
  let kh = k * u.H;
  (*s).r0 += params[w.x + kh] * d;
  if (UNITS > 1u) {
    (*s).r1 += params[w.y + kh] * d;
  }
  if (UNITS > 2u) {
    (*s).r2 += params[w.z + kh] * d;
    (*s).r3 += params[w.w + kh] * d;
  }
}

// NORM: the normalized recurrent pre-activations of rows b0..b0+3, gate g in component g.
fn normed_recurrent(r: u32, b0: u32, j: u32) -> Rows4 {
  var hh: Rows4;
  hh.r0 = gh_row(r, b0, j);
  hh.r1 = gh_row(r, min(b0 + 1u, u.B - 1u), j);
  hh.r2 = gh_row(r, min(b0 + 2u, u.B - 1u), j);
  hh.r3 = gh_row(r, min(b0 + 3u, u.B - 1u), j);
  return hh;
}

fn gh_row(r: u32, b: u32, j: u32) -> vec4<f32> {
  let base = u.gh_off + r * u.gx_run + (ts.t * u.B + b) * G * u.H + j;
  var v = vec4<f32>(gx[base], 0.0, 0.0, 0.0);
  if (G > 1u) {
    v.y = gx[base + u.H];
    v.z = gx[base + 2u * u.H];
  }
  if (G > 3u) {
    v.w = gx[base + 3u * u.H];
  }
  return v;
}

// Index of row b's statistics (mean, rstd of ih, hh, c) at this step.
fn stat_at(r: u32, b: u32) -> u32 {
  return u.st_off + r * u.st_run + (ts.t * u.B + b) * 6u;
}

// The state after this step, for the next window (acts was written by this same thread).
fn keep_state(r: u32, b: u32, j: u32) {
  let k = r * u.k_run + b * u.H + j;
  if ((ts.keep & KEEP_H) != 0u) {
    acts[u.kh_off + k] = acts[h_at(ts.s_out, r, b, j)];
  }
  if ((ts.keep & KEEP_C) != 0u) {
    acts[u.kc_off + k] = acts[c_at(ts.s_out, r, b, j)];
  }
}

// One row of the forward step: the cell, the masked copy the next step's W_hh reads (recurrent
// dropout), then the kept state if this step is the carried one.
fn forward_row(r: u32, b: u32, j: u32, hh: vec4<f32>) {
  cell_forward(r, b, j, hh);
  if (VARIATIONAL) {
    let out = h_at(ts.s_out, r, b, j);
    acts[out - u.h_off + u.hr_off] = acts[out] * acts[vmask_at(r, b, j)];
  }
  if (ts.keep != 0u) {
    keep_state(r, b, j);
  }
}

// Every batch row this thread owns for hidden unit j at the current timestep.
fn forward_unit(r: u32, b0: u32, j: u32) {
  var hh: Rows4;
  if (NORM) {
    hh = normed_recurrent(r, b0, j);
  } else {
    hh = recurrent_forward(r, b0, j);
  }
  if (FOLD_INPUT) {
    fold_input(r, b0, j);
  }
  forward_row(r, b0, j, hh.r0);
  if (b0 + 1u < u.B) {
    forward_row(r, b0 + 1u, j, hh.r1);
  }
  if (b0 + 2u < u.B) {
    forward_row(r, b0 + 2u, j, hh.r2);
  }
  if (b0 + 3u < u.B) {
    forward_row(r, b0 + 3u, j, hh.r3);
  }
}

@compute @workgroup_size(64, 1, 1)
fn forward_step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  step_from_record();
  let j = wg.x * 64u + lid.x;
  if (j >= u.H) {
    return;
  }
  forward_unit(wg.z, wg.y * ROWS, j);
}

// One row of the backward step: dh = upstream + recurrent; the cell writes its gate gradients.
fn backward_row(r: u32, b: u32, j: u32, through_w: f32) {
  var dh_rec = through_w;
  if (VARIATIONAL) {
    dh_rec *= acts_in[vmask_at(r, b, j)]; // W_hh read m * h, so h gets m times what came through it
  }
  let ci = u.carry_off + r * u.carry_run + b * u.H + j;
  var carry_in = 0.0;
  if (ts.mode != MODE_LAST) {
    carry_in = carry[ci];
  }
  if (ts.mode == MODE_INITIAL) {
    cell_initial(r, b * u.H + j, dh_rec, carry_in);
    return;
  }
  let si = u.dhs_off + r * u.carry_run + b * u.H + j;
  var dh: f32;
  if (NORM_C && u.phase == PHASE_RESUME) {
    dh = carry[si];
  } else {
    dh = dy_value(r, b, j) + dh_rec;
  }
  if (NORM_C && u.phase == PHASE_SPLIT) {
    carry[si] = dh;
    return;
  }
  if (DIAGNOSTICS) {
    carry[u.gt_off + r * u.gt_run + (ts.t * u.B + b) * u.H + j] = cell_dh_total(dh, carry_in);
  }
  carry[ci] = cell_backward(r, b, j, dh, carry_in);
}

// Every batch row this thread owns for hidden units j, j + stride, ... (UNITS of them, those
// below H) at the current timestep.
fn backward_unit(r: u32, b0: u32, j: u32, stride: u32) {
  var dh_rec: Rows4;
  if (ts.mode != MODE_LAST && !(NORM_C && u.phase == PHASE_RESUME)) {
    dh_rec = recurrent_backward(r, b0, j, stride);
  }
  backward_rows(r, b0, j, dh_rec.r0);
  if (UNITS > 1u && j + stride < u.H) {
    backward_rows(r, b0, j + stride, dh_rec.r1);
  }
  if (UNITS > 2u && j + 2u * stride < u.H) {
    backward_rows(r, b0, j + 2u * stride, dh_rec.r2);
  }
  if (UNITS > 2u && j + 3u * stride < u.H) {
    backward_rows(r, b0, j + 3u * stride, dh_rec.r3);
  }
}

// Rows b0..b0+3 of unit j, given what came through W_hh for each (component i: row b0 + i).
fn backward_rows(r: u32, b0: u32, j: u32, dh_rec: vec4<f32>) {
  backward_row(r, b0, j, dh_rec.x);
  if (b0 + 1u < u.B) {
    backward_row(r, b0 + 1u, j, dh_rec.y);
  }
  if (b0 + 2u < u.B) {
    backward_row(r, b0 + 2u, j, dh_rec.z);
  }
  if (b0 + 3u < u.B) {
    backward_row(r, b0 + 3u, j, dh_rec.w);
  }
}

// Thread x of a backward_step dispatch serves units x, x + stride, ... with stride = ceil(H / UNITS).
@compute @workgroup_size(64, 1, 1)
fn backward_step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  step_from_record();
  let stride = (u.H + UNITS - 1u) / UNITS;
  let j = wg.x * 64u + lid.x;
  if (j >= stride) {
    return;
  }
  backward_unit(wg.z, wg.y * ROWS, j, stride);
}

fn step_from_record() {
  ts = TimeStep(u.t, u.s_in, u.s_out, u.rec_row, u.mode, u.keep);
}
