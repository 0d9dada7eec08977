/**
 * Weight and gradient histograms of every parameter tensor of R runs on the GPU
 * (shaders/histogram.wgsl): per run and tensor, [weights, gradients] x [largest |value|, then
 * HISTOGRAM_BINS counts over [-max, max]], in its own arena. One dispatch per tensor. The tensors
 * are the network's (PyTorch names) and the head's weight and bias.
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import { HISTOGRAM_BINS, type Histogram } from '../reference/histogram';
import type { ModelLayout } from './model-layout';

/** `struct Histogram` in shaders/histogram.wgsl. */
export const HISTOGRAM_RECORD = new RecordLayout(['size', 'p_run', 'off', 'out_off', 'out_run']);

/** One parameter tensor inside a run's vector. */
export interface TensorSpan {
  name: string;
  offset: number;
  size: number;
}

/** One tensor's histograms at one step. */
export interface TensorHistograms {
  name: string;
  weight: Histogram;
  grad: Histogram;
}

/** Every tensor a histogram is made of, in parameter order. */
export function histogramTensors(layout: ModelLayout): TensorSpan[] {
  const { head } = layout;
  return [
    ...layout.rnn.entries.map((e) => ({ name: e.name, offset: e.offset, size: e.size })),
    { name: 'head.weight', offset: head.weight, size: head.bias - head.weight },
    { name: 'head.bias', offset: head.bias, size: layout.paramCount - head.bias },
  ];
}

const BLOCK = 2 * (1 + HISTOGRAM_BINS);

export class HistogramGpu {
  /** Floats per run: [tensors][2][1 + BINS]. */
  readonly perRun: number;
  private readonly out: Arena;
  private program!: Program;

  private constructor(engine: Engine, readonly tensors: readonly TensorSpan[], readonly runs: number, label: string) {
    this.perRun = tensors.length * BLOCK;
    this.out = new Arena(engine, `${label} histograms`, [{ name: 'histograms', shape: [runs, this.perRun] }]);
  }

  /** `params` and `grads` hold [runs][runStride] floats each. */
  static async create(engine: Engine, s: { label: string; tensors: readonly TensorSpan[]; runs: number; runStride: number; params: GPUBuffer; grads: GPUBuffer }): Promise<HistogramGpu> {
    const kernel = await engine.kernel({ label: 'histogram', file: 'histogram.wgsl', entryPoint: 'histogram' });
    const h = new HistogramGpu(engine, s.tensors, s.runs, s.label);
    const builder = new ProgramBuilder(engine, `${s.label} histograms`);
    s.tensors.forEach((t, k) => {
      builder.add('histograms', kernel, `${s.label} histogram ${t.name}`, HISTOGRAM_RECORD.pack({
        size: t.size, p_run: s.runStride, off: t.offset, out_off: h.out.view('histograms').offset + k * BLOCK, out_run: h.perRun,
      }), { 1: s.params, 2: s.grads, 3: h.out.buffer }, [2, 1, s.runs]);
    });
    h.program = builder.finish();
    return h;
  }

  encode(encoder: GPUCommandEncoder): void {
    this.program.encode(encoder, 'histograms');
  }

  /** Where the histograms are: [R][perRun] floats of this buffer, from `offset` floats. */
  view(): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.out.buffer, offset: this.out.view('histograms').offset };
  }

  /** One run's perRun floats as per-tensor histograms. */
  decode(values: ArrayLike<number>): TensorHistograms[] {
    const one = (at: number): Histogram => ({ max: values[at], counts: Array.from({ length: HISTOGRAM_BINS }, (_, b) => values[at + 1 + b]) });
    return this.tensors.map((t, k) => ({ name: t.name, weight: one(k * BLOCK), grad: one(k * BLOCK + 1 + HISTOGRAM_BINS) }));
  }

  /** Every run's histograms (tests and tools). */
  async read(): Promise<TensorHistograms[][]> {
    const all = await this.out.read('histograms');
    return Array.from({ length: this.runs }, (_, r) => this.decode(all.subarray(r * this.perRun, (r + 1) * this.perRun)));
  }

  destroy(): void {
    this.out.destroy();
    this.program?.destroy();
  }
}
