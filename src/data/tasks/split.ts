/**
 * Shared by the generated tasks: the key of each sequence (seed, split, episode, row), the
 * held-out partition that keeps discrete validation sequences out of training, padding of steps
 * past a sequence's end, and scoring a predictor on the validation split for baselines.
 */
import { deriveKey, rngMix } from '../../training/rng';
import { metricValue, scoreBatch, type MetricTally } from '../metric';
import { allocateBatch, type Task, type TaskBatch, type TaskSplit } from '../task';
import type { ValWindow } from './task-def';

/** 'val': mixed into the seed so the validation split draws from keys of its own. */
const VAL_TAG = 0x76616c;

/** The key all numbers of one sequence derive from. Train keys are the ones the sine task always used. */
export function sequenceKey(seed: number, split: TaskSplit, episode: number, row: number): number {
  const splitKey = split === 'train' ? seed : deriveKey(seed, VAL_TAG);
  return deriveKey(deriveKey(splitKey, episode), row);
}

/** One in HOLD_OUT of all possible discrete sequences belongs to the validation split. */
export const HOLD_OUT = 8;

/** Spaces of at most this many sequences are listed whole to check that both splits are non-empty. */
export const LISTABLE = 4096;

/**
 * Splits a discrete sequence space (bit strings, symbol strings) by a seeded hash of the whole
 * sequence, so the validation split never repeats a training sequence however short the
 * sequences are. Sequences are drawn by rejection: attempt after attempt from one key until one
 * falls in the wanted split (HOLD_OUT attempts on average for val, about 1.1 for train).
 */
export class HeldOut {
  private readonly salt: number;

  /** `space`: every possible sequence, when there are at most LISTABLE; the salt is then chosen so neither split is empty. */
  constructor(seed: number, space?: readonly (readonly number[])[]) {
    let salt = rngMix(seed ^ 0x68656c64); // 'held'
    if (space) {
      while (!space.some((s) => this.isVal(s, salt)) || space.every((s) => this.isVal(s, salt))) salt = rngMix(salt + 1);
    }
    this.salt = salt;
  }

  private isVal(symbols: ArrayLike<number>, salt: number): boolean {
    let h = salt;
    for (let i = 0; i < symbols.length; i++) h = rngMix(h ^ Math.imul(symbols[i] + 1, 0x9e3779b1));
    return rngMix(h ^ symbols.length) % HOLD_OUT === 0;
  }

  splitOf(symbols: ArrayLike<number>): TaskSplit {
    return this.isVal(symbols, this.salt) ? 'val' : 'train';
  }

  /**
   * The first of `make(deriveKey(key, 0))`, `make(deriveKey(key, 1))`, ... that belongs to
   * `split`; `make` may refuse an attempt (null), e.g. a string over the longest allowed.
   */
  draw<S extends { symbols: readonly number[] }>(split: TaskSplit, key: number, make: (attemptKey: number) => S | null): S {
    for (let attempt = 0; ; attempt++) {
      const made = make(deriveKey(key, attempt));
      if (made && this.splitOf(made.symbols) === split) return made;
    }
  }
}

/** Every sequence of `length` symbols from an alphabet of `base`, or undefined when there are more than LISTABLE. */
export function listSpace(base: number, length: number): number[][] | undefined {
  if (length * Math.log2(base) > Math.log2(LISTABLE)) return undefined;
  const count = base ** length;
  const out: number[][] = [];
  for (let n = 0; n < count; n++) {
    const s: number[] = [];
    for (let i = 0, v = n; i < length; i++, v = Math.floor(v / base)) s.push(v % base);
    out.push(s);
  }
  return out;
}

/** Row `b`'s steps [from, seqLen) of the window become padding: inputs and targets 0, weights 0. */
export function padRow(out: TaskBatch, task: Task, from: number, seqLen: number, batch: number, b: number): void {
  const I = task.inputSize;
  const targets = task.loss === 'mse' ? task.outputSize : 1;
  for (let t = Math.max(0, from); t < seqLen; t++) {
    const i = t * batch + b;
    out.x.fill(0, i * I, (i + 1) * I);
    out.target.fill(0, i * targets, (i + 1) * targets);
    out.weight[i] = 0;
    if (out.metricWeight) out.metricWeight[i] = 0;
  }
}

/** Visits the validation batches as the trainer reads them: episodes 0 .. valBatches - 1, window [0, seqLen). */
export function forEachValBatch(task: Task, window: ValWindow, visit: (batch: TaskBatch) => void): void {
  const batch = allocateBatch(task, window.seqLen, window.batch);
  for (let e = 0; e < task.valBatches; e++) {
    task.fill(e, 0, window.seqLen, window.batch, batch, 'val');
    visit(batch);
  }
}

/**
 * The task's metric of a predictor on the validation split. `predict` writes the outputs of
 * one row ([T][B] index `row`) into `y` (O numbers: values, or logits for classes).
 */
export function scorePredictor(task: Task, window: ValWindow, predict: (batch: TaskBatch, row: number, y: Float64Array) => void): number {
  const O = task.outputSize;
  const tally: MetricTally = { sum: 0, weight: 0 };
  forEachValBatch(task, window, (batch) => {
    const rows = batch.weight.length;
    const y = new Float64Array(rows * O);
    for (let row = 0; row < rows; row++) predict(batch, row, y.subarray(row * O, (row + 1) * O));
    scoreBatch(task, y, batch, tally);
  });
  return metricValue(tally);
}

/** Accuracy on the validation split of always predicting its most frequent scored class. */
export function majorityAccuracy(task: Task, window: ValWindow): number {
  const counts = new Float64Array(task.outputSize);
  forEachValBatch(task, window, (batch) => {
    const w = batch.metricWeight ?? batch.weight;
    for (let row = 0; row < w.length; row++) counts[batch.target[row]] += w[row];
  });
  const majority = counts.indexOf(Math.max(...counts));
  return scorePredictor(task, window, (_, __, y) => {
    y[majority] = 1;
  });
}
