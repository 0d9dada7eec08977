/**
 * A bounded list of (step, value) points for one chart line. When it outgrows its capacity it
 * keeps every second point (the stride doubles), so the whole history stays visible at an even,
 * coarser resolution; the newest point is always kept so the line's end follows training.
 */

/** Chart.js's internal point format (used with `parsing: false`). */
export interface Point {
  x: number;
  y: number;
}

export class SeriesBuffer {
  readonly points: Point[] = [];
  /** Arrival number of each kept point. */
  private readonly arrivals: number[] = [];
  private received = 0;
  private stride = 1;

  constructor(readonly capacity: number) {
    if (!(capacity >= 2)) throw new Error(`series capacity must be at least 2, got ${capacity}`);
  }

  push(x: number, y: number): void {
    const last = this.arrivals.length - 1;
    // The previous newest point was only kept to end the line; the new one takes its place.
    if (last > 0 && this.arrivals[last] % this.stride !== 0) {
      this.points.pop();
      this.arrivals.pop();
    }
    this.points.push({ x, y });
    this.arrivals.push(this.received++);
    if (this.points.length > this.capacity) this.thin();
  }

  private thin(): void {
    this.stride *= 2;
    const last = this.points.length - 1;
    let kept = 0;
    for (let i = 0; i <= last; i++) {
      if (this.arrivals[i] % this.stride === 0 || i === last) {
        this.points[kept] = this.points[i];
        this.arrivals[kept] = this.arrivals[i];
        kept++;
      }
    }
    this.points.length = kept;
    this.arrivals.length = kept;
  }
}
