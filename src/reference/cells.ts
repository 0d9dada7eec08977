/**
 * The pointwise half of one timestep of each recurrent cell, forward and backward, for a whole
 * batch in float64: what the GPU's fused per-timestep kernels do after the matrix products.
 * The products themselves (W_ih x + b_ih, W_hh h + b_hh and their gradients) live in rnn.ts;
 * here every function sees pre-activations only. Gate order is PyTorch's (see model/layout.ts).
 */
import type { CellKind } from '../model/layout';

/** Buffers of one forward step. Fields a cell does not use are passed as empty arrays. */
export interface CellForwardStep {
  batch: number;
  hidden: number;
  /** [B][G*H] in: W_ih x_t + b_ih. */
  gx: Float64Array;
  /** [B][G*H] in: W_hh h_{t-1} + b_hh. */
  gh: Float64Array;
  /** [B][H] in: h_{t-1}. */
  hPrev: Float64Array;
  /** [B][H] in: c_{t-1} (lstm). */
  cPrev: Float64Array;
  /** [B][H] out: h_t. */
  h: Float64Array;
  /** [B][H] out: c_t (lstm). */
  c: Float64Array;
  /** [B][G*H] out: activated gates; rnn: h_t, lstm: i, f, g, o, gru: r, z, n. */
  gates: Float64Array;
  /** [B][H] out: gru's W_hn h_{t-1} + b_hn, which backward needs apart from r. */
  hn: Float64Array;
}

/** Buffers of one backward step. Fields a cell does not use are passed as empty arrays. */
export interface CellBackwardStep {
  batch: number;
  hidden: number;
  /** [B][G*H] in: the forward step's activated gates. */
  gates: Float64Array;
  /** [B][H] in: h_{t-1}. */
  hPrev: Float64Array;
  /** [B][H] in: c_{t-1} (lstm). */
  cPrev: Float64Array;
  /** [B][H] in: c_t (lstm). */
  c: Float64Array;
  /** [B][H] in: gru's W_hn h_{t-1} + b_hn. */
  hn: Float64Array;
  /** [B][H] in: dL/dh_t along every path (output, layer above, step t+1). */
  dh: Float64Array;
  /** [B][H] in: dL/dc_t from step t+1 (lstm). */
  dc: Float64Array;
  /** [B][G*H] out: dL/d(W_ih x_t + b_ih). */
  dGx: Float64Array;
  /** [B][G*H] out: dL/d(W_hh h_{t-1} + b_hh). */
  dGh: Float64Array;
  /** [B][H] out: the part of dL/dh_{t-1} that does not pass through W_hh (gru: z * dh; else 0). */
  dhPrev: Float64Array;
  /** [B][H] out: dL/dc_{t-1} (lstm). */
  dcPrev: Float64Array;
}

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

export function cellForward(cell: CellKind, s: CellForwardStep): void {
  const H = s.hidden;
  const GH = s.gates.length / s.batch;
  for (let b = 0; b < s.batch; b++) {
    const g0 = b * GH; // row of gx, gh, gates
    const h0 = b * H; // row of h, c, hn
    for (let j = 0; j < H; j++) {
      if (cell === 'rnn_tanh' || cell === 'rnn_relu') {
        const a = s.gx[g0 + j] + s.gh[g0 + j];
        const h = cell === 'rnn_tanh' ? Math.tanh(a) : Math.max(a, 0);
        s.gates[g0 + j] = h;
        s.h[h0 + j] = h;
      } else if (cell === 'lstm') {
        const i = sigmoid(s.gx[g0 + j] + s.gh[g0 + j]);
        const f = sigmoid(s.gx[g0 + H + j] + s.gh[g0 + H + j]);
        const g = Math.tanh(s.gx[g0 + 2 * H + j] + s.gh[g0 + 2 * H + j]);
        const o = sigmoid(s.gx[g0 + 3 * H + j] + s.gh[g0 + 3 * H + j]);
        const c = f * s.cPrev[h0 + j] + i * g;
        s.gates[g0 + j] = i;
        s.gates[g0 + H + j] = f;
        s.gates[g0 + 2 * H + j] = g;
        s.gates[g0 + 3 * H + j] = o;
        s.c[h0 + j] = c;
        s.h[h0 + j] = o * Math.tanh(c);
      } else {
        const r = sigmoid(s.gx[g0 + j] + s.gh[g0 + j]);
        const z = sigmoid(s.gx[g0 + H + j] + s.gh[g0 + H + j]);
        const hn = s.gh[g0 + 2 * H + j];
        const n = Math.tanh(s.gx[g0 + 2 * H + j] + r * hn);
        s.gates[g0 + j] = r;
        s.gates[g0 + H + j] = z;
        s.gates[g0 + 2 * H + j] = n;
        s.hn[h0 + j] = hn;
        s.h[h0 + j] = (1 - z) * n + z * s.hPrev[h0 + j];
      }
    }
  }
}

export function cellBackward(cell: CellKind, s: CellBackwardStep): void {
  const H = s.hidden;
  const GH = s.gates.length / s.batch;
  for (let b = 0; b < s.batch; b++) {
    const g0 = b * GH;
    const h0 = b * H;
    for (let j = 0; j < H; j++) {
      const dh = s.dh[h0 + j];
      if (cell === 'rnn_tanh' || cell === 'rnn_relu') {
        const h = s.gates[g0 + j];
        // h = tanh(a): da = dh * (1 - h^2);  h = max(a, 0): da = dh where h > 0
        const da = cell === 'rnn_tanh' ? dh * (1 - h * h) : h > 0 ? dh : 0;
        // a = gx + gh: both sides get da
        s.dGx[g0 + j] = da;
        s.dGh[g0 + j] = da;
        s.dhPrev[h0 + j] = 0;
      } else if (cell === 'lstm') {
        const i = s.gates[g0 + j];
        const f = s.gates[g0 + H + j];
        const g = s.gates[g0 + 2 * H + j];
        const o = s.gates[g0 + 3 * H + j];
        const tc = Math.tanh(s.c[h0 + j]);
        // h = o * tanh(c): do = dh * tanh(c), and dc gains dh * o * (1 - tanh(c)^2)
        const dO = dh * tc;
        const dc = s.dc[h0 + j] + dh * o * (1 - tc * tc);
        // c = f * cPrev + i * g
        const dI = dc * g;
        const dF = dc * s.cPrev[h0 + j];
        const dG = dc * i;
        s.dcPrev[h0 + j] = dc * f;
        // i, f, o = sigmoid(a): da = d * s * (1 - s);  g = tanh(a): da = d * (1 - g^2)
        const dAi = dI * i * (1 - i);
        const dAf = dF * f * (1 - f);
        const dAg = dG * (1 - g * g);
        const dAo = dO * o * (1 - o);
        // a = gx + gh for every gate
        s.dGx[g0 + j] = s.dGh[g0 + j] = dAi;
        s.dGx[g0 + H + j] = s.dGh[g0 + H + j] = dAf;
        s.dGx[g0 + 2 * H + j] = s.dGh[g0 + 2 * H + j] = dAg;
        s.dGx[g0 + 3 * H + j] = s.dGh[g0 + 3 * H + j] = dAo;
        s.dhPrev[h0 + j] = 0;
      } else {
        const r = s.gates[g0 + j];
        const z = s.gates[g0 + H + j];
        const n = s.gates[g0 + 2 * H + j];
        const hPrev = s.hPrev[h0 + j];
        // h = (1 - z) * n + z * hPrev
        const dN = dh * (1 - z);
        const dZ = dh * (hPrev - n);
        s.dhPrev[h0 + j] = dh * z;
        // n = tanh(gx_n + r * hn): gx_n gets dAn, hn gets dAn * r, r gets dAn * hn
        const dAn = dN * (1 - n * n);
        const dR = dAn * s.hn[h0 + j];
        // r, z = sigmoid(gx + gh): da = d * s * (1 - s) on both sides
        const dAr = dR * r * (1 - r);
        const dAz = dZ * z * (1 - z);
        s.dGx[g0 + j] = s.dGh[g0 + j] = dAr;
        s.dGx[g0 + H + j] = s.dGh[g0 + H + j] = dAz;
        s.dGx[g0 + 2 * H + j] = dAn;
        // hn = W_hn hPrev + b_hn
        s.dGh[g0 + 2 * H + j] = dAn * r;
      }
    }
  }
}
