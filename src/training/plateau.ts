/**
 * Reduce-on-plateau as data and as one pure decision function, with the semantics and defaults of
 * torch.optim.lr_scheduler.ReduceLROnPlateau (including its eps = 1e-8 rule). The GPU makes the
 * same decision in shaders/plateau.wgsl (float32), the float64 reference and the CPU backend call
 * plateauStep; src/training/plateau.test.ts holds this function against torch's own trajectories.
 *
 * How it meets a schedule: the plateau keeps a `scale` (1 until the first reduction, times
 * `factor` at each one) and the rate a run trains with is min(s, max(s * scale, minLr)), s the
 * schedule's rate at that step: the schedule's rate times the plateau's factor, floored at minLr,
 * never above the schedule itself. With a constant schedule that is exactly torch's learning rate.
 */
import { evaluates, isEvalStep } from './eval-batches';
import type { GroupSpec } from './group-spec';

export type PlateauMode = 'min' | 'max';
export type ThresholdMode = 'rel' | 'abs';

export interface PlateauConfig {
  /** min: lower is better (a loss); max: higher is better. */
  mode: PlateauMode;
  /** Multiplies the learning rate at each reduction; torch refuses 1 or more. */
  factor: number;
  /** Evaluations with no improvement tolerated before a reduction. */
  patience: number;
  /** How much better than the best a value must be to count as an improvement. */
  threshold: number;
  /** rel: better than best * (1 -/+ threshold); abs: better than best -/+ threshold. */
  thresholdMode: ThresholdMode;
  /** Evaluations after a reduction during which bad ones are not counted. */
  cooldown: number;
  /** The learning rate a reduction never goes below. */
  minLr: number;
}

/** torch's defaults. */
export const PLATEAU_DEFAULTS: PlateauConfig = {
  mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0,
};

/** torch's `eps`: a reduction smaller than this is not applied. */
export const PLATEAU_EPS = 1e-8;

/** One run's plateau state: what torch's scheduler keeps, plus the scale it has applied so far. */
export interface PlateauState {
  best: number;
  /** num_bad_epochs: evaluations since the last improvement. */
  bad: number;
  /** cooldown_counter. */
  cooldown: number;
  /** The learning rate's factor so far (1 before any reduction). */
  scale: number;
}

/** RunCheckpoint.extra key of a run's plateau state: [best, bad, cooldown, scale]. */
export const PLATEAU_STATE_KEY = 'plateau.state';

/** A new scheduler's state: best is the worst value of the mode. */
export function freshPlateauState(mode: PlateauMode): PlateauState {
  return { best: mode === 'min' ? Infinity : -Infinity, bad: 0, cooldown: 0, scale: 1 };
}

export function plateauStateToArray(s: PlateauState): Float32Array {
  return Float32Array.of(s.best, s.bad, s.cooldown, s.scale);
}

export function plateauStateFromArray(a: ArrayLike<number>): PlateauState {
  return { best: a[0], bad: a[1], cooldown: a[2], scale: a[3] };
}

/** The rate a run trains with: the schedule's `rate` times `scale`, floored at minLr, at most `rate`. */
export function plateauLearningRate(rate: number, scale: number, minLr: number): number {
  return Math.min(rate, Math.max(rate * scale, minLr));
}

/**
 * The one number the comparison needs besides the best: 1 - threshold (min, rel), 1 + threshold
 * (max, rel) or the threshold itself (abs), as torch computes it.
 */
export function plateauThreshold(cfg: PlateauConfig): number {
  if (cfg.thresholdMode === 'abs') return cfg.threshold;
  return cfg.mode === 'min' ? 1 - cfg.threshold : cfg.threshold + 1;
}

/** torch's is_better(a, best). */
export function plateauIsBetter(cfg: PlateauConfig, a: number, best: number): boolean {
  const t = plateauThreshold(cfg);
  if (cfg.mode === 'min') return cfg.thresholdMode === 'rel' ? a < best * t : a < best - t;
  return cfg.thresholdMode === 'rel' ? a > best * t : a > best + t;
}

/**
 * One scheduler.step(value) at a step whose schedule rate is `rate`; updates `state` in place and
 * says whether the rate was reduced (from the next step on).
 */
export function plateauStep(cfg: PlateauConfig, state: PlateauState, value: number, rate: number): boolean {
  if (plateauIsBetter(cfg, value, state.best)) {
    state.best = value;
    state.bad = 0;
  } else {
    state.bad += 1;
  }
  if (state.cooldown > 0) {
    state.cooldown -= 1;
    state.bad = 0; // bad evaluations in the cooldown do not count
  }
  if (state.bad <= cfg.patience) return false;
  state.cooldown = cfg.cooldown;
  state.bad = 0;
  const old = plateauLearningRate(rate, state.scale, cfg.minLr);
  const next = Math.max(old * cfg.factor, cfg.minLr);
  if (old - next <= PLATEAU_EPS) return false;
  state.scale *= cfg.factor;
  return true;
}

/** What gives the state its meaning: a change of it (on, off, another mode) starts the state afresh. */
export function plateauStateKey(cfg: PlateauConfig | undefined): string {
  return cfg ? `on ${cfg.mode}` : 'off';
}

/** What a group's plateau watches: the validation loss where the group evaluates, else the training loss. */
export function plateauMonitor(spec: Pick<GroupSpec, 'evalEvery' | 'task'>): 'validation' | 'training' {
  return evaluates(spec) ? 'validation' : 'training';
}

/** Whether group step `step` (1-based) makes a decision: every evaluation, or every step on the training loss. */
export function plateauDecides(spec: Pick<GroupSpec, 'evalEvery' | 'task'>, step: number): boolean {
  return plateauMonitor(spec) === 'training' || isEvalStep(spec, step);
}

/** Problems with a plateau config, each naming `field`.key; [] if none. */
export function validatePlateau(cfg: PlateauConfig, field: string): string[] {
  const errors: string[] = [];
  if (cfg.mode !== 'min' && cfg.mode !== 'max') errors.push(`${field}.mode must be min or max, got ${String(cfg.mode)}`);
  if (cfg.thresholdMode !== 'rel' && cfg.thresholdMode !== 'abs') errors.push(`${field}.thresholdMode must be rel or abs, got ${String(cfg.thresholdMode)}`);
  if (!(cfg.factor > 0 && cfg.factor < 1)) errors.push(`${field}.factor must be a number > 0 and < 1, got ${cfg.factor}`);
  for (const key of ['patience', 'cooldown'] as const) {
    if (!Number.isInteger(cfg[key]) || cfg[key] < 0 || cfg[key] > 1_000_000) errors.push(`${field}.${key} must be an integer from 0 to 1000000, got ${cfg[key]}`);
  }
  if (!(cfg.threshold >= 0 && cfg.threshold <= 1e6)) errors.push(`${field}.threshold must be a number from 0 to 1000000, got ${cfg.threshold}`);
  if (!(cfg.minLr >= 0 && cfg.minLr <= 100)) errors.push(`${field}.minLr must be a number from 0 to 100, got ${cfg.minLr}`);
  return errors;
}
