// The adding problem: two marks, one per half; the target at the last step is the sum of the two
// marked values and the only scored step; padding past the sequence; baseline MSE of 1.0 near 1/6.
import { describe, expect, it } from 'vitest';
import { allocateBatch } from '../task';
import { AddingTask } from './adding';

describe('adding', () => {
  const L = 20;
  const B = 64;
  const task = new AddingTask({ seed: 5, length: L });

  it('marks one step in each half and asks for the sum of the two marked values at the end', () => {
    const batch = allocateBatch(task, L, B);
    for (const split of ['train', 'val'] as const) {
      task.fill(3, 0, L, B, batch, split);
      for (let b = 0; b < B; b++) {
        const marked: number[] = [];
        for (let t = 0; t < L; t++) {
          const i = t * B + b;
          expect(batch.x[2 * i]).toBeGreaterThanOrEqual(0);
          expect(batch.x[2 * i]).toBeLessThan(1);
          if (batch.x[2 * i + 1] === 1) marked.push(t);
          else expect(batch.x[2 * i + 1]).toBe(0);
          expect(batch.weight[i]).toBe(t === L - 1 ? 1 : 0);
        }
        expect(marked).toHaveLength(2);
        expect(marked[0]).toBeLessThan(L / 2);
        expect(marked[1]).toBeGreaterThanOrEqual(L / 2);
        const sum = batch.x[2 * (marked[0] * B + b)] + batch.x[2 * (marked[1] * B + b)];
        expect(batch.target[(L - 1) * B + b]).toBe(Math.fround(sum));
      }
    }
  });

  it('pads a longer window with zero inputs and zero weight', () => {
    const T = L + 4;
    const batch = allocateBatch(task, T, 3);
    task.fill(0, 0, T, 3, batch);
    expect(Array.from(batch.weight.subarray(L * 3))).toEqual(new Array(12).fill(0));
    expect(Array.from(batch.x.subarray(L * 3 * 2))).toEqual(new Array(24).fill(0));
    expect(batch.weight[(L - 1) * 3]).toBe(1);
  });

  it('scores always predicting 1.0 as the MSE over the validation split, about 1/6', () => {
    const window = { seqLen: L, batch: 256 };
    const batch = allocateBatch(task, L, 256);
    let sum = 0;
    let n = 0;
    for (let e = 0; e < task.valBatches; e++) {
      task.fill(e, 0, L, 256, batch, 'val');
      for (let b = 0; b < 256; b++, n++) sum += (batch.target[(L - 1) * 256 + b] - 1) ** 2;
    }
    expect(task.baseline(window)).toBeCloseTo(sum / n, 12);
    expect(Math.abs(task.baseline(window) - 1 / 6)).toBeLessThan(0.015);
  });
});
