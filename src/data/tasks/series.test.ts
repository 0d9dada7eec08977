// The user's time series: columns standardised with the training rows' statistics, the target
// the row `horizon` steps later, training and validation rows apart, baseline: repeat the last row.
import { describe, expect, it } from 'vitest';
import { allocateBatch } from '../task';
import type { SeriesData } from '../user-data';
import { SeriesTask } from './series';

const ROWS = 120;
const DATA: SeriesData = {
  kind: 'series',
  columns: ['a', 'b', 'flat'],
  rows: ROWS,
  values: Float64Array.from({ length: ROWS * 3 }, (_, i) => {
    const r = Math.floor(i / 3);
    return [10 + 3 * Math.sin(r / 4), r * 0.5, 7][i % 3];
  }),
};

describe('series', () => {
  const task = new SeriesTask({ seed: 2, horizon: 2 }, DATA);

  it('standardises every column with the training rows (a constant column stays 0)', () => {
    const n = task.stream.valStart;
    expect(n).toBe(108);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let sq = 0;
      for (let r = 0; r < n; r++) sum += task.values[r * 3 + c];
      for (let r = 0; r < n; r++) sq += task.values[r * 3 + c] ** 2;
      expect(sum / n).toBeCloseTo(0, 12);
      expect(sq / n).toBeCloseTo(c === 2 ? 0 : 1, 12);
    }
    expect(task.std[2]).toBe(1);
  });

  it.each(['train', 'val'] as const)('targets the %s row `horizon` steps ahead, inside its split', (split) => {
    const T = 25;
    const B = 3;
    const batch = allocateBatch(task, T, B);
    task.fill(1, 0, T, B, batch, split);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = task.stream.item(split, 1, b, B, t);
        if (split === 'train') expect(row + 2).toBeLessThan(108);
        else expect(row).toBeGreaterThanOrEqual(108);
        const i = t * B + b;
        for (let c = 0; c < 3; c++) {
          expect(batch.x[i * 3 + c]).toBe(Math.fround(task.values[row * 3 + c]));
          expect(batch.target[i * 3 + c]).toBe(Math.fround(task.values[(row + 2) * 3 + c]));
        }
      }
    }
  });

  it('scores repeating the last row as the MSE over the validation windows', () => {
    const T = 10;
    const B = 4;
    const batch = allocateBatch(task, T, B);
    let sum = 0;
    for (let e = 0; e < task.valBatches; e++) {
      task.fill(e, 0, T, B, batch, 'val');
      for (let i = 0; i < T * B * 3; i++) sum += (batch.x[i] - batch.target[i]) ** 2 / 3;
    }
    expect(task.baseline({ seqLen: T, batch: B })).toBeCloseTo(sum / (task.valBatches * T * B), 12);
  });

  it('refuses a horizon the validation split cannot hold', () => {
    expect(() => new SeriesTask({ horizon: 12 }, DATA)).toThrow('task.horizon must be below 12, the rows of the validation split (the last 10% of 120), got 12');
  });
});
