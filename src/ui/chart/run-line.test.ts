// RunHistory and RunLine: full raw history, first non-finite step, bounded drawn lines that
// keep spikes, smoothing applied to the drawn line only, step or time on x.
import { describe, expect, it } from 'vitest';
import { RunHistory, type MetricPoint } from './run-history';
import { RunLine } from './run-line';
import { smoothSeries } from './smoothing';

const points = (values: number[], from = 1): MetricPoint[] =>
  values.map((value, i) => ({ step: from + i, time: (from + i) * 0.5, value }));

describe('RunHistory', () => {
  it('keeps every point across growth, exactly', () => {
    const h = new RunHistory();
    const values = Array.from({ length: 5000 }, (_, i) => 0.01 * (i + 1));
    for (let i = 0; i < values.length; i += 97) h.append(points(values.slice(i, i + 97), i + 1));
    expect(h.length).toBe(5000);
    expect(h.step(4999)).toBe(5000);
    expect(h.value(0)).toBe(0.01);
    expect(h.value(4999)).toBe(50);
    expect(h.time(3)).toBeCloseTo(2, 6);
  });

  it('marks the first non-finite step and the newest finite value', () => {
    const h = new RunHistory();
    h.append(points([1, 2, NaN, 3, Infinity]));
    expect(h.firstNonFiniteStep).toBe(3);
    expect(h.latest()).toBe(3);
    expect(h.lastFiniteIndex).toBe(3);
  });

  it('refuses steps that do not increase and steps that are not integers', () => {
    const h = new RunHistory();
    h.append(points([1, 2]));
    expect(() => h.append(points([1], 2))).toThrow(/steps must increase: 2 after 2/);
    expect(() => h.append([{ step: 3.5, time: 0, value: 0 }])).toThrow(/step must be a non-negative integer, got 3.5/);
  });
});

describe('RunLine', () => {
  it('draws every point while small, on step or time', () => {
    const line = new RunLine(100);
    line.append(points([4, 3, 2]));
    expect(line.lines('step').raw).toEqual([{ x: 1, y: 4 }, { x: 2, y: 3 }, { x: 3, y: 2 }]);
    expect(line.lines('time').raw.map((p) => p.x)).toEqual([0.5, 1, 1.5]);
    expect(line.lines('step').smoothed).toBeNull();
  });

  it('bounds a long line and keeps its spike', () => {
    const line = new RunLine(500);
    const values = Array.from({ length: 50_000 }, (_, i) => 1 / (1 + i));
    values[31_337] = 42;
    for (let i = 0; i < values.length; i += 1000) line.append(points(values.slice(i, i + 1000), i + 1));
    const { raw } = line.lines('step');
    expect(raw.length).toBeLessThanOrEqual(1002);
    expect(raw.length).toBeGreaterThanOrEqual(500);
    expect(raw.some((p) => p.x === 31_338 && p.y === 42)).toBe(true);
    expect(raw[raw.length - 1]).toEqual({ x: 50_000, y: values[49_999] });
    expect(line.history.length).toBe(50_000);
  });

  it('smooths the drawn line, keeps the raw one, and redoes it when the weight changes', () => {
    const line = new RunLine(100);
    const values = [5, 1, 4, 2, 3];
    line.append(points(values));
    line.setSmoothing(0.6);
    const drawn = line.lines('step');
    expect(drawn.raw.map((p) => p.y)).toEqual(values);
    const expected = smoothSeries(values, 0.6);
    drawn.smoothed!.forEach((p, i) => expect(p.y).toBeCloseTo(expected[i], 5));
    line.setSmoothing(0.9);
    const heavier = smoothSeries(values, 0.9);
    line.lines('step').smoothed!.forEach((p, i) => expect(p.y).toBeCloseTo(heavier[i], 5));
    expect(line.smoothedAt(4)).toBeCloseTo(heavier[4], 5);
    line.setSmoothing(0);
    expect(line.lines('step').smoothed).toBeNull();
    expect(line.smoothedAt(4)).toBe(3);
  });

  it('leaves non-finite values out of both lines', () => {
    const line = new RunLine(100);
    line.setSmoothing(0.5);
    line.append(points([1, NaN, 2, -Infinity]));
    const drawn = line.lines('step');
    expect(drawn.raw.map((p) => p.x)).toEqual([1, 3]);
    expect(drawn.smoothed!.map((p) => p.x)).toEqual([1, 3]);
  });

  it('replace() restores a history from scratch', () => {
    const line = new RunLine(100);
    line.setSmoothing(0.5);
    line.append(points([1, 2, 3]));
    line.lines('step');
    line.replace(points([7, 8], 10));
    const drawn = line.lines('step');
    expect(drawn.raw).toEqual([{ x: 10, y: 7 }, { x: 11, y: 8 }]);
    expect(drawn.smoothed![0].y).toBeCloseTo(7, 5);
    expect(line.history.firstNonFiniteStep).toBeUndefined();
  });
});
