/**
 * A run group trained on the CPU: the twin of the WebGPU RunGroup behind the same TrainerGroup
 * interface, with the same per-run semantics (seeded init and its schemes, BPTT windows,
 * bidirectional and residual layers, dropout masks from the same counter RNG, head, loss, norms,
 * clipping, optimizer, schedule on the run's own step, reduce-on-plateau, pruning masks,
 * per-timestep gradient norms every `diagnosticsEvery` steps, validation every `evalEvery` steps
 * without dropout), and norm (layer / recurrent batch norm) through the float64 reference (norm-network.ts).
 * A step runs synchronously and delivers its record at once; in the browser the group lives in a
 * worker (worker.ts) behind a proxy (worker-backend.ts). Runs train one after another on shared scratch.
 */
import { allocateBatch, type TaskBatch } from '../data/task';
import { initParams } from '../model/init';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import { scoreWindow, windowPlan } from '../training/bptt';
import { dropoutDraw, dropoutKey } from '../training/dropout';
import { groupTricks, isDiagnosticsStep, validateGroupSpec, type GroupSpec, type RunSpec } from '../training/group-spec';
import type { RunStepMetrics, StepRecord } from '../training/metrics';
import { optimizerStateKey, resolveOptimizer, type ResolvedOptimizer } from '../training/optimizers';
import { ConfigError } from '../training/run-group';
import { learningRate } from '../training/schedules';
import {
  freshPlateauState, plateauDecides, plateauLearningRate, plateauMonitor, plateauStateFromArray, plateauStateKey, plateauStateToArray,
  plateauStep, type PlateauState,
} from '../training/plateau';
import { isPruning, magnitudeMask, prunedCount, prunedMatrices, pruneTarget, zeroFraction, type PrunedMatrix } from '../training/prune';
import type { RecordSink, RunCheckpoint, TrainerGroup } from '../training/trainer';
import {
  checkCheckpoints, checkRunIndex, EXTRA, liveRunErrors, OPTIMIZER_SLOTS,
} from './checks';
import { CpuDiagnostics } from './diagnostics';
import { CpuHead } from './head';
import { CpuNetwork } from './network';
import { NormNetwork } from './norm-network';
import { gradNorms, updateRun } from './optimizer';
import { evalBatches, evaluates, isEvalStep, type EvalBatch } from '../training/eval-batches';

export class CpuGroup implements TrainerGroup {
  readonly backend = 'cpu' as const;
  readonly lostSteps = 0;
  readonly layout: ModelLayout;
  step = 0;
  private currentSpec: GroupSpec;
  private readonly steps: number[];
  /** Each run's optimizer step (Adam's t): the run's step unless a live change restarted the state. */
  private readonly optimizerSteps: number[];
  private runs: { optimizer: ResolvedOptimizer; spec: RunSpec }[] = [];
  /** Each run's reduce-on-plateau state (meaningful while the run has a plateau). */
  private readonly plateaus: PlateauState[];
  /** The pruned matrices and every run's masks [R][Pw] (ones while a run does not prune). */
  private readonly matrices: readonly PrunedMatrix[];
  private readonly maskSize: number;
  private readonly masks: Float32Array;
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
  private readonly valData: EvalBatch[];
  /** Floats of one run's kept state [L][B][H]. */
  private readonly stateSize: number;
  private readonly net: CpuNetwork | NormNetwork;
  private readonly head: CpuHead;
  private readonly diagnostics: CpuDiagnostics;
  private destroyed = false;

  /** Validates `spec` (ConfigError listing every problem), then allocates everything once. */
  constructor(spec: GroupSpec, private readonly onRecords: RecordSink) {
    const errors = validateGroupSpec(spec);
    if (errors.length > 0) throw new ConfigError(errors);
    spec = { ...spec, tricks: groupTricks(spec) };
    const { task, hiddenSize: H, numLayers, batch: B, seqLen: T } = spec;
    const R = spec.runs.length;
    const shape = {
      cell: spec.cell, inputSize: task.inputSize, hiddenSize: H, numLayers, bidirectional: spec.bidirectional, residual: spec.residual,
      norm: spec.norm,
    };
    this.currentSpec = spec;
    this.layout = modelLayout(shape, task.outputSize);
    const P = this.layout.paramCount;
    this.steps = new Array<number>(R).fill(0);
    this.optimizerSteps = new Array<number>(R).fill(0);
    this.stateSize = this.layout.plan.directions.length * B * H;
    this.params = new Float32Array(R * P);
    this.slots = Array.from({ length: OPTIMIZER_SLOTS }, () => new Float32Array(R * P));
    this.grads = new Float32Array(P);
    this.norms = new Float64Array(1 + this.layout.segments.length);
    this.carryH = new Float32Array(R * this.stateSize);
    this.carryC = new Float32Array(spec.cell === 'lstm' ? R * this.stateSize : 0);
    this.batchData = allocateBatch(task, T, B);
    this.valData = evaluates(spec) ? evalBatches(task, T, B, spec.head) : [];
    this.net = spec.norm === 'layer' || spec.norm === 'batch'
      ? new NormNetwork(shape, this.layout.rnn, T, B, R)
      : new CpuNetwork(shape, this.layout.rnn, T, B);
    this.head = new CpuHead(this.layout.head, T * B, task.loss);
    this.plateaus = spec.runs.map(() => freshPlateauState('min'));
    this.matrices = prunedMatrices(this.layout.rnn);
    this.maskSize = this.matrices.reduce((a, m) => a + m.length, 0);
    this.masks = new Float32Array(R * this.maskSize).fill(1);
    this.diagnostics = new CpuDiagnostics(this.net, this.layout, R, task, { seqLen: T, batch: B });
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
    const evaluate = isEvalStep(spec, step);
    const diagnosed = isDiagnosticsStep(spec, step);
    const P = this.layout.paramCount;
    const { net, head, stateSize } = this;
    const metrics: RunStepMetrics[] = [];
    const decide = plateauDecides(spec, step);
    const monitorValidation = plateauMonitor(spec) === 'validation';
    for (let r = 0; r < this.runs.length; r++) {
      const { optimizer, spec: run } = this.runs[r];
      const runStep = ++this.steps[r];
      const rate = learningRate(optimizer.lr, run.schedule, runStep);
      const lr = run.plateau ? plateauLearningRate(rate, this.plateaus[r].scale, run.plateau.minLr) : rate;
      const pruning = isPruning(run.prune);
      const p0 = r * P;
      if (plan.carry) net.loadInitialState(this.carryH, this.carryC, r * stateSize);
      else net.zeroInitialState();
      if (net instanceof NormNetwork) net.selectRun(r, 'train');
      const key = dropoutKey(run.seed, runStep);
      net.setDropout(dropoutDraw(key, run.dropout ?? 0), dropoutDraw(key, run.recurrentDropout ?? 0));
      net.forward(this.params, p0, data.x);
      head.forward(this.params, p0, net.top, net.topOffset);
      const loss = head.lossOf(data.target, data.weight, true);
      head.backward(this.params, p0, net.top, net.topOffset, this.grads, 0);
      const norms = diagnosed ? net.plan.directions.map(() => new Array<number>(T).fill(0)) : undefined;
      net.backward(this.params, p0, data.x, head.dTop, this.grads, 0, norms);
      if (pruning) this.maskMatrices(this.grads, 0, r);
      gradNorms(this.norms, this.grads, 0, this.layout.segments);
      const t = ++this.optimizerSteps[r];
      const outcome = updateRun(this.params, this.slots, p0, this.grads, P, optimizer, run.clip, this.norms[0], lr, t);
      if (pruning) this.prune(r, p0, pruneTarget(run.prune, runStep));
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
      if (norms) {
        m.gradThroughTime = norms;
        this.diagnostics.measure(r, this.params, p0, this.grads, m);
      }
      if (spec.tricks!.prune) m.sparsity = zeroFraction(this.params, p0, this.matrices);
      if (evaluate) Object.assign(m, this.evaluate(r, p0, !!norms));
      if (run.plateau && decide) plateauStep(run.plateau, this.plateaus[r], monitorValidation ? m.valLoss! : loss, rate);
      metrics.push(m);
    }
    const record: StepRecord = { step, runs: metrics };
    this.onRecords([record]);
  }

  /**
   * Forward only over the validation batches with the run's current weights from a zero state:
   * valLoss is the mean of the batches' losses; the metric pools every batch's weighted sums.
   */
  private evaluate(r: number, p0: number, diagnosed = false): Pick<RunStepMetrics, 'valLoss' | 'metric' | 'validationExample' | 'confusion'> {
    const { net, head } = this;
    if (net instanceof NormNetwork) net.selectRun(r, 'eval');
    const kind = this.currentSpec.task.metric;
    let lossSum = 0;
    let metricSum = 0;
    let metricWeight = 0;
    net.setDropout();
    if (diagnosed) this.diagnostics.startEvaluation();
    for (const [i, data] of this.valData.entries()) {
      net.zeroInitialState();
      net.forward(this.params, p0, data.x);
      head.forward(this.params, p0, net.top, net.topOffset);
      if (diagnosed) this.diagnostics.evaluationBatch(i, data, head.y);
      lossSum += head.lossOf(data.target, data.weight, false);
      const [sum, weight] = head.metricSums(kind, data.target, data.metricWeight);
      metricSum += sum;
      metricWeight += weight;
    }
    const valLoss = lossSum / this.valData.length;
    const metric = kind === 'bpc' ? valLoss / Math.LN2 : metricWeight > 0 ? metricSum / metricWeight : 0;
    return { valLoss, metric, ...(diagnosed ? this.diagnostics.evaluationResults() : {}) };
  }

  canStep(): boolean {
    return !this.destroyed;
  }

  settle(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * New optimizer, clipping and schedule settings from the next step. A run whose optimizer state
   * changes meaning (optimizerStateKey) starts that state afresh; its weights and step count stay.
   */
  configureRuns(runs: readonly RunSpec[]): void {
    const errors = liveRunErrors(runs, this.runs.length || runs.length, this.currentSpec);
    if (errors.length > 0) throw new ConfigError(errors);
    const before = this.runs;
    this.runs = runs.map((run) => ({ optimizer: resolveOptimizer(run.optimizer), spec: { ...run, clip: { ...run.clip } } }));
    this.currentSpec = { ...this.currentSpec, runs: runs.map((run) => ({ ...run })) };
    before.forEach((old, r) => {
      const now = this.runs[r].spec;
      if (optimizerStateKey(old.optimizer) !== optimizerStateKey(this.runs[r].optimizer)) this.clearOptimizer(r);
      if (plateauStateKey(old.spec.plateau) !== plateauStateKey(now.plateau)) this.plateaus[r] = freshPlateauState(now.plateau?.mode ?? 'min');
      if (isPruning(old.spec.prune) && !isPruning(now.prune)) this.masks.fill(1, r * this.maskSize, (r + 1) * this.maskSize);
    });
  }

  restartRuns(indices: readonly number[]): void {
    for (const r of indices) checkRunIndex(r, this.runs.length);
    for (const r of indices) this.initRun(r);
  }

  reset(): void {
    for (let r = 0; r < this.runs.length; r++) this.initRun(r);
    this.step = 0;
  }

  /** Moves the data stream to group step `step`; the runs' weights and steps stay as they are. */
  seek(step: number): void {
    if (!Number.isSafeInteger(step) || step < 0) throw new Error(`cpu group: seek needs a step >= 0, got ${step}`);
    this.step = step;
  }

  /** Params, the three optimizer slots, and in `extra` the optimizer's step and (truncated BPTT) the kept state. */
  readCheckpoints(): Promise<RunCheckpoint[]> {
    const P = this.layout.paramCount;
    const n = this.stateSize;
    return Promise.resolve(this.runs.map((_, r) => {
      const extra: Record<string, Float32Array> = { [EXTRA.optimizerStep]: Float32Array.of(this.optimizerSteps[r]) };
      if (this.currentSpec.bptt.kind === 'truncated') {
        extra[EXTRA.stateH] = this.carryH.slice(r * n, (r + 1) * n);
        if (this.carryC.length > 0) extra[EXTRA.stateC] = this.carryC.slice(r * n, (r + 1) * n);
      }
      const run = this.runs[r].spec;
      if (run.plateau) extra[EXTRA.plateau] = plateauStateToArray(this.plateaus[r]);
      if (isPruning(run.prune)) extra[EXTRA.masks] = this.masks.slice(r * this.maskSize, (r + 1) * this.maskSize);
      const running = this.net instanceof NormNetwork ? this.net.readRunning(r) : undefined;
      if (running) extra[EXTRA.normRunning] = running;
      return {
        step: this.steps[r],
        params: this.params.slice(r * P, (r + 1) * P),
        optimizer: this.slots.map((s) => s.slice(r * P, (r + 1) * P)),
        extra,
      };
    }));
  }

  /**
   * Missing optimizer slots are zero; a missing optimizer step is the run's step; missing kept
   * state is zero; a missing plateau state is a fresh one, missing masks all ones, missing batch
   * norm statistics torch's initial ones (mean 0, variance 1). Other `extra`
   * entries belong to stages the CPU does not run yet and are ignored.
   */
  writeCheckpoints(indices: readonly number[], checkpoints: readonly RunCheckpoint[]): void {
    const P = this.layout.paramCount;
    const n = this.stateSize;
    checkCheckpoints(indices, checkpoints, P, this.runs.length, n, this.maskSize, this.net instanceof NormNetwork ? this.net.runningSize : 0);
    checkpoints.forEach((cp, i) => {
      const r = indices[i];
      this.params.set(cp.params, r * P);
      this.slots.forEach((s, k) => {
        if (cp.optimizer[k]) s.set(cp.optimizer[k], r * P);
        else s.fill(0, r * P, (r + 1) * P);
      });
      this.steps[r] = cp.step;
      this.optimizerSteps[r] = cp.extra[EXTRA.optimizerStep]?.[0] ?? cp.step;
      this.zeroCarry(r);
      const h = cp.extra[EXTRA.stateH];
      const c = cp.extra[EXTRA.stateC];
      if (h) this.carryH.set(h, r * n);
      if (c && this.carryC.length > 0) this.carryC.set(c, r * n);
      const plateau = cp.extra[EXTRA.plateau];
      this.plateaus[r] = plateau ? plateauStateFromArray(plateau) : freshPlateauState(this.runs[r].spec.plateau?.mode ?? 'min');
      const masks = cp.extra[EXTRA.masks];
      if (masks) this.masks.set(masks, r * this.maskSize);
      else this.masks.fill(1, r * this.maskSize, (r + 1) * this.maskSize);
      if (this.net instanceof NormNetwork) this.net.writeRunning(r, cp.extra[EXTRA.normRunning]);
    });
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** Weights drawn from the run's seed, optimizer state zeroed, step count 0, no carried state. */
  private initRun(r: number): void {
    const P = this.layout.paramCount;
    const { rnn, head } = this.layout;
    const run = this.runs[r].spec;
    initParams(this.params.subarray(r * P, (r + 1) * P), rnn, this.currentSpec.hiddenSize, head, run.seed, run.init, this.currentSpec.cell);
    this.clearOptimizer(r);
    this.plateaus[r] = freshPlateauState(run.plateau?.mode ?? 'min');
    this.masks.fill(1, r * this.maskSize, (r + 1) * this.maskSize);
    this.steps[r] = 0;
    this.zeroCarry(r);
    if (this.net instanceof NormNetwork) this.net.writeRunning(r, undefined);
    this.diagnostics.restart(r);
  }

  /** x[x0 + matrix] *= run r's mask, for every pruned matrix (gradients, or weights after the update). */
  private maskMatrices(x: Float32Array, x0: number, r: number): void {
    const m0 = r * this.maskSize;
    for (const m of this.matrices) {
      for (let i = 0; i < m.length; i++) x[x0 + m.offset + i] *= this.masks[m0 + m.maskOffset + i];
    }
  }

  /**
   * After run r's update: with a new `target` sparsity, masks of the k smallest |w * old mask| per
   * matrix (prune.ts), the weights times the old mask first; then the weights times the masks.
   */
  private prune(r: number, p0: number, target: number | null): void {
    if (target !== null) {
      this.maskMatrices(this.params, p0, r);
      const m0 = r * this.maskSize;
      for (const m of this.matrices) magnitudeMask(this.params, p0 + m.offset, m.length, prunedCount(target, m.length), this.masks, m0 + m.maskOffset);
    }
    this.maskMatrices(this.params, p0, r);
  }

  private clearOptimizer(r: number): void {
    const P = this.layout.paramCount;
    for (const s of this.slots) s.fill(0, r * P, (r + 1) * P);
    this.optimizerSteps[r] = 0;
  }

  private zeroCarry(r: number): void {
    const n = this.stateSize;
    this.carryH.fill(0, r * n, (r + 1) * n);
    if (this.carryC.length > 0) this.carryC.fill(0, r * n, (r + 1) * n);
  }
}
