/**
 * The backpropagation-through-time schedule: which part of which episode a training step
 * sees, whether the recurrent state is carried in from the last window, and which of the
 * window's timesteps count in the loss. Pure arithmetic, shared by the GPU trainer and
 * the float64 reference so both walk the data identically.
 *
 * Full BPTT: every step is a fresh episode of T timesteps from a zero state.
 * Truncated BPTT(k1, k2) (Williams & Peng): windows of k2 timesteps that advance k1 at a
 * time through an episode; the state after the first k1 timesteps of a window is carried,
 * detached, into the next, and only the k1 new timesteps are scored (the whole first window).
 */

export type BpttConfig =
  | { kind: 'full' }
  | {
      kind: 'truncated';
      /** Timesteps the window advances per update (k1 <= window length k2 = seqLen). */
      k1: number;
      /** Timesteps of one episode; the state resets to zero when a new episode starts. */
      episodeLength: number;
    };

export interface WindowPlan {
  episode: number;
  /** First timestep of the window inside the episode. */
  t0: number;
  /** Carry state from the previous window (slot `carrySlot`), else start from zero. */
  carry: boolean;
  carrySlot: number;
  /** Timesteps before this one carry no loss (already scored by the previous window). */
  scoreFrom: number;
}

/** Windows per episode for truncated BPTT. */
export function windowsPerEpisode(bptt: BpttConfig, seqLen: number): number {
  if (bptt.kind === 'full') return 1;
  return Math.floor((bptt.episodeLength - seqLen) / bptt.k1) + 1;
}

/** The plan for 0-based training step `n`. */
export function windowPlan(bptt: BpttConfig, seqLen: number, n: number): WindowPlan {
  if (bptt.kind === 'full') return { episode: n, t0: 0, carry: false, carrySlot: 0, scoreFrom: 0 };
  const per = windowsPerEpisode(bptt, seqLen);
  const w = n % per;
  return {
    episode: Math.floor(n / per),
    t0: w * bptt.k1,
    carry: w > 0,
    carrySlot: bptt.k1,
    scoreFrom: w > 0 ? seqLen - bptt.k1 : 0,
  };
}

/** Messages for invalid settings, each naming the field and what is allowed. */
export function validateBptt(bptt: BpttConfig, seqLen: number, field: string): string[] {
  if (bptt.kind === 'full') return [];
  const errors: string[] = [];
  if (!Number.isInteger(bptt.k1) || bptt.k1 < 1 || bptt.k1 > seqLen) {
    errors.push(`${field}.k1 must be an integer from 1 to the window length ${seqLen}, got ${bptt.k1}`);
  }
  if (!Number.isInteger(bptt.episodeLength) || bptt.episodeLength < seqLen) {
    errors.push(`${field}.episodeLength must be an integer >= the window length ${seqLen}, got ${bptt.episodeLength}`);
  }
  return errors;
}

/** Applies the plan's scoring and the head mode to a batch's loss weights ([T][B]). */
export function scoreWindow(weight: Float32Array, seqLen: number, batch: number, scoreFrom: number, lastOnly: boolean): void {
  for (let t = 0; t < seqLen; t++) {
    const scored = t >= scoreFrom && (!lastOnly || t === seqLen - 1);
    if (!scored) weight.fill(0, t * batch, (t + 1) * batch);
  }
}
