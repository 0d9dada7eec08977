/**
 * The page's side of the CPU backend in a worker: WorkerCpuBackend and its group proxies present
 * the TrainerBackend / TrainerGroup interfaces and talk to host.ts through a Worker (or any
 * MessagePort). trainStep fills the step's batch with the task's own `fill`, posts it with its
 * arrays transferred and returns at once; records arrive by message. Not the training maths.
 */
import { allocateBatch, type Task, type TaskBatch } from '../data/task';
import { modelLayout } from '../model/model-layout';
import { windowPlan } from '../training/bptt';
import { groupTricks, validateGroupSpec, type GroupSpec, type RunSpec } from '../training/group-spec';
import { prunedMatrices } from '../training/prune';
import type { StepRecord } from '../training/metrics';
import { ConfigError } from '../training/run-group';
import type { RecordSink, RunCheckpoint, TrainerBackend, TrainerGroup } from '../training/trainer';
import { checkCheckpoints, checkRunIndex, liveRunErrors } from './checks';
import { normRunningSize } from './norm-network';
import {
  batchBuffers, checkpointBuffers, type FromWorker, type MessagePortLike, type ToWorker, type WireBatch, type WireSpec,
} from './protocol';
import { evalBatches, evaluates } from '../training/eval-batches';

/** Steps a proxy lets wait in the worker before canStep() says no (the worker never idles at 2). */
export const DEFAULT_MAX_QUEUED = 4;

export type CpuPort = MessagePortLike<FromWorker, ToWorker>;

export interface WorkerBackendOptions {
  /** Steps queued in the worker before canStep() turns false (default DEFAULT_MAX_QUEUED). */
  maxQueued?: number;
  /** Called by destroy() after the groups are gone (e.g. Worker.terminate). */
  close?: () => void;
}

type Waiter = { resolve: (value: unknown) => void; reject: (e: Error) => void };

function errorFrom(msg: Extract<FromWorker, { type: 'error' }>): Error {
  if (msg.name === 'ConfigError') return new ConfigError(msg.details ?? [msg.message]);
  const e = new Error(msg.message);
  e.name = msg.name;
  return e;
}

export class WorkerCpuBackend implements TrainerBackend {
  readonly kind = 'cpu' as const;
  private readonly groups = new Map<number, WorkerCpuGroup>();
  private readonly waiting = new Map<number, Waiter>();
  private nextGroup = 1;
  private nextRequest = 1;
  private failure: Error | null = null;

  validate(spec: GroupSpec): string[] {
    return validateGroupSpec(spec);
  }

  constructor(
    private readonly port: CpuPort,
    private readonly options: WorkerBackendOptions = {},
  ) {
    port.onmessage = (event) => this.receive(event.data);
  }

  async createGroup(given: GroupSpec, onRecords: RecordSink): Promise<TrainerGroup> {
    if (this.failure) throw this.failure;
    const errors = validateGroupSpec(given);
    if (errors.length > 0) throw new ConfigError(errors);
    const spec: GroupSpec = { ...given, tricks: groupTricks(given) };
    const { task, seqLen: T, batch: B } = spec;
    const val: WireBatch[] = evaluates(spec) ? evalBatches(task, T, B, spec.head) : [];
    const info = { key: task.key, inputSize: task.inputSize, outputSize: task.outputSize, loss: task.loss, metric: task.metric, valBatches: task.valBatches };
    const wireSpec: WireSpec = { ...spec, task: info };
    const id = this.nextGroup++;
    const group = new WorkerCpuGroup(this, id, spec, onRecords, this.options.maxQueued ?? DEFAULT_MAX_QUEUED);
    this.groups.set(id, group);
    try {
      await this.request((request) => this.post({ type: 'create', group: id, request, spec: wireSpec, val }, val.flatMap(batchBuffers)));
    } catch (e) {
      this.groups.delete(id);
      throw e;
    }
    return group;
  }

  /** The worker failed as a whole (a script error): every group and request fails with `error`. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    for (const g of this.groups.values()) g.fail(error);
  }

  destroy(): void {
    for (const g of [...this.groups.values()]) g.destroy();
    this.options.close?.();
  }

  /** Posts a message that expects one answer carrying its request number. */
  request<T>(send: (request: number) => void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const request = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(request, { resolve: resolve as (v: unknown) => void, reject });
      send(request);
    });
  }

  post(message: ToWorker, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }

  forget(group: number): void {
    this.groups.delete(group);
  }

  private receive(msg: FromWorker): void {
    if (msg.type === 'records') {
      this.groups.get(msg.group)?.receive(msg.epoch, msg.records, msg.batch);
      return;
    }
    if (msg.type === 'error' && msg.request === undefined) {
      this.groups.get(msg.group)?.fail(errorFrom(msg));
      return;
    }
    const waiter = this.waiting.get(msg.request!);
    if (!waiter) return;
    this.waiting.delete(msg.request!);
    if (msg.type === 'error') waiter.reject(errorFrom(msg));
    else waiter.resolve(msg.type === 'checkpoints' ? msg.checkpoints : undefined);
  }
}


/** A CPU group in the worker, seen from the page. Keeps its own step counts to answer at once. */
export class WorkerCpuGroup implements TrainerGroup {
  readonly backend = 'cpu' as const;
  readonly lostSteps = 0;
  step = 0;
  private readonly steps: number[];
  private readonly task: Task;
  private readonly paramCount: number;
  /** Floats of one run's kept BPTT state [L][B][H]. */
  private readonly stateSize: number;
  /** Floats of one run's pruning masks [Pw]. */
  private readonly maskSize: number;
  /** Floats of a run's batch norm running statistics in a checkpoint (0 without batch norm). */
  private readonly runningSize: number;
  /** Batches handed back by the worker, ready for the next steps. */
  private readonly pool: TaskBatch[] = [];
  private delivered = 0;
  /** Resets so far: records of steps queued before the last reset are dropped. */
  private epoch = 0;
  private failure: Error | null = null;
  private destroyed = false;

  constructor(
    private readonly owner: WorkerCpuBackend,
    private readonly id: number,
    private currentSpec: GroupSpec,
    private readonly onRecords: RecordSink,
    private readonly maxQueued: number,
  ) {
    this.task = currentSpec.task;
    this.steps = new Array<number>(currentSpec.runs.length).fill(0);
    const shape = {
      cell: currentSpec.cell, inputSize: this.task.inputSize, hiddenSize: currentSpec.hiddenSize, numLayers: currentSpec.numLayers,
      bidirectional: currentSpec.bidirectional, norm: currentSpec.norm,
    };
    const layout = modelLayout(shape, this.task.outputSize);
    this.runningSize = normRunningSize(layout.plan, currentSpec.seqLen);
    this.paramCount = layout.paramCount;
    this.maskSize = prunedMatrices(layout.rnn).reduce((a, m) => a + m.length, 0);
    this.stateSize = layout.plan.directions.length * currentSpec.batch * currentSpec.hiddenSize;
  }

  get spec(): GroupSpec {
    return this.currentSpec;
  }

  get runSteps(): readonly number[] {
    return this.steps;
  }

  canStep(): boolean {
    return !this.failure && !this.destroyed && this.step - this.delivered < this.maxQueued;
  }

  trainStep(): void {
    this.usable();
    if (!this.canStep()) throw new Error(`cpu group: ${this.step - this.delivered} steps already queued; wait for canStep() or settle()`);
    const { bptt, seqLen: T, batch: B } = this.currentSpec;
    const plan = windowPlan(bptt, T, this.step);
    const data = this.pool.pop() ?? allocateBatch(this.task, T, B);
    this.task.fill(plan.episode, plan.t0, T, B, data);
    // Only the arrays the group reads: a task may have hung its own metric weights on the batch.
    const batch: WireBatch = { x: data.x, target: data.target, weight: data.weight };
    this.owner.post({ type: 'step', group: this.id, epoch: this.epoch, episode: plan.episode, t0: plan.t0, batch }, batchBuffers(batch));
    this.step++;
    for (let r = 0; r < this.steps.length; r++) this.steps[r]++;
  }

  async settle(): Promise<void> {
    this.usable();
    await this.owner.request((request) => this.owner.post({ type: 'settle', group: this.id, request }));
    if (this.failure) throw this.failure;
  }

  configureRuns(runs: readonly RunSpec[]): void {
    this.usable();
    const errors = liveRunErrors(runs, this.steps.length, this.currentSpec);
    if (errors.length > 0) throw new ConfigError(errors);
    const copy = runs.map((run) => ({ ...run }));
    this.owner.post({ type: 'configure', group: this.id, runs: copy });
    this.currentSpec = { ...this.currentSpec, runs: copy };
  }

  restartRuns(indices: readonly number[]): void {
    this.usable();
    for (const r of indices) checkRunIndex(r, this.steps.length);
    this.owner.post({ type: 'restart', group: this.id, indices: [...indices] });
    for (const r of indices) this.steps[r] = 0;
  }

  reset(): void {
    this.usable();
    this.owner.post({ type: 'reset', group: this.id });
    this.epoch++;
    this.step = 0;
    this.delivered = 0;
    this.steps.fill(0);
  }

  seek(step: number): void {
    this.usable();
    if (!Number.isSafeInteger(step) || step < 0) throw new Error(`cpu group: seek needs a step >= 0, got ${step}`);
    this.owner.post({ type: 'seek', group: this.id, step });
    this.epoch++; // records of steps queued before are dropped
    this.step = step;
    this.delivered = step;
  }

  readCheckpoints(): Promise<RunCheckpoint[]> {
    this.usable();
    return this.owner.request<RunCheckpoint[]>((request) => this.owner.post({ type: 'read', group: this.id, request }));
  }

  writeCheckpoints(indices: readonly number[], checkpoints: readonly RunCheckpoint[]): void {
    this.usable();
    checkCheckpoints(indices, checkpoints, this.paramCount, this.steps.length, this.stateSize, this.maskSize, this.runningSize);
    // Copies, so the caller keeps its arrays (transferring would detach them).
    const copies = checkpoints.map((cp) => ({
      step: cp.step, params: cp.params.slice(), optimizer: cp.optimizer.map((s) => s.slice()),
      extra: Object.fromEntries(Object.entries(cp.extra).map(([k, v]) => [k, v.slice()])),
    }));
    this.owner.post({ type: 'write', group: this.id, indices: [...indices], checkpoints: copies }, checkpointBuffers(copies));
    indices.forEach((r, i) => (this.steps[r] = checkpoints[i].step));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.failure) this.owner.post({ type: 'destroy', group: this.id });
    this.owner.forget(this.id);
  }

  receive(epoch: number, records: StepRecord[], batch: WireBatch): void {
    this.pool.push({ x: batch.x, target: batch.target, weight: batch.weight });
    if (epoch !== this.epoch || this.destroyed) return;
    this.delivered = records[records.length - 1].step;
    this.onRecords(records);
  }

  fail(error: Error): void {
    this.failure ??= error;
  }

  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.destroyed) throw new Error('cpu group: used after destroy');
  }
}
