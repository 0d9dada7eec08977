// View axes: the drawn data's extent (thresholds included, log axes positive only), then ticks.
import { describe, expect, it } from 'vitest';
import { boundsOf, viewAxes } from './view-axes';

describe('boundsOf', () => {
  const lines = [[{ x: 0, y: -1 }, { x: 5, y: 2 }], [{ x: 3, y: 0.5 }]];

  it('covers every drawn point and the thresholds', () => {
    expect(boundsOf(lines, [4], false, false)).toEqual({ xMin: 0, xMax: 5, yMin: -1, yMax: 4 });
  });

  it('leaves out values a log axis cannot show', () => {
    expect(boundsOf(lines, [0], true, true)).toEqual({ xMin: 3, xMax: 5, yMin: 0.5, yMax: 2 });
  });

  it('is NaN with nothing to draw', () => {
    const b = boundsOf([], [], false, false);
    expect([b.xMin, b.xMax, b.yMin, b.yMax].every(Number.isNaN)).toBe(true);
  });
});

describe('viewAxes', () => {
  it('gives step ticks on whole numbers and a round y range', () => {
    const { x, y } = viewAxes({ xMin: 1, xMax: 140, yMin: 0.03, yMax: 0.52 }, { xAxis: 'step', logX: false, logY: false }, 500, 240);
    expect([x.min, x.max]).toEqual([1, 140]);
    expect(x.ticks.every(Number.isInteger)).toBe(true);
    expect(y.min).toBe(0);
    expect(y.max).toBeCloseTo(0.6, 12);
  });

  it('labels wall time in seconds, also on a log axis', () => {
    const linear = viewAxes({ xMin: 0.1, xMax: 42, yMin: 0, yMax: 1 }, { xAxis: 'time', logX: false, logY: false }, 500, 240);
    expect(linear.x.ticks.map(linear.x.label)).toEqual(['15 s', '30 s']);
    const log = viewAxes({ xMin: 0.2, xMax: 42, yMin: 0, yMax: 1 }, { xAxis: 'time', logX: true, logY: false }, 500, 240);
    expect(log.x.ticks.map(log.x.label)).toContain('1 s');
  });

  it('copes with no data', () => {
    const { x, y } = viewAxes({ xMin: NaN, xMax: NaN, yMin: NaN, yMax: NaN }, { xAxis: 'step', logX: false, logY: true }, 500, 240);
    expect(x.ticks.length).toBeGreaterThan(0);
    expect(y.min).toBeGreaterThan(0);
  });
});
