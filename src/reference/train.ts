/**
 * The float64 mirror of a run group (src/training/run-group.ts): same data, same BPTT windows and
 * kept state, same init (and init schemes), then forward, linear head, loss, BPTT, pruning masks
 * on the gradients, gradient norms, clipping and the optimizer at the plateau's rate, per run at
 * the run's own step, then the pruning masks on the weights; dropout masks drawn as every backend
 * draws them (src/training/dropout.ts), off in evaluation; per-timestep gradient norms at
 * diagnostics steps; evaluation passes over the validation batches and the plateau's decisions;
 * a norm (shape.norm) inside the network, batch norm's running statistics per run updated by every
 * training forward and used by the evaluation passes (torch.nn.BatchNorm1d's momentum and variance);
 * live settings, restarts and checkpoints with the GPU group's semantics. The oracle for the GPU
 * training loop; slow and simple on purpose.
 */
import { allocateBatch, type LossKind, type MetricKind } from '../data/task';
import { hasState } from '../model/cells';
import { initParams } from '../model/init';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import type { DropoutMasks } from '../model/layout';
import type { NetworkPlan } from '../model/plan';
import { scoreWindow, windowPlan } from '../training/bptt';
import { dropoutDraw, dropoutKey, stepMasks } from '../training/dropout';
import { evalBatches, isEvalStep, type EvalBatch } from '../training/eval-batches';
import { groupTricks, isDiagnosticsStep, type GroupSpec, type RunSpec } from '../training/group-spec';
import {
  freshPlateauState, plateauDecides, plateauLearningRate, plateauMonitor, plateauStateKey, plateauStep, type PlateauState,
} from '../training/plateau';
import { isPruning, magnitudeMask, prunedCount, prunedMatrices, pruneTarget, zeroFraction, type PrunedMatrix } from '../training/prune';
import { learningRate } from '../training/schedules';
import { rnnBackward, rnnForward, type RnnForward, type RnnInputs } from './rnn';
import { initialRunning, updateRunning, type NormStats } from './norm';
import { normSites } from '../model/plan';
import { ReferenceOptimizer, clipChanges, referenceClip, referenceGradNorms } from './optim';

export interface ReferenceStep {
  /** Per run. */
  losses: number[];
  /** Per run: global norm, then one per layer and the head (before clipping). */
  norms: number[][];
  /** Per run: whether clipping changed the gradient. */
  clipped: boolean[];
  /** Per run: the learning rate of this step (the schedule at the run's own step, times the plateau's scale). */
  learningRates: number[];
  /** Per run, in a group with pruning: the fraction of zero weights in the recurrent weight matrices. */
  sparsity?: number[];
  /** Per run: its own step count at this step. */
  runSteps: number[];
  /** Per run, at steps with an evaluation pass: mean validation loss and the task's metric. */
  valLoss?: number[];
  metric?: number[];
  /** Per run, at diagnostics steps: dL/dh_t norms [direction][t] (RunStepMetrics.gradThroughTime). */
  gradThroughTime?: number[][][];
}

/** One run's recurrent state kept for the next window: h and c [L][B][H]. */
interface KeptState {
  h: Float64Array;
  c?: Float64Array;
}

/** One run's whole state, as the GPU group's RunCheckpoint holds it. */
export interface ReferenceCheckpoint {
  step: number;
  params: Float64Array;
  slots: Float64Array[];
  optimizerStep: number;
  kept?: KeptState;
  plateau: PlateauState;
  /** [Pw] pruning masks. */
  masks: Float32Array;
  /** Batch norm: running statistics [direction][site][t]. */
  running?: NormStats[][][];
}

interface RunState {
  optimizer: ReferenceOptimizer;
  step: number;
  kept?: KeptState;
  plateau: PlateauState;
  masks: Float32Array;
  running?: NormStats[][][];
}

/** Loss and dL/dy for one run's head outputs y [rows][O] (the same reductions as shaders/loss.wgsl). */
export function referenceLoss(kind: LossKind, y: Float64Array, target: Float32Array, weight: Float32Array, O: number) {
  const rows = weight.length;
  const dy = new Float64Array(y.length);
  const W = weight.reduce((a, b) => a + b, 0);
  const scale = W > 0 ? 1 / W : 0;
  let loss = 0;
  for (let row = 0; row < rows; row++) {
    const w = weight[row];
    if (kind === 'mse') {
      for (let o = 0; o < O; o++) {
        const diff = y[row * O + o] - target[row * O + o];
        loss += (w * diff * diff) / O;
        dy[row * O + o] = (2 * w * diff * scale) / O;
      }
    } else {
      const c = target[row];
      let m = -Infinity;
      for (let o = 0; o < O; o++) m = Math.max(m, y[row * O + o]);
      let z = 0;
      for (let o = 0; o < O; o++) z += Math.exp(y[row * O + o] - m);
      for (let o = 0; o < O; o++) dy[row * O + o] = w * (Math.exp(y[row * O + o] - m) / z - (o === c ? 1 : 0)) * scale;
      loss += w * (m + Math.log(z) - y[row * O + c]);
    }
  }
  return { loss: loss * scale, dy };
}

/**
 * A batch's metric score before dividing by the metric weights' sum M (shaders/loss.wgsl's
 * evaluation mode): mse sum m (y - t)^2 / O; accuracy sum m [argmax y = target], the first
 * largest output winning; bpc needs none (it is the loss / ln 2).
 */
export function referenceScore(kind: MetricKind, y: Float64Array, target: Float32Array, metricWeight: Float32Array, O: number) {
  let score = 0;
  let weight = 0;
  if (kind === 'bpc') return { score, weight };
  for (let row = 0; row < metricWeight.length; row++) {
    const m = metricWeight[row];
    weight += m;
    if (kind === 'accuracy') {
      let best = 0;
      for (let o = 1; o < O; o++) if (y[row * O + o] > y[row * O + best]) best = o;
      if (best === target[row]) score += m;
    } else {
      let s = 0;
      for (let o = 0; o < O; o++) s += (y[row * O + o] - target[row * O + o]) ** 2;
      score += (m * s) / O;
    }
  }
  return { score, weight };
}

export class ReferenceGroup {
  readonly layout: ModelLayout;
  /** Every run's parameters; the arrays stay the same objects for the group's life. */
  readonly params: Float64Array[];
  /** Group steps taken (the data stream's position). */
  step = 0;
  private runs: RunState[];
  private readonly valBatches: EvalBatch[];
  private readonly matrices: readonly PrunedMatrix[];
  private readonly maskSize: number;

  constructor(private currentSpec: GroupSpec) {
    const { task } = currentSpec;
    this.currentSpec = { ...currentSpec, tricks: groupTricks(currentSpec) };
    this.layout = modelLayout({ ...currentSpec, inputSize: task.inputSize }, task.outputSize);
    this.matrices = prunedMatrices(this.layout.rnn);
    this.maskSize = this.matrices.reduce((a, m) => a + m.length, 0);
    this.params = currentSpec.runs.map(() => new Float64Array(this.layout.paramCount));
    this.runs = currentSpec.runs.map((run, r) => this.freshRun(r, run));
    this.valBatches = (currentSpec.evalEvery ?? 0) > 0 ? evalBatches(task, currentSpec.seqLen, currentSpec.batch, currentSpec.head) : [];
  }

  get spec(): GroupSpec {
    return this.currentSpec;
  }

  /** Run r from its seed (the f32 weights the GPU gets), with a new optimizer and no kept state. */
  private freshRun(r: number, run: RunSpec): RunState {
    const p32 = new Float32Array(this.layout.paramCount);
    initParams(p32, this.layout.rnn, this.currentSpec.hiddenSize, this.layout.head, run.seed, run.init, this.currentSpec.cell);
    this.params[r].set(p32);
    return {
      optimizer: new ReferenceOptimizer(run.optimizer, this.layout.paramCount), step: 0,
      plateau: freshPlateauState(run.plateau?.mode ?? 'min'), masks: new Float32Array(this.maskSize).fill(1),
      running: this.currentSpec.norm === 'batch' ? this.freshRunning() : undefined,
    };
  }

  /** torch's initial running statistics for every direction, norm site and timestep. */
  private freshRunning(): NormStats[][][] {
    const { plan } = this.layout;
    const H = this.currentSpec.hiddenSize;
    return plan.directions.map(() => normSites(this.currentSpec).map((s) =>
      Array.from({ length: this.currentSpec.seqLen }, () => initialRunning(s === 'c' ? H : plan.gates * H))));
  }

  /** x[matrix] *= masks, for every pruned matrix of a run's vector (its gradients or its weights). */
  private maskMatrices(x: Float64Array, masks: Float32Array): void {
    for (const m of this.matrices) for (let i = 0; i < m.length; i++) x[m.offset + i] *= masks[m.maskOffset + i];
  }

  /** Forward through the network and the head for one run: y [rows][O]. */
  private forward(
    r: number, x: Float32Array, start?: KeptState, masks?: DropoutMasks, normStats?: NormStats[][][],
  ): { inputs: RnnInputs; fwd: RnnForward; y: Float64Array } {
    const { batch: B, seqLen: T, hiddenSize: H, task, cell } = this.currentSpec;
    const { rnn, head } = this.layout;
    const params = this.params[r];
    const D = head.inputs;
    const O = head.outputs;
    const zeros = new Float64Array(this.layout.plan.directions.length * B * H);
    const inputs: RnnInputs = {
      shape: { ...this.currentSpec, inputSize: task.inputSize }, seqLen: T, batch: B,
      params: params.subarray(0, rnn.total),
      x: Float64Array.from(x),
      h0: start?.h ?? zeros,
      c0: hasState(cell, 'c') ? (start?.c ?? zeros) : undefined,
      masks,
      normStats,
    };
    const fwd = rnnForward(inputs);
    // y (rows x O) = h_top W^T + b
    const y = new Float64Array(T * B * O);
    for (let i = 0; i < T * B; i++) {
      for (let o = 0; o < O; o++) {
        let s = params[head.bias + o];
        for (let k = 0; k < D; k++) s += fwd.output[i * D + k] * params[head.weight + o * D + k];
        y[i * O + o] = s;
      }
    }
    return { inputs, fwd, y };
  }

  trainStep(): ReferenceStep {
    const { currentSpec: spec } = this;
    const { batch: B, seqLen: T, hiddenSize: H, task } = spec;
    const O = task.outputSize;
    const { head, paramCount, segments } = this.layout;
    const D = head.inputs;
    const rows = T * B;
    const plan = windowPlan(spec.bptt, T, this.step);
    const batch = allocateBatch(task, T, B);
    task.fill(plan.episode, plan.t0, T, B, batch);
    scoreWindow(batch.weight, T, B, plan.scoreFrom, spec.head === 'last');
    this.step++;
    const out: ReferenceStep = { losses: [], norms: [], clipped: [], learningRates: [], runSteps: [] };
    const diagnosed = isDiagnosticsStep(spec, this.step);
    if (diagnosed) out.gradThroughTime = [];
    const withPruning = groupTricks(spec).prune;
    if (withPruning) out.sparsity = [];
    const rates: number[] = [];
    spec.runs.forEach((run, r) => {
      const state = this.runs[r];
      state.step++;
      const pruning = isPruning(run.prune);
      const params = this.params[r];
      const key = dropoutKey(run.seed, state.step);
      const masks = stepMasks(this.layout.plan, T, B, dropoutDraw(key, run.dropout ?? 0), dropoutDraw(key, run.recurrentDropout ?? 0));
      const { inputs, fwd, y } = this.forward(r, batch.x, plan.carry ? state.kept : undefined, masks);
      const running = state.running;
      fwd.batchStats?.forEach((sites, d) => sites.forEach((steps, s) => steps.forEach((st, t) => {
        running![d][s][t] = updateRunning(running![d][s][t], st, B);
      })));
      const { loss, dy } = referenceLoss(task.loss, y, batch.target, batch.weight, O);
      const grads = new Float64Array(paramCount);
      const dOut = new Float64Array(rows * D);
      for (let i = 0; i < rows; i++) {
        for (let o = 0; o < O; o++) {
          const d = dy[i * O + o];
          grads[head.bias + o] += d;
          for (let k = 0; k < D; k++) {
            grads[head.weight + o * D + k] += d * fwd.output[i * D + k];
            dOut[i * D + k] += d * params[head.weight + o * D + k];
          }
        }
      }
      const back = rnnBackward(inputs, fwd, dOut);
      grads.set(back.params, 0);
      out.gradThroughTime?.push(back.dhNorms);
      if (pruning) this.maskMatrices(grads, state.masks);
      const norms = referenceGradNorms(grads, segments);
      const rate = learningRate(run.optimizer.lr, run.schedule, state.step);
      const lr = run.plateau ? plateauLearningRate(rate, state.plateau.scale, run.plateau.minLr) : rate;
      state.optimizer.step(params, referenceClip(grads, run.clip, norms[0]), lr);
      if (pruning) {
        const target = pruneTarget(run.prune, state.step);
        if (target !== null) {
          this.maskMatrices(params, state.masks);
          for (const m of this.matrices) magnitudeMask(params, m.offset, m.length, prunedCount(target, m.length), state.masks, m.maskOffset);
        }
        this.maskMatrices(params, state.masks);
      }
      rates.push(rate);
      if (spec.bptt.kind === 'truncated') state.kept = keptAfter(fwd, this.layout.plan, spec.bptt.k1, B * H, hasState(spec.cell, 'c'));
      out.losses.push(loss);
      out.norms.push(Array.from(norms));
      out.clipped.push(clipChanges(grads, run.clip, norms[0]));
      out.learningRates.push(lr);
      out.runSteps.push(state.step);
      out.sparsity?.push(zeroFraction(params, 0, this.matrices));
    });
    if (isEvalStep(spec, this.step)) this.evaluate(out);
    if (plateauDecides(spec, this.step)) {
      const watched = plateauMonitor(spec) === 'validation' ? out.valLoss! : out.losses;
      spec.runs.forEach((run, r) => {
        if (run.plateau) plateauStep(run.plateau, this.runs[r].plateau, watched[r], rates[r]);
      });
    }
    return out;
  }

  /** The evaluation pass after the update: forward only over every validation batch from a zero state. */
  private evaluate(out: ReferenceStep): void {
    const { task } = this.currentSpec;
    const n = this.valBatches.length;
    out.valLoss = [];
    out.metric = [];
    for (let r = 0; r < this.runs.length; r++) {
      let loss = 0;
      let score = 0;
      let weight = 0;
      for (const b of this.valBatches) {
        const { y } = this.forward(r, b.x, undefined, undefined, this.runs[r].running);
        loss += referenceLoss(task.loss, y, b.target, b.weight, task.outputSize).loss;
        const s = referenceScore(task.metric, y, b.target, b.metricWeight, task.outputSize);
        score += s.score;
        weight += s.weight;
      }
      const valLoss = loss / n;
      out.valLoss.push(valLoss);
      out.metric.push(task.metric === 'bpc' ? valLoss / Math.LN2 : weight > 0 ? score / weight : 0);
    }
  }

  /** New per-run settings from the next step (same runs, same order). */
  configureRuns(runs: readonly RunSpec[]): void {
    if (runs.length !== this.runs.length) throw new Error(`runs must keep the group's ${this.runs.length} runs, got ${runs.length}`);
    runs.forEach((run, r) => {
      const state = this.runs[r];
      const before = this.currentSpec.runs[r];
      state.optimizer.configure(run.optimizer);
      if (plateauStateKey(before.plateau) !== plateauStateKey(run.plateau)) state.plateau = freshPlateauState(run.plateau?.mode ?? 'min');
      if (isPruning(before.prune) && !isPruning(run.prune)) state.masks.fill(1);
    });
    this.currentSpec = { ...this.currentSpec, runs: [...runs] };
  }

  /** The given runs from their seeds: weights, optimizer, kept state, step count 0. */
  restartRuns(indices: readonly number[]): void {
    for (const r of indices) this.runs[r] = this.freshRun(r, this.currentSpec.runs[r]);
  }

  /** Every run back to step 0 and the data stream to its start. */
  reset(): void {
    this.runs = this.currentSpec.runs.map((run, r) => this.freshRun(r, run));
    this.step = 0;
  }

  readCheckpoint(r: number): ReferenceCheckpoint {
    const s = this.runs[r];
    return {
      step: s.step,
      params: this.params[r].slice(),
      slots: s.optimizer.slots.map((x) => x.slice()),
      optimizerStep: s.optimizer.steps,
      kept: s.kept && { h: s.kept.h.slice(), c: s.kept.c?.slice() },
      plateau: { ...s.plateau },
      masks: s.masks.slice(),
      running: s.running && copyRunning(s.running),
    };
  }

  writeCheckpoint(r: number, c: ReferenceCheckpoint): void {
    const s = this.runs[r];
    this.params[r].set(c.params);
    s.optimizer.slots.forEach((slot, k) => slot.set(c.slots[k]));
    s.optimizer.steps = c.optimizerStep;
    s.step = c.step;
    s.kept = c.kept && { h: c.kept.h.slice(), c: c.kept.c?.slice() };
    s.plateau = { ...c.plateau };
    s.masks.set(c.masks);
    if (s.running) s.running = c.running ? copyRunning(c.running) : this.freshRunning();
  }
}

function copyRunning(r: NormStats[][][]): NormStats[][][] {
  return r.map((sites) => sites.map((steps) => steps.map((s) => ({ mean: s.mean.slice(), var: s.var.slice() }))));
}

/**
 * Each forward direction's state after k1 timesteps ([L][B][H]): what the next window starts from.
 * A reverse direction sees only its window: its part stays zero.
 */
function keptAfter(fwd: RnnForward, plan: NetworkPlan, k1: number, BH: number, withC: boolean): KeptState {
  const pick = (key: 'h' | 'c') => {
    const s = new Float64Array(fwd.layers.length * BH);
    fwd.layers.forEach((layer, l) => {
      if (plan.directions[l].direction === 'forward') s.set(layer[key].subarray(k1 * BH, (k1 + 1) * BH), l * BH);
    });
    return s;
  };
  return { h: pick('h'), c: withC ? pick('c') : undefined };
}
