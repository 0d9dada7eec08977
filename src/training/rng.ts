/**
 * Counter-based RNG shared with WGSL (shaders/lib/rng.wgsl), bit for bit: every number is a
 * pure function of (key, stream, counter). Seeds init, data and (later) dropout, so a shared
 * link reproduces a run and runs of a comparison can share what they do not compare.
 */

/** lowbias32: a 32-bit integer hash with good avalanche, two multiply-xorshift rounds. */
export function rngMix(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function rngU32(key: number, stream: number, counter: number): number {
  return rngMix(key ^ rngMix(stream ^ rngMix(counter ^ 0x9e3779b9)));
}

/** Uniform in [0, 1) with 24 random bits, the same float WGSL's rng_uniform gives. */
export function rngUniform(key: number, stream: number, counter: number): number {
  return (rngU32(key, stream, counter) >>> 8) / 16777216;
}

/** Standard normal by Box-Muller from counters 2i and 2i + 1 (cosine branch). */
export function rngNormal(key: number, stream: number, counter: number): number {
  const u1 = 1 - rngUniform(key, stream, 2 * counter); // (0, 1]: log is finite
  const u2 = rngUniform(key, stream, 2 * counter + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Named streams, so init, data and dropout never draw the same numbers. */
export const STREAM = {
  init: 1,
  data: 2,
  dropout: 3,
} as const;

/** A cursor over one (key, stream): draws counters 0, 1, 2, ... in order. */
export class RngStream {
  private counter = 0;

  constructor(
    readonly key: number,
    readonly stream: number,
  ) {}

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * rngUniform(this.key, this.stream, this.counter++);
  }

  normal(): number {
    return rngNormal(this.key, this.stream, this.counter++);
  }
}

/** Derives a sub-key, e.g. one per run or per parameter tensor, from a key and an index. */
export function deriveKey(key: number, index: number): number {
  return rngMix(key ^ rngMix(index + 0x6a09e667));
}
