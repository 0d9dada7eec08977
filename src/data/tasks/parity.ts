/**
 * Parity (Hochreiter & Schmidhuber 1997 among others): a sequence of random bits, one per step;
 * the target is the XOR of all bits so far, at every step or only at the last. One wrong bit
 * anywhere flips the answer, so the net must carry one bit of state through the whole sequence.
 * Chance accuracy is 0.5.
 */
import { rngUniform, STREAM } from '../../training/rng';
import type { TaskBatch, TaskSplit } from '../task';
import { HeldOut, listSpace, padRow, sequenceKey } from './split';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask } from './task-def';

export interface ParityOptions {
  seed: number;
  /** Bits per sequence. */
  length: number;
  /** Score the running XOR at every step, or only the XOR of the whole sequence at its last step. */
  targets: 'every' | 'last';
}

export const PARITY_DEFAULTS: ParityOptions = { seed: 1, length: 8, targets: 'every' };

export class ParityTask implements BuiltinTask {
  readonly key = 'parity';
  readonly inputSize = 1;
  readonly outputSize = 2;
  readonly loss = 'cross_entropy' as const;
  readonly metric = 'accuracy' as const;
  readonly valBatches = 4;
  readonly vocabulary = ['0', '1'] as const;
  readonly options: ParityOptions;
  readonly episodeLength: number;
  readonly heldOut: HeldOut;

  constructor(options: Partial<ParityOptions> = {}) {
    this.options = { ...PARITY_DEFAULTS, ...options };
    this.episodeLength = this.options.length;
    this.heldOut = new HeldOut(this.options.seed, listSpace(2, this.options.length));
  }

  /** The bits of row `b` of an episode. */
  bits(split: TaskSplit, episode: number, b: number): number[] {
    const { seed, length } = this.options;
    return this.heldOut.draw(split, sequenceKey(seed, split, episode, b), (key) => ({
      symbols: Array.from({ length }, (_, i) => (rngUniform(key, STREAM.data, i) < 0.5 ? 0 : 1)),
    })).symbols;
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const { length, targets } = this.options;
    for (let b = 0; b < batch; b++) {
      const bits = this.bits(split, episode, b);
      let parity = 0;
      for (let s = 0; s < t0 && s < length; s++) parity ^= bits[s];
      const end = Math.min(seqLen, length - t0);
      for (let t = 0; t < end; t++) {
        const s = t0 + t;
        const i = t * batch + b; // [T][B]
        parity ^= bits[s];
        out.x[i] = bits[s];
        out.target[i] = parity;
        out.weight[i] = targets === 'every' || s === length - 1 ? 1 : 0;
      }
      padRow(out, this, end, seqLen, batch, b);
    }
  }

  /** Chance: 0.5. */
  baseline(): number {
    return 0.5;
  }
}

export const parityTask = defineTask({
  kind: 'parity',
  label: 'parity',
  doc: 'Output the XOR of all bits seen so far, at every step or only at the end (Hochreiter & Schmidhuber 1997).',
  metric: 'accuracy',
  baselineDoc: 'chance, 0.5',
  fields: taskFields('parity', [
    seedField(),
    { path: 'length', type: 'int', label: 'bits', min: 2, max: 1000, default: PARITY_DEFAULTS.length, flag: 'length',
      doc: 'Bits per sequence.' },
    { path: 'targets', type: 'enum', label: 'scored steps', choices: ['every', 'last'], default: PARITY_DEFAULTS.targets,
      flag: 'targets', doc: 'every: the running XOR is scored at every step; last: only the XOR of all bits, at the end.' },
  ]),
  episodeLength: (o) => pickOptions(PARITY_DEFAULTS, o).length,
  lastStepHead: (o) => pickOptions(PARITY_DEFAULTS, o).targets === 'last',
  needs: () => 'none',
  create: (options) => new ParityTask(pickOptions(PARITY_DEFAULTS, options)),
});
