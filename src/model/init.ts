/**
 * Weight initialisation for a recurrent network plus a linear head, in one run's flat
 * parameter vector. The recurrent tensors follow the run's init schemes (init-schemes.ts; by
 * default torch's nn.RNN/LSTM/GRU: every parameter from U(-1/sqrt(H), 1/sqrt(H))); the head is
 * always nn.Linear's default, weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Draws come
 * from the counter RNG keyed by the run's seed and the tensor's index, so a seed fixes the weights
 * on every backend, and a scheme changed for one tensor leaves the others' draws as they were.
 * Norm gains and biases take their constant (ParamEntry.fill) and draw nothing; the other tensors
 * are keyed by their index among the tensors that draw, so a run with a norm starts from the same
 * weights as the same run without.
 */
import { CELLS, type CellKind } from './cells';
import { DEFAULT_INIT, fillBias, fillWeight, type InitConfig } from './init-schemes';
import { deriveKey, rngUniform, STREAM } from '../training/rng';
import type { ParamLayout } from './layout';

/** Where the head sits in a run's vector: weight [O][H] then bias [O]. */
export interface HeadLayout {
  weight: number;
  bias: number;
  outputs: number;
  inputs: number;
}

/**
 * Fills `out` (one run's [P] vector) from `seed` with the schemes of `init` (torch's defaults when
 * absent). `cell` is needed only for `init.forgetBias` (the block of the gate named 'f').
 */
export function initParams(
  out: Float32Array | Float64Array,
  rnn: ParamLayout,
  hiddenSize: number,
  head: HeadLayout,
  seed: number,
  init: InitConfig = DEFAULT_INIT,
  cell?: CellKind,
): void {
  const key = deriveKey(seed, STREAM.init);
  const H = hiddenSize;
  const forgetGate = init.forgetBias === undefined ? -1 : cell ? CELLS[cell].gates.indexOf('f') : -1;
  if (init.forgetBias !== undefined && forgetGate < 0) throw new Error(`init.forgetBias needs a cell with a forget gate, got ${cell ?? 'none'}`);
  const drawn = rnn.entries.filter((e) => e.fill === undefined);
  for (const e of rnn.entries) if (e.fill !== undefined) out.fill(e.fill, e.offset, e.offset + e.size);
  drawn.forEach((e, i) => {
    const target = { out, offset: e.offset, rows: e.shape[0], cols: e.shape[1] ?? 1, key: deriveKey(key, i) };
    const gates = e.shape[0] / H;
    switch (e.kind) {
      case 'weight_ih':
        fillWeight(target, init.weightIh, gates, H);
        break;
      case 'weight_hh':
        fillWeight(target, init.weightHh, gates, H, init.identityGain ?? 1);
        break;
      case 'bias_ih':
      case 'bias_hh':
        fillBias(target, init.bias, H);
        if (forgetGate >= 0) out.fill(e.kind === 'bias_ih' ? init.forgetBias! : 0, e.offset + forgetGate * H, e.offset + (forgetGate + 1) * H);
        break;
    }
  });
  const uniform = (offset: number, size: number, bound: number, tensor: number) => {
    const k = deriveKey(key, tensor);
    for (let i = 0; i < size; i++) out[offset + i] = (2 * rngUniform(k, STREAM.init, i) - 1) * bound;
  };
  const headBound = 1 / Math.sqrt(head.inputs);
  uniform(head.weight, head.outputs * head.inputs, headBound, drawn.length);
  uniform(head.bias, head.outputs, headBound, drawn.length + 1);
}
