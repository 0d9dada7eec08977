/**
 * A TrainingSession over one run group: the play loop, Step, Reset, and the steps-per-second
 * figure. The loop submits steps in chunks sized to keep a frame's worth of work queued, waits
 * for the queue between chunks (never inside a step) so the GPU never falls far behind the UI,
 * and yields to the browser every chunk.
 */
import type { Engine } from '../engine/engine';
import { RunGroup } from '../training/run-group';
import type { GroupSpec } from '../training/group-spec';
import type { RunInfo, SessionListener, SessionSnapshot, SessionStatus, StepRecord, TrainingSession } from './session';

// At most half the metrics history (64 steps) between two readbacks, so no step is lost.
const MAX_CHUNK = 32;
const TARGET_CHUNK_MS = 30;

function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => resolve());
    else setTimeout(resolve, 0);
  });
}

export class GroupSession implements TrainingSession {
  private group!: RunGroup;
  private readonly listeners = new Set<SessionListener>();
  private status: SessionStatus = 'starting';
  private error?: string;
  private loop?: Promise<void>;
  private chunk = 1;
  /** (time ms, steps) samples over the last couple of seconds, for steps per second. */
  private samples: [number, number][] = [];
  readonly layerNames: readonly string[];

  private constructor(
    private readonly engine: Engine,
    readonly spec: GroupSpec,
    readonly runs: readonly RunInfo[],
  ) {
    this.layerNames = [...Array.from({ length: spec.numLayers }, (_, l) => `${spec.cell} layer ${l}`), 'head'];
  }

  static async create(engine: Engine, spec: GroupSpec, runs: readonly RunInfo[]): Promise<GroupSession> {
    const session = new GroupSession(engine, spec, runs);
    session.group = await RunGroup.create(engine, spec, (records) => session.emitRecords(records));
    session.setStatus('paused');
    return session;
  }

  snapshot(): SessionSnapshot {
    return { status: this.status, step: this.group?.step ?? 0, stepsPerSecond: this.stepsPerSecond(), error: this.error };
  }

  subscribe(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  play(): void {
    if (this.status !== 'paused') return;
    this.setStatus('playing');
    this.loop = this.run();
  }

  pause(): void {
    if (this.status === 'playing') this.setStatus('paused');
  }

  async step(): Promise<void> {
    if (this.status !== 'paused') return;
    await this.guard(async () => {
      this.group.trainStep();
      await this.group.settle();
    });
    this.notifyStatus();
  }

  async reset(): Promise<void> {
    this.pause();
    await this.loop;
    if (this.status === 'error') return;
    this.group.reset();
    this.samples = [];
    for (const l of this.listeners) l.onReset?.();
    this.notifyStatus();
  }

  dispose(): void {
    this.pause();
    this.listeners.clear();
    void this.loop?.then(() => this.group.destroy());
    if (!this.loop) this.group.destroy();
  }

  private async run(): Promise<void> {
    await this.guard(async () => {
      while (this.status === 'playing') {
        const start = performance.now();
        if (!this.group.canStep()) await this.group.settle();
        for (let i = 0; i < this.chunk && this.group.canStep(); i++) this.group.trainStep();
        await this.engine.device.queue.onSubmittedWorkDone();
        const took = performance.now() - start;
        if (took < TARGET_CHUNK_MS && this.chunk < MAX_CHUNK) this.chunk *= 2;
        else if (took > 3 * TARGET_CHUNK_MS && this.chunk > 1) this.chunk /= 2;
        this.sample();
        this.notifyStatus();
        await nextFrame();
      }
      await this.group.settle();
    });
    this.notifyStatus();
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.setStatus('error');
    }
  }

  private sample(): void {
    const now = performance.now();
    this.samples.push([now, this.group.step]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 2000) this.samples.shift();
  }

  private stepsPerSecond(): number {
    if (this.status !== 'playing' || this.samples.length < 2) return 0;
    const [t0, s0] = this.samples[0];
    const [t1, s1] = this.samples[this.samples.length - 1];
    return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
  }

  private emitRecords(records: readonly StepRecord[]): void {
    for (const l of this.listeners) l.onRecords?.(records);
  }

  private setStatus(status: SessionStatus): void {
    this.status = status;
    this.notifyStatus();
  }

  private notifyStatus(): void {
    const snap = this.snapshot();
    for (const l of this.listeners) l.onStatus?.(snap);
  }
}
