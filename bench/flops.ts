/**
 * Analytic floating-point operations of one training step of a stacked recurrent net with a
 * linear head on every timestep. Only the GEMM / matrix-vector work counts (multiply and add
 * separately); elementwise gate maths, loss and optimizer are ignored as small.
 */
import { GATES, type CellKind } from '../src/model/layout';

export interface StepShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  batch: number;
  seqLen: number;
  outputSize: number;
  /** Runs trained side by side in one group (each does the whole step). */
  runs?: number;
}

/** Forward FLOPs: per layer 2 T B G H I_l (input projection) + 2 T B G H H (recurrence); head 2 T B H O. */
export function forwardFlops(s: StepShape): number {
  const G = GATES[s.cell];
  const { hiddenSize: H, batch: B, seqLen: T } = s;
  let flops = 0;
  for (let l = 0; l < s.numLayers; l++) {
    const inputs = l === 0 ? s.inputSize : H;
    flops += 2 * T * B * G * H * inputs + 2 * T * B * G * H * H;
  }
  return (flops + 2 * T * B * H * s.outputSize) * (s.runs ?? 1);
}

/**
 * One full step: forward plus a backward of about twice the forward (one product for the
 * input gradients, one for the weight gradients), so 3x the forward.
 */
export function stepFlops(s: StepShape): number {
  return 3 * forwardFlops(s);
}
