/**
 * Float64 mirror of the update stage (shaders/norms.wgsl, shaders/optimizer.wgsl): gradient norms,
 * clipping and the four torch.optim rules (single-tensor, foreach=False), with the same state slots
 * as the GPU. One run, one flat parameter vector; it is the oracle, not a fast path.
 */
import {
  adamBiasCorrection,
  optimizerStateKey,
  resolveOptimizer,
  type ClipConfig,
  type OptimizerConfig,
  type ParamSegment,
  type ResolvedOptimizer,
} from '../training/optimizers';

/** torch.nn.utils.clip_grad_norm_ adds this to the total norm before dividing. */
export const CLIP_NORM_EPS = 1e-6;

/**
 * One run's optimizer. Slots, as on the GPU:
 *   sgd:     slot 0 = momentum_buffer
 *   rmsprop: slot 0 = square_avg, slot 1 = grad_avg (centered), slot 2 = momentum_buffer
 *   adam(w): slot 0 = exp_avg, slot 1 = exp_avg_sq
 */
export class ReferenceOptimizer {
  cfg: ResolvedOptimizer;
  readonly slots: [Float64Array, Float64Array, Float64Array];
  /** Steps taken since construction or reset(): the t of Adam's bias correction. */
  steps = 0;

  constructor(cfg: OptimizerConfig, size: number) {
    this.cfg = resolveOptimizer(cfg);
    this.slots = [new Float64Array(size), new Float64Array(size), new Float64Array(size)];
  }

  reset(): void {
    for (const s of this.slots) s.fill(0);
    this.steps = 0;
  }

  /** New settings from the next step; a change of what the state means (optimizerStateKey) resets it. */
  configure(cfg: OptimizerConfig): void {
    const next = resolveOptimizer(cfg);
    if (optimizerStateKey(next) !== optimizerStateKey(this.cfg)) this.reset();
    this.cfg = next;
  }

  /** One optimizer step in place on `params`, with `grads` already clipped; `lr` overrides cfg.lr (LR schedules). */
  step(params: Float64Array, grads: Float64Array, lr = this.cfg.lr): void {
    if (params.length !== this.slots[0].length || grads.length !== params.length) {
      throw new Error(`optimizer of size ${this.slots[0].length} got params ${params.length} and grads ${grads.length}`);
    }
    this.steps++;
    switch (this.cfg.kind) {
      case 'sgd':
        return this.sgd(params, grads, lr);
      case 'rmsprop':
        return this.rmsprop(params, grads, lr);
      case 'adam':
      case 'adamw':
        return this.adam(params, grads, lr);
    }
  }

  private sgd(p: Float64Array, grads: Float64Array, lr: number): void {
    const { momentum, dampening, nesterov, weightDecay } = this.cfg;
    const buf = this.slots[0];
    for (let i = 0; i < p.length; i++) {
      let g = grads[i];
      if (weightDecay !== 0) g = g + weightDecay * p[i];
      if (momentum !== 0) {
        // torch starts the buffer as a copy of the first gradient, with no dampening.
        buf[i] = this.steps === 1 ? g : momentum * buf[i] + (1 - dampening) * g;
        g = nesterov ? g + momentum * buf[i] : buf[i];
      }
      p[i] = p[i] - lr * g;
    }
  }

  private rmsprop(p: Float64Array, grads: Float64Array, lr: number): void {
    const { alpha, eps, weightDecay, momentum, centered } = this.cfg;
    const [sq, ga, buf] = this.slots;
    for (let i = 0; i < p.length; i++) {
      let g = grads[i];
      if (weightDecay !== 0) g = g + weightDecay * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
      let avg: number;
      if (centered) {
        ga[i] = alpha * ga[i] + (1 - alpha) * g;
        avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
      } else {
        avg = Math.sqrt(sq[i]) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i] + g / avg;
        p[i] = p[i] - lr * buf[i];
      } else {
        p[i] = p[i] - lr * (g / avg);
      }
    }
  }

  private adam(p: Float64Array, grads: Float64Array, lr: number): void {
    const { kind, beta1, beta2, eps, weightDecay } = this.cfg;
    const [m, v] = this.slots;
    const { stepSize, bc2Sqrt } = adamBiasCorrection(lr, beta1, beta2, this.steps);
    const decoupled = kind === 'adamw';
    const decay = 1 - lr * weightDecay;
    for (let i = 0; i < p.length; i++) {
      let g = grads[i];
      if (decoupled) p[i] = p[i] * decay;
      else if (weightDecay !== 0) g = g + weightDecay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      const denom = Math.sqrt(v[i]) / bc2Sqrt + eps;
      p[i] = p[i] - stepSize * (m[i] / denom);
    }
  }
}

/** [1 + S]: the L2 norm of the whole vector, then of each segment, before clipping. */
export function referenceGradNorms(grads: Float64Array, segments: readonly ParamSegment[]): Float64Array {
  const out = new Float64Array(1 + segments.length);
  let total = 0;
  segments.forEach((s, k) => {
    let sum = 0;
    for (let i = s.offset; i < s.offset + s.length; i++) sum += grads[i] * grads[i];
    total += sum;
    out[1 + k] = Math.sqrt(sum);
  });
  out[0] = Math.sqrt(total);
  return out;
}

/** The factor clip_grad_norm_ scales gradients by: max_norm / (total + 1e-6), at most 1; 1 when off. */
export function clipCoefficient(clip: ClipConfig, totalNorm: number): number {
  return clip.maxNorm === undefined ? 1 : Math.min(clip.maxNorm / (totalNorm + CLIP_NORM_EPS), 1);
}

/**
 * Whether clipping changes `grads`: clip_grad_norm_ scales them (its coefficient is below 1), or
 * clip_grad_value_ clamps some element of the norm-clipped gradient.
 */
export function clipChanges(grads: Float64Array, clip: ClipConfig, totalNorm: number): boolean {
  const coef = clipCoefficient(clip, totalNorm);
  if (coef < 1) return true;
  if (clip.value === undefined) return false;
  let largest = 0;
  for (const g of grads) largest = Math.max(largest, Math.abs(g));
  return largest * coef > clip.value;
}

/** A clipped copy of `grads`: scaled by clipCoefficient, then clamped to [-value, value] if set. */
export function referenceClip(grads: Float64Array, clip: ClipConfig, totalNorm: number): Float64Array {
  const coef = clipCoefficient(clip, totalNorm);
  const out = new Float64Array(grads.length);
  for (let i = 0; i < grads.length; i++) {
    let g = grads[i] * coef;
    if (clip.value !== undefined) g = Math.min(Math.max(g, -clip.value), clip.value);
    out[i] = g;
  }
  return out;
}
