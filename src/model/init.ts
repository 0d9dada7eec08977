/**
 * Weight initialisation for a recurrent network plus a linear head, in one run's flat
 * parameter vector, with the distributions of torch's defaults:
 * nn.RNN/LSTM/GRU draw every parameter from U(-1/sqrt(H), 1/sqrt(H)); nn.Linear draws
 * weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Draws come from the counter RNG
 * keyed by the run's seed, so a seed fixes the weights.
 */
import { deriveKey, rngUniform, STREAM } from '../training/rng';
import type { ParamLayout } from './layout';

/** Where the head sits in a run's vector: weight [O][H] then bias [O]. */
export interface HeadLayout {
  weight: number;
  bias: number;
  outputs: number;
  inputs: number;
}

/** Fills `out` (one run's [P] vector) with PyTorch's default initialisation, drawn from `seed`. */
export function initParams(
  out: Float32Array | Float64Array,
  rnn: ParamLayout,
  hiddenSize: number,
  head: HeadLayout,
  seed: number,
): void {
  const key = deriveKey(seed, STREAM.init);
  const fill = (offset: number, size: number, bound: number, tensor: number) => {
    const k = deriveKey(key, tensor);
    for (let i = 0; i < size; i++) out[offset + i] = (2 * rngUniform(k, STREAM.init, i) - 1) * bound;
  };
  rnn.entries.forEach((e, i) => fill(e.offset, e.size, 1 / Math.sqrt(hiddenSize), i));
  const headBound = 1 / Math.sqrt(head.inputs);
  fill(head.weight, head.outputs * head.inputs, headBound, rnn.entries.length);
  fill(head.bias, head.outputs, headBound, rnn.entries.length + 1);
}
