/**
 * The pointwise half of one timestep of each cell for a whole batch, forward and backward, in
 * float32 arrays addressed by offsets: the CPU twin of the GPU's fused step kernels, with the
 * maths of src/reference/cells.ts (PyTorch gate orders: LSTM i, f, g, o; GRU r, z, n). The matrix
 * products around it live in network.ts.
 */
import type { CellKind } from '../model/layout';

/** Where one timestep's tensors sit. h and c are a direction's [T+1][B][H] arrays, by state slot (src/model/plan.ts). */
export interface StepBuffers {
  batch: number;
  hidden: number;
  /** [T][B][G*H] W_ih x + b_ih; the step's rows start at gx0. */
  gx: Float32Array;
  gx0: number;
  /** [B][G*H] W_hh h_{t-1} + b_hh for this step. */
  gh: Float32Array;
  /** [T+1][B][H]: h_{t-1} at prev0, h_t at next0 (prev0 + B*H forward, prev0 - B*H reverse). */
  h: Float32Array;
  /** [T+1][B][H] like h (lstm), else empty. */
  c: Float32Array;
  prev0: number;
  next0: number;
  /** [T][B][G*H] activated gates (rnn: h_t; lstm: i, f, g, o; gru: r, z, n), rows at gx0. */
  gates: Float32Array;
  /** [T][B][H] gru's W_hn h_{t-1} + b_hn, at hn0; empty for other cells. */
  hn: Float32Array;
  hn0: number;
}

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

export function cellForward(cell: CellKind, s: StepBuffers): void {
  const { batch: B, hidden: H, gx, gh, h, c, gates, hn } = s;
  const GH = cell === 'lstm' ? 4 * H : cell === 'gru' ? 3 * H : H;
  for (let b = 0; b < B; b++) {
    const x0 = s.gx0 + b * GH; // this row of gx and gates
    const g0 = b * GH; // this row of gh
    const p0 = s.prev0 + b * H; // this row of h_{t-1}, c_{t-1}
    const n0 = s.next0 + b * H; // this row of h_t, c_t
    if (cell === 'lstm') {
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gx[x0 + j] + gh[g0 + j]);
        const f = sigmoid(gx[x0 + H + j] + gh[g0 + H + j]);
        const g = Math.tanh(gx[x0 + 2 * H + j] + gh[g0 + 2 * H + j]);
        const o = sigmoid(gx[x0 + 3 * H + j] + gh[g0 + 3 * H + j]);
        const cNew = f * c[p0 + j] + i * g;
        gates[x0 + j] = i;
        gates[x0 + H + j] = f;
        gates[x0 + 2 * H + j] = g;
        gates[x0 + 3 * H + j] = o;
        c[n0 + j] = cNew;
        h[n0 + j] = o * Math.tanh(cNew);
      }
    } else if (cell === 'gru') {
      const q0 = s.hn0 + b * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(gx[x0 + j] + gh[g0 + j]);
        const z = sigmoid(gx[x0 + H + j] + gh[g0 + H + j]);
        const ghn = gh[g0 + 2 * H + j];
        const n = Math.tanh(gx[x0 + 2 * H + j] + r * ghn);
        gates[x0 + j] = r;
        gates[x0 + H + j] = z;
        gates[x0 + 2 * H + j] = n;
        hn[q0 + j] = ghn;
        h[n0 + j] = (1 - z) * n + z * h[p0 + j];
      }
    } else {
      const tanh = cell === 'rnn_tanh';
      for (let j = 0; j < H; j++) {
        const a = gx[x0 + j] + gh[g0 + j];
        const v = tanh ? Math.tanh(a) : a > 0 ? a : 0;
        gates[x0 + j] = v;
        h[n0 + j] = v;
      }
    }
  }
}

/** One backward step: the forward step's buffers plus the gradients flowing through it. */
export interface StepGrads {
  /** [B][H] in: dL/dh_t along every path. */
  dh: Float32Array;
  /** [B][H] in: dL/dc_t from step t+1 (lstm). */
  dc: Float32Array;
  /** [T][B][G*H] out: dL/d(W_ih x_t + b_ih), rows at the step's gx0. */
  dGx: Float32Array;
  /** [T][B][G*H] out: dL/d(W_hh h_{t-1} + b_hh); written only for gru (equal to dGx for the others). */
  dGh: Float32Array;
  /** [B][H] out: the part of dL/dh_{t-1} that skips W_hh (gru: z * dh; else 0). */
  dhPrev: Float32Array;
  /** [B][H] out: dL/dc_{t-1} (lstm). */
  dcPrev: Float32Array;
}

export function cellBackward(cell: CellKind, s: StepBuffers, d: StepGrads): void {
  const { batch: B, hidden: H, h, c, gates, hn } = s;
  const { dh, dc, dGx, dGh, dhPrev, dcPrev } = d;
  const GH = cell === 'lstm' ? 4 * H : cell === 'gru' ? 3 * H : H;
  for (let b = 0; b < B; b++) {
    const x0 = s.gx0 + b * GH;
    const p0 = s.prev0 + b * H;
    const n0 = s.next0 + b * H;
    const r0 = b * H; // this row of dh, dc, dhPrev, dcPrev
    if (cell === 'lstm') {
      for (let j = 0; j < H; j++) {
        const i = gates[x0 + j];
        const f = gates[x0 + H + j];
        const g = gates[x0 + 2 * H + j];
        const o = gates[x0 + 3 * H + j];
        const tc = Math.tanh(c[n0 + j]);
        const dhj = dh[r0 + j];
        // h = o * tanh(c): do = dh tanh(c); dc gains dh o (1 - tanh(c)^2)
        const dcj = dc[r0 + j] + dhj * o * (1 - tc * tc);
        // c = f cPrev + i g
        dcPrev[r0 + j] = dcj * f;
        dGx[x0 + j] = dcj * g * i * (1 - i);
        dGx[x0 + H + j] = dcj * c[p0 + j] * f * (1 - f);
        dGx[x0 + 2 * H + j] = dcj * i * (1 - g * g);
        dGx[x0 + 3 * H + j] = dhj * tc * o * (1 - o);
        dhPrev[r0 + j] = 0;
      }
    } else if (cell === 'gru') {
      const q0 = s.hn0 + b * H;
      for (let j = 0; j < H; j++) {
        const r = gates[x0 + j];
        const z = gates[x0 + H + j];
        const n = gates[x0 + 2 * H + j];
        const dhj = dh[r0 + j];
        // h = (1 - z) n + z hPrev
        dhPrev[r0 + j] = dhj * z;
        // n = tanh(gx_n + r hn): gx_n gets dAn, hn gets dAn r, r gets dAn hn
        const dAn = dhj * (1 - z) * (1 - n * n);
        const dAr = dAn * hn[q0 + j] * r * (1 - r);
        const dAz = dhj * (h[p0 + j] - n) * z * (1 - z);
        dGx[x0 + j] = dAr;
        dGh[x0 + j] = dAr;
        dGx[x0 + H + j] = dAz;
        dGh[x0 + H + j] = dAz;
        dGx[x0 + 2 * H + j] = dAn;
        dGh[x0 + 2 * H + j] = dAn * r;
      }
    } else {
      const tanh = cell === 'rnn_tanh';
      for (let j = 0; j < H; j++) {
        const v = gates[x0 + j];
        // h = tanh(a): da = dh (1 - h^2); h = max(a, 0): da = dh where h > 0
        dGx[x0 + j] = tanh ? dh[r0 + j] * (1 - v * v) : v > 0 ? dh[r0 + j] : 0;
        dhPrev[r0 + j] = 0;
      }
    }
  }
}
