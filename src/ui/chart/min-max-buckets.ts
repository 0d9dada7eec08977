/**
 * Downsampling that keeps spikes: the indices of an append-only series fall into buckets of
 * `width` consecutive indices, and each bucket remembers where its minimum and maximum are.
 * When there are more than `maxBuckets` buckets, neighbours merge in pairs and the width
 * doubles, so each append costs O(1) amortised and the drawn copy stays at most 2 * maxBuckets
 * points (plus the first and last). Pure data, no DOM; it holds indices, the caller holds values.
 */

export class MinMaxBuckets {
  /** Indices per bucket (a power of two). */
  private width = 1;
  private readonly minIndex: number[] = [];
  private readonly minValue: number[] = [];
  private readonly maxIndex: number[] = [];
  private readonly maxValue: number[] = [];
  private first = -1;
  private last = -1;

  constructor(readonly maxBuckets: number) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new Error(`maxBuckets must be an integer of at least 2, got ${maxBuckets}`);
  }

  /** Adds the finite `value` at `index`; indices must increase (gaps are allowed). */
  add(index: number, value: number): void {
    if (index <= this.last) throw new Error(`indices must increase: ${index} after ${this.last}`);
    if (this.first < 0) this.first = index;
    this.last = index;
    const bucket = Math.floor(index / this.width);
    while (this.minIndex.length <= bucket) this.pushEmpty();
    if (this.minIndex[bucket] < 0 || value < this.minValue[bucket]) {
      this.minIndex[bucket] = index;
      this.minValue[bucket] = value;
    }
    if (this.maxIndex[bucket] < 0 || value > this.maxValue[bucket]) {
      this.maxIndex[bucket] = index;
      this.maxValue[bucket] = value;
    }
    if (this.minIndex.length > this.maxBuckets) this.mergePairs();
  }

  /** The kept indices in increasing order: the first, each bucket's min and max, the last. */
  indices(): number[] {
    const out: number[] = [];
    const keep = (i: number) => {
      if (i >= 0 && (out.length === 0 || i > out[out.length - 1])) out.push(i);
    };
    keep(this.first);
    for (let b = 0; b < this.minIndex.length; b++) {
      const lo = this.minIndex[b];
      const hi = this.maxIndex[b];
      keep(Math.min(lo, hi));
      keep(Math.max(lo, hi));
    }
    keep(this.last);
    return out;
  }

  private pushEmpty(): void {
    this.minIndex.push(-1);
    this.minValue.push(0);
    this.maxIndex.push(-1);
    this.maxValue.push(0);
  }

  private mergePairs(): void {
    const n = this.minIndex.length;
    let kept = 0;
    for (let b = 0; b < n; b += 2, kept++) {
      let lo = this.minIndex[b], loValue = this.minValue[b];
      let hi = this.maxIndex[b], hiValue = this.maxValue[b];
      if (b + 1 < n) {
        const lo2 = this.minIndex[b + 1];
        if (lo2 >= 0 && (lo < 0 || this.minValue[b + 1] < loValue)) [lo, loValue] = [lo2, this.minValue[b + 1]];
        const hi2 = this.maxIndex[b + 1];
        if (hi2 >= 0 && (hi < 0 || this.maxValue[b + 1] > hiValue)) [hi, hiValue] = [hi2, this.maxValue[b + 1]];
      }
      this.minIndex[kept] = lo;
      this.minValue[kept] = loValue;
      this.maxIndex[kept] = hi;
      this.maxValue[kept] = hiValue;
    }
    for (const list of [this.minIndex, this.minValue, this.maxIndex, this.maxValue]) list.length = kept;
    this.width *= 2;
  }
}
