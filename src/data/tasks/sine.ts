/**
 * Noisy sine next-value prediction: each batch row is a sine wave with its own frequency and
 * phase plus Gaussian noise; the input at step t is the noisy sample s_t and the target the
 * next noisy sample s_{t+1}. The best possible MSE is about the noise variance plus what the
 * net cannot infer of frequency and phase from the samples so far.
 */
import { deriveKey, rngNormal, rngUniform, STREAM } from '../training/rng';
import type { Task, TaskBatch, TaskSplit } from './task';

export interface SineOptions {
  /** Data seed: the same for every run of a comparison. */
  seed: number;
  /** Standard deviation of the noise added to every sample. */
  noise: number;
  /** Angular frequency range in radians per step. */
  minFrequency: number;
  maxFrequency: number;
}

export const SINE_DEFAULTS: SineOptions = { seed: 1, noise: 0.1, minFrequency: 0.15, maxFrequency: 0.45 };

export class SineTask implements Task {
  readonly key = 'sine';
  readonly inputSize = 1;
  readonly outputSize = 1;
  readonly loss = 'mse' as const;
  readonly metric = 'mse' as const;
  readonly valBatches = 2;
  readonly options: SineOptions;

  constructor(options: Partial<SineOptions> = {}) {
    this.options = { ...SINE_DEFAULTS, ...options };
  }

  /** Sample t of row b of episode e: sin(w t + phi) + noise, each a pure function of (seed, e, b, t). */
  sample(episode: number, row: number, t: number, split: TaskSplit = 'train'): number {
    const { seed, noise, minFrequency, maxFrequency } = this.options;
    // The validation split draws from its own key, so it never repeats a training sequence.
    const splitKey = split === 'train' ? seed : deriveKey(seed, 0x76616c); // 'val'
    const key = deriveKey(deriveKey(splitKey, episode), row);
    const w = minFrequency + (maxFrequency - minFrequency) * rngUniform(key, STREAM.data, 0);
    const phi = 2 * Math.PI * rngUniform(key, STREAM.data, 1);
    return Math.sin(w * t + phi) + noise * rngNormal(key, STREAM.data + 100, t);
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    for (let b = 0; b < batch; b++) {
      let next = this.sample(episode, b, t0, split);
      for (let t = 0; t < seqLen; t++) {
        const i = t * batch + b; // [T][B]
        out.x[i] = next;
        next = this.sample(episode, b, t0 + t + 1, split);
        out.target[i] = next;
        out.weight[i] = 1;
      }
    }
  }
}
