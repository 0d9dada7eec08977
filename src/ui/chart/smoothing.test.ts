// Smoothing: TensorBoard's debiased EMA, checked against the formula written out by hand.
import { describe, expect, it } from 'vitest';
import { Smoother, smoothSeries } from './smoothing';

describe('smoothSeries', () => {
  it('is the identity at weight 0', () => {
    expect(Array.from(smoothSeries([3, -1, 2.5], 0))).toEqual([3, -1, 2.5]);
  });

  it('starts at the first value (debiased), then follows the EMA divided by 1 - w^n', () => {
    const w = 0.6;
    const values = [1, 3, 2, 5];
    let ema = 0;
    const expected = values.map((v, i) => {
      ema = ema * w + (1 - w) * v;
      return ema / (1 - w ** (i + 1));
    });
    const got = smoothSeries(values, w);
    expect(got[0]).toBeCloseTo(1, 12);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('keeps a constant series constant at any weight', () => {
    for (const w of [0.1, 0.9, 0.99]) {
      for (const v of smoothSeries(new Array(200).fill(0.25), w)) expect(v).toBeCloseTo(0.25, 12);
    }
  });

  it('skips non-finite values: NaN out, the average goes on from the finite ones', () => {
    const got = smoothSeries([2, NaN, Infinity, 2], 0.5);
    expect(got[0]).toBe(2);
    expect(Number.isNaN(got[1]) && Number.isNaN(got[2])).toBe(true);
    expect(got[3]).toBeCloseTo(2, 12);
  });

  it('refuses weights outside [0, 1)', () => {
    expect(() => new Smoother(1)).toThrow(/smoothing must be from 0 to below 1, got 1/);
    expect(() => new Smoother(-0.1)).toThrow(/smoothing/);
    expect(() => new Smoother(NaN)).toThrow(/smoothing/);
  });
});
