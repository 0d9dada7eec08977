/**
 * Validation example 0 on the GPU, for the hidden-state and prediction views: after the first
 * validation batch's head (an evaluation pass), copies row 0 of the top layer's outputs h_t and
 * of the head's outputs y_t, every timestep, into a small arena ([R][T][D + O]) that a
 * diagnostics-only, evaluation-only metric column reads back. Plain buffer copies, no kernel.
 * The example's input and target are fixed, so they come from the CPU's copy of the batch.
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import type { RnnGpu } from '../model/rnn-gpu';
import type { TaskBatch } from '../data/task';
import type { RunStepMetrics } from './metrics';

export class ExampleCapture {
  /** Floats per run: T x (D + O). */
  readonly perRun: number;
  private readonly out: Arena;
  private readonly D: number;
  private readonly input: number[][];
  private readonly target: number[][];
  private readonly scored: boolean[];

  constructor(
    engine: Engine,
    private readonly net: RnnGpu,
    private readonly head: { buffer: GPUBuffer; offset: number },
    private readonly outputs: number,
    /** The first validation batch (row 0 is the example). */
    batch: TaskBatch,
    label: string,
  ) {
    const { seqLen: T, batch: B, runs: R } = net.shape;
    this.D = net.plan.outputSize;
    this.perRun = T * (this.D + outputs);
    this.out = new Arena(engine, `${label} validation example`, [{ name: 'example', shape: [R, this.perRun] }]);
    const I = batch.x.length / (T * B);
    const per = batch.target.length / (T * B);
    this.input = Array.from({ length: T }, (_, t) => Array.from(batch.x.subarray(t * B * I, t * B * I + I)));
    this.target = Array.from({ length: T }, (_, t) => Array.from(batch.target.subarray(t * B * per, t * B * per + per)));
    this.scored = Array.from({ length: T }, (_, t) => batch.weight[t * B] > 0);
  }

  encode(encoder: GPUCommandEncoder): void {
    const { seqLen: T, batch: B, runs: R } = this.net.shape;
    const O = this.outputs;
    const base = this.out.view('example').offset;
    // What the head reads: each top direction's part (the formed layer output with residual layers).
    const parts = this.net.outputParts();
    for (let r = 0; r < R; r++) {
      for (let t = 0; t < T; t++) {
        const at = base + r * this.perRun + t * (this.D + O);
        for (const { value: h, column, width } of parts) {
          encoder.copyBufferToBuffer(h.buffer, (h.off + r * h.run + t * B * h.rs) * 4, this.out.buffer, (at + column) * 4, width * 4);
        }
        const y = this.head.offset + ((r * T + t) * B) * O;
        encoder.copyBufferToBuffer(this.head.buffer, y * 4, this.out.buffer, (at + this.D) * 4, O * 4);
      }
    }
  }

  view(): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.out.buffer, offset: this.out.view('example').offset };
  }

  decode(v: ArrayLike<number>, m: RunStepMetrics): void {
    const T = this.net.shape.seqLen;
    const row = this.D + this.outputs;
    const slice = (t: number, from: number, to: number) => Array.from({ length: to - from }, (_, k) => v[t * row + from + k]);
    m.validationExample = {
      hidden: Array.from({ length: T }, (_, t) => slice(t, 0, this.D)),
      output: Array.from({ length: T }, (_, t) => slice(t, this.D, row)),
      input: this.input,
      target: this.target,
      scored: this.scored,
    };
  }

  destroy(): void {
    this.out.destroy();
  }
}
