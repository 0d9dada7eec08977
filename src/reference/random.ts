/**
 * A small seeded PRNG for reference fixtures and tests: a Weyl sequence mixed by murmur3's
 * 32-bit finaliser, two draws per 53-bit double. Deterministic across platforms; not the
 * counter-based RNG that training shares with WGSL, and not for anything cryptographic.
 */

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** n draws uniform in [-k, k). */
  uniform(n: number, k: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * this.next() - 1) * k;
    return out;
  }
}
