/**
 * Builds parity cases whose expected values come from the float64 reference: seeded random
 * parameters (PyTorch's default init, U(-1/sqrt(H), 1/sqrt(H))) and inputs U(-1, 1).
 * For fixtures and tests; PyTorch-made cases come from fixtures/make_torch_cases.py instead.
 */
import { hasState } from '../model/cells';
import { paramLayout } from '../model/layout';
import type { RnnShape } from '../model/layout';
import { planLayers } from '../model/plan';
import type { ParityCase } from '../model/parity-case';
import { Rng } from './random';
import { rnnBackward, rnnForward } from './rnn';
import type { RnnInputs } from './rnn';

export function makeReferenceCase(
  name: string,
  shape: RnnShape,
  seqLen: number,
  batch: number,
  seed: number,
): ParityCase {
  const rng = new Rng(seed);
  const plan = planLayers(shape);
  const stateSize = plan.directions.length * batch * shape.hiddenSize;
  const inputs: RnnInputs = {
    shape,
    seqLen,
    batch,
    params: rng.uniform(paramLayout(shape).total, 1 / Math.sqrt(shape.hiddenSize)), // [P]
    x: rng.uniform(seqLen * batch * shape.inputSize, 1), // [T][B][I]
    h0: rng.uniform(stateSize, 1), // [L][B][H]
    c0: hasState(shape.cell, 'c') ? rng.uniform(stateSize, 1) : undefined, // [L][B][H]
  };
  const gradOutput = rng.uniform(seqLen * batch * plan.outputSize, 1); // [T][B][D]
  const fwd = rnnForward(inputs);
  const { params, x, h0, c0 } = rnnBackward(inputs, fwd, gradOutput);
  return {
    name,
    ...inputs,
    gradOutput,
    expected: { output: fwd.output, hN: fwd.hN, cN: fwd.cN, grads: { params, x, h0, c0 } },
  };
}
