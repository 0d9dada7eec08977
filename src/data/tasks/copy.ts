/**
 * The copy task (Hochreiter & Schmidhuber 1997; the form of Arjovsky et al. 2016): a string of
 * `length` random symbols from an alphabet of `symbols`, then `delay` blanks, then a go marker;
 * over the next `length` steps the net must output the string again. Inputs are one-hot over
 * the symbols, blank and go; only the recall steps are scored. Chance accuracy is 1/symbols.
 */
import { rngUniform, STREAM } from '../../training/rng';
import type { TaskBatch, TaskSplit } from '../task';
import { HeldOut, listSpace, padRow, sequenceKey } from './split';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask } from './task-def';

export interface CopyOptions {
  seed: number;
  /** Alphabet size. */
  symbols: number;
  /** Symbols to remember. */
  length: number;
  /** Blank steps between the string and the go marker. */
  delay: number;
}

export const COPY_DEFAULTS: CopyOptions = { seed: 1, symbols: 8, length: 5, delay: 10 };

/** Names of the symbols, for decoding outputs. */
const SYMBOL_NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function copyEpisodeLength(o: CopyOptions): number {
  return 2 * o.length + o.delay + 1;
}

export class CopyTask implements BuiltinTask {
  readonly key = 'copy';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss = 'cross_entropy' as const;
  readonly metric = 'accuracy' as const;
  readonly valBatches = 4;
  readonly options: CopyOptions;
  readonly episodeLength: number;
  readonly vocabulary: readonly string[];
  readonly heldOut: HeldOut;

  constructor(options: Partial<CopyOptions> = {}) {
    this.options = { ...COPY_DEFAULTS, ...options };
    const { seed, symbols, length } = this.options;
    this.inputSize = symbols + 2; // symbols, blank, go
    this.outputSize = symbols;
    this.episodeLength = copyEpisodeLength(this.options);
    this.vocabulary = [...SYMBOL_NAMES.slice(0, symbols)];
    this.heldOut = new HeldOut(seed, listSpace(symbols, length));
  }

  /** The string row `b` of an episode must copy. */
  string(split: TaskSplit, episode: number, b: number): number[] {
    const { seed, symbols, length } = this.options;
    return this.heldOut.draw(split, sequenceKey(seed, split, episode, b), (key) => ({
      symbols: Array.from({ length }, (_, i) => Math.floor(rngUniform(key, STREAM.data, i) * symbols)),
    })).symbols;
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const { symbols, length, delay } = this.options;
    const I = this.inputSize;
    const go = length + delay;
    for (let b = 0; b < batch; b++) {
      const string = this.string(split, episode, b);
      const end = Math.min(seqLen, this.episodeLength - t0);
      for (let t = 0; t < end; t++) {
        const s = t0 + t;
        const i = t * batch + b; // [T][B]
        out.x.fill(0, i * I, (i + 1) * I);
        out.x[i * I + (s < length ? string[s] : s === go ? symbols + 1 : symbols)] = 1;
        const recall = s > go;
        out.target[i] = recall ? string[s - go - 1] : 0;
        out.weight[i] = recall ? 1 : 0;
      }
      padRow(out, this, end, seqLen, batch, b);
    }
  }

  /** Chance: 1 / symbols. */
  baseline(): number {
    return 1 / this.options.symbols;
  }
}

export const copyTask = defineTask({
  kind: 'copy',
  label: 'copy',
  doc: 'Remember a string of random symbols across a delay and write it out after a go marker (Hochreiter & Schmidhuber 1997).',
  metric: 'accuracy',
  baselineDoc: 'chance, 1/symbols',
  fields: taskFields('copy', [
    seedField(),
    { path: 'symbols', type: 'int', label: 'alphabet', min: 2, max: SYMBOL_NAMES.length, default: COPY_DEFAULTS.symbols,
      flag: 'symbols', doc: 'Distinct symbols the string is drawn from.' },
    { path: 'length', type: 'int', label: 'string length', min: 1, max: 100, default: COPY_DEFAULTS.length, flag: 'length',
      doc: 'Symbols to remember and write out.' },
    { path: 'delay', type: 'int', label: 'delay', min: 0, max: 1000, default: COPY_DEFAULTS.delay, flag: 'delay',
      doc: 'Blank steps between the string and the go marker.' },
  ]),
  episodeLength: (o) => copyEpisodeLength(pickOptions(COPY_DEFAULTS, o)),
  lastStepHead: () => false,
  needs: () => 'none',
  create: (options) => new CopyTask(pickOptions(COPY_DEFAULTS, options)),
});
