/**
 * Gradient norms, clipping and the optimizer update for one run on the CPU, in float32 arrays:
 * the twin of shaders/norms.wgsl and shaders/optimizer.wgsl (clip_grad_norm_, then
 * clip_grad_value_, then one torch.optim rule, fused in one pass), with the state slots in the
 * same meaning so checkpoints move between backends. The float64 oracle is src/reference/optim.ts.
 */
import { clipCoefficient } from '../reference/optim';
import { adamBiasCorrection, type ClipConfig, type ParamSegment, type ResolvedOptimizer } from '../training/optimizers';

/**
 * out[0] = the L2 norm of grads[g0 .. g0 + P), out[1 + k] = the norm of segment k (offsets
 * relative to g0). Sums of squares in float64.
 */
export function gradNorms(out: Float64Array, grads: Float32Array, g0: number, segments: readonly ParamSegment[]): void {
  let total = 0;
  for (let k = 0; k < segments.length; k++) {
    const from = g0 + segments[k].offset;
    const to = from + segments[k].length;
    let sum = 0;
    for (let i = from; i < to; i++) sum += grads[i] * grads[i];
    total += sum;
    out[1 + k] = Math.sqrt(sum);
  }
  out[0] = Math.sqrt(total);
}

/** What one update did: which clipping changed the gradient (the record's `clipped`). */
export interface UpdateOutcome {
  normClipped: boolean;
  valueClipped: boolean;
}

/**
 * One update of params[p0 .. p0 + P) from grads[0 .. P): the gradient scaled by clip_grad_norm_'s
 * coefficient (from `totalNorm`), clamped to [-value, value], then the rule of `opt` with
 * learning rate `lr` at the 1-based `optimizerStep` (Adam's t; SGD's first step seeds momentum).
 * Slots, as on the GPU:
 *   sgd: slot 0 = momentum_buffer; rmsprop: 0 = square_avg, 1 = grad_avg, 2 = momentum_buffer;
 *   adam(w): 0 = exp_avg, 1 = exp_avg_sq.
 */
export function updateRun(
  params: Float32Array, slots: readonly Float32Array[], p0: number, grads: Float32Array, P: number,
  opt: ResolvedOptimizer, clip: ClipConfig, totalNorm: number, lr: number, optimizerStep: number,
): UpdateOutcome {
  const coef = clipCoefficient(clip, totalNorm);
  const limit = clip.value ?? Infinity;
  let valueClipped = false;
  const [s0, s1, s2] = slots;
  const wd = opt.weightDecay;
  if (opt.kind === 'sgd') {
    const { momentum, nesterov } = opt;
    const keep = 1 - opt.dampening;
    const first = optimizerStep === 1;
    for (let i = 0; i < P; i++) {
      let g = grads[i] * coef;
      if (g > limit || g < -limit) {
        g = g > 0 ? limit : -limit;
        valueClipped = true;
      }
      const at = p0 + i;
      const p = params[at];
      if (wd !== 0) g += wd * p;
      if (momentum !== 0) {
        // torch starts the buffer as a copy of the first gradient, with no dampening
        const buf = first ? g : momentum * s0[at] + keep * g;
        s0[at] = buf;
        g = nesterov ? g + momentum * buf : buf;
      }
      params[at] = p - lr * g;
    }
  } else if (opt.kind === 'rmsprop') {
    const { alpha, eps, momentum, centered } = opt;
    const rest = 1 - alpha;
    for (let i = 0; i < P; i++) {
      let g = grads[i] * coef;
      if (g > limit || g < -limit) {
        g = g > 0 ? limit : -limit;
        valueClipped = true;
      }
      const at = p0 + i;
      const p = params[at];
      if (wd !== 0) g += wd * p;
      const sq = alpha * s0[at] + rest * g * g;
      s0[at] = sq;
      let avg: number;
      if (centered) {
        const ga = alpha * s1[at] + rest * g;
        s1[at] = ga;
        avg = Math.sqrt(sq - ga * ga) + eps;
      } else {
        avg = Math.sqrt(sq) + eps;
      }
      if (momentum > 0) {
        const buf = momentum * s2[at] + g / avg;
        s2[at] = buf;
        params[at] = p - lr * buf;
      } else {
        params[at] = p - lr * (g / avg);
      }
    }
  } else {
    const { beta1, beta2, eps } = opt;
    const { stepSize, bc2Sqrt } = adamBiasCorrection(lr, beta1, beta2, optimizerStep);
    const decoupled = opt.kind === 'adamw';
    const decay = 1 - lr * wd;
    for (let i = 0; i < P; i++) {
      let g = grads[i] * coef;
      if (g > limit || g < -limit) {
        g = g > 0 ? limit : -limit;
        valueClipped = true;
      }
      const at = p0 + i;
      let p = params[at];
      if (decoupled) p *= decay;
      else if (wd !== 0) g += wd * p;
      const m = beta1 * s0[at] + (1 - beta1) * g;
      const v = beta2 * s1[at] + (1 - beta2) * g * g;
      s0[at] = m;
      s1[at] = v;
      params[at] = p - stepSize * (m / (Math.sqrt(v) / bc2Sqrt + eps));
    }
  }
  return { normClipped: coef < 1, valueClipped };
}
