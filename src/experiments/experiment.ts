/**
 * A running experiment: the document, its runs partitioned into run groups on one backend, all
 * groups stepped in lockstep, each run's history, and the operations a person performs while it
 * trains (DESIGN decisions 1 and 9). A change to a run applies live, restarts that run, or
 * rebuilds only its group, moving the other runs' weights and optimizer state across so they
 * carry on where they were. Headless: views subscribe; nothing here touches the DOM.
 */
import type { ExperimentDoc, RunConfig } from '../config/experiment';
import { MAX_RUNS } from '../config/experiment';
import { withField } from '../config/edit';
import type { FieldIssue } from '../config/field';
import { defaultRun, ExperimentError, parseExperiment } from '../config/parse';
import { RUN_COLORS } from '../config/fields/run';
import { fieldsOf } from '../config/table';
import type { Task } from '../data/task';
import type { TaskData, TaskSources } from '../data/tasks';
import type { StepRecord } from '../training/metrics';
import type { BackendKind, RunCheckpoint, TrainerBackend } from '../training/trainer';
import { RunHistory, type RunRecord } from './history';
import { changeKind, createTask, groupKey, partitionRuns, toGroupSpec, toRunSpec } from './structure';
import { Lockstep, type GroupSlot } from './lockstep';

export type ExperimentStatus = 'paused' | 'playing' | 'done' | 'error';

/** One run as the views see it. */
export interface RunState {
  config: RunConfig;
  backend: BackendKind;
  /** Steps of this run whose records arrived. */
  step: number;
  /**
   * Set at the first non-finite loss, gradient norm or updated weight (divergedIn: 'loss',
   * 'gradient of layer 0', 'gradient of head', 'update', ...); the run's later records are dropped.
   */
  divergedAt?: number;
  divergedIn?: string;
}

export interface ExperimentSnapshot {
  status: ExperimentStatus;
  /** Lockstep ticks since the last reset (each tick steps every run once). */
  step: number;
  budget: number;
  stepsPerSecond: number;
  error?: string;
}

export interface ExperimentListener {
  onRecords?(runId: string, records: readonly RunRecord[]): void;
  /** The list of runs, a run's settings or its divergence changed. */
  onRuns?(runs: readonly RunState[]): void;
  /** A run's history was cleared (it restarted) or replaced (a fork's past, a restore). */
  onHistory?(runId: string, history: RunHistory): void;
  onStatus?(snapshot: ExperimentSnapshot): void;
  /** The document changed (for the URL and autosave). */
  onDoc?(doc: ExperimentDoc): void;
}

interface RunEntry {
  config: RunConfig;
  history: RunHistory;
  /** Training clock (seconds) at this run's step 0. */
  clockAtStart: number;
  divergedAt?: number;
  divergedIn?: string;
}

/** Saved state: enough to continue exactly (src/experiments/persistence.ts stores it). */
export interface ExperimentState {
  doc: ExperimentDoc;
  tick: number;
  clock: number;
  histories: Record<string, RunHistory>;
  checkpoints: Record<string, RunCheckpoint>;
}

export class Experiment {
  private entries = new Map<string, RunEntry>();
  private readonly listeners = new Set<ExperimentListener>();
  private task!: Task;
  private readonly lockstep: Lockstep;
  /** Group steps between per-timestep gradient norms (0: never); a view asks for them while it shows them. */
  private diagnosticsEvery = 0;

  private constructor(
    private docValue: ExperimentDoc,
    private backend: TrainerBackend,
    private sources: TaskSources,
  ) {
    this.lockstep = new Lockstep({
      budget: () => this.docValue.budget,
      onRecords: (slot, records) => this.onGroupRecords(slot, records),
      onStatus: () => this.notifyStatus(),
    });
  }

  /**
   * Builds every group (all checked before any is allocated) and starts paused at step 0.
   * `sources` gives the task its data: the bundled source corpus's loader, the user's text or CSV.
   */
  static async create(doc: ExperimentDoc, backend: TrainerBackend, sources: TaskSources = {}): Promise<Experiment> {
    const e = new Experiment(doc, backend, sources);
    e.task = await createTask(doc, sources);
    for (const run of doc.runs) e.entries.set(run.id, { config: run, history: new RunHistory(), clockAtStart: 0 });
    await e.regroup(new Map());
    return e;
  }

  /** Rebuilds an experiment from saved state: same document, weights, optimizer state, histories. */
  static async restore(state: ExperimentState, backend: TrainerBackend, sources: TaskSources = {}): Promise<Experiment> {
    const e = await Experiment.create(state.doc, backend, sources);
    for (const [id, entry] of e.entries) entry.history = state.histories[id] ?? new RunHistory();
    await e.lockstep.writeCheckpoints(new Map(Object.entries(state.checkpoints)), state.tick);
    e.lockstep.restoreClock(state.tick, state.clock);
    return e;
  }

  get doc(): ExperimentDoc {
    return this.docValue;
  }

  /** The task every run learns (its metric, vocabulary, baseline). */
  get currentTask(): Task {
    return this.task;
  }

  get backendKind(): BackendKind {
    return this.backend.kind;
  }

  runs(): RunState[] {
    return this.docValue.runs.map((config) => {
      const e = this.entries.get(config.id)!;
      return { config, backend: this.backend.kind, step: e.history.lastStep, divergedAt: e.divergedAt, divergedIn: e.divergedIn };
    });
  }

  history(runId: string): RunHistory | undefined {
    return this.entries.get(runId)?.history;
  }

  snapshot(): ExperimentSnapshot {
    return { ...this.lockstep.snapshot(), budget: this.docValue.budget };
  }

  subscribe(listener: ExperimentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  play(): void {
    this.lockstep.play();
  }

  pause(): void {
    this.lockstep.pause();
  }

  /** Resolves once the loop has stopped (after a pause) and every queued step's records are delivered. */
  idle(): Promise<void> {
    return this.lockstep.exclusive(async () => undefined);
  }

  /** Steps whose metrics were lost before they could be read back, over all groups (back-pressure keeps it 0). */
  lostSteps(): number {
    return this.lockstep.slots.reduce((n, s) => n + s.group.lostSteps, 0);
  }

  /** One lockstep tick while paused; resolves once its records are delivered. */
  step(): Promise<void> {
    return this.lockstep.stepOnce();
  }

  /** Every run back to step 0 (same seeds, so the same curves come back); keeps playing if it was. */
  reset(): Promise<void> {
    return this.lockstep.exclusive(async () => {
      this.lockstep.resetAll();
      for (const [id, e] of this.entries) {
        e.history = new RunHistory();
        e.clockAtStart = 0;
        e.divergedAt = e.divergedIn = undefined;
        this.emit((l) => l.onHistory?.(id, e.history));
      }
      this.emitRuns();
    });
  }

  /**
   * Sets one field of a run (path as in the file, e.g. `optimizer.lr`); undefined removes an
   * optional field. Returns the problems (nothing changes then) or [] once applied: live fields
   * from the next step, `restart` fields restart that run, `rebuild` fields rebuild its group.
   */
  setRunField(runId: string, path: string, value: unknown): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const index = this.docValue.runs.findIndex((r) => r.id === runId);
      if (index < 0) return [{ path: 'runs', message: `no run with id "${runId}"` }];
      const before = this.docValue.runs[index];
      const { out, issues } = withField(before as unknown as Record<string, unknown>, fieldsOf('run'), path, value, `runs[${index}]`, index);
      if (!out) return issues;
      const runs = this.docValue.runs.map((r, i) => (i === index ? (out as unknown as RunConfig) : r));
      const next = this.checked({ ...this.docValue, runs });
      if (!next.doc) return next.issues;
      const after = next.doc.runs[index];
      if (path === 'id' && after.id !== before.id) {
        const e = this.entries.get(before.id)!;
        this.entries.delete(before.id);
        this.entries.set(after.id, e);
        this.lockstep.renameRun(before.id, after.id);
      }
      const kind = changeKind(before, after);
      await this.commit(next.doc, kind === 'restart' || kind === 'rebuild' ? [after.id] : [], kind === 'rebuild');
      if (kind === 'live' && before.optimizer.kind !== after.optimizer.kind) await this.lockstep.clearOptimizer(after.id);
      return [];
    });
  }

  /** Sets a field of the experiment itself or of the task (`task.noise`); task changes restart every run. */
  setField(path: string, value: unknown): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const isTask = path.startsWith('task.');
      const scope = isTask ? 'task' : 'experiment';
      const local = isTask ? path.slice(5) : path;
      const { task, runs, version, ...top } = this.docValue;
      const obj = (isTask ? task : top) as unknown as Record<string, unknown>;
      const { out, issues } = withField(obj, fieldsOf(scope), local, value, isTask ? 'task' : '');
      if (!out) return issues;
      const next = this.checked(isTask ? { ...this.docValue, task: out as ExperimentDoc['task'] } : { version, task, runs, ...out } as ExperimentDoc);
      if (!next.doc) return next.issues;
      const def = fieldsOf(scope).find((f) => f.path === local);
      if (isTask) {
        const built = await this.buildTask(next.doc, this.sources);
        if ('issues' in built) return built.issues;
        this.task = built.task;
        await this.commit(next.doc, next.doc.runs.map((r) => r.id), true);
      } else {
        await this.commit(next.doc, [], def?.apply === 'rebuild');
      }
      return [];
    });
  }

  /**
   * Replaces the whole task and the user's own data it may train on (a CSV for `series`, a text
   * for `charlm` with corpus `user`); every run restarts. A task that cannot be built from the
   * data is refused with the reason, and nothing changes.
   */
  setTask(task: Record<string, unknown>, user: TaskData | undefined): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const next = this.checked({ ...this.docValue, task: task as ExperimentDoc['task'] });
      if (!next.doc) return next.issues;
      const sources = { ...this.sources, user };
      const built = await this.buildTask(next.doc, sources);
      if ('issues' in built) return built.issues;
      this.sources = sources;
      this.task = built.task;
      await this.commit(next.doc, next.doc.runs.map((r) => r.id), true);
      return [];
    });
  }

  /** The user's own data the task was built from, if any. */
  get userData(): TaskData | undefined {
    return this.sources.user;
  }

  /**
   * Puts `params` (the run's parameter vector, PyTorch order then the head, as weights.ts reads
   * a file) into a run; its optimizer starts fresh, its step and history go on.
   */
  loadWeights(runId: string, params: Float32Array): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const slot = this.lockstep.slots.find((s) => s.runIds.includes(runId));
      if (!slot) return [{ path: 'runs', message: `no run with id "${runId}"` }];
      const i = slot.runIds.indexOf(runId);
      const cp = (await slot.group.readCheckpoints())[i];
      if (cp.params.length !== params.length) {
        return [{ path: 'runs', message: `the weights have ${params.length} values but run "${runId}" has ${cp.params.length}` }];
      }
      slot.group.writeCheckpoints([i], [{ ...cp, params, optimizer: cp.optimizer.map((a) => new Float32Array(a.length)) }]);
      return [];
    });
  }

  /**
   * Stops training at once with `error` (a lost GPU device, an uncaught GPU error): the status
   * turns to 'error' and play() does nothing from then on. Queued work is not waited for.
   */
  fail(error: unknown): void {
    this.lockstep.fail(error);
  }

  /** Adds a run: the defaults, then `patch` (a partial run, e.g. `{ cell: 'gru' }`). */
  addRun(patch: Record<string, unknown> = {}): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const index = this.docValue.runs.length;
      if (index >= MAX_RUNS) return [{ path: 'runs', message: `an experiment holds at most ${MAX_RUNS} runs` }];
      const id = this.freeId('run');
      let run: RunConfig;
      try {
        run = defaultRun(index, { id, label: `run ${index + 1}`, color: this.freeColor(), ...patch });
      } catch (e) {
        if (e instanceof ExperimentError) return [...e.issues];
        throw e;
      }
      return this.addRuns([run], new Map());
    });
  }

  /** A copy of a run with its own id, label and colour, and `patch` applied: a variant from step 0. */
  duplicateRun(runId: string, patch: Record<string, unknown> = {}): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const source = this.docValue.runs.find((r) => r.id === runId);
      if (!source) return [{ path: 'runs', message: `no run with id "${runId}"` }];
      const copy = { ...structuredClone(source), id: this.freeId(runId), label: `${source.label} (variant)`, color: this.freeColor(), ...patch };
      return this.addRuns([copy as RunConfig], new Map());
    });
  }

  /** A copy that starts where the run is now: its weights, optimizer state, step and history so far. */
  forkRun(runId: string): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      const source = this.docValue.runs.find((r) => r.id === runId);
      if (!source) return [{ path: 'runs', message: `no run with id "${runId}"` }];
      const id = this.freeId(runId);
      const copy: RunConfig = { ...structuredClone(source), id, label: `${source.label} (fork)`, color: this.freeColor() };
      return this.addRuns([copy], new Map([[id, runId]]));
    });
  }

  deleteRun(runId: string): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      if (this.docValue.runs.length <= 1) return [{ path: 'runs', message: 'an experiment needs at least one run' }];
      const runs = this.docValue.runs.filter((r) => r.id !== runId);
      if (runs.length === this.docValue.runs.length) return [{ path: 'runs', message: `no run with id "${runId}"` }];
      this.entries.delete(runId);
      await this.commit({ ...this.docValue, runs }, [], true);
      return [];
    });
  }

  /**
   * Computes the per-timestep gradient norms (RunRecord.gradThroughTime) every `every` group steps
   * from now on; 0 stops them. Groups are rebuilt with or without the extra dispatches, every
   * run's weights, optimizer state and step carried. Returns the problem, or [] once applied.
   */
  setDiagnosticsEvery(every: number): Promise<FieldIssue[]> {
    return this.lockstep.exclusive(async () => {
      if (!Number.isInteger(every) || every < 0 || every > 1_000_000) {
        return [{ path: 'diagnosticsEvery', message: `diagnosticsEvery must be an integer from 0 to 1000000, got ${every}` }];
      }
      if (every === this.diagnosticsEvery) return [];
      const before = this.diagnosticsEvery;
      this.diagnosticsEvery = every;
      try {
        await this.regroup(new Map());
      } catch (e) {
        this.diagnosticsEvery = before;
        throw e;
      }
      return [];
    });
  }

  /** The open task's loss (mse: regression) and what each output class is as text (text tasks). */
  get taskFacts(): { loss: Task['loss']; vocabulary?: readonly string[] } {
    return { loss: this.task.loss, vocabulary: this.task.vocabulary };
  }

  /** Everything needed to continue later (weights, optimizer state, histories). */
  saveState(): Promise<ExperimentState> {
    return this.lockstep.exclusive(async () => {
      const checkpoints = Object.fromEntries(await this.lockstep.readCheckpoints());
      const histories = Object.fromEntries([...this.entries].map(([id, e]) => [id, e.history.upTo(e.history.lastStep)]));
      return { doc: this.docValue, tick: this.lockstep.tick, clock: this.lockstep.clock(), histories, checkpoints };
    });
  }

  /** One run's weights as they are now (for export). */
  readCheckpoint(runId: string): Promise<RunCheckpoint | undefined> {
    return this.lockstep.exclusive(async () => (await this.lockstep.readCheckpoints()).get(runId));
  }

  /** Moves every group to another backend (the CPU one, say), weights and all. */
  switchBackend(backend: TrainerBackend): Promise<void> {
    return this.lockstep.exclusive(async () => {
      const checkpoints = await this.lockstep.readCheckpoints();
      const old = this.backend;
      this.lockstep.destroyAll();
      this.backend = backend;
      await this.regroup(new Map());
      await this.lockstep.writeCheckpoints(checkpoints, this.lockstep.tick);
      if (old !== backend) old.destroy();
      this.emitRuns();
    });
  }

  destroy(): void {
    this.lockstep.stop();
    this.lockstep.destroyAll();
    this.listeners.clear();
  }

  // ---- internals

  private checked(doc: ExperimentDoc): { doc?: ExperimentDoc; issues: FieldIssue[] } {
    return parseExperiment(doc);
  }

  /** The task of `doc`, or why its data cannot make one (the experiment goes on unchanged). */
  private async buildTask(doc: ExperimentDoc, sources: TaskSources): Promise<{ task: Task } | { issues: FieldIssue[] }> {
    try {
      return { task: await createTask(doc, sources) };
    } catch (e) {
      return { issues: [{ path: 'task', message: e instanceof Error ? e.message : String(e) }] };
    }
  }

  private freeId(base: string): string {
    const stem = base.replace(/-\d+$/, '');
    for (let n = 2; ; n++) {
      const id = `${stem}-${n}`;
      if (!this.entries.has(id)) return id;
    }
  }

  private freeColor(): string {
    const used = new Set(this.docValue.runs.map((r) => r.color));
    return RUN_COLORS.find((c) => !used.has(c)) ?? RUN_COLORS[this.docValue.runs.length % RUN_COLORS.length];
  }

  private async addRuns(added: RunConfig[], forks: Map<string, string>): Promise<FieldIssue[]> {
    const next = this.checked({ ...this.docValue, runs: [...this.docValue.runs, ...added] });
    if (!next.doc) return next.issues;
    for (const run of next.doc.runs.slice(this.docValue.runs.length)) {
      const parent = forks.get(run.id);
      const from = parent ? this.entries.get(parent) : undefined;
      this.entries.set(run.id, {
        config: run,
        history: from ? from.history.upTo(from.history.lastStep) : new RunHistory(),
        clockAtStart: from ? from.clockAtStart : this.lockstep.clock(),
      });
    }
    await this.commit(next.doc, added.filter((r) => !forks.has(r.id)).map((r) => r.id), true, forks);
    for (const id of forks.keys()) this.emit((l) => l.onHistory?.(id, this.entries.get(id)!.history));
    return [];
  }

  /**
   * Makes `doc` current. `fresh` runs start from their initialisation (histories cleared);
   * `regroup` rebuilds the groups whose membership or structure changed; `forks` maps a new run
   * to the run whose current state it takes.
   */
  private async commit(doc: ExperimentDoc, fresh: string[], regroup: boolean, forks = new Map<string, string>()): Promise<void> {
    const previous = this.docValue;
    this.docValue = doc;
    for (const run of doc.runs) this.entries.get(run.id)!.config = run;
    try {
      const ids = doc.runs.map((r) => r.id);
      const specs = doc.runs.map(toRunSpec);
      if (regroup || this.groupKeysChanged()) {
        await this.regroup(forks, new Set(fresh));
        this.lockstep.configureRuns(ids, specs);
      } else {
        // Settings first, so a restarted run draws its weights from its new seed and init.
        this.lockstep.configureRuns(ids, specs);
        if (fresh.length > 0) this.lockstep.restartRuns(fresh);
      }
    } catch (e) {
      this.docValue = previous;
      for (const run of previous.runs) {
        const entry = this.entries.get(run.id);
        if (entry) entry.config = run;
      }
      throw e;
    }
    for (const id of fresh) {
      const e = this.entries.get(id)!;
      e.history = new RunHistory();
      e.clockAtStart = this.lockstep.clock();
      e.divergedAt = e.divergedIn = undefined;
      this.emit((l) => l.onHistory?.(id, e.history));
    }
    this.emitRuns();
    this.emit((l) => l.onDoc?.(doc));
  }

  /** Whether the document's groups differ from the live ones by key (a trick turned on or off, see groupKey). */
  private groupKeysChanged(): boolean {
    const want = partitionRuns(this.docValue.runs).map(groupKey);
    const have = this.lockstep.slots.map((s) => s.key);
    return want.length !== have.length || want.some((k, i) => k !== have[i]);
  }

  /** Partitions the runs and rebuilds the groups that changed (see Lockstep.regroup). */
  private async regroup(forks: Map<string, string>, fresh = new Set<string>()): Promise<void> {
    const groups = partitionRuns(this.docValue.runs).map((runs) => ({
      key: groupKey(runs),
      runIds: runs.map((r) => r.id),
      spec: toGroupSpec(this.docValue, this.task, runs, this.diagnosticsEvery),
    }));
    await this.lockstep.regroup(this.backend, groups, fresh, forks);
  }

  private onGroupRecords(slot: GroupSlot, records: readonly StepRecord[]): void {
    const out = new Map<string, RunRecord[]>();
    for (const record of records) {
      const clock = this.lockstep.clockAt(slot, record.step);
      record.runs.forEach((m, r) => {
        const id = slot.runIds[r];
        const entry = this.entries.get(id);
        if (!entry || entry.divergedAt !== undefined) return;
        const step = m.runStep ?? record.step;
        if (step <= entry.history.lastStep) return; // a step from before a restart or restore
        const run: RunRecord = { ...m, step, time: Math.max(0, clock - entry.clockAtStart) };
        // The GPU's anomaly flag names the step and the place (a layer's gradient, the update);
        // a backend without one (the CPU) is judged here from the loss and the gradient norm.
        if (m.anomaly) {
          entry.divergedAt = m.anomaly.step;
          entry.divergedIn = m.anomaly.where;
          this.emitRuns();
        } else if (!Number.isFinite(m.loss) || !Number.isFinite(m.gradNorm)) {
          entry.divergedAt = step;
          entry.divergedIn = !Number.isFinite(m.loss) ? 'loss' : gradientPlace(m.layerGradNorms);
          this.emitRuns();
        }
        entry.history.push(run);
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push(run);
      });
    }
    for (const [id, list] of out) this.emit((l) => l.onRecords?.(id, list));
  }

  private emit(fn: (l: ExperimentListener) => void): void {
    for (const l of this.listeners) fn(l);
  }

  private emitRuns(): void {
    const runs = this.runs();
    this.emit((l) => l.onRuns?.(runs));
  }

  private notifyStatus(): void {
    const snap = this.snapshot();
    this.emit((l) => l.onStatus?.(snap));
  }
}

/**
 * Where a non-finite gradient is, from the segment norms (one per layer, bottom first, then the
 * head, as modelLayout's segments): the names the GPU's anomaly flag uses.
 */
export function gradientPlace(segmentNorms: readonly number[]): string {
  const s = segmentNorms.findIndex((n) => !Number.isFinite(n));
  if (s < 0) return 'gradient';
  return s === segmentNorms.length - 1 ? 'gradient of head' : `gradient of layer ${s}`;
}
