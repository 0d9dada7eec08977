/**
 * A bench-only task with any input size: uniform inputs from an integer hash and a target that
 * is a fixed smooth function of the current input. Speed is what is measured, so the data only
 * has to be deterministic and cheap to make (it is made on the CPU inside every timed step).
 */
import type { Task, TaskBatch } from '../src/data/task';

/** A 32-bit integer hash (Wang/Jenkins mix) mapped to [-1, 1). */
function hashUniform(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 31 - 1;
}

export class RandomRegressionTask implements Task {
  readonly key = 'bench-random';
  readonly outputSize = 1;
  readonly loss = 'mse' as const;
  readonly metric = 'mse' as const;
  readonly valBatches = 0;

  constructor(readonly inputSize: number) {}

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch): void {
    const I = this.inputSize;
    for (let t = 0; t < seqLen; t++) {
      for (let b = 0; b < batch; b++) {
        const row = t * batch + b; // [T][B]
        let sum = 0;
        for (let i = 0; i < I; i++) {
          const v = hashUniform(episode, b, (t0 + t) * I + i);
          out.x[row * I + i] = v;
          sum += v * (i % 2 === 0 ? 1 : -0.5);
        }
        out.target[row] = Math.tanh(sum);
        out.weight[row] = 1;
      }
    }
  }
}
