/**
 * The recurrent network (src/model/rnn-gpu.ts) as a stage: its recorded forward pass in
 * 'forward' (the evaluation variant, which keeps no state, in evaluation passes) and its BPTT in
 * 'backward'. The network owns its arenas; this stage only places its lists in the step.
 */
import type { RnnGpu } from '../model/rnn-gpu';
import type { Pass, Phase, Stage } from './stage';

export class NetworkStage implements Stage {
  readonly name = 'network';

  constructor(readonly net: RnnGpu) {}

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase === 'forward') {
      if (pass.mode === 'train') this.net.encodeForward(encoder);
      else this.net.encodeForwardEval(encoder);
    } else if (phase === 'backward' && pass.mode === 'train') {
      this.net.encodeBackward(encoder);
    }
  }

  destroy(): void {
    this.net.destroy();
  }
}
