/**
 * The linear head, the loss and the validation metric on the CPU, for one run at a time:
 * y = h_top W^T + b on every timestep, mean squared error or softmax cross-entropy weighted per
 * step (the reductions of src/reference/train.ts referenceLoss and shaders/loss.wgsl), and the
 * gradients back into W, b and h_top. Float32 buffers allocated once; sums in float64.
 */
import type { HeadLayout } from '../model/init';
import type { LossKind, MetricKind } from '../data/task';
import { broadcastRows, gemmNT, rowSums, transpose } from './gemm';

export class CpuHead {
  /** [T*B][O] head outputs. */
  readonly y: Float32Array;
  /** [T*B][O] dL/dy. */
  private readonly dy: Float32Array;
  /** [O][T*B] dL/dy transposed, [H][T*B] h_top transposed, [H][O] W transposed. */
  private readonly dyT: Float32Array;
  private readonly topT: Float32Array;
  private readonly wT: Float32Array;
  /** [T*B][H] dL/d(h_top): where BPTT starts. */
  readonly dTop: Float32Array;

  constructor(
    readonly layout: HeadLayout,
    readonly rows: number,
    readonly loss: LossKind,
  ) {
    const { outputs: O, inputs: H } = layout;
    this.y = new Float32Array(rows * O);
    this.dy = new Float32Array(rows * O);
    this.dyT = new Float32Array(O * rows);
    this.topT = new Float32Array(H * rows);
    this.wT = new Float32Array(H * O);
    this.dTop = new Float32Array(rows * H);
  }

  /** y [rows][O] = b + top[top0..] W^T, with W and b of the run whose parameters start at p0. */
  forward(params: Float32Array, p0: number, top: Float32Array, top0: number): void {
    const { outputs: O, inputs: H, weight, bias } = this.layout;
    broadcastRows(this.y, 0, params, p0 + bias, this.rows, O);
    gemmNT(this.y, 0, top, top0, params, p0 + weight, this.rows, O, H, true);
  }

  /**
   * The weighted loss of `y` against `target` ([rows][O] values for mse, [rows] class indices for
   * cross-entropy), normalised by the sum of `weight` [rows]; fills dL/dy when `withGrad`.
   */
  lossOf(target: Float32Array, weight: Float32Array, withGrad: boolean): number {
    const { y, dy, rows } = this;
    const O = this.layout.outputs;
    let total = 0;
    for (let r = 0; r < rows; r++) total += weight[r];
    const scale = total > 0 ? 1 / total : 0;
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const w = weight[r];
      const y0 = r * O;
      if (this.loss === 'mse') {
        for (let o = 0; o < O; o++) {
          const diff = y[y0 + o] - target[y0 + o];
          loss += (w * diff * diff) / O;
          if (withGrad) dy[y0 + o] = (2 * w * diff * scale) / O;
        }
      } else {
        const c = target[r];
        let m = -Infinity;
        for (let o = 0; o < O; o++) m = Math.max(m, y[y0 + o]);
        let z = 0;
        for (let o = 0; o < O; o++) z += Math.exp(y[y0 + o] - m);
        loss += w * (m + Math.log(z) - y[y0 + c]);
        if (withGrad) {
          for (let o = 0; o < O; o++) dy[y0 + o] = w * (Math.exp(y[y0 + o] - m) / z - (o === c ? 1 : 0)) * scale;
        }
      }
    }
    return loss * scale;
  }

  /**
   * After lossOf(..., true): dW, db into grads[g0 + layout offsets] (overwritten) and dTop.
   * top[top0..] must still hold the forward's h_top.
   */
  backward(params: Float32Array, p0: number, top: Float32Array, top0: number, grads: Float32Array, g0: number): void {
    const { outputs: O, inputs: H, weight, bias } = this.layout;
    const rows = this.rows;
    // dW [O][H] = dy^T h_top; db = column sums of dy
    transpose(this.dyT, 0, this.dy, 0, rows, O);
    transpose(this.topT, 0, top, top0, rows, H);
    gemmNT(grads, g0 + weight, this.dyT, 0, this.topT, 0, O, H, rows, false);
    rowSums(grads, g0 + bias, this.dyT, 0, O, rows);
    // dh_top [rows][H] = dy W
    transpose(this.wT, 0, params, p0 + weight, O, H);
    gemmNT(this.dTop, 0, this.dy, 0, this.wT, 0, rows, H, O, false);
  }

  /**
   * The metric's weighted sum and its weight over this batch, to pool over validation batches:
   * mse: sum of w * squared error / O; accuracy: sum of w where arg-max y == target (first max
   * wins ties). bpc is pooled from the loss instead and gets [0, 0] here.
   */
  metricSums(kind: MetricKind, target: Float32Array, weight: Float32Array): [number, number] {
    if (kind === 'bpc') return [0, 0];
    const { y, rows } = this;
    const O = this.layout.outputs;
    let sum = 0;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const w = weight[r];
      if (w === 0) continue;
      total += w;
      const y0 = r * O;
      if (kind === 'mse') {
        let sq = 0;
        for (let o = 0; o < O; o++) sq += (y[y0 + o] - target[y0 + o]) ** 2;
        sum += (w * sq) / O;
      } else {
        let best = 0;
        for (let o = 1; o < O; o++) if (y[y0 + o] > y[y0 + best]) best = o;
        if (best === target[r]) sum += w;
      }
    }
    return [sum, total];
  }
}
