/**
 * Small tasks for GPU tests of the training loop, beside the real ones in src/data: a
 * classification task with a validation split and its own metric weights, a task whose
 * every batch is the same (so a restarted run can be compared with a fresh one step by step), and
 * one with as many classes as asked.
 */
import type { MetricKind, Task, TaskBatch, TaskSplit } from '../data/task';
import { rngUniform } from '../training/rng';

/** Is the running sum of the inputs below -0.3, around 0, or above 0.3? Three classes, two inputs. */
export class SignTask implements Task {
  readonly key = 'sign';
  readonly inputSize = 2;
  readonly outputSize = 3;
  readonly loss = 'cross_entropy' as const;

  constructor(
    readonly valBatches = 0,
    readonly metric: Extract<MetricKind, 'accuracy' | 'bpc'> = 'accuracy',
    /**
     * The second input varies around 1 instead of being 1. Under batch norm of the input products a
     * channel that is the same in every row has an exactly zero weight gradient, which float32
     * rounds to ~1e-8 and Adam-like rules then turn into full steps; backends compared with the
     * float64 reference need every channel to vary.
     */
    readonly varyMarker = false,
  ) {}

  /** The metric counts every step but the first of a sequence (its sum is a single input). */
  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const key = split === 'train' ? episode : 0x40000000 + episode;
    for (let b = 0; b < batch; b++) {
      let sum = 0;
      for (let t = 0; t < t0 + seqLen; t++) {
        const v = 2 * rngUniform(key, b, t) - 1;
        sum += v;
        if (t < t0) continue;
        const i = (t - t0) * batch + b;
        out.x[i * 2] = v;
        out.x[i * 2 + 1] = this.varyMarker ? 0.5 + rngUniform(key + 0x20000000, b, t) : 1;
        out.target[i] = sum < -0.3 ? 0 : sum > 0.3 ? 2 : 1;
        out.weight[i] = 1;
        if (out.metricWeight) out.metricWeight[i] = t > 0 ? 1 : 0;
      }
    }
  }
}

/** The same batch for every episode and window: x and targets drawn once from `seed`. */
export class FixedTask implements Task {
  readonly key = 'fixed';
  readonly inputSize = 2;
  readonly outputSize = 1;
  readonly loss = 'mse' as const;
  readonly metric = 'mse' as const;
  readonly valBatches = 0;

  constructor(private readonly seed: number) {}

  fill(_episode: number, _t0: number, seqLen: number, batch: number, out: TaskBatch): void {
    for (let i = 0; i < seqLen * batch; i++) {
      out.x[2 * i] = 2 * rngUniform(this.seed, 0, i) - 1;
      out.x[2 * i + 1] = 2 * rngUniform(this.seed, 1, i) - 1;
      out.target[i] = 2 * rngUniform(this.seed, 2, i) - 1;
      out.weight[i] = 1;
    }
  }
}

/**
 * `outputSize` classes from two inputs, the class a hash of the position: only the shape matters
 * (a head wider than kernel-path.ts FOLD_HEAD_MAX_OUTPUTS keeps its input gradient GEMM).
 */
export class ManyClassTask implements Task {
  readonly key = 'many-classes';
  readonly inputSize = 2;
  readonly loss = 'cross_entropy' as const;
  readonly metric = 'accuracy' as const;
  readonly valBatches = 0;

  constructor(readonly outputSize: number) {}

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch): void {
    for (let t = 0; t < seqLen; t++) {
      for (let b = 0; b < batch; b++) {
        const i = t * batch + b;
        out.x[2 * i] = 2 * rngUniform(episode, b, t0 + t) - 1;
        out.x[2 * i + 1] = 2 * rngUniform(episode + 0x10000000, b, t0 + t) - 1;
        out.target[i] = Math.floor(rngUniform(episode + 0x20000000, b, t0 + t) * this.outputSize);
        out.weight[i] = 1;
      }
    }
  }
}
