// The two longest lessons (6 overfitting, 8 pruning) show their effect at
// test scale on the in-process CPU backend; apart from lessons.test.ts so the two files train in
// parallel. The figures printed here are the README's "what the test saw".
import { describe, expect, it } from 'vitest';
import { lesson, MINUTES, train } from './lesson-test-support';

describe('lessons 6 and 8 show their effect at test scale (CPU backend)', () => {
  it('6 overfitting: the plain run\'s validation loss climbs from its best; dropout and weight decay end below it', async () => {
    const r = await train(lesson('overfitting'));
    expect(r.plain.loss).toBeLessThan(r.plain.valLoss / 2);
    expect(r.plain.valLoss).toBeGreaterThan(1.2 * r.plain.bestValLoss);
    expect(r.dropout.valLoss).toBeLessThan(r.plain.valLoss);
    expect(r.decay.valLoss).toBeLessThan(r.plain.valLoss);
  }, 10 * MINUTES);

  it('8 pruning: each run reaches its sparsity; the loss grows with it, 50% costs little', async () => {
    const r = await train(lesson('pruning'));
    const ids = ['dense', 'sparse-50', 'sparse-80', 'sparse-95', 'sparse-99'];
    const targets = [0, 0.5, 0.8, 0.95, 0.99];
    ids.forEach((id, i) => expect(r[id].sparsity, id).toBeCloseTo(targets[i], 2));
    expect(r['sparse-50'].loss).toBeLessThan(1.15 * r.dense.loss);
    expect(r['sparse-95'].loss).toBeGreaterThan(r['sparse-50'].loss);
    expect(r['sparse-99'].loss).toBeGreaterThan(r.dense.loss * 1.2);
  }, 10 * MINUTES);
});
