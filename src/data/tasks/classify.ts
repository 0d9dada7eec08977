/**
 * Sequence classification with variable lengths: which of `classes` wave families (sine, square,
 * triangle, sawtooth at two periods) a noisy sequence comes from, with random amplitude, phase
 * and a period jitter. Each sequence has its own length in [minLength, maxLength]; batches are
 * right-padded to maxLength and only each sequence's last real step is scored (padding weighs 0,
 * so it changes neither the loss nor the gradients). Baseline: the majority class.
 */
import { deriveKey, rngNormal, rngUniform, STREAM } from '../../training/rng';
import type { TaskBatch, TaskSplit } from '../task';
import { majorityAccuracy, padRow, sequenceKey } from './split';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask, type ValWindow } from './task-def';

export interface ClassifyOptions {
  seed: number;
  /** Wave families to tell apart. */
  classes: number;
  /** Sequence lengths are uniform in [minLength, maxLength]. */
  minLength: number;
  maxLength: number;
  /** Standard deviation of the Gaussian noise on every sample. */
  noise: number;
}

export const CLASSIFY_DEFAULTS: ClassifyOptions = { seed: 1, classes: 4, minLength: 10, maxLength: 30, noise: 0.3 };

const SHAPES = ['sine', 'square', 'triangle', 'sawtooth'] as const;
/** Family k has shape k % 4 and period PERIODS[k / 4] steps. */
const PERIODS = [8, 13];
export const MAX_CLASSES = SHAPES.length * PERIODS.length;

/** One cycle of a shape at phase p (in cycles), in [-1, 1]. */
function wave(shape: (typeof SHAPES)[number], p: number): number {
  const f = p - Math.floor(p);
  switch (shape) {
    case 'sine':
      return Math.sin(2 * Math.PI * f);
    case 'square':
      return f < 0.5 ? 1 : -1;
    case 'triangle':
      return 4 * Math.abs(f - 0.5) - 1;
    case 'sawtooth':
      return 2 * f - 1;
  }
}

/** Sub-key of a sequence's noise. */
const NOISE = 1;

export interface ClassifySequence {
  label: number;
  length: number;
  values: number[];
}

export class ClassifyTask implements BuiltinTask {
  readonly key = 'classify';
  readonly inputSize = 1;
  readonly outputSize: number;
  readonly loss = 'cross_entropy' as const;
  readonly metric = 'accuracy' as const;
  readonly valBatches = 4;
  readonly options: ClassifyOptions;
  readonly episodeLength: number;
  readonly vocabulary: readonly string[];

  constructor(options: Partial<ClassifyOptions> = {}) {
    this.options = { ...CLASSIFY_DEFAULTS, ...options };
    const { classes, minLength, maxLength } = this.options;
    if (minLength > maxLength) throw new Error(`task.minLength (${minLength}) must be at most task.maxLength (${maxLength})`);
    this.outputSize = classes;
    this.episodeLength = maxLength;
    this.vocabulary = Array.from({ length: classes }, (_, k) => `${SHAPES[k % SHAPES.length]} ${PERIODS[Math.floor(k / SHAPES.length)]}`);
  }

  /** Row `b` of an episode: its class, its length and its samples. */
  sequence(split: TaskSplit, episode: number, b: number): ClassifySequence {
    const { seed, classes, minLength, maxLength, noise } = this.options;
    const key = sequenceKey(seed, split, episode, b);
    const u = (i: number) => rngUniform(key, STREAM.data, i);
    const label = Math.floor(u(0) * classes);
    const length = minLength + Math.floor(u(1) * (maxLength - minLength + 1));
    const amplitude = 0.6 + 0.8 * u(2);
    const period = PERIODS[Math.floor(label / SHAPES.length)] * (0.9 + 0.2 * u(3));
    const phase = u(4);
    const shape = SHAPES[label % SHAPES.length];
    const noiseKey = deriveKey(key, NOISE);
    const values = Array.from({ length }, (_, t) => amplitude * wave(shape, phase + t / period) + noise * rngNormal(noiseKey, STREAM.data, t));
    return { label, length, values };
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    for (let b = 0; b < batch; b++) {
      const { label, length, values } = this.sequence(split, episode, b);
      const end = Math.min(seqLen, length - t0);
      for (let t = 0; t < end; t++) {
        const s = t0 + t;
        const i = t * batch + b; // [T][B]
        out.x[i] = values[s];
        out.target[i] = label;
        out.weight[i] = s === length - 1 ? 1 : 0;
      }
      padRow(out, this, end, seqLen, batch, b);
    }
  }

  /** Accuracy of always predicting the validation split's most frequent class. */
  baseline(window: ValWindow): number {
    return majorityAccuracy(this, window);
  }
}

export const classifyTask = defineTask({
  kind: 'classify',
  label: 'sequence classification',
  doc: 'Tell which wave family a noisy sequence of variable length comes from; padded batches, scored at each last real step.',
  metric: 'accuracy',
  baselineDoc: 'always predict the majority class',
  fields: taskFields('classify', [
    seedField(),
    { path: 'classes', type: 'int', label: 'classes', min: 2, max: MAX_CLASSES, default: CLASSIFY_DEFAULTS.classes,
      flag: 'classes', doc: 'Wave families to tell apart: sine, square, triangle, sawtooth at period 8, then at period 13.' },
    { path: 'minLength', type: 'int', label: 'shortest sequence', min: 2, max: 1000, default: CLASSIFY_DEFAULTS.minLength,
      flag: 'min-length', doc: 'Shortest sequence; lengths are uniform between this and the longest.' },
    { path: 'maxLength', type: 'int', label: 'longest sequence', min: 2, max: 1000, default: CLASSIFY_DEFAULTS.maxLength,
      flag: 'max-length', doc: 'Longest sequence (at least the shortest): batches are padded to it.' },
    { path: 'noise', type: 'number', label: 'noise', min: 0, max: 10, default: CLASSIFY_DEFAULTS.noise, flag: 'noise',
      doc: 'Standard deviation of the Gaussian noise on every sample.' },
  ]),
  episodeLength: (o) => pickOptions(CLASSIFY_DEFAULTS, o).maxLength,
  lastStepHead: (o) => {
    const { minLength, maxLength } = pickOptions(CLASSIFY_DEFAULTS, o);
    return minLength === maxLength;
  },
  needs: () => 'none',
  create: (options) => new ClassifyTask(pickOptions(CLASSIFY_DEFAULTS, options)),
});
