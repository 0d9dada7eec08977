// MinMaxBuckets: bounded, increasing, and no spike (bucket minimum or maximum) ever dropped.
import { describe, expect, it } from 'vitest';
import { MinMaxBuckets } from './min-max-buckets';

function fill(values: number[], maxBuckets: number): MinMaxBuckets {
  const buckets = new MinMaxBuckets(maxBuckets);
  values.forEach((v, i) => {
    if (Number.isFinite(v)) buckets.add(i, v);
  });
  return buckets;
}

describe('MinMaxBuckets', () => {
  it('keeps every index while under the bucket count', () => {
    expect(fill([5, 1, 4, 2], 8).indices()).toEqual([0, 1, 2, 3]);
  });

  it('stays bounded with increasing indices, and keeps the first and the last', () => {
    const buckets = new MinMaxBuckets(50);
    for (let i = 0; i < 20_000; i++) {
      buckets.add(i, Math.sin(i * 0.37) + (i % 997 === 0 ? 10 : 0));
      if (i % 1000 === 999) {
        const kept = buckets.indices();
        expect(kept.length).toBeLessThanOrEqual(2 * 50 + 2);
        expect(kept[0]).toBe(0);
        expect(kept[kept.length - 1]).toBe(i);
        for (let k = 1; k < kept.length; k++) expect(kept[k]).toBeGreaterThan(kept[k - 1]);
      }
    }
    expect(buckets.indices().length).toBeGreaterThan(50);
  });

  it('never loses a spike: every single-point spike and dip survives', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 1 + 0.01 * Math.sin(i));
    const spikes = [17, 2500, 6001, 9998];
    const dips = [333, 7777];
    for (const i of spikes) values[i] = 100;
    for (const i of dips) values[i] = -100;
    const kept = new Set(fill(values, 64).indices());
    for (const i of [...spikes, ...dips]) expect(kept.has(i), `index ${i}`).toBe(true);
  });

  it('keeps the global minimum and maximum of any series', () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const values = Array.from({ length: 3000 + trial * 77 }, () => random() * 2 - 1);
      const kept = fill(values, 37).indices().map((i) => values[i]);
      expect(Math.max(...kept)).toBe(Math.max(...values));
      expect(Math.min(...kept)).toBe(Math.min(...values));
    }
  });

  it('skips gaps (indices of non-finite values never come back)', () => {
    const kept = fill([1, NaN, 3, Infinity, 5], 8).indices();
    expect(kept).toEqual([0, 2, 4]);
  });

  it('refuses indices that do not increase and a bucket count below 2', () => {
    const buckets = new MinMaxBuckets(4);
    buckets.add(3, 1);
    expect(() => buckets.add(3, 2)).toThrow(/indices must increase: 3 after 3/);
    expect(() => new MinMaxBuckets(1)).toThrow(/maxBuckets must be an integer of at least 2/);
  });
});
