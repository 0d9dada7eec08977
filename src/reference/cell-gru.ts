/**
 * Float64 reference of the GRU cell (torch.nn.GRU, gate order r, z, n), the mirror of
 * shaders/gru.wgsl:  n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h.
 * Saved per unit for backward, as the GPU saves them: r, z, n and hn = W_hn h + b_hn.
 */
import { sigmoid, type CellReference } from './cells';

export const gruCell: CellReference = {
  forward(s) {
    const H = s.hidden;
    for (let b = 0; b < s.batch; b++) {
      const g0 = b * 3 * H; // row of gx, gh ([B][3H])
      const s0 = b * 4 * H; // row of saved ([B][4H])
      const h0 = b * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(s.gx[g0 + j] + s.gh[g0 + j]);
        const z = sigmoid(s.gx[g0 + H + j] + s.gh[g0 + H + j]);
        const hn = s.gh[g0 + 2 * H + j];
        const n = Math.tanh(s.gx[g0 + 2 * H + j] + r * hn);
        s.saved[s0 + j] = r;
        s.saved[s0 + H + j] = z;
        s.saved[s0 + 2 * H + j] = n;
        s.saved[s0 + 3 * H + j] = hn;
        s.h[h0 + j] = (1 - z) * n + z * s.hPrev[h0 + j];
      }
    }
  },

  backward(s) {
    const H = s.hidden;
    for (let b = 0; b < s.batch; b++) {
      const g0 = b * 3 * H;
      const s0 = b * 4 * H;
      const h0 = b * H;
      for (let j = 0; j < H; j++) {
        const dh = s.dh[h0 + j];
        const r = s.saved[s0 + j];
        const z = s.saved[s0 + H + j];
        const n = s.saved[s0 + 2 * H + j];
        const hn = s.saved[s0 + 3 * H + j];
        // h = (1 - z) * n + z * hPrev
        const dN = dh * (1 - z);
        const dZ = dh * (s.hPrev[h0 + j] - n);
        s.dhPrev[h0 + j] = dh * z;
        // n = tanh(gx_n + r * hn): gx_n gets dAn, hn gets dAn * r, r gets dAn * hn
        const dAn = dN * (1 - n * n);
        const dR = dAn * hn;
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
  },
};
