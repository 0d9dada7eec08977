// Sequence classification: lengths vary per sequence inside [minLength, maxLength], padding is
// zero with zero weight, each row has exactly one scored step (its last real one), and the
// baseline is the share of the validation split's most frequent class.
import { describe, expect, it } from 'vitest';
import { allocateBatch } from '../task';
import { ClassifyTask } from './classify';

describe('classify', () => {
  const task = new ClassifyTask({ seed: 6, classes: 3, minLength: 4, maxLength: 12, noise: 0.2 });
  const T = task.episodeLength;
  const B = 40;

  it('pads each sequence after its length and scores only its last real step', () => {
    const batch = allocateBatch(task, T, B);
    task.fill(2, 0, T, B, batch);
    const lengths = new Set<number>();
    for (let b = 0; b < B; b++) {
      const { label, length } = task.sequence('train', 2, b);
      lengths.add(length);
      expect(length).toBeGreaterThanOrEqual(4);
      expect(length).toBeLessThanOrEqual(12);
      const scored: number[] = [];
      for (let t = 0; t < T; t++) {
        const i = t * B + b;
        if (batch.weight[i] === 1) scored.push(t);
        if (t >= length) {
          expect(batch.x[i]).toBe(0);
          expect(batch.weight[i]).toBe(0);
        } else expect(batch.target[i]).toBe(label);
      }
      expect(scored).toEqual([length - 1]);
    }
    expect(lengths.size).toBeGreaterThan(4);
  });

  it('names its classes and scores the majority class of the validation split', () => {
    expect(task.vocabulary).toEqual(['sine 8', 'square 8', 'triangle 8']);
    const counts = [0, 0, 0];
    for (let e = 0; e < task.valBatches; e++) for (let b = 0; b < B; b++) counts[task.sequence('val', e, b).label]++;
    expect(task.baseline({ seqLen: T, batch: B })).toBe(Math.max(...counts) / (task.valBatches * B));
  });

  it('refuses a shortest length above the longest', () => {
    expect(() => new ClassifyTask({ minLength: 9, maxLength: 8 })).toThrow('task.minLength (9) must be at most task.maxLength (8)');
  });
});
