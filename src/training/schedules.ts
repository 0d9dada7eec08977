/**
 * Learning-rate schedules as pure functions of the step (1-based), with torch.optim.lr_scheduler
 * semantics: StepLR, ExponentialLR, CosineAnnealingLR, and linear warmup in front of any of them.
 * The trainer computes each run's rate on the CPU and passes it to the update kernel per step.
 */

export type Schedule =
  | { kind: 'constant' }
  /** lr * gamma^floor((step - 1) / stepSize) (StepLR). */
  | { kind: 'step'; stepSize: number; gamma: number }
  /** lr * gamma^(step - 1) (ExponentialLR). */
  | { kind: 'exponential'; gamma: number }
  /** etaMin + (lr - etaMin) (1 + cos(pi (step - 1) / tMax)) / 2, held at etaMin after tMax (CosineAnnealingLR). */
  | { kind: 'cosine'; tMax: number; etaMin: number };

export interface ScheduleConfig {
  schedule: Schedule;
  /** Steps of linear warmup from lr / warmup to lr before the schedule starts counting; 0 for none. */
  warmup: number;
}

export const CONSTANT: ScheduleConfig = { schedule: { kind: 'constant' }, warmup: 0 };

/** The learning rate for 1-based `step`. */
export function learningRate(baseLr: number, cfg: ScheduleConfig, step: number): number {
  if (cfg.warmup > 0 && step <= cfg.warmup) return (baseLr * step) / cfg.warmup;
  const k = step - cfg.warmup - 1; // steps the schedule has taken
  const s = cfg.schedule;
  switch (s.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * Math.pow(s.gamma, Math.floor(k / s.stepSize));
    case 'exponential':
      return baseLr * Math.pow(s.gamma, k);
    case 'cosine':
      if (k >= s.tMax) return s.etaMin;
      return s.etaMin + ((baseLr - s.etaMin) * (1 + Math.cos((Math.PI * k) / s.tMax))) / 2;
  }
}

/** Messages for invalid fields, each naming the field and what is allowed. */
export function validateSchedule(cfg: ScheduleConfig, field: string): string[] {
  const errors: string[] = [];
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) errors.push(`${field}.${name} must be an integer >= 1, got ${v}`);
  };
  if (!Number.isInteger(cfg.warmup) || cfg.warmup < 0) errors.push(`${field}.warmup must be an integer >= 0, got ${cfg.warmup}`);
  const s = cfg.schedule;
  if (s.kind === 'step') positiveInt(s.stepSize, 'stepSize');
  if (s.kind === 'cosine') positiveInt(s.tMax, 'tMax');
  if ((s.kind === 'step' || s.kind === 'exponential') && !(s.gamma > 0 && s.gamma <= 1)) {
    errors.push(`${field}.gamma must be in (0, 1], got ${s.gamma}`);
  }
  if (s.kind === 'cosine' && !(s.etaMin >= 0)) errors.push(`${field}.etaMin must be >= 0, got ${s.etaMin}`);
  return errors;
}
