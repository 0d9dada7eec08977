/**
 * What a chart draws for one run: its raw history, the smoothed copy of it, and downsampled
 * index lists for both that keep every bucket's minimum and maximum. Work is incremental: each
 * call to lines() only processes the points that arrived since the last one; a new smoothing
 * weight redoes the smoothed line once. Pure data, no DOM and no Chart.js.
 */
import { MinMaxBuckets } from './min-max-buckets';
import { RunHistory, type MetricPoint } from './run-history';
import { Smoother } from './smoothing';

/** Chart.js's point format with `parsing: false`. */
export interface XY {
  x: number;
  y: number;
}

export type XAxisKind = 'step' | 'time';

/** A run's lines as drawn: raw points, and the smoothed ones (null when smoothing is 0). */
export interface DrawnLines {
  raw: XY[];
  smoothed: XY[] | null;
  /** History index of each drawn point, for tooltips that show the exact raw value. */
  rawIndices: number[];
  smoothedIndices: number[] | null;
}

export class RunLine {
  history = new RunHistory();
  private smoothing = 0;
  private smoother = new Smoother(0);
  private smoothed = new Float32Array(0);
  private rawBuckets: MinMaxBuckets;
  private smoothBuckets: MinMaxBuckets;
  private rawDone = 0;
  private smoothDone = 0;

  /** `maxBuckets` per line: at most 2 * maxBuckets + 2 points are drawn. */
  constructor(private readonly maxBuckets: number) {
    this.rawBuckets = new MinMaxBuckets(maxBuckets);
    this.smoothBuckets = new MinMaxBuckets(maxBuckets);
  }

  append(points: readonly MetricPoint[]): void {
    this.history.append(points);
  }

  /** Forgets everything, then keeps `points` (a restore). */
  replace(points: readonly MetricPoint[]): void {
    this.history = new RunHistory();
    this.rawBuckets = new MinMaxBuckets(this.maxBuckets);
    this.rawDone = 0;
    this.restartSmoothing();
    this.history.append(points);
  }

  setSmoothing(weight: number): void {
    if (weight === this.smoothing) return;
    this.smoother = new Smoother(weight);
    this.smoothing = weight;
    this.restartSmoothing();
  }

  /** The smoothed value at history index `i` (the raw value when smoothing is 0). */
  smoothedAt(i: number): number {
    this.catchUp();
    return this.smoothing > 0 ? this.smoothed[i] : this.history.value(i);
  }

  lines(x: XAxisKind): DrawnLines {
    this.catchUp();
    const h = this.history;
    const xOf = x === 'step' ? (i: number) => h.step(i) : (i: number) => h.time(i);
    const rawIndices = this.rawBuckets.indices();
    const raw = rawIndices.map((i) => ({ x: xOf(i), y: h.value(i) }));
    if (this.smoothing === 0) return { raw, smoothed: null, rawIndices, smoothedIndices: null };
    const smoothedIndices = this.smoothBuckets.indices();
    const smoothed = smoothedIndices.map((i) => ({ x: xOf(i), y: this.smoothed[i] }));
    return { raw, smoothed, rawIndices, smoothedIndices };
  }

  private restartSmoothing(): void {
    this.smoother = new Smoother(this.smoothing);
    this.smoothBuckets = new MinMaxBuckets(this.maxBuckets);
    this.smoothDone = 0;
  }

  private catchUp(): void {
    const h = this.history;
    for (; this.rawDone < h.length; this.rawDone++) {
      const v = h.value(this.rawDone);
      if (Number.isFinite(v)) this.rawBuckets.add(this.rawDone, v);
    }
    if (this.smoothing === 0) return;
    if (this.smoothed.length < h.length) {
      const grown = new Float32Array(Math.max(h.length, 2 * this.smoothed.length, 256));
      grown.set(this.smoothed.subarray(0, this.smoothDone));
      this.smoothed = grown;
    }
    for (; this.smoothDone < h.length; this.smoothDone++) {
      const s = this.smoother.next(h.value(this.smoothDone));
      this.smoothed[this.smoothDone] = s;
      if (Number.isFinite(s)) this.smoothBuckets.add(this.smoothDone, s);
    }
  }
}
