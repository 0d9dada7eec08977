/**
 * Float64 reference of the LSTM cell (torch.nn.LSTM, gate order i, f, g, o), the mirror of
 * shaders/lstm.wgsl. Saved per unit for backward, as the GPU saves them: i, f, g, o.
 * With a cell-state norm (layer / batch norm, Ba et al. 2016; Cooijmans et al. 2016) the output is
 * h_t = o * tanh(norm(c_t)) while c_t itself stays unnormalized; it needs the whole [B][H] block,
 * so both directions run in two passes over the batch.
 */
import { sigmoid, type CellReference } from './cells';

export const lstmCell: CellReference = {
  forward(s) {
    const H = s.hidden;
    for (let b = 0; b < s.batch; b++) {
      const g0 = b * 4 * H; // row of gx, gh and saved ([B][4H] both)
      const h0 = b * H; // row of h and c
      for (let j = 0; j < H; j++) {
        const pre = (gate: number) => s.gx[g0 + gate * H + j] + s.gh[g0 + gate * H + j];
        const i = sigmoid(pre(0));
        const f = sigmoid(pre(1));
        const g = Math.tanh(pre(2));
        const o = sigmoid(pre(3));
        s.saved[g0 + j] = i;
        s.saved[g0 + H + j] = f;
        s.saved[g0 + 2 * H + j] = g;
        s.saved[g0 + 3 * H + j] = o;
        s.c[h0 + j] = f * s.cPrev[h0 + j] + i * g;
      }
    }
    const cOut = normedC(s.c, s.normC);
    for (let b = 0; b < s.batch; b++) {
      for (let j = 0; j < H; j++) s.h[b * H + j] = s.saved[b * 4 * H + 3 * H + j] * Math.tanh(cOut[b * H + j]);
    }
  },

  backward(s) {
    const H = s.hidden;
    const cOut = normedC(s.c, s.normC);
    // h = o * tanh(cOut): dL/dcOut = dh * o * (1 - tanh(cOut)^2); without a norm cOut is c
    const dcOut = new Float64Array(s.batch * H);
    for (let b = 0; b < s.batch; b++) {
      for (let j = 0; j < H; j++) {
        const tc = Math.tanh(cOut[b * H + j]);
        dcOut[b * H + j] = s.dh[b * H + j] * s.saved[b * 4 * H + 3 * H + j] * (1 - tc * tc);
      }
    }
    const dcFromH = dcOut;
    if (s.normC) {
      const dOut = Float64Array.from(dcOut);
      s.normC.backward(s.c, dOut, dcFromH);
    }
    for (let b = 0; b < s.batch; b++) {
      const g0 = b * 4 * H;
      const h0 = b * H;
      for (let j = 0; j < H; j++) {
        const dh = s.dh[h0 + j];
        const i = s.saved[g0 + j];
        const f = s.saved[g0 + H + j];
        const g = s.saved[g0 + 2 * H + j];
        const o = s.saved[g0 + 3 * H + j];
        const tc = Math.tanh(cOut[h0 + j]);
        // h = o * tanh(cOut): do = dh * tanh(cOut); dc gains what came back through cOut
        const dO = dh * tc;
        const dc = s.dc[h0 + j] + dcFromH[h0 + j];
        // c = f * cPrev + i * g
        const dI = dc * g;
        const dF = dc * s.cPrev[h0 + j];
        const dG = dc * i;
        s.dcPrev[h0 + j] = dc * f;
        // i, f, o = sigmoid(a): da = d * s * (1 - s);  g = tanh(a): da = d * (1 - g^2)
        const dA = [dI * i * (1 - i), dF * f * (1 - f), dG * (1 - g * g), dO * o * (1 - o)];
        // a = gx + gh for every gate
        for (let gate = 0; gate < 4; gate++) s.dGx[g0 + gate * H + j] = s.dGh[g0 + gate * H + j] = dA[gate];
        s.dhPrev[h0 + j] = 0;
      }
    }
  },
};

/** c, or norm(c) when the cell has a cell-state norm. */
function normedC(c: Float64Array, norm: { forward(x: Float64Array, y: Float64Array): void } | undefined): Float64Array {
  if (!norm) return c;
  const out = new Float64Array(c.length);
  norm.forward(c, out);
  return out;
}
