// LR schedules against values worked out from torch.optim.lr_scheduler's closed forms.
import { describe, expect, it } from 'vitest';
import { learningRate, validateSchedule } from './schedules';

describe('learning-rate schedules', () => {
  it('StepLR halves every 3 steps', () => {
    const cfg = { schedule: { kind: 'step' as const, stepSize: 3, gamma: 0.5 }, warmup: 0 };
    expect([1, 2, 3, 4, 6, 7].map((s) => learningRate(0.1, cfg, s))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('ExponentialLR multiplies by gamma each step', () => {
    const cfg = { schedule: { kind: 'exponential' as const, gamma: 0.9 }, warmup: 0 };
    expect(learningRate(1, cfg, 1)).toBe(1);
    expect(learningRate(1, cfg, 3)).toBeCloseTo(0.81, 15);
  });

  it('cosine goes from lr to etaMin over tMax steps and stays there', () => {
    const cfg = { schedule: { kind: 'cosine' as const, tMax: 10, etaMin: 0.001 }, warmup: 0 };
    expect(learningRate(0.1, cfg, 1)).toBeCloseTo(0.1, 15);
    expect(learningRate(0.1, cfg, 6)).toBeCloseTo(0.0505, 15);
    expect(learningRate(0.1, cfg, 11)).toBe(0.001);
    expect(learningRate(0.1, cfg, 50)).toBe(0.001);
  });

  it('linear warmup reaches the base rate at the end of warmup, then the schedule starts', () => {
    const cfg = { schedule: { kind: 'exponential' as const, gamma: 0.5 }, warmup: 4 };
    expect([1, 2, 4, 5, 6].map((s) => learningRate(0.8, cfg, s))).toEqual([0.2, 0.4, 0.8, 0.8, 0.4]);
  });

  it('names the bad field', () => {
    expect(validateSchedule({ schedule: { kind: 'step', stepSize: 0, gamma: 2 }, warmup: -1 }, 'runs[1].schedule')).toEqual([
      'runs[1].schedule.warmup must be an integer >= 0, got -1',
      'runs[1].schedule.stepSize must be an integer >= 1, got 0',
      'runs[1].schedule.gamma must be in (0, 1], got 2',
    ]);
  });
});
