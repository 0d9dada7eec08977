// The CPU metrics: weighted MSE over outputs, arg-max accuracy with the metric weight taking
// precedence over the loss weight, and cross-entropy in bits.
import { describe, expect, it } from 'vitest';
import { METRIC_INFO, metricValue, scoreBatch } from './metric';
import type { Task, TaskBatch } from './task';

const task = (metric: Task['metric'], outputSize: number): Task => ({
  key: 't', inputSize: 1, outputSize, loss: metric === 'mse' ? 'mse' : 'cross_entropy', metric, valBatches: 1, fill: () => {},
});

describe('scoreBatch', () => {
  it('mse: weighted mean over scored rows of the mean squared error over outputs', () => {
    const batch: TaskBatch = { x: new Float32Array(3), target: new Float32Array([1, 2, 0, 0, 5, 5]), weight: new Float32Array([1, 0, 1]) };
    const tally = { sum: 0, weight: 0 };
    scoreBatch(task('mse', 2), [2, 2, 9, 9, 5, 7], batch, tally);
    expect(metricValue(tally)).toBe(((1 + 0) / 2 + (0 + 4) / 2) / 2);
  });

  it('accuracy: arg-max against the target, counted with the metric weight when there is one', () => {
    const batch: TaskBatch = {
      x: new Float32Array(3), target: new Float32Array([0, 1, 2]), weight: new Float32Array([1, 1, 1]),
      metricWeight: new Float32Array([1, 1, 0]),
    };
    const tally = { sum: 0, weight: 0 };
    scoreBatch(task('accuracy', 3), [5, 1, 0, 5, 1, 0, 0, 0, 9], batch, tally);
    expect(tally).toEqual({ sum: 1, weight: 2 });
  });

  it('bpc: cross-entropy in bits', () => {
    const batch: TaskBatch = { x: new Float32Array(1), target: new Float32Array([1]), weight: new Float32Array([1]) };
    const tally = { sum: 0, weight: 0 };
    scoreBatch(task('bpc', 4), [0, 0, 0, 0], batch, tally);
    expect(metricValue(tally)).toBeCloseTo(2, 12);
    expect(METRIC_INFO.bpc).toEqual({ name: 'bits per character', lowerIsBetter: true });
    expect(metricValue({ sum: 0, weight: 0 })).toBeNaN();
  });
});
