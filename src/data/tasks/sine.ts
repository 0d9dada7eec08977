/**
 * Noisy sines, next-value prediction: each batch row is a sum of `sines` sine waves, each with
 * its own frequency and phase, plus Gaussian noise; the input at step t is the noisy sample s_t
 * and the target s_{t+horizon}. An endless stream. The best possible MSE is about the noise
 * variance plus what the net cannot infer of frequencies and phases from the samples so far.
 */
import { deriveKey, rngNormal, rngUniform, STREAM } from '../../training/rng';
import type { TaskBatch, TaskSplit } from '../task';
import { scorePredictor, sequenceKey } from './split';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask, type ValWindow } from './task-def';

export interface SineOptions {
  /** Data seed: the same for every run of a comparison. */
  seed: number;
  /** Sine waves summed per sequence, each of amplitude 1 / sines. */
  sines: number;
  /** Angular frequency range in radians per step. */
  minFrequency: number;
  maxFrequency: number;
  /** Standard deviation of the noise added to every sample. */
  noise: number;
  /** Predict this many steps ahead. */
  horizon: number;
}

export const SINE_DEFAULTS: SineOptions = { seed: 1, sines: 1, minFrequency: 0.15, maxFrequency: 0.45, noise: 0.1, horizon: 1 };

/** Sub-key of a sequence's noise, apart from its frequencies and phases. */
const NOISE = 1;

export class SineTask implements BuiltinTask {
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

  /** Sample t of row b of episode e: sum_j sin(w_j t + phi_j) / sines + noise, a pure function of (seed, split, e, b, t). */
  sample(episode: number, row: number, t: number, split: TaskSplit = 'train'): number {
    const { seed, sines, noise, minFrequency, maxFrequency } = this.options;
    const key = sequenceKey(seed, split, episode, row);
    let s = 0;
    for (let j = 0; j < sines; j++) {
      const w = minFrequency + (maxFrequency - minFrequency) * rngUniform(key, STREAM.data, 2 * j);
      const phi = 2 * Math.PI * rngUniform(key, STREAM.data, 2 * j + 1);
      s += Math.sin(w * t + phi);
    }
    return s / sines + noise * rngNormal(deriveKey(key, NOISE), STREAM.data, t);
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const k = this.options.horizon;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seqLen; t++) {
        const i = t * batch + b; // [T][B]
        out.x[i] = this.sample(episode, b, t0 + t, split);
        out.target[i] = this.sample(episode, b, t0 + t + k, split);
        out.weight[i] = 1;
      }
    }
  }

  /** MSE of repeating the last value (predicting s_{t+horizon} = s_t). */
  baseline(window: ValWindow): number {
    return scorePredictor(this, window, (batch, row, y) => {
      y[0] = batch.x[row];
    });
  }
}

export const sineTask = defineTask({
  kind: 'sine',
  label: 'noisy sines',
  doc: 'Predict the value `horizon` steps ahead of a noisy sum of sine waves of random frequencies and phases.',
  metric: 'mse',
  baselineDoc: 'repeat the last value',
  fields: taskFields('sine', [
    seedField(),
    { path: 'sines', type: 'int', label: 'sines', min: 1, max: 8, default: SINE_DEFAULTS.sines, flag: 'sines',
      doc: 'Sine waves summed per sequence, each of amplitude 1/sines.' },
    { path: 'minFrequency', type: 'number', label: 'lowest frequency', min: 0.001, max: Math.PI, default: SINE_DEFAULTS.minFrequency,
      flag: 'min-frequency', ui: { log: true }, doc: 'Lowest angular frequency, radians per step.' },
    { path: 'maxFrequency', type: 'number', label: 'highest frequency', min: 0.001, max: Math.PI, default: SINE_DEFAULTS.maxFrequency,
      flag: 'max-frequency', ui: { log: true }, doc: 'Highest angular frequency, radians per step (at least the lowest).' },
    { path: 'noise', type: 'number', label: 'noise', min: 0, max: 10, default: SINE_DEFAULTS.noise, flag: 'noise',
      doc: 'Standard deviation of the Gaussian noise on every sample.' },
    { path: 'horizon', type: 'int', label: 'horizon', min: 1, max: 100, default: SINE_DEFAULTS.horizon, flag: 'horizon',
      doc: 'Predict the value this many steps ahead.' },
  ]),
  episodeLength: () => null,
  lastStepHead: () => true,
  needs: () => 'none',
  create: (options) => new SineTask(pickOptions(SINE_DEFAULTS, options)),
});
