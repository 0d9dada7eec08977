/**
 * Float64 reference of the Elman cell (torch.nn.RNN), the mirror of shaders/rnn.wgsl:
 * h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) with act = tanh or relu. It saves nothing
 * for backward: the derivative of either activation is a function of h_t alone.
 */
import type { CellReference } from './cells';

export function elmanCell(activation: 'tanh' | 'relu'): CellReference {
  return {
    forward(s) {
      const n = s.batch * s.hidden; // one gate: [B][G*H] is [B][H]
      for (let k = 0; k < n; k++) {
        const a = s.gx[k] + s.gh[k];
        s.h[k] = activation === 'tanh' ? Math.tanh(a) : Math.max(a, 0);
      }
    },
    backward(s) {
      const n = s.batch * s.hidden;
      for (let k = 0; k < n; k++) {
        const h = s.h[k];
        // h = tanh(a): da = dh * (1 - h^2);  h = max(a, 0): da = dh where h > 0
        const da = activation === 'tanh' ? s.dh[k] * (1 - h * h) : h > 0 ? s.dh[k] : 0;
        // a = gx + gh: both sides get da
        s.dGx[k] = da;
        s.dGh[k] = da;
        s.dhPrev[k] = 0;
      }
    },
  };
}
