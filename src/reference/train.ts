/**
 * The float64 mirror of a run group's training step (src/training/run-group.ts): same data,
 * same BPTT windows, same init, then forward, linear head, loss, BPTT, gradient norms,
 * clipping and the optimizer, all in float64. The oracle for the GPU training loop; slow
 * and simple on purpose.
 */
import { allocateBatch } from '../data/task';
import { initParams } from '../model/init';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import { scoreWindow, windowPlan } from '../training/bptt';
import type { GroupSpec } from '../training/group-spec';
import { learningRate } from '../training/schedules';
import { rnnBackward, rnnForward } from './rnn';
import { ReferenceOptimizer, referenceClip, referenceGradNorms } from './optim';

export interface ReferenceStep {
  /** Per run. */
  losses: number[];
  /** Per run: global norm, then one per layer and the head (before clipping). */
  norms: number[][];
}

/** Loss and dL/dy for one run's head outputs y [rows][O] (the same reductions as shaders/loss.wgsl). */
export function referenceLoss(kind: 'mse' | 'cross_entropy', y: Float64Array, target: Float32Array, weight: Float32Array, O: number) {
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

export class ReferenceGroup {
  readonly layout: ModelLayout;
  readonly params: Float64Array[];
  private readonly optimizers: ReferenceOptimizer[];
  private readonly states: { h: Float64Array; c?: Float64Array }[];
  private step = 0;

  constructor(readonly spec: GroupSpec) {
    const { hiddenSize: H, task } = spec;
    this.layout = modelLayout({ ...spec, inputSize: task.inputSize }, task.outputSize);
    const { rnn, head, paramCount } = this.layout;
    this.params = spec.runs.map((run) => {
      const p32 = new Float32Array(paramCount);
      initParams(p32, rnn, H, head, run.seed);
      return Float64Array.from(p32); // start from exactly the f32 weights the GPU gets
    });
    this.optimizers = spec.runs.map((run) => new ReferenceOptimizer(run.optimizer, paramCount));
    this.states = spec.runs.map(() => ({ h: new Float64Array(0) }));
  }

  trainStep(): ReferenceStep {
    const { spec } = this;
    const { batch: B, seqLen: T, hiddenSize: H, numLayers: L, task } = spec;
    const O = task.outputSize;
    const { rnn, head, paramCount, segments } = this.layout;
    const rows = T * B;
    const plan = windowPlan(spec.bptt, T, this.step);
    const batch = allocateBatch(task, T, B);
    task.fill(plan.episode, plan.t0, T, B, batch);
    scoreWindow(batch.weight, T, B, plan.scoreFrom, spec.head === 'last');
    this.step++;
    const out: ReferenceStep = { losses: [], norms: [] };
    spec.runs.forEach((run, r) => {
      const params = this.params[r];
      const shape = { ...spec, inputSize: task.inputSize };
      const zeros = new Float64Array(L * B * H);
      const carried = plan.carry ? this.states[r] : undefined;
      const inputs = {
        shape, seqLen: T, batch: B,
        params: params.subarray(0, rnn.total),
        x: Float64Array.from(batch.x),
        h0: carried ? carried.h : zeros,
        c0: spec.cell === 'lstm' ? (carried?.c ?? zeros) : undefined,
      };
      const fwd = rnnForward(inputs);
      // y (rows x O) = h_top W^T + b
      const y = new Float64Array(rows * O);
      for (let i = 0; i < rows; i++) {
        for (let o = 0; o < O; o++) {
          let s = params[head.bias + o];
          for (let k = 0; k < H; k++) s += fwd.output[i * H + k] * params[head.weight + o * H + k];
          y[i * O + o] = s;
        }
      }
      const { loss, dy } = referenceLoss(task.loss, y, batch.target, batch.weight, O);
      const grads = new Float64Array(paramCount);
      const dOut = new Float64Array(rows * H);
      for (let i = 0; i < rows; i++) {
        for (let o = 0; o < O; o++) {
          const d = dy[i * O + o];
          grads[head.bias + o] += d;
          for (let k = 0; k < H; k++) {
            grads[head.weight + o * H + k] += d * fwd.output[i * H + k];
            dOut[i * H + k] += d * params[head.weight + o * H + k];
          }
        }
      }
      grads.set(rnnBackward(inputs, fwd, dOut).params, 0);
      const norms = referenceGradNorms(grads, segments);
      const clipped = referenceClip(grads, run.clip, norms[0]);
      this.optimizers[r].step(params, clipped, learningRate(run.optimizer.lr, run.schedule, this.step));
      if (spec.bptt.kind === 'truncated') {
        const slot = spec.bptt.k1;
        const pick = (key: 'h' | 'c') => {
          const s = new Float64Array(L * B * H);
          fwd.layers.forEach((layer, l) => s.set(layer[key].subarray(slot * B * H, (slot + 1) * B * H), l * B * H));
          return s;
        };
        this.states[r] = { h: pick('h'), c: spec.cell === 'lstm' ? pick('c') : undefined };
      }
      out.losses.push(loss);
      out.norms.push(Array.from(norms));
    });
    return out;
  }
}
