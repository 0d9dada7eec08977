/**
 * The recurrent network (src/model/rnn-gpu.ts) as a stage: its recorded forward pass in
 * 'forward' (the evaluation variant, which keeps no state and drops nothing, in evaluation
 * passes) and its BPTT in 'backward': at diagnostics steps the variant that also leaves each
 * direction's per-timestep gradient norms, which its metric column then copies. The network owns
 * its arenas; this stage only places its lists in the step, and with batch norm moves the running
 * statistics (which training forwards update on the GPU) through restarts and checkpoints, as
 * extra["norm.running"] in the CPU backend's layout.
 */
import { NORM_RUNNING_KEY } from '../model/plan';
import type { RnnGpu } from '../model/rnn-gpu';
import type { RunCheckpoint } from './trainer';
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

  reset(): void {
    for (let r = 0; r < this.net.shape.runs; r++) this.net.writeRunning(r);
  }

  restartRuns(runs: readonly number[]): void {
    for (const r of runs) this.net.writeRunning(r);
  }

  checkpointProblems(c: RunCheckpoint, at: string): string[] {
    const v = c.extra[NORM_RUNNING_KEY];
    const size = this.net.runningSize;
    if (!v || size === 0) return [];
    return v.length !== size ? [`${at}.extra["${NORM_RUNNING_KEY}"] must hold ${size} numbers, got ${v.length}`] : [];
  }

  async readCheckpoints(into: RunCheckpoint[]): Promise<void> {
    const size = this.net.runningSize;
    if (size === 0) return;
    const all = await this.net.readRunning();
    into.forEach((c, r) => {
      c.extra[NORM_RUNNING_KEY] = all.slice(r * size, (r + 1) * size);
    });
  }

  /** A checkpoint without running statistics (from a run without batch norm) starts from the initial ones. */
  writeCheckpoint(run: number, c: RunCheckpoint): void {
    if (this.net.runningSize > 0) this.net.writeRunning(run, c.extra[NORM_RUNNING_KEY]);
  }

  destroy(): void {
    this.net.destroy();
  }
}
