// The float64 spectral norm against matrices whose singular values are known: a diagonal, a
// rotation times a diagonal, and a rank-one outer product; and the start vector's formula.
import { describe, expect, it } from 'vitest';
import { powerIteration, spectralNorm, spectralStart } from './spectral-norm';

describe('spectral norm reference', () => {
  it('finds the largest singular value of matrices with known ones', () => {
    // diag(3, -5, 1) as [4, 3] with a zero row: sigma = 5.
    expect(spectralNorm([3, 0, 0, 0, -5, 0, 0, 0, 1, 0, 0, 0], 4, 3)).toBeCloseTo(5, 12);
    // A rotation by 30 degrees times diag(2, 0.5): singular values 2 and 0.5.
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(spectralNorm([2 * c, -0.5 * s, 2 * s, 0.5 * c], 2, 2)).toBeCloseTo(2, 12);
    // a b^T: sigma = |a| |b|.
    const a = [1, 2, 2];
    const b = [3, 4];
    expect(spectralNorm(a.flatMap((x) => b.map((y) => x * y)), 3, 2)).toBeCloseTo(15, 12);
  });

  it('restarts from the fixed start vector when v is zero, and gives 0 for W = 0', () => {
    expect(spectralStart(0)).toBe(0.5);
    expect(spectralStart(1)).toBeCloseTo(0.5 + ((2654435761 % 2 ** 32) % 1000) / 1000, 12);
    expect(powerIteration([0, 0, 0, 0], 2, 2, new Float64Array(2), 3).sigma).toBe(0);
  });
});
