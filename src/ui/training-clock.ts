/**
 * Wall time of training for the charts' time axis: a clock that runs only while the session
 * trains (playing, or one Step), and stamps each arriving step with a time. Steps arrive in
 * batches after the GPU read-back, so a batch's steps are spread evenly between the previous
 * stamp and now: exact at batch ends, interpolated within. Pure logic; `now` is injected.
 */

export class TrainingClock {
  private elapsedMs = 0;
  private since?: number;
  private lastStep = 0;
  private lastSeconds = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  get running(): boolean {
    return this.since !== undefined;
  }

  start(): void {
    this.since ??= this.now();
  }

  stop(): void {
    if (this.since === undefined) return;
    this.elapsedMs += this.now() - this.since;
    this.since = undefined;
  }

  /** Seconds of training so far. */
  seconds(): number {
    return (this.elapsedMs + (this.since === undefined ? 0 : this.now() - this.since)) / 1000;
  }

  /** Back to zero (a reset); keeps running if it was. */
  reset(): void {
    this.elapsedMs = 0;
    if (this.since !== undefined) this.since = this.now();
    this.lastStep = 0;
    this.lastSeconds = 0;
  }

  /** Times in seconds for `steps` (increasing), which arrived just now. */
  stamp(steps: readonly number[]): number[] {
    if (steps.length === 0) return [];
    const now = Math.max(this.seconds(), this.lastSeconds);
    const from = this.lastStep;
    const to = steps[steps.length - 1];
    const t0 = this.lastSeconds;
    const times = steps.map((s) => (to > from ? t0 + ((now - t0) * Math.max(0, s - from)) / (to - from) : now));
    this.lastStep = to;
    this.lastSeconds = now;
    return times;
  }
}
