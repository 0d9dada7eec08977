/**
 * Character-level language model: the input is the current character one-hot over the text's
 * vocabulary, the target the next character. Texts: the project's own source (bundled), a
 * generated language of nested brackets, or text the user gives. An endless stream over the
 * first 90% of the text; the last 10% is the validation split. Loss in nats; the metric is bits
 * per character; the baseline is the unigram entropy of the training text.
 */
import { bracketsCorpus } from '../corpus/brackets';
import type { TaskBatch, TaskSplit } from '../task';
import { USER_DATA_LIMITS } from '../user-data';
import { PairStream } from './stream';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask, type TaskData } from './task-def';

export type CorpusKind = 'source' | 'brackets' | 'user';

export interface CharLmOptions {
  /** Seeds where training rows start reading (and the brackets text). */
  seed: number;
  corpus: CorpusKind;
  /** brackets: characters to generate. */
  corpusLength: number;
  /** brackets: deepest nesting. */
  depth: number;
}

export const CHARLM_DEFAULTS: CharLmOptions = { seed: 1, corpus: 'brackets', corpusLength: 100_000, depth: 4 };

/** Fewest characters a text needs: the validation split is its last 10%. */
const MIN_CHARACTERS = USER_DATA_LIMITS.minCharacters;

export class CharLmTask implements BuiltinTask {
  readonly key = 'charlm';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss = 'cross_entropy' as const;
  readonly metric = 'bpc' as const;
  readonly valBatches = 2;
  readonly options: CharLmOptions;
  /** Class i is the character vocabulary[i] (a Unicode code point), in code point order. */
  readonly vocabulary: readonly string[];
  /** The text as class indices. */
  readonly classes: Uint16Array;
  readonly stream: PairStream;
  private readonly index: Map<string, number>;

  /** `text`: the corpus (generated here for `brackets`). */
  constructor(options: Partial<CharLmOptions>, text: string) {
    this.options = { ...CHARLM_DEFAULTS, ...options };
    const chars = Array.from(text);
    this.vocabulary = [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    if (chars.length < MIN_CHARACTERS) throw new Error(`the ${this.options.corpus} text has ${chars.length} characters; at least ${MIN_CHARACTERS} are needed`);
    if (this.vocabulary.length > USER_DATA_LIMITS.vocabulary) {
      throw new Error(`the ${this.options.corpus} text has ${this.vocabulary.length} distinct characters; at most ${USER_DATA_LIMITS.vocabulary} are allowed`);
    }
    this.index = new Map(this.vocabulary.map((c, i) => [c, i]));
    this.classes = Uint16Array.from(chars, (c) => this.index.get(c)!);
    this.inputSize = this.vocabulary.length;
    this.outputSize = this.vocabulary.length;
    this.stream = new PairStream(this.options.seed, chars.length, 1, this.valBatches);
  }

  /** Class indices of `text`; a character outside the vocabulary is an error naming it. */
  encode(text: string): number[] {
    return Array.from(text, (c) => {
      const i = this.index.get(c);
      if (i === undefined) throw new Error(`"${c}" is not in the ${this.options.corpus} text's vocabulary`);
      return i;
    });
  }

  decode(classes: ArrayLike<number>): string {
    return Array.from(classes, (i) => this.vocabulary[i]).join('');
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const V = this.inputSize;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seqLen; t++) {
        const at = this.stream.item(split, episode, b, batch, t0 + t);
        const i = t * batch + b; // [T][B]
        out.x.fill(0, i * V, (i + 1) * V);
        out.x[i * V + this.classes[at]] = 1;
        out.target[i] = this.classes[at + 1];
        out.weight[i] = 1;
      }
    }
  }

  /** Entropy in bits of the training text's character frequencies: the bits per character of a unigram model. */
  baseline(): number {
    const counts = new Float64Array(this.vocabulary.length);
    const n = this.stream.valStart;
    for (let i = 0; i < n; i++) counts[this.classes[i]]++;
    let h = 0;
    for (const c of counts) if (c > 0) h -= (c / n) * Math.log2(c / n);
    return h;
  }
}

export const charLmTask = defineTask({
  kind: 'charlm',
  label: 'character language model',
  doc: 'Predict the next character of a text: the project\'s own source, a generated language of nested brackets, or your text.',
  metric: 'bpc',
  baselineDoc: 'the unigram entropy of the training text, in bits per character',
  fields: taskFields('charlm', [
    seedField('Seeds where each training row starts reading, and the brackets text.'),
    { path: 'corpus', type: 'enum', label: 'text', choices: ['source', 'brackets', 'user'], default: CHARLM_DEFAULTS.corpus,
      flag: 'corpus', doc: 'source: this project\'s TypeScript and WGSL; brackets: a generated language of nested brackets; user: your text.' },
    { path: 'corpusLength', type: 'int', label: 'brackets length', min: 1000, max: 1_000_000, default: CHARLM_DEFAULTS.corpusLength,
      flag: 'corpus-length', ui: { advanced: true }, doc: 'Characters of generated brackets text (corpus brackets only).' },
    { path: 'depth', type: 'int', label: 'brackets depth', min: 1, max: 8, default: CHARLM_DEFAULTS.depth,
      flag: 'depth', ui: { advanced: true }, doc: 'Deepest nesting of the generated brackets text (corpus brackets only).' },
  ]),
  episodeLength: () => null,
  lastStepHead: () => true,
  needs: (o) => {
    const corpus = pickOptions(CHARLM_DEFAULTS, o).corpus;
    return corpus === 'brackets' ? 'none' : corpus === 'user' ? 'text' : 'source';
  },
  create: (options, data?: TaskData) => {
    const o = pickOptions(CHARLM_DEFAULTS, options);
    if (o.corpus === 'brackets') return new CharLmTask(o, bracketsCorpus(o.seed, o.corpusLength, o.depth));
    if (data?.kind !== 'text') {
      throw new Error(o.corpus === 'user' ? 'task.corpus user needs a text: open a text file or paste one' : 'task.corpus source needs the bundled source text, loaded first');
    }
    return new CharLmTask(o, data.text);
  },
});
