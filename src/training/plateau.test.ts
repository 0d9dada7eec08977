// Reduce-on-plateau's pure decision function against torch.optim.lr_scheduler.ReduceLROnPlateau
// fed the same values (fixtures/torch-plateau, made by fixtures/make_torch_plateau.py): the same
// reductions at the same calls and the same rates; plus how it meets a schedule, and validation.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  PLATEAU_DEFAULTS, freshPlateauState, plateauLearningRate, plateauStateFromArray, plateauStateKey, plateauStateToArray,
  plateauStep, validatePlateau, type PlateauConfig,
} from './plateau';

interface TorchPlateauCase {
  name: string;
  plateau: Partial<PlateauConfig>;
  lr: number;
  values: number[];
  lrs: number[];
}

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/torch-plateau/plateau.json', import.meta.url)), 'utf8')) as {
  cases: TorchPlateauCase[];
};

/** The rate after each value, as our function makes it with a constant schedule at `lr`. */
function trajectory(cfg: PlateauConfig, lr: number, values: readonly number[]): number[] {
  const state = freshPlateauState(cfg.mode);
  return values.map((v) => {
    plateauStep(cfg, state, v, lr);
    return plateauLearningRate(lr, state.scale, cfg.minLr);
  });
}

describe('plateauStep vs torch ReduceLROnPlateau', () => {
  it('has the fixtures', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const cfg = { ...PLATEAU_DEFAULTS, ...c.plateau };
    expect(validatePlateau(cfg, 'plateau')).toEqual([]);
    const ours = trajectory(cfg, c.lr, c.values);
    // The reductions happen at the same calls (an exact match of where the rate changes)...
    const changes = (lrs: number[]) => lrs.flatMap((x, i) => (x !== (i === 0 ? c.lr : lrs[i - 1]) ? [i] : []));
    expect(changes(ours)).toEqual(changes(c.lrs));
    // ...and to the same rates: torch multiplies the rate, we multiply a scale, so the last bits may differ.
    ours.forEach((x, i) => expect(Math.abs(x - c.lrs[i]), `call ${i}: ${x} vs ${c.lrs[i]}`).toBeLessThanOrEqual(1e-15 * c.lr));
  });
});

describe('the plateau with a schedule', () => {
  it('trains at the schedule times the scale, floored at minLr, never above the schedule', () => {
    expect(plateauLearningRate(0.1, 1, 0.2)).toBe(0.1);
    expect(plateauLearningRate(0.1, 0.5, 0.01)).toBe(0.05);
    expect(plateauLearningRate(0.1, 0.01, 0.01)).toBe(0.01);
    expect(plateauLearningRate(0, 0.01, 0.01)).toBe(0);
  });

  it('decides against the rate of the step it is made at', () => {
    const cfg = { ...PLATEAU_DEFAULTS, patience: 0, minLr: 0.01 };
    const state = freshPlateauState('min');
    plateauStep(cfg, state, 1, 0.05);
    // A bad value: 0.05 -> max(0.005, 0.01) = 0.01 is a reduction, the scale becomes 0.1.
    expect(plateauStep(cfg, state, 1, 0.05)).toBe(true);
    expect(state.scale).toBeCloseTo(0.1, 15);
    // At a rate already at the floor nothing is reduced: the scale stays.
    expect(plateauStep(cfg, state, 1, 0.1)).toBe(false);
    expect(state.scale).toBeCloseTo(0.1, 15);
  });

  it('state round-trips through a checkpoint array, infinities included', () => {
    const s = freshPlateauState('max');
    expect(plateauStateFromArray(plateauStateToArray(s))).toEqual(s);
    expect(plateauStateKey(undefined)).toBe('off');
    expect(plateauStateKey({ ...PLATEAU_DEFAULTS, factor: 0.5 })).toBe(plateauStateKey(PLATEAU_DEFAULTS));
    expect(plateauStateKey({ ...PLATEAU_DEFAULTS, mode: 'max' })).not.toBe(plateauStateKey(PLATEAU_DEFAULTS));
  });

  it('refuses a factor of 1, a negative patience and an unknown mode, naming the field', () => {
    expect(validatePlateau({ ...PLATEAU_DEFAULTS, factor: 1 }, 'runs[0].plateau')).toEqual(['runs[0].plateau.factor must be a number > 0 and < 1, got 1']);
    expect(validatePlateau({ ...PLATEAU_DEFAULTS, patience: -1 }, 'p')).toEqual(['p.patience must be an integer from 0 to 1000000, got -1']);
    expect(validatePlateau({ ...PLATEAU_DEFAULTS, mode: 'up' as never }, 'p')).toEqual(['p.mode must be min or max, got up']);
  });
});
