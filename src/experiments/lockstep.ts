/**
 * The experiment's run groups and the loop that steps them in lockstep: one tick queues one step
 * of every group, chunks of ticks fill about a frame, and the loop yields to the browser between
 * chunks and waits when a group's metrics history is full (back-pressure, so no step's record is
 * ever lost). Operations that change groups run exclusively, between chunks, one at a time, in
 * the order they were asked for. It also rebuilds groups, carrying runs' checkpoints across.
 */
import type { GroupSpec, RunSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import type { RunCheckpoint, TrainerBackend, TrainerGroup } from '../training/trainer';
import type { ExperimentStatus } from './experiment';

export interface GroupSlot {
  key: string;
  runIds: string[];
  spec: GroupSpec;
  group: TrainerGroup;
  /** Training clock (seconds) when each not-yet-delivered group step was queued. */
  stepClock: Map<number, number>;
}

export interface DesiredGroup {
  key: string;
  runIds: string[];
  spec: GroupSpec;
}

interface LockstepHooks {
  budget(): number;
  onRecords(slot: GroupSlot, records: readonly StepRecord[]): void;
  onStatus(): void;
}

/** Work queued per chunk aims at about this much wall time, so the page stays responsive. */
const TARGET_CHUNK_MS = 30;
const MAX_CHUNK = 32;

function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => resolve());
    else setTimeout(resolve, 0);
  });
}

export class Lockstep {
  slots: GroupSlot[] = [];
  /** Ticks since the last reset. */
  tick = 0;
  private status: ExperimentStatus = 'paused';
  private error?: string;
  private loop?: Promise<void>;
  private suspended = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private chunk = 1;
  private clockBase = 0;
  private playingSince?: number;
  private samples: [number, number][] = [];

  constructor(private readonly hooks: LockstepHooks) {}

  /** Seconds spent training (playing or stepping) since the last reset. */
  clock(): number {
    return this.clockBase + (this.playingSince !== undefined ? (performance.now() - this.playingSince) / 1000 : 0);
  }

  restoreClock(tick: number, clock: number): void {
    this.tick = tick;
    this.clockBase = clock;
  }

  /** The clock when `slot` queued group step `step` (consumed: each step is asked once). */
  clockAt(slot: GroupSlot, step: number): number {
    const t = slot.stepClock.get(step);
    slot.stepClock.delete(step);
    return t ?? this.clock();
  }

  snapshot(): { status: ExperimentStatus; step: number; stepsPerSecond: number; error?: string } {
    return { status: this.status, step: this.tick, stepsPerSecond: this.stepsPerSecond(), error: this.error };
  }

  play(): void {
    if (this.status !== 'paused' && this.status !== 'done') return;
    if (this.budgetReached()) return;
    this.setStatus('playing');
    this.startLoop();
  }

  pause(): void {
    if (this.status === 'playing') this.setStatus('paused');
  }

  /** Stops for good (the experiment is being destroyed). */
  stop(): void {
    this.status = 'paused';
  }

  /** One tick while paused or done; resolves when its records are delivered. */
  stepOnce(): Promise<void> {
    return this.exclusive(async () => {
      if (this.status === 'playing' || this.status === 'error') return;
      const start = performance.now();
      this.tickOnce();
      await this.settleAll();
      this.clockBase += (performance.now() - start) / 1000;
      if (this.status === 'done' && !this.budgetReached()) this.setStatus('paused');
      this.hooks.onStatus();
    });
  }

  /**
   * Runs `fn` with the loop suspended and every queued step settled, after the operations asked
   * for before it. The loop resumes afterwards if the experiment is still playing.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.suspended++;
      try {
        await this.loop;
        await this.settleAll();
        return await fn();
      } catch (e) {
        if (!(e instanceof Error && e.name === 'ExperimentError') && !(e instanceof Error && e.name === 'ConfigError')) this.fail(e);
        throw e;
      } finally {
        this.suspended--;
        if (this.status === 'playing' && this.suspended === 0 && !this.loop) this.startLoop();
      }
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Every group back to step 0. */
  resetAll(): void {
    for (const s of this.slots) {
      s.group.reset();
      s.stepClock.clear();
    }
    this.tick = 0;
    this.clockBase = 0;
    if (this.playingSince !== undefined) this.playingSince = performance.now();
    this.samples = [];
    if (this.status === 'done') this.setStatus('paused');
  }

  /**
   * New live settings for every group. A group that was built without the dispatches they need
   * (a run turns on a kind of dropout none of its runs used) is rebuilt with them instead: its runs'
   * checkpoints are read, a new group is made with the new settings, takes them back, and
   * continues the data stream at the current tick; the old group is freed.
   */
  configureRuns(ids: readonly string[], specs: readonly RunSpec[]): void {
    const byId = new Map(ids.map((id, i) => [id, specs[i]]));
    for (const s of this.slots) s.group.configureRuns(s.runIds.map((id) => byId.get(id)!));
  }

  restartRuns(ids: readonly string[]): void {
    for (const s of this.slots) {
      const indices = s.runIds.flatMap((id, i) => (ids.includes(id) ? [i] : []));
      if (indices.length > 0) s.group.restartRuns(indices);
    }
  }

  renameRun(from: string, to: string): void {
    for (const s of this.slots) s.runIds = s.runIds.map((id) => (id === from ? to : id));
  }

  async readCheckpoints(): Promise<Map<string, RunCheckpoint>> {
    const out = new Map<string, RunCheckpoint>();
    for (const s of this.slots) {
      const cps = await s.group.readCheckpoints();
      s.runIds.forEach((id, i) => out.set(id, cps[i]));
    }
    return out;
  }

  async writeCheckpoints(checkpoints: ReadonlyMap<string, RunCheckpoint>, tick: number): Promise<void> {
    for (const s of this.slots) {
      const indices = s.runIds.flatMap((id, i) => (checkpoints.has(id) ? [i] : []));
      if (indices.length > 0) s.group.writeCheckpoints(indices, indices.map((i) => checkpoints.get(s.runIds[i])!));
    }
    this.tick = tick;
  }

  /** A fresh optimizer for one run (its kind changed): weights and step kept, state zeroed. */
  async clearOptimizer(id: string): Promise<void> {
    const slot = this.slots.find((s) => s.runIds.includes(id));
    if (!slot) return;
    const i = slot.runIds.indexOf(id);
    const cp = (await slot.group.readCheckpoints())[i];
    slot.group.writeCheckpoints([i], [{ ...cp, optimizer: cp.optimizer.map((a) => new Float32Array(a.length)) }]);
  }

  /**
   * Makes the groups match `desired`. A group whose key, runs, task, evaluation and diagnostics
   * periods are unchanged (and holds no fresh run) is kept as it is; the others are rebuilt, every spec
   * checked before anything is freed or allocated, and each continuing run gets its checkpoint
   * back (a fork gets its parent's). Runs in `fresh` start from their initialisation.
   */
  async regroup(
    backend: TrainerBackend,
    desired: readonly DesiredGroup[],
    fresh: ReadonlySet<string>,
    forks: ReadonlyMap<string, string>,
  ): Promise<void> {
    const keeps = (d: DesiredGroup, s: GroupSlot) =>
      s.key === d.key && s.spec.task === d.spec.task && s.spec.evalEvery === d.spec.evalEvery &&
      (s.spec.diagnosticsEvery ?? 0) === (d.spec.diagnosticsEvery ?? 0) &&
      s.runIds.length === d.runIds.length && s.runIds.every((id, i) => id === d.runIds[i]) &&
      !d.runIds.some((id) => fresh.has(id) || forks.has(id));
    const kept = new Set<GroupSlot>();
    const build: DesiredGroup[] = [];
    for (const d of desired) {
      const slot = this.slots.find((s) => !kept.has(s) && keeps(d, s));
      if (slot) kept.add(slot);
      else build.push(d);
    }
    const checked = await Promise.all(build.map(async (d) => (await backend.validate(d.spec)).map((m) => `${d.spec.label}: ${m}`)));
    const problems = checked.flat();
    if (problems.length > 0) throw Object.assign(new Error(problems.join('\n')), { name: 'ConfigError' });

    // Checkpoints of runs that continue in a rebuilt group, and of fork parents.
    const wanted = new Set<string>();
    for (const d of build) {
      for (const id of d.runIds) {
        if (forks.has(id)) wanted.add(forks.get(id)!);
        else if (!fresh.has(id)) wanted.add(id);
      }
    }
    const saved = new Map<string, RunCheckpoint>();
    for (const s of this.slots) {
      if (!s.runIds.some((id) => wanted.has(id))) continue;
      const cps = await s.group.readCheckpoints();
      s.runIds.forEach((id, i) => wanted.has(id) && saved.set(id, cps[i]));
    }

    const created: GroupSlot[] = [];
    try {
      for (const d of build) {
        const slot: GroupSlot = { key: d.key, runIds: [...d.runIds], spec: d.spec, group: undefined as unknown as TrainerGroup, stepClock: new Map() };
        slot.group = await backend.createGroup(d.spec, (records) => this.hooks.onRecords(slot, records));
        created.push(slot);
      }
    } catch (e) {
      for (const s of created) s.group.destroy();
      throw e;
    }
    for (const s of this.slots) if (!kept.has(s)) s.group.destroy();
    for (const s of created) {
      const indices: number[] = [];
      const cps: RunCheckpoint[] = [];
      s.runIds.forEach((id, i) => {
        const cp = saved.get(forks.get(id) ?? id);
        if (cp && !fresh.has(id)) {
          indices.push(i);
          cps.push(cp);
        }
      });
      if (indices.length > 0) s.group.writeCheckpoints(indices, cps);
      s.group.seek(this.tick);
    }
    // Keep the document's order of groups: the order their first run appears.
    const order = (s: GroupSlot) => desired.findIndex((d) => d.key === s.key && d.runIds[0] === s.runIds[0]);
    this.slots = [...kept, ...created].sort((a, b) => order(a) - order(b));
  }

  destroyAll(): void {
    for (const s of this.slots) s.group.destroy();
    this.slots = [];
  }

  private budgetReached(): boolean {
    const budget = this.hooks.budget();
    return budget > 0 && this.tick >= budget;
  }

  private tickOnce(): void {
    const now = this.clock();
    for (const s of this.slots) {
      s.group.trainStep();
      s.stepClock.set(s.group.step, now);
    }
    this.tick++;
  }

  private async settleAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.group.settle()));
  }

  private startLoop(): void {
    this.playingSince ??= performance.now();
    const loop = this.runLoop().finally(() => {
      if (this.loop === loop) this.loop = undefined;
    });
    this.loop = loop;
  }

  private async runLoop(): Promise<void> {
    try {
      while (this.status === 'playing' && this.suspended === 0) {
        if (this.budgetReached()) {
          this.setStatus('done');
          break;
        }
        const start = performance.now();
        for (let i = 0; i < this.chunk && !this.budgetReached(); i++) {
          if (!this.slots.every((s) => s.group.canStep())) await this.settleAll();
          this.tickOnce();
        }
        await this.settleAll();
        const took = performance.now() - start;
        if (took < TARGET_CHUNK_MS && this.chunk < MAX_CHUNK) this.chunk *= 2;
        else if (took > 3 * TARGET_CHUNK_MS && this.chunk > 1) this.chunk /= 2;
        this.sample();
        this.hooks.onStatus();
        await nextFrame();
      }
    } catch (e) {
      this.fail(e);
    } finally {
      if (this.playingSince !== undefined && (this.status !== 'playing' || this.suspended > 0)) {
        this.clockBase += (performance.now() - this.playingSince) / 1000;
        this.playingSince = undefined;
      }
    }
  }

  /** Stops the loop with an error (its own, or one from outside: a lost device). */
  fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    this.setStatus('error');
  }

  private sample(): void {
    const now = performance.now();
    this.samples.push([now, this.tick]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 2000) this.samples.shift();
  }

  private stepsPerSecond(): number {
    if (this.status !== 'playing' || this.samples.length < 2) return 0;
    const [t0, s0] = this.samples[0];
    const [t1, s1] = this.samples[this.samples.length - 1];
    return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
  }

  private setStatus(status: ExperimentStatus): void {
    this.status = status;
    this.hooks.onStatus();
  }
}
