// SeriesBuffer: bounded, evenly thinned, always ends at the newest point.
import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from './series-buffer';

describe('SeriesBuffer', () => {
  it('keeps every point while under capacity', () => {
    const s = new SeriesBuffer(10);
    for (let i = 0; i < 10; i++) s.push(i, i * i);
    expect(s.points.map((p) => p.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stays within capacity and keeps the first and newest points', () => {
    const s = new SeriesBuffer(100);
    for (let i = 0; i < 10_000; i++) {
      s.push(i, Math.sin(i));
      expect(s.points.length).toBeLessThanOrEqual(100);
      expect(s.points[s.points.length - 1].x).toBe(i);
    }
    expect(s.points[0].x).toBe(0);
    expect(s.points.length).toBeGreaterThan(50);
  });

  it('thins to an even stride with x increasing', () => {
    const s = new SeriesBuffer(8);
    for (let i = 0; i < 33; i++) s.push(i, 0);
    const xs = s.points.map((p) => p.x);
    expect(xs).toEqual([0, 8, 16, 24, 32]);
    s.push(33, 0);
    expect(s.points.map((p) => p.x)).toEqual([0, 8, 16, 24, 32, 33]);
    s.push(34, 0);
    expect(s.points.map((p) => p.x)).toEqual([0, 8, 16, 24, 32, 34]);
  });

  it('refuses a capacity below two', () => {
    expect(() => new SeriesBuffer(1)).toThrow(/at least 2/);
  });
});
