/**
 * A run group trained on the CPU: the twin of the WebGPU RunGroup behind the same TrainerGroup
 * interface, with the same per-run semantics (seeded init, BPTT windows, head, loss, norms,
 * clipping, optimizer, schedule on the run's own step, validation every `evalEvery` steps).
 * A step runs synchronously and delivers its record at once; in the browser the group lives in a
 * worker (worker.ts) behind a proxy (worker-backend.ts). Runs train one after another on shared scratch.
 */
import { allocateBatch, type TaskBatch } from '../data/task';
import { initParams } from '../model/init';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import { scoreWindow, windowPlan } from '../training/bptt';
import type { GroupSpec, RunSpec } from '../training/group-spec';
import type { RunStepMetrics, StepRecord } from '../training/metrics';
import { resolveOptimizer, type ResolvedOptimizer } from '../training/optimizers';
import { ConfigError } from '../training/run-group';
import { learningRate } from '../training/schedules';
import type { RecordSink, RunCheckpoint, TrainerGroup } from '../training/trainer';
import { checkCheckpoints, checkRunIndex, cpuSpecErrors, evalEveryOf, liveRunErrors, OPTIMIZER_SLOTS } from './checks';
import { CpuHead } from './head';
import { CpuNetwork } from './network';
import { gradNorms, updateRun } from './optimizer';

export class CpuGroup implements TrainerGroup {
  readonly backend = 'cpu' as const;
  readonly lostSteps = 0;
  readonly layout: ModelLayout;
  step = 0;
  private currentSpec: GroupSpec;
  private readonly steps: number[];
  private runs: { optimizer: ResolvedOptimizer; spec: RunSpec }[] = [];
  /** [R][P] parameters, and three optimizer slots [R][P]. */
  private readonly params: Float32Array;
  private readonly slots: Float32Array[];
  /** [P] one run's gradients (runs train one after another), and its norms [1 + S]. */
  private readonly grads: Float32Array;
  private readonly norms: Float64Array;
  /** [R][L][B][H] truncated BPTT's state carried, detached, into the next window. */
  private readonly carryH: Float32Array;
  private readonly carryC: Float32Array;
  private readonly batchData: TaskBatch;
  private readonly valData: TaskBatch[];
  private readonly net: CpuNetwork;
  private readonly head: CpuHead;
  private destroyed = false;

  /** Validates `spec` (ConfigError listing every problem), then allocates everything once. */
  constructor(spec: GroupSpec, private readonly onRecords: RecordSink) {
    const errors = cpuSpecErrors(spec);
    if (errors.length > 0) throw new ConfigError(errors);
    const { task, hiddenSize: H, numLayers: L, batch: B, seqLen: T } = spec;
    const R = spec.runs.length;
    const shape = { cell: spec.cell, inputSize: task.inputSize, hiddenSize: H, numLayers: L };
    this.currentSpec = spec;
    this.layout = modelLayout(shape, task.outputSize);
    const P = this.layout.paramCount;
    this.steps = new Array<number>(R).fill(0);
    this.params = new Float32Array(R * P);
    this.slots = Array.from({ length: OPTIMIZER_SLOTS }, () => new Float32Array(R * P));
    this.grads = new Float32Array(P);
    this.norms = new Float64Array(1 + this.layout.segments.length);
    this.carryH = new Float32Array(R * L * B * H);
    this.carryC = new Float32Array(spec.cell === 'lstm' ? R * L * B * H : 0);
    this.batchData = allocateBatch(task, T, B);
    this.valData = Array.from({ length: task.valBatches }, (_, v) => {
      const data = allocateBatch(task, T, B);
      task.fill(v, 0, T, B, data, 'val');
      scoreWindow(data.weight, T, B, 0, spec.head === 'last');
      if (data.metricWeight) scoreWindow(data.metricWeight, T, B, 0, spec.head === 'last');
      return data;
    });
    this.net = new CpuNetwork(shape, this.layout.rnn, T, B);
    this.head = new CpuHead(this.layout.head, T * B, task.loss);
    this.configureRuns(spec.runs);
    this.reset();
  }

  get spec(): GroupSpec {
    return this.currentSpec;
  }

  get runSteps(): readonly number[] {
    return this.steps;
  }

  trainStep(): void {
    if (this.destroyed) throw new Error('cpu group: trainStep after destroy');
    const spec = this.currentSpec;
    const { batch: B, seqLen: T, task } = spec;
    const plan = windowPlan(spec.bptt, T, this.step);
    const data = this.batchData;
    task.fill(plan.episode, plan.t0, T, B, data);
    scoreWindow(data.weight, T, B, plan.scoreFrom, spec.head === 'last');
    const step = ++this.step;
    const evalEvery = evalEveryOf(spec);
    const evaluate = evalEvery > 0 && step % evalEvery === 0 && this.valData.length > 0;
    const P = this.layout.paramCount;
    const stateSize = spec.numLayers * B * spec.hiddenSize;
    const { net, head } = this;
    const metrics: RunStepMetrics[] = [];
    for (let r = 0; r < this.runs.length; r++) {
      const { optimizer, spec: run } = this.runs[r];
      const runStep = ++this.steps[r];
      const lr = learningRate(optimizer.lr, run.schedule, runStep);
      const p0 = r * P;
      if (plan.carry) net.loadInitialState(this.carryH, this.carryC, r * stateSize);
      else net.zeroInitialState();
      net.forward(this.params, p0, data.x);
      head.forward(this.params, p0, net.top, net.topOffset);
      const loss = head.lossOf(data.target, data.weight, true);
      head.backward(this.params, p0, net.top, net.topOffset, this.grads, 0);
      net.backward(this.params, p0, data.x, head.dTop, this.grads, 0);
      gradNorms(this.norms, this.grads, 0, this.layout.segments);
      const outcome = updateRun(this.params, this.slots, p0, this.grads, P, optimizer, run.clip, this.norms[0], lr, runStep);
      // The state after the first k1 timesteps of this window (old weights), detached, starts the next.
      if (spec.bptt.kind === 'truncated') net.saveState(plan.carrySlot, this.carryH, this.carryC, r * stateSize);
      const m: RunStepMetrics = {
        loss,
        gradNorm: this.norms[0],
        layerGradNorms: Array.from(this.norms.subarray(1)),
        learningRate: lr,
        runStep,
        clipped: outcome.normClipped || outcome.valueClipped,
      };
      if (evaluate) Object.assign(m, this.evaluate(p0));
      metrics.push(m);
    }
    const record: StepRecord = { step, runs: metrics };
    this.onRecords([record]);
  }

  /**
   * Forward only over the validation batches with the run's current weights from a zero state:
   * valLoss is the mean of the batches' losses; the metric pools every batch's weighted sums.
   */
  private evaluate(p0: number): { valLoss: number; metric: number } {
    const { net, head } = this;
    const kind = this.currentSpec.task.metric;
    let lossSum = 0;
    let metricSum = 0;
    let metricWeight = 0;
    for (const data of this.valData) {
      net.zeroInitialState();
      net.forward(this.params, p0, data.x);
      head.forward(this.params, p0, net.top, net.topOffset);
      lossSum += head.lossOf(data.target, data.weight, false);
      const [sum, weight] = head.metricSums(kind, data.target, data.metricWeight ?? data.weight);
      metricSum += sum;
      metricWeight += weight;
    }
    const valLoss = lossSum / this.valData.length;
    const metric = kind === 'bpc' ? valLoss / Math.LN2 : metricWeight > 0 ? metricSum / metricWeight : NaN;
    return { valLoss, metric };
  }

  canStep(): boolean {
    return !this.destroyed;
  }

  settle(): Promise<void> {
    return Promise.resolve();
  }

  configureRuns(runs: readonly RunSpec[]): void {
    const errors = liveRunErrors(runs, this.runs.length || runs.length);
    if (errors.length > 0) throw new ConfigError(errors);
    this.runs = runs.map((run) => ({ optimizer: resolveOptimizer(run.optimizer), spec: { ...run, clip: { ...run.clip } } }));
    this.currentSpec = { ...this.currentSpec, runs: runs.map((run) => ({ ...run })) };
  }

  restartRuns(indices: readonly number[]): void {
    for (const r of indices) checkRunIndex(r, this.runs.length);
    for (const r of indices) this.initRun(r);
  }

  reset(): void {
    for (let r = 0; r < this.runs.length; r++) this.initRun(r);
    this.step = 0;
  }

  readCheckpoints(): Promise<RunCheckpoint[]> {
    const P = this.layout.paramCount;
    return Promise.resolve(this.runs.map((_, r) => ({
      step: this.steps[r],
      params: this.params.slice(r * P, (r + 1) * P),
      optimizer: this.slots.map((s) => s.slice(r * P, (r + 1) * P)),
      extra: {},
    })));
  }

  /**
   * Missing optimizer slots are zero. `extra` entries are ignored: no stage on the CPU keeps
   * per-run state yet. The run's carried BPTT state is zeroed (a checkpoint does not hold it).
   */
  writeCheckpoints(indices: readonly number[], checkpoints: readonly RunCheckpoint[]): void {
    const P = this.layout.paramCount;
    checkCheckpoints(indices, checkpoints, P, this.runs.length);
    checkpoints.forEach((cp, i) => {
      const r = indices[i];
      this.params.set(cp.params, r * P);
      this.slots.forEach((s, k) => {
        if (cp.optimizer[k]) s.set(cp.optimizer[k], r * P);
        else s.fill(0, r * P, (r + 1) * P);
      });
      this.steps[r] = cp.step;
      this.zeroCarry(r);
    });
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** Weights drawn from the run's seed, optimizer state zeroed, step count 0, no carried state. */
  private initRun(r: number): void {
    const P = this.layout.paramCount;
    const { rnn, head } = this.layout;
    initParams(this.params.subarray(r * P, (r + 1) * P), rnn, this.currentSpec.hiddenSize, head, this.runs[r].spec.seed);
    for (const s of this.slots) s.fill(0, r * P, (r + 1) * P);
    this.steps[r] = 0;
    this.zeroCarry(r);
  }

  private zeroCarry(r: number): void {
    const n = this.currentSpec.numLayers * this.currentSpec.batch * this.currentSpec.hiddenSize;
    this.carryH.fill(0, r * n, (r + 1) * n);
    if (this.carryC.length > 0) this.carryC.fill(0, r * n, (r + 1) * n);
  }
}
