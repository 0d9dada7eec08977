/**
 * The recurrent network (src/model/rnn-gpu.ts) as a stage: its recorded forward pass in
 * 'forward' (the evaluation variant, which keeps no state and drops nothing, in evaluation
 * passes) and its BPTT in 'backward': at diagnostics steps the variant that also leaves each
 * direction's per-timestep gradient norms, which its metric column then copies. The network owns
 * its arenas; this stage only places its lists in the step.
 */
import type { RnnGpu } from '../model/rnn-gpu';
import type { MetricColumn } from './metrics';
import type { Pass, Phase, Stage, StepInfo } from './stage';

export class NetworkStage implements Stage {
  readonly name = 'network';

  constructor(readonly net: RnnGpu) {}

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass, step: StepInfo): void {
    if (phase === 'forward') {
      if (pass.mode === 'train') this.net.encodeForward(encoder);
      else this.net.encodeForwardEval(encoder);
    } else if (phase === 'backward' && pass.mode === 'train') {
      this.net.encodeBackward(encoder, !!step.diagnostics && !!this.net.shape.diagnostics);
    }
  }

  metricColumns(): readonly MetricColumn[] {
    const view = this.net.gradTimeView();
    if (!view) return [];
    const T = this.net.shape.seqLen;
    return [{
      name: 'gradient through time',
      source: { buffer: view.buffer, offset: view.offset },
      width: view.perRun,
      diagnosticOnly: true,
      decode: (v, m) => {
        m.gradThroughTime = Array.from({ length: view.perRun / T }, (_, d) => Array.from(v.subarray(d * T, (d + 1) * T)));
      },
    }];
  }

  destroy(): void {
    this.net.destroy();
  }
}
