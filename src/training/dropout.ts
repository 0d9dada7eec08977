/**
 * Dropout masks from the counter RNG (rng.ts; the same draws in shaders/lib/dropout.wgsl), so the
 * GPU, the CPU backend and the float64 reference drop the same units. A mask is a pure function
 * of (run seed, the run's own step, site, element): runs that share a seed and a step share their
 * masks, and a restarted run draws its first step's masks again.
 *   site LAYER_SITE + l: the output of layer l ([T][B][D], element (t * B + b) * D + column),
 *     which the layer above or the head reads (torch.nn.LSTM's `dropout`, plus the head's input);
 *   site RECURRENT_SITE + d: h_{t-1} of direction d as it enters W_hh h_{t-1} ([B][H], element
 *     b * H + j), one mask for every timestep of the window (Gal and Ghahramani 2016).
 * An element is kept when its 24 random bits are at least ceil(p * 2^24): an integer test, so
 * every backend agrees exactly; kept values are scaled by 1 / (1 - p) (inverted dropout).
 */
import type { DropoutMasks } from '../model/layout';
import type { NetworkPlan } from '../model/plan';
import { deriveKey, rngU32, STREAM } from './rng';

export const LAYER_SITE = 0;
export const RECURRENT_SITE = 64;

/** A run's dropout for one step, as kernels read it from the per-run table. */
export interface DropoutDraw {
  /** The step's key (dropoutKey). */
  key: number;
  /** Keep an element when (bits >> 8) >= threshold; 0 keeps everything. */
  threshold: number;
  /** 1 / (1 - p). */
  scale: number;
}

/** The key of a run's masks at its own step `runStep` (1-based). */
export function dropoutKey(seed: number, runStep: number): number {
  return deriveKey(deriveKey(seed, STREAM.dropout), runStep);
}

/** Threshold and scale of rate p in [0, 1). */
export function dropoutDraw(key: number, p: number): DropoutDraw {
  return { key, threshold: Math.ceil(p * 2 ** 24), scale: 1 / (1 - p) };
}

/** Fills out[0..n) with site `site`'s mask: the scale where kept, 0 where dropped. */
export function fillMask(out: Float32Array | Float64Array, draw: DropoutDraw, site: number): void {
  const k = deriveKey(draw.key, site);
  for (let i = 0; i < out.length; i++) out[i] = rngU32(k, STREAM.dropout, i) >>> 8 >= draw.threshold ? draw.scale : 0;
}

/** Every mask of one run's training step, for the reference: none where the rate is 0. */
export function stepMasks(plan: NetworkPlan, seqLen: number, batch: number, output?: DropoutDraw, recurrent?: DropoutDraw): DropoutMasks {
  const masks: DropoutMasks = {};
  if (output && output.threshold > 0) {
    masks.output = plan.layers.map((l) => {
      const m = new Float64Array(seqLen * batch * l.outputSize);
      fillMask(m, output, LAYER_SITE + l.layer);
      return m;
    });
  }
  if (recurrent && recurrent.threshold > 0) {
    masks.recurrent = plan.directions.map((d) => {
      const m = new Float64Array(batch * plan.shape.hiddenSize);
      fillMask(m, recurrent, RECURRENT_SITE + d.index);
      return m;
    });
  }
  return masks;
}

/** Messages for a run's rates, each naming the field. */
export function validateDropout(run: { dropout?: number; recurrentDropout?: number }, at: string): string[] {
  const errors: string[] = [];
  for (const key of ['dropout', 'recurrentDropout'] as const) {
    const p = run[key] ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) errors.push(`${at}.${key} must be a number >= 0 and < 1, got ${p}`);
  }
  return errors;
}
