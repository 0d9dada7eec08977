/**
 * Shares animation frames between charts. Each chart asks for a redraw; one frame callback
 * draws the waiting charts in turn until its script budget is spent (by default one chart per
 * frame). A canvas's raster cost lands in the frame's commit, after the callback, where script
 * cannot time it, so the scheduler watches the frame that followed a draw: if it came late, it
 * rests as long as the overrun before drawing again. Many charts then never make one long task,
 * and drawing leaves about half the main thread to training even where canvases rasterise in
 * software. A chart is drawn at most once per frame. Pure logic: frame and clock are injected.
 */

export interface DrawJob {
  draw(): void;
}

export interface SchedulerClock {
  requestFrame(callback: () => void): unknown;
  now(): number;
}

const browserClock: SchedulerClock = {
  requestFrame: (callback) => requestAnimationFrame(callback),
  now: () => performance.now(),
};

/** A frame this much later than the one before counts as an overrun. */
const FRAME_MS = 20;

export class DrawScheduler {
  private readonly waiting = new Set<DrawJob>();
  private scheduled = false;
  /** No drawing before this time. */
  private resumeAt = -Infinity;
  /** Start and script time of the last frame that drew, until the next frame has measured it. */
  private drewAt?: number;
  private drewFor = 0;

  constructor(
    /** Script time per frame after which the rest wait; at least one chart draws per frame. */
    readonly budgetMs = 0,
    private readonly clock: SchedulerClock = browserClock,
  ) {}

  request(job: DrawJob): void {
    this.waiting.add(job);
    this.schedule();
  }

  cancel(job: DrawJob): void {
    this.waiting.delete(job);
  }

  get pending(): number {
    return this.waiting.size;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.size === 0) return;
    this.scheduled = true;
    this.clock.requestFrame(() => this.frame());
  }

  private frame(): void {
    this.scheduled = false;
    const start = this.clock.now();
    if (this.drewAt !== undefined) {
      // The whole last drawing frame, raster included, is the gap between the two callbacks;
      // its script time is already paid for in resumeAt.
      const overrun = start - this.drewAt - FRAME_MS - this.drewFor;
      if (overrun > 0) this.resumeAt = Math.max(this.resumeAt, start + overrun);
      this.drewAt = undefined;
    }
    if (start >= this.resumeAt && this.waiting.size > 0) {
      // Jobs asked for again while drawing wait for a later frame.
      for (const job of [...this.waiting]) {
        this.waiting.delete(job);
        job.draw();
        if (this.clock.now() - start >= this.budgetMs) break;
      }
      const end = this.clock.now();
      this.resumeAt = Math.max(this.resumeAt, end + (end - start));
      this.drewAt = start;
      this.drewFor = end - start;
      // One more frame to measure this one, even if nothing waits.
      if (!this.scheduled) {
        this.scheduled = true;
        this.clock.requestFrame(() => this.frame());
      }
      return;
    }
    this.schedule();
  }
}

/** The scheduler every chart on the page shares. */
export const chartDrawScheduler = new DrawScheduler();
