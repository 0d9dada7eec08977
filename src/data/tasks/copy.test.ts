// The copy task: the string, blanks, the go marker, then recall steps whose targets are the input
// symbols, the only scored steps; a tiny alphabet still gets a validation split of its own.
import { describe, expect, it } from 'vitest';
import { argMax } from '../metric';
import { allocateBatch } from '../task';
import { CopyTask } from './copy';

describe('copy', () => {
  it('asks for the input symbols, in order, after the go marker', () => {
    const task = new CopyTask({ seed: 2, symbols: 6, length: 4, delay: 3 });
    const T = task.episodeLength;
    expect(T).toBe(2 * 4 + 3 + 1);
    expect(task.inputSize).toBe(8);
    expect(task.outputSize).toBe(6);
    const B = 16;
    const batch = allocateBatch(task, T, B);
    task.fill(0, 0, T, B, batch);
    for (let b = 0; b < B; b++) {
      const input = (t: number) => {
        const i = t * B + b;
        const row = batch.x.subarray(i * 8, (i + 1) * 8);
        expect(row.reduce((a, v) => a + v, 0)).toBe(1); // one-hot
        return argMax(row, 0, 8);
      };
      const string = [0, 1, 2, 3].map(input);
      expect(string.every((s) => s < 6)).toBe(true);
      expect([4, 5, 6].map(input)).toEqual([6, 6, 6]); // blanks
      expect(input(7)).toBe(7); // go
      for (let k = 0; k < 4; k++) {
        const i = (8 + k) * B + b;
        expect(input(8 + k)).toBe(6);
        expect(batch.target[i]).toBe(string[k]);
        expect(batch.weight[i]).toBe(1);
      }
      for (let t = 0; t < 8; t++) expect(batch.weight[t * B + b]).toBe(0);
    }
    expect(task.baseline()).toBe(1 / 6);
    expect(task.vocabulary).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('splits even a two-string space into training and validation strings', () => {
    const task = new CopyTask({ seed: 9, symbols: 2, length: 1, delay: 0 });
    const seen = { train: new Set<number>(), val: new Set<number>() };
    for (const split of ['train', 'val'] as const) {
      for (let e = 0; e < 8; e++) for (let b = 0; b < 4; b++) seen[split].add(task.string(split, e, b)[0]);
    }
    expect(seen.train.size).toBe(1);
    expect(seen.val.size).toBe(1);
    expect([...seen.train][0]).not.toBe([...seen.val][0]);
  });
});
