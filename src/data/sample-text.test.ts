// Sampling characters from logits: arg-max at temperature 0, reproducible per seed, one step at
// a time the same as all at once, and frequencies that follow softmax(logits / temperature).
import { describe, expect, it } from 'vitest';
import { sampleClasses, sampleText } from './sample-text';

const VOCAB = ['a', 'b', 'c'];
const LOGITS = [0.2, 1.5, -1, 3, 0, 0, -2, -2, 1];

describe('sampleText', () => {
  it('takes the arg-max at temperature 0', () => {
    expect(sampleText(LOGITS, VOCAB, 0, 1)).toBe('bac');
  });

  it('is seeded, and sampling step by step draws what one call draws', () => {
    const logits = Array.from({ length: 3 * 40 }, (_, i) => Math.sin(i));
    const all = sampleText(logits, VOCAB, 1, 5);
    expect(sampleText(logits, VOCAB, 1, 5)).toBe(all);
    expect(sampleText(logits, VOCAB, 1, 6)).not.toBe(all);
    const steps = Array.from({ length: 40 }, (_, t) => sampleText(logits.slice(3 * t, 3 * t + 3), VOCAB, 1, 5, t)).join('');
    expect(steps).toBe(all);
  });

  it.each([0.5, 1, 2])('draws with the probabilities of softmax(logits / %f)', (temperature) => {
    const n = 20000;
    const logits = Array.from({ length: 3 * n }, (_, i) => [1, 0, -1][i % 3]);
    const counts = [0, 0, 0];
    for (const c of sampleClasses(logits, 3, temperature, 11)) counts[c]++;
    const e = [1, 0, -1].map((l) => Math.exp(l / temperature));
    const z = e.reduce((a, b) => a + b);
    e.forEach((p, c) => expect(Math.abs(counts[c] / n - p / z)).toBeLessThan(4 * Math.sqrt((p / z) / n)));
  });

  it('refuses a negative temperature and logits that are not whole steps', () => {
    expect(() => sampleText(LOGITS, VOCAB, -1, 1)).toThrow('temperature must be a number >= 0, got -1');
    expect(() => sampleText([1, 2], VOCAB, 1, 1)).toThrow('logits hold 2 numbers, not a whole number of steps of 3 classes');
  });
});
