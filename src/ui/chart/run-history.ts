/**
 * One run's full raw history of one metric, kept compactly in typed arrays that double as they
 * fill (20 bytes a point): the source for CSV export and for the drawn, downsampled line. Pure
 * data, no DOM, no drawing.
 */

/** One value of a metric: `time` is seconds since that run started training. */
export interface MetricPoint {
  step: number;
  time: number;
  value: number;
}

const INITIAL_CAPACITY = 256;

export class RunHistory {
  /** Training step of each point (integers, increasing). */
  private stepData = new Uint32Array(INITIAL_CAPACITY);
  /** Seconds since the run started training; float32 keeps about a millisecond over hours. */
  private timeData = new Float32Array(INITIAL_CAPACITY);
  /** The values as given (float64, so learning rates such as 0.01 export exactly). */
  private valueData = new Float64Array(INITIAL_CAPACITY);
  length = 0;
  /** Step of the first value that was NaN or infinite. */
  firstNonFiniteStep?: number;
  /** Index of the newest finite value, -1 if none. */
  lastFiniteIndex = -1;

  /** Appends points whose steps increase past the last one kept. */
  append(points: readonly MetricPoint[]): void {
    this.reserve(this.length + points.length);
    let last = this.length > 0 ? this.stepData[this.length - 1] : -1;
    for (const { step, time, value } of points) {
      if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) throw new Error(`step must be a non-negative integer, got ${step}`);
      if (step <= last) throw new Error(`steps must increase: ${step} after ${last}`);
      const i = this.length++;
      this.stepData[i] = step;
      this.timeData[i] = time;
      this.valueData[i] = value;
      if (Number.isFinite(value)) this.lastFiniteIndex = i;
      else this.firstNonFiniteStep ??= step;
      last = step;
    }
  }

  step(i: number): number {
    return this.stepData[i];
  }

  time(i: number): number {
    return this.timeData[i];
  }

  value(i: number): number {
    return this.valueData[i];
  }

  /** The newest finite value, if any. */
  latest(): number | undefined {
    return this.lastFiniteIndex >= 0 ? this.valueData[this.lastFiniteIndex] : undefined;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.stepData.length) return;
    let size = this.stepData.length;
    while (size < capacity) size *= 2;
    const grow = <T extends Uint32Array | Float32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old.subarray(0, this.length));
      return next;
    };
    this.stepData = grow(this.stepData, (n) => new Uint32Array(n));
    this.timeData = grow(this.timeData, (n) => new Float32Array(n));
    this.valueData = grow(this.valueData, (n) => new Float64Array(n));
  }
}
