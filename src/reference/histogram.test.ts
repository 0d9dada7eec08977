// The reference histogram: symmetric range from the largest |value|, the edges, a zero tensor.
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_BINS, binOf, histogramOf } from './histogram';

describe('histogram reference', () => {
  it('bins over [-m, m] with m the largest |value|, m itself in the last bin', () => {
    const h = histogramOf([-2, 2, 0, 0.1, -0.1, 1.99]);
    expect(h.max).toBe(2);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(h.counts[0]).toBe(1); // -2
    expect(h.counts[HISTOGRAM_BINS - 1]).toBe(2); // 2 and 1.99
    expect(h.counts[HISTOGRAM_BINS / 2]).toBe(2); // 0 and 0.1 (bin width 0.125)
    expect(h.counts[HISTOGRAM_BINS / 2 - 1]).toBe(1); // -0.1
  });

  it('puts a zero tensor in the middle bin', () => {
    const h = histogramOf([0, 0, 0]);
    expect(h.max).toBe(0);
    expect(h.counts[HISTOGRAM_BINS / 2]).toBe(3);
    expect(binOf(NaN, 1)).toBe(HISTOGRAM_BINS / 2);
  });
});
