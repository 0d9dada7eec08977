// The heatmap's colour scale and pixels: log placement, the ends of viridis, non-finite cells,
// the bottom-up row order, and column picking for long histories.
import { describe, expect, it } from 'vitest';
import { NON_FINITE_RGB, colorOf, heatmapPixels, logScaleOf, pickColumns, scalePosition, viridis } from './heatmap';

describe('heatmap colour scale', () => {
  it('spans the positive finite values only', () => {
    expect(logScaleOf([0, -1, NaN, Infinity, 1e-3, 10, 0.5])).toEqual({ min: 1e-3, max: 10 });
    expect(logScaleOf([0, NaN])).toBeUndefined();
  });

  it('gives a constant grid a range around its value', () => {
    const s = logScaleOf([2, 2, 2])!;
    expect(s.min).toBeLessThan(2);
    expect(s.max).toBeGreaterThan(2);
    expect(scalePosition(2, s)).toBeCloseTo(0.5, 12);
  });

  it('places values by their logarithm', () => {
    const s = { min: 1e-4, max: 1 };
    expect(scalePosition(1e-2, s)).toBeCloseTo(0.5, 12);
    expect(scalePosition(1e-3, s)).toBeCloseTo(0.25, 12);
    expect(scalePosition(0, s)).toBe(0);
    expect(scalePosition(1e-9, s)).toBe(0);
    expect(scalePosition(5, s)).toBe(1);
  });

  it('runs from viridis dark purple to yellow, magenta for non-finite', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(0.5)).toEqual([33, 144, 141]);
    expect(colorOf(Infinity, { min: 1, max: 2 })).toEqual([...NON_FINITE_RGB]);
    expect(colorOf(NaN, { min: 1, max: 2 })).toEqual([...NON_FINITE_RGB]);
  });
});

describe('heatmapPixels', () => {
  it('puts row 0 at the bottom and columns left to right', () => {
    const scale = { min: 1, max: 100 };
    const px = heatmapPixels([[1, 100], [NaN, 10]], 2, scale);
    const at = (x: number, y: number) => Array.from(px.slice((y * 2 + x) * 4, (y * 2 + x) * 4 + 4));
    expect(at(0, 1)).toEqual([...viridis(0), 255]);
    expect(at(0, 0)).toEqual([...viridis(1), 255]);
    expect(at(1, 1)).toEqual([...NON_FINITE_RGB, 255]);
    expect(at(1, 0)).toEqual([...viridis(0.5), 255]);
  });
});

describe('pickColumns', () => {
  it('keeps every column that fits, else an even spread with both ends', () => {
    expect(pickColumns(3, 5)).toEqual([0, 1, 2]);
    const picked = pickColumns(1000, 5);
    expect(picked).toEqual([0, 250, 500, 749, 999]);
  });
});
