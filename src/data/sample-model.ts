/**
 * Text from a trained character model: one run's parameter vector (its checkpoint's `params`) run
 * forward one character at a time on the CPU in float64 through the reference network, the state
 * carried from step to step, each next character drawn from softmax(logits / temperature) by the
 * counter RNG (sample-text.ts). Pure and free of Node APIs: the runner's `--sample` and the
 * page's sampling panel share it. Not a trainer: nothing here changes the weights.
 */
import type { CellKind } from '../model/cells';
import { hasState } from '../model/cells';
import type { HeadLayout } from '../model/init';
import type { NormKind, RnnShape } from '../model/layout';
import { modelLayout } from '../model/model-layout';
import { rnnForward } from '../reference/rnn';
import { sampleClasses } from './sample-text';

/** The network's structure, as a run of the experiment file gives it. */
export interface SampleNetwork {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  /** Layer norm runs sample as they trained; batch norm runs are refused (their statistics are not in the weights). */
  norm?: NormKind;
}

export interface SampleOptions {
  /** Characters to draw. */
  length: number;
  /** Softmax temperature; 0 takes the arg-max at every step. Default 0.8. */
  temperature?: number;
  /** Seeds the draws: the same seed, weights and prime give the same text. Default 1. */
  seed?: number;
  /**
   * Text fed in before drawing (not part of the result); its last character is the first input.
   * Default: a line break when the vocabulary has one, else the vocabulary's first character.
   */
  prime?: string;
}

export const DEFAULT_TEMPERATURE = 0.8;

/**
 * A model over V characters run forward one character at a time: each step feeds one class as a
 * one-hot input from the state the previous step left, and gives the head's logits.
 */
export class CharModelStepper {
  readonly vocabularySize: number;
  private readonly shape: RnnShape;
  private readonly all: Float64Array;
  private readonly rnnParams: Float64Array;
  private readonly head: HeadLayout;
  private h: Float64Array;
  private c: Float64Array | undefined;
  private readonly x: Float64Array;
  private readonly logits: Float64Array;

  /** `params` [P]: the recurrent network in PyTorch's layout, then the head, as a checkpoint holds them. */
  constructor(net: SampleNetwork, vocabularySize: number, params: ArrayLike<number>) {
    const V = vocabularySize;
    this.vocabularySize = V;
    if (net.norm === 'batch') {
      throw new Error('sampling needs a batch norm run\'s running statistics, which its weights do not hold: sample a run with norm "none" or "layer"');
    }
    this.shape = { cell: net.cell, inputSize: V, hiddenSize: net.hiddenSize, numLayers: net.numLayers, norm: net.norm };
    const layout = modelLayout(this.shape, V);
    if (params.length !== layout.paramCount) {
      throw new Error(`the weights hold ${params.length} numbers; a ${net.cell} of ${net.hiddenSize} units x ${net.numLayers} over ${V} characters has ${layout.paramCount}`);
    }
    this.all = Float64Array.from(params);
    this.rnnParams = this.all.subarray(0, layout.rnn.total);
    this.head = layout.head;
    const stateSize = layout.plan.directions.length * net.hiddenSize; // [L][B=1][H]
    this.h = new Float64Array(stateSize);
    this.c = hasState(net.cell, 'c') ? new Float64Array(stateSize) : undefined;
    this.x = new Float64Array(V); // [T=1][B=1][V]
    this.logits = new Float64Array(V);
  }

  /** Feeds class `input`; the logits [V] of the next character (a view the next step overwrites). */
  step(input: number): Float64Array {
    const { x, all, head, logits } = this;
    x.fill(0);
    x[input] = 1;
    const fwd = rnnForward({ shape: this.shape, seqLen: 1, batch: 1, params: this.rnnParams, x, h0: this.h, c0: this.c });
    this.h = fwd.hN;
    this.c = fwd.cN;
    const D = head.inputs;
    for (let o = 0; o < this.vocabularySize; o++) {
      let s = all[head.bias + o];
      for (let k = 0; k < D; k++) s += all[head.weight + o * D + k] * fwd.output[k];
      logits[o] = s;
    }
    return logits;
  }
}

/**
 * `length` characters drawn from the model `params` ([P]: the recurrent network in PyTorch's
 * layout, then the head) over `vocabulary`, whose characters are the network's one-hot inputs
 * and its output classes, in that order.
 */
export function sampleModel(net: SampleNetwork, vocabulary: readonly string[], params: ArrayLike<number>, options: SampleOptions): string {
  const { length, temperature = DEFAULT_TEMPERATURE, seed = 1 } = options;
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`sample length must be an integer >= 0, got ${length}`);
  if (!(temperature >= 0)) throw new Error(`temperature must be a number >= 0, got ${temperature}`);
  const model = new CharModelStepper(net, vocabulary.length, params);
  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const prime = Array.from(options.prime ?? (index.has('\n') ? '\n' : vocabulary[0]));
  if (prime.length === 0) throw new Error('the prime text must hold at least one character');
  const primed = prime.map((c) => {
    const i = index.get(c);
    if (i === undefined) throw new Error(`the prime text's "${c}" is not in the model's vocabulary`);
    return i;
  });

  let logits: Float64Array = new Float64Array(0);
  for (const i of primed) logits = model.step(i);
  const out: string[] = [];
  for (let t = 0; t < length; t++) {
    // Counter t of the seed's sampling stream: a longer sample starts with a shorter one.
    const [next] = sampleClasses(logits, vocabulary.length, temperature, seed, t);
    out.push(vocabulary[next]);
    if (t + 1 < length) logits = model.step(next);
  }
  return out.join('');
}
