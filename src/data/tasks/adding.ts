/**
 * The adding problem (Hochreiter & Schmidhuber 1997; the two-halves form of Le et al. 2015 and
 * Arjovsky et al. 2016): two input channels, a value in [0, 1) and a marker; exactly two steps
 * are marked, one in each half of the sequence, and the target at the last step (the only one
 * scored) is the sum of the two marked values. Predicting 1.0 always scores MSE 1/6.
 */
import { deriveKey, rngUniform, STREAM } from '../../training/rng';
import type { TaskBatch, TaskSplit } from '../task';
import { padRow, scorePredictor, sequenceKey } from './split';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask, type ValWindow } from './task-def';

export interface AddingOptions {
  seed: number;
  /** Timesteps per sequence. */
  length: number;
}

export const ADDING_DEFAULTS: AddingOptions = { seed: 1, length: 50 };

/** Sub-key of a sequence's two marked positions, apart from its values. */
const MARKS = 1;

export class AddingTask implements BuiltinTask {
  readonly key = 'adding';
  readonly inputSize = 2;
  readonly outputSize = 1;
  readonly loss = 'mse' as const;
  readonly metric = 'mse' as const;
  readonly valBatches = 4;
  readonly options: AddingOptions;
  readonly episodeLength: number;

  constructor(options: Partial<AddingOptions> = {}) {
    this.options = { ...ADDING_DEFAULTS, ...options };
    this.episodeLength = this.options.length;
  }

  /** The marked positions of a sequence: one in [0, L/2), one in [L/2, L). */
  marks(key: number): [number, number] {
    const L = this.options.length;
    const half = Math.floor(L / 2);
    const k = deriveKey(key, MARKS);
    return [Math.floor(rngUniform(k, STREAM.data, 0) * half), half + Math.floor(rngUniform(k, STREAM.data, 1) * (L - half))];
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const L = this.options.length;
    for (let b = 0; b < batch; b++) {
      const key = sequenceKey(this.options.seed, split, episode, b);
      const [m1, m2] = this.marks(key);
      const sum = rngUniform(key, STREAM.data, m1) + rngUniform(key, STREAM.data, m2);
      const end = Math.min(seqLen, L - t0);
      for (let t = 0; t < end; t++) {
        const s = t0 + t;
        const i = t * batch + b; // [T][B]
        out.x[2 * i] = rngUniform(key, STREAM.data, s);
        out.x[2 * i + 1] = s === m1 || s === m2 ? 1 : 0;
        out.target[i] = s === L - 1 ? sum : 0;
        out.weight[i] = s === L - 1 ? 1 : 0;
      }
      padRow(out, this, end, seqLen, batch, b);
    }
  }

  /** MSE of always predicting 1.0 (1/6 in expectation: the variance of the sum of two U(0, 1)). */
  baseline(window: ValWindow): number {
    return scorePredictor(this, window, (_, __, y) => {
      y[0] = 1;
    });
  }
}

export const addingTask = defineTask({
  kind: 'adding',
  label: 'adding problem',
  doc: 'Sum the two marked values of a long sequence, answered at its last step (Hochreiter & Schmidhuber 1997).',
  metric: 'mse',
  baselineDoc: 'always predict 1.0 (MSE 1/6)',
  fields: taskFields('adding', [
    seedField(),
    { path: 'length', type: 'int', label: 'sequence length', min: 10, max: 1000, default: ADDING_DEFAULTS.length, flag: 'length',
      doc: 'Timesteps per sequence: the marked values are this far apart at most.' },
  ]),
  episodeLength: (o) => pickOptions(ADDING_DEFAULTS, o).length,
  lastStepHead: () => true,
  needs: () => 'none',
  create: (options) => new AddingTask(pickOptions(ADDING_DEFAULTS, options)),
});
