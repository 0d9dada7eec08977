/**
 * Turning a character model's outputs into text: one character per step drawn from the softmax
 * of its logits divided by a temperature, seeded by the counter RNG so a sample is reproducible.
 * Pure: the caller runs the network (feeding each drawn character back in) and passes logits.
 */
import { argMax } from './metric';
import { deriveKey, rngUniform, STREAM } from '../training/rng';

/** 'smp': sampling draws from keys of its own, apart from the data's. */
const SAMPLE_TAG = 0x736d70;

/**
 * One class per step from `logits` ([steps][classes]): drawn from softmax(logits / temperature),
 * or the arg-max at temperature 0. Step t uses counter `counter0 + t` of the seed's sampling
 * key, so sampling one step at a time (counter0 = 0, 1, 2, ...) draws what one call would.
 */
export function sampleClasses(logits: ArrayLike<number>, classes: number, temperature: number, seed: number, counter0 = 0): number[] {
  if (!(temperature >= 0)) throw new Error(`temperature must be a number >= 0, got ${temperature}`);
  if (logits.length % classes !== 0) throw new Error(`logits hold ${logits.length} numbers, not a whole number of steps of ${classes} classes`);
  const key = deriveKey(seed, SAMPLE_TAG);
  const out: number[] = [];
  const p = new Float64Array(classes);
  for (let off = 0, t = 0; off < logits.length; off += classes, t++) {
    if (temperature === 0) {
      out.push(argMax(logits, off, classes));
      continue;
    }
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[off + c] / temperature);
    let z = 0;
    for (let c = 0; c < classes; c++) z += p[c] = Math.exp(logits[off + c] / temperature - m);
    let u = rngUniform(key, STREAM.data, counter0 + t) * z;
    let pick = classes - 1;
    for (let c = 0; c < classes; c++) {
      u -= p[c];
      if (u < 0) {
        pick = c;
        break;
      }
    }
    out.push(pick);
  }
  return out;
}

/** sampleClasses, decoded through the task's vocabulary (one string per class). */
export function sampleText(logits: ArrayLike<number>, vocabulary: readonly string[], temperature: number, seed: number, counter0 = 0): string {
  return sampleClasses(logits, vocabulary.length, temperature, seed, counter0).map((c) => vocabulary[c]).join('');
}
