// Statistical sanity of the counter-based RNG (the bit-exact WGSL check is rng.gpu.test.ts).
import { describe, expect, it } from 'vitest';
import { deriveKey, rngNormal, rngU32, rngUniform } from './rng';

describe('rng', () => {
  it('is a pure function of (key, stream, counter)', () => {
    expect(rngU32(7, 1, 42)).toBe(rngU32(7, 1, 42));
    expect(rngU32(7, 1, 42)).not.toBe(rngU32(7, 1, 43));
    expect(rngU32(7, 1, 42)).not.toBe(rngU32(7, 2, 42));
    expect(rngU32(7, 1, 42)).not.toBe(rngU32(8, 1, 42));
    expect(deriveKey(1, 0)).not.toBe(deriveKey(1, 1));
  });

  it('uniforms are in [0, 1) with mean 1/2 and variance 1/12', () => {
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rngUniform(99, 2, i);
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sq += u * u;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('normals have mean 0 and variance 1', () => {
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rngNormal(5, 3, i);
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.03);
  });
});
