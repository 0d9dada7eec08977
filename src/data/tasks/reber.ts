/**
 * The embedded Reber grammar (Reber 1967; embedded form of Cleeremans et al. 1989, used by
 * Hochreiter & Schmidhuber 1997): B, then T or P, then a Reber string B ... E, then the same T
 * or P again, then E. Next-symbol prediction on one-hot symbols, trained on every step. Most
 * next symbols are a coin flip; the metric counts only the steps whose next symbol the grammar
 * determines, among them the long-range second-to-last symbol that repeats the second.
 */
import { rngUniform, STREAM } from '../../training/rng';
import type { TaskBatch, TaskSplit } from '../task';
import { HeldOut, LISTABLE, majorityAccuracy, padRow, sequenceKey } from './split';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask, type ValWindow } from './task-def';

export interface ReberOptions {
  seed: number;
  /** Longest string in symbols; longer draws are redrawn. */
  maxLength: number;
}

export const REBER_DEFAULTS: ReberOptions = { seed: 1, maxLength: 30 };

export const REBER_SYMBOLS = 'BTPSXVE';
const [B, T, P, S, X, V, E] = [0, 1, 2, 3, 4, 5, 6];

/** The inner Reber graph: from each state, two edges [symbol, next state], taken with probability 1/2; state 5 ends with E. */
const GRAPH: readonly (readonly [number, number])[][] = [
  [[T, 1], [P, 2]],
  [[S, 1], [X, 3]],
  [[T, 2], [V, 4]],
  [[X, 2], [S, 5]],
  [[P, 3], [V, 5]],
];
const FINAL = 5;

export interface ReberString {
  symbols: number[];
  /** determined[i]: the grammar leaves only one possible symbol after symbols[0..i] (false for the last). */
  determined: boolean[];
}

/**
 * A random embedded Reber string from `choice(i)` in [0, 1) (the i-th coin), or null once it
 * grows past `maxLength` symbols.
 */
export function embeddedReber(choice: (i: number) => number, maxLength: number): ReberString | null {
  let coin = 0;
  const flip = () => (choice(coin++) < 0.5 ? 0 : 1);
  const outer = flip() === 0 ? T : P;
  // After B: T or P; after the outer symbol: B for sure; after the inner B: T or P.
  const symbols = [B, outer, B];
  const determined = [false, true, false];
  for (let state = 0; state !== FINAL;) {
    const [symbol, next] = GRAPH[state][flip()];
    state = next;
    symbols.push(symbol);
    determined.push(state === FINAL); // the inner string's E follows for sure
    if (symbols.length + 3 > maxLength) return null;
  }
  // The inner E; then the outer symbol again (the long-range step); then E; then nothing.
  symbols.push(E, outer, E);
  determined.push(true, true, false);
  return { symbols, determined };
}

/** Every embedded Reber string up to `maxLength`, or undefined when there are more than LISTABLE. */
function listReber(maxLength: number): number[][] | undefined {
  const out: number[][] = [];
  // Inner strings B ... E grow edge by edge; the outer B, T|P, T|P, E take 4 more symbols.
  const walk = (state: number, inner: number[]): boolean => {
    if (state === FINAL) {
      for (const outer of [T, P]) out.push([B, outer, ...inner, E, outer, E]);
      return out.length <= LISTABLE;
    }
    if (inner.length + 1 + 5 > maxLength) return true; // one more edge, then E and the outer three
    return GRAPH[state].every(([symbol, next]) => walk(next, [...inner, symbol]));
  };
  return walk(0, [B]) ? out : undefined;
}

export class ReberTask implements BuiltinTask {
  readonly key = 'reber';
  readonly inputSize = REBER_SYMBOLS.length;
  readonly outputSize = REBER_SYMBOLS.length;
  readonly loss = 'cross_entropy' as const;
  readonly metric = 'accuracy' as const;
  readonly valBatches = 4;
  readonly hasMetricWeight = true;
  readonly vocabulary = [...REBER_SYMBOLS];
  readonly options: ReberOptions;
  readonly episodeLength: number;
  readonly heldOut: HeldOut;

  constructor(options: Partial<ReberOptions> = {}) {
    this.options = { ...REBER_DEFAULTS, ...options };
    this.episodeLength = this.options.maxLength - 1;
    this.heldOut = new HeldOut(this.options.seed, listReber(this.options.maxLength));
  }

  /** The string of row `b` of an episode. */
  string(split: TaskSplit, episode: number, b: number): ReberString {
    const { seed, maxLength } = this.options;
    return this.heldOut.draw(split, sequenceKey(seed, split, episode, b), (key) =>
      embeddedReber((i) => rngUniform(key, STREAM.data, i), maxLength));
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const I = this.inputSize;
    for (let b = 0; b < batch; b++) {
      const { symbols, determined } = this.string(split, episode, b);
      const end = Math.min(seqLen, symbols.length - 1 - t0);
      for (let t = 0; t < end; t++) {
        const s = t0 + t;
        const i = t * batch + b; // [T][B]
        out.x.fill(0, i * I, (i + 1) * I);
        out.x[i * I + symbols[s]] = 1;
        out.target[i] = symbols[s + 1];
        out.weight[i] = 1;
        if (out.metricWeight) out.metricWeight[i] = determined[s] ? 1 : 0;
      }
      padRow(out, this, end, seqLen, batch, b);
    }
  }

  /** Accuracy on the determined steps of always predicting the most frequent determined symbol (E). */
  baseline(window: ValWindow): number {
    return majorityAccuracy(this, window);
  }
}

export const reberTask = defineTask({
  kind: 'reber',
  label: 'embedded Reber grammar',
  doc: 'Predict the next symbol of embedded Reber strings; scored where the grammar determines it (Hochreiter & Schmidhuber 1997).',
  metric: 'accuracy',
  baselineDoc: 'always predict the most frequent determined symbol',
  fields: taskFields('reber', [
    seedField(),
    { path: 'maxLength', type: 'int', label: 'longest string', min: 12, max: 200, default: REBER_DEFAULTS.maxLength,
      flag: 'max-length', doc: 'Longest string in symbols (longer draws are redrawn); an episode is one step shorter.' },
  ]),
  episodeLength: (o) => pickOptions(REBER_DEFAULTS, o).maxLength - 1,
  lastStepHead: () => false,
  needs: () => 'none',
  create: (options) => new ReberTask(pickOptions(REBER_DEFAULTS, options)),
});
