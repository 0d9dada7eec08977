// Noisy sines: the target is the input `horizon` steps later, sums of several sines stay in
// range, and the baseline is the MSE of repeating the last value on the validation split.
import { describe, expect, it } from 'vitest';
import { allocateBatch } from '../task';
import { SineTask } from './sine';

describe('sine', () => {
  it.each([1, 3])('targets the input %i steps ahead', (horizon) => {
    const task = new SineTask({ seed: 2, sines: 3, horizon, noise: 0 });
    const T = 20;
    const B = 4;
    const batch = allocateBatch(task, T, B);
    task.fill(0, 0, T, B, batch);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t + horizon < T; t++) expect(batch.target[t * B + b]).toBe(batch.x[(t + horizon) * B + b]);
    }
    expect(batch.x.every((v) => Math.abs(v) <= 1)).toBe(true);
  });

  it('scores repeating the last value as the MSE over the validation windows', () => {
    const task = new SineTask({ seed: 2, horizon: 2 });
    const T = 16;
    const B = 8;
    const batch = allocateBatch(task, T, B);
    let sum = 0;
    for (let e = 0; e < task.valBatches; e++) {
      task.fill(e, 0, T, B, batch, 'val');
      for (let i = 0; i < T * B; i++) sum += (batch.x[i] - batch.target[i]) ** 2;
    }
    expect(task.baseline({ seqLen: T, batch: B })).toBeCloseTo(sum / (task.valBatches * T * B), 12);
  });
});
