/**
 * The CPU backend's diagnostics beyond gradThroughTime, the twin of DiagnosticsStage: at a
 * diagnostic step, gate saturation from the gates the step's forward activated (before an
 * evaluation pass runs the forward again), and each weight_hh's spectral norm by the same
 * warm-started power iteration as the GPU (SPECTRAL_ITERS per step, SPECTRAL_FIRST_ITERS from the
 * start vector; in float64 here), and the histograms of every parameter tensor's weights (after
 * the update) and gradients (before clipping), counted as the GPU counts them; in evaluation
 * passes, validation example 0 and (classification) the confusion counts, as the GPU takes them.
 */
import { CELLS } from '../model/cells';
import { paramSpec } from '../model/plan';
import { SPECTRAL_FIRST_ITERS, SPECTRAL_ITERS } from '../model/spectral-norm-gpu';
import { histogramTensors, type TensorSpan } from '../model/histogram-gpu';
import type { ModelLayout } from '../model/model-layout';
import { gateSaturation } from '../reference/gate-saturation';
import { histogramOf } from '../reference/histogram';
import { powerIteration } from '../reference/spectral-norm';
import type { Task, TaskBatch } from '../data/task';
import { MAX_CONFUSION_CLASSES } from '../training/confusion-gpu';
import type { RunStepMetrics } from '../training/metrics';
import type { ParamLayout, RnnShape } from '../model/layout';
import type { NetworkPlan } from '../model/plan';

/** What the diagnostics read of a CPU network (the plain one, or the one with normalisation). */
export interface DiagnosedNetwork {
  readonly shape: RnnShape;
  readonly layout: ParamLayout;
  readonly plan: NetworkPlan;
  /** [T][B][D] of the top layer's output, from topOffset. */
  readonly top: Float32Array;
  readonly topOffset: number;
  /** Direction d's [T][B][G*H] activated gates; absent where the network does not keep them (no gate saturation then). */
  activatedGates?(d: number): Float32Array;
}

export class CpuDiagnostics {
  /** [R][direction] the vector each run's power iteration goes on from. */
  private readonly vectors: Float64Array[][];
  private readonly tensors: TensorSpan[];
  /** The evaluation pass under way: validation example 0 and the confusion counts. */
  private example?: NonNullable<RunStepMetrics['validationExample']>;
  private confusion?: number[][];

  private readonly T: number;
  private readonly B: number;
  private readonly H: number;

  constructor(
    private readonly net: DiagnosedNetwork,
    layout: ModelLayout,
    runs: number,
    private readonly task: Pick<Task, 'metric' | 'outputSize'>,
    sizes: { seqLen: number; batch: number },
  ) {
    this.T = sizes.seqLen;
    this.B = sizes.batch;
    this.H = net.shape.hiddenSize;
    this.tensors = histogramTensors(layout);
    this.vectors = Array.from({ length: runs }, () => net.plan.directions.map(() => new Float64Array(this.H)));
  }

  /** Run r starts its power iteration again from the fixed start vector. */
  restart(r: number): void {
    for (const v of this.vectors[r]) v.fill(0);
  }

  /** Run r's diagnostics into `m`; `p0` is where its parameters start in `params`; `grads` holds its gradients from 0. */
  measure(r: number, params: Float32Array, p0: number, grads: Float32Array, m: RunStepMetrics): void {
    const { net, H } = this;
    const GH = net.plan.gates * H;
    const cell = net.shape.cell;
    const gates = net.activatedGates?.bind(net);
    if (CELLS[cell].saturating && gates) m.gateSaturation = gateSaturation(cell, H, net.plan.directions.map((d) => gates(d.index)), CELLS[cell].gates.length);
    m.spectralNorm = net.plan.directions.map((dir, d) => {
      const at = p0 + net.layout.byName.get(paramSpec(dir, 'weight_hh').name)!.offset;
      const w = params.subarray(at, at + GH * H);
      const v = this.vectors[r][d];
      const out = powerIteration(w, GH, H, v, v.every((x) => x === 0) ? SPECTRAL_FIRST_ITERS : SPECTRAL_ITERS);
      this.vectors[r][d] = out.v;
      return out.sigma;
    });
    m.histograms = this.tensors.map((t) => ({
      name: t.name,
      weight: histogramOf(params.subarray(p0 + t.offset, p0 + t.offset + t.size)),
      grad: histogramOf(grads.subarray(t.offset, t.offset + t.size)),
    }));
  }

  startEvaluation(): void {
    const C = this.task.outputSize;
    this.example = undefined;
    this.confusion = this.task.metric === 'accuracy' && C <= MAX_CONFUSION_CLASSES ? Array.from({ length: C }, () => new Array<number>(C).fill(0)) : undefined;
  }

  /** After validation batch `index`'s forward and head (`y` [T*B][O]). */
  evaluationBatch(index: number, data: TaskBatch & { metricWeight?: Float32Array }, y: Float32Array): void {
    const { net, T, B } = this;
    const O = this.task.outputSize;
    if (index === 0) {
      const D = net.plan.outputSize;
      const I = data.x.length / (T * B);
      const per = data.target.length / (T * B);
      // Row 0 of timestep t: `width` numbers from `at + t * B * width`.
      const rows = (t: number, from: ArrayLike<number>, width: number, at = 0) => Array.from({ length: width }, (_, k) => from[at + t * B * width + k]);
      this.example = {
        hidden: Array.from({ length: T }, (_, t) => rows(t, net.top, D, net.topOffset)),
        output: Array.from({ length: T }, (_, t) => rows(t, y, O)),
        input: Array.from({ length: T }, (_, t) => rows(t, data.x, I)),
        target: Array.from({ length: T }, (_, t) => rows(t, data.target, per)),
        scored: Array.from({ length: T }, (_, t) => data.weight[t * B] > 0),
      };
    }
    const counts = this.confusion;
    if (!counts) return;
    const weights = data.metricWeight ?? data.weight;
    for (let row = 0; row < T * B; row++) {
      if (!(weights[row] > 0)) continue;
      let best = 0;
      for (let o = 1; o < O; o++) if (y[row * O + o] > y[row * O + best]) best = o;
      counts[Math.min(O - 1, data.target[row])][best]++;
    }
  }

  evaluationResults(): Pick<RunStepMetrics, 'validationExample' | 'confusion'> {
    return { validationExample: this.example, confusion: this.confusion };
  }
}
