// Axis ticks: round values only, inside the range, never crowded at an end, readable labels.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatRound, linearAxis, logAxis, niceStep, timeAxis } from './axis-ticks';

/** No two ticks closer than `fraction` of the axis (in the axis's own space). */
function expectSpaced(ticks: number[], min: number, max: number, fraction: number, log = false): void {
  const f = log ? Math.log10 : (v: number) => v;
  for (let i = 1; i < ticks.length; i++) {
    expect((f(ticks[i]) - f(ticks[i - 1])) / (f(max) - f(min)), `${ticks[i - 1]} and ${ticks[i]}`).toBeGreaterThanOrEqual(fraction);
  }
}

describe('niceStep', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0.7, 1, 1.5, 3, 7, 12, 0.031].map(niceStep)).toEqual([1, 1, 2, 5, 10, 20, 0.05]);
  });
});

describe('linearAxis', () => {
  it('keeps an x axis on the data with round ticks inside (no "120 128")', () => {
    const axis = linearAxis(1, 128, 8, { integer: true });
    expect([axis.min, axis.max]).toEqual([1, 128]);
    expect(axis.ticks).toEqual([20, 40, 60, 80, 100, 120]);
    expect(axis.ticks.map(axis.label)).toEqual(['20', '40', '60', '80', '100', '120']);
  });

  it('takes the finest round step that fits: a 300-step axis with room for 4 labels gets 3, not 1', () => {
    expect(linearAxis(1, 306, 4, { integer: true }).ticks).toEqual([100, 200, 300]);
    expect(linearAxis(1, 306, 2, { integer: true }).ticks).toEqual([200]);
  });

  it('widens a y axis to round bounds, evenly spaced', () => {
    const axis = linearAxis(0.0123, 0.731, 6, { extend: true });
    expect(axis.min).toBe(0);
    expect(axis.max).toBeCloseTo(0.8, 12);
    expect(axis.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(axis.ticks.map(axis.label)).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8']);
    expectSpaced(axis.ticks, axis.min, axis.max, 0.2);
  });

  it('never gives more than maxTicks + 1 ticks, over many ranges', () => {
    for (const [lo, hi] of [[0, 1], [3, 3.0001], [-5, 17], [1, 100_000], [0.001, 0.0011], [1e6, 3e7]]) {
      for (const n of [3, 5, 8, 12]) {
        const axis = linearAxis(lo, hi, n, { extend: true });
        expect(axis.ticks.length).toBeLessThanOrEqual(n + 1);
        expect(axis.ticks.length).toBeGreaterThanOrEqual(2);
        expect(new Set(axis.ticks.map(axis.label)).size, `labels for ${lo}..${hi}`).toBe(axis.ticks.length);
        for (const t of axis.ticks) expect(t >= axis.min - 1e-12 && t <= axis.max + 1e-12).toBe(true);
      }
    }
  });

  it('gives a single step or a flat line a range to sit in', () => {
    expect(linearAxis(1, 1, 8, { integer: true })).toMatchObject({ min: 0, max: 2, ticks: [0, 1, 2] });
    const flat = linearAxis(0.5, 0.5, 5, { extend: true });
    expect(flat.min).toBeLessThan(0.5);
    expect(flat.max).toBeGreaterThan(0.5);
  });

  it('writes very large values in exponent form', () => {
    const axis = linearAxis(0, 3e7, 4, { extend: true });
    expect(axis.ticks.map(axis.label)).toEqual(['0', '1e7', '2e7', '3e7']);
  });
});

describe('logAxis', () => {
  it('uses 1-2-5 ticks when they fit, else powers of ten', () => {
    const few = logAxis(0.15, 4, 8, { extend: true });
    expect([few.min, few.max]).toEqual([0.1, 5]);
    expect(few.ticks).toEqual([0.1, 0.2, 0.5, 1, 2, 5]);
    const many = logAxis(1e-5, 3, 6, { extend: true });
    expect(many.ticks).toEqual([1e-5, 1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(many.ticks.map(many.label)).toEqual(['1e-5', '1e-4', '0.001', '0.01', '0.1', '1']);
    const lots = logAxis(1e-12, 1e6, 5);
    expect(lots.ticks.length).toBeLessThanOrEqual(5);
    expectSpaced(lots.ticks, lots.min, lots.max, 0.1, true);
  });

  it('falls back to linear ticks inside a narrow range (no "1.00" over "0.70")', () => {
    const axis = logAxis(0.7, 0.96, 6, { extend: true });
    expect(axis.min).toBe(0.5);
    expect(axis.max).toBe(1);
    expect(axis.ticks).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expectSpaced(axis.ticks, axis.min, axis.max, 0.1, true);
  });

  it('copes with a flat series and no data', () => {
    const flat = logAxis(0.01, 0.01, 6, { extend: true });
    expect(flat.min).toBeLessThan(0.01);
    expect(flat.max).toBeGreaterThan(0.01);
    expect(flat.ticks.length).toBeGreaterThanOrEqual(2);
    expect(logAxis(NaN, NaN, 6).ticks).toEqual([1, 2, 5, 10]);
  });
});

describe('timeAxis and durations', () => {
  it('ticks on round durations', () => {
    expect(timeAxis(0, 47, 6).ticks).toEqual([0, 10, 20, 30, 40]);
    const minutes = timeAxis(0, 400, 6);
    expect(minutes.ticks).toEqual([0, 120, 240, 360]);
    expect(minutes.ticks.map(minutes.label)).toEqual(['0:00', '2:00', '4:00', '6:00']);
    const sub = timeAxis(0, 0.9, 6);
    expect(sub.ticks.map(sub.label)).toEqual(['0.0 s', '0.2 s', '0.4 s', '0.6 s', '0.8 s']);
  });

  it('formats seconds in the unit that fits', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(90)).toBe('1:30');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(65, 4000)).toBe('0:01:05');
  });

  it('formats round values compactly', () => {
    expect([0, 0.002, 5000, 2e6, 1e-5, 0.25].map(formatRound)).toEqual(['0', '0.002', '5000', '2e6', '1e-5', '0.25']);
  });
});
