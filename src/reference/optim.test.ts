/**
 * The float64 optimizer reference against trajectories made by torch.optim (fixtures/torch-optim,
 * written by fixtures/make_torch_optim.py; no torch needed here), plus the config defaults and
 * validation messages of src/training/optimizers.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  OPTIMIZERS,
  resolveOptimizer,
  validateClip,
  validateOptimizer,
  type ClipConfig,
  type OptimizerConfig,
  type ParamSegment,
} from '../training/optimizers';
import { ReferenceOptimizer, referenceClip, referenceGradNorms } from './optim';

const TOLERANCE = 1e-12;

interface TorchOptimCase {
  name: string;
  /** Only the keys torch was given; lr may be absent to use torch's default. */
  optimizer: Omit<OptimizerConfig, 'lr'> & { lr?: number };
  clip: ClipConfig;
  segments: ParamSegment[];
  params0: number[];
  lrs: number[];
  grads: number[][];
  totalNorms: number[];
  params: number[][];
}

const dir = fileURLToPath(new URL('../../fixtures/torch-optim/', import.meta.url));
const cases: TorchOptimCase[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(`${dir}${f}`, 'utf8')) as TorchOptimCase);

function worstError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

describe('reference optimizer vs torch.optim trajectories', () => {
  it('has the fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(13);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const lr = c.optimizer.lr ?? OPTIMIZERS[c.optimizer.kind].defaultLr;
    const cfg = { ...c.optimizer, lr: lr! };
    expect(validateOptimizer(cfg, 'optimizer')).toEqual([]);
    expect(validateClip(c.clip, 'clip')).toEqual([]);
    const opt = new ReferenceOptimizer(cfg, c.params0.length);
    const params = Float64Array.from(c.params0);
    c.grads.forEach((g, t) => {
      const grads = Float64Array.from(g);
      const norms = referenceGradNorms(grads, c.segments);
      expect(Math.abs(norms[0] - c.totalNorms[t]), `step ${t + 1} total norm`).toBeLessThanOrEqual(TOLERANCE);
      const segSquares = norms.slice(1).reduce((a, n) => a + n * n, 0);
      expect(Math.abs(segSquares - norms[0] ** 2)).toBeLessThanOrEqual(TOLERANCE);
      opt.step(params, referenceClip(grads, c.clip, norms[0]), c.lrs[t]);
      expect(worstError(params, c.params[t]), `step ${t + 1} params`).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it('fails on a wrong rule (the fixtures can tell the kinds apart)', () => {
    const c = cases.find((x) => x.name === 'adamw')!;
    const opt = new ReferenceOptimizer({ ...c.optimizer, kind: 'adam', lr: c.optimizer.lr! }, c.params0.length);
    const params = Float64Array.from(c.params0);
    opt.step(params, Float64Array.from(c.grads[0]), c.lrs[0]);
    expect(worstError(params, c.params[0])).toBeGreaterThan(1e-6);
  });

  it('reset() restarts from step 1 with empty slots', () => {
    const c = cases.find((x) => x.name === 'sgd-momentum')!;
    const opt = new ReferenceOptimizer(c.optimizer as OptimizerConfig, c.params0.length);
    opt.step(new Float64Array(c.params0), Float64Array.from(c.grads[2]));
    opt.reset();
    const params = Float64Array.from(c.params0);
    opt.step(params, Float64Array.from(c.grads[0]));
    expect(worstError(params, c.params[0])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('optimizer configs', () => {
  it('fills torch defaults', () => {
    expect(resolveOptimizer({ kind: 'adamw', lr: 1e-3 })).toMatchObject({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 });
    expect(resolveOptimizer({ kind: 'adam', lr: 1e-3 }).weightDecay).toBe(0);
    expect(resolveOptimizer({ kind: 'rmsprop', lr: 1e-2 })).toMatchObject({ alpha: 0.99, eps: 1e-8, momentum: 0, centered: false });
    expect(resolveOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 })).toMatchObject({ momentum: 0.9, dampening: 0, nesterov: false });
    expect(OPTIMIZERS.rmsprop.defaultLr).toBe(1e-2);
    expect(OPTIMIZERS.sgd.defaultLr).toBeUndefined();
  });

  it('names the field and the allowed range', () => {
    expect(validateOptimizer({ kind: 'adam', lr: -1 }, 'optimizer')).toEqual(['optimizer.lr must be a number > 0, got -1']);
    expect(validateOptimizer({ kind: 'adam', lr: 1e-3, beta2: 1 }, 'runs[2].optimizer')).toEqual([
      'runs[2].optimizer.beta2 must be a number in [0, 1), got 1',
    ]);
    expect(validateOptimizer({ kind: 'lbfgs', lr: 1 }, 'o')[0]).toMatch(/^o\.kind must be one of sgd, rmsprop, adam, adamw/);
    expect(validateOptimizer({ kind: 'sgd' }, 'o')).toEqual(['o.lr is required, a number > 0']);
    expect(validateOptimizer({ kind: 'sgd', lr: 0.1, beta1: 0.9 }, 'o')[0]).toMatch(/^o\.beta1 does not apply to sgd/);
    expect(validateOptimizer({ kind: 'rmsprop', lr: 0.1, centered: 1 }, 'o')).toEqual(['o.centered must be true or false, got 1']);
    expect(validateOptimizer({ kind: 'sgd', lr: 0.1, eps: NaN }, 'o')).toHaveLength(1);
    expect(validateOptimizer(null, 'o')[0]).toMatch(/^o must be an object/);
  });

  it('refuses nesterov without momentum or with dampening, as torch does', () => {
    expect(validateOptimizer({ kind: 'sgd', lr: 0.1, nesterov: true }, 'o')[0]).toMatch(/^o\.nesterov needs momentum > 0 and dampening 0/);
    expect(validateOptimizer({ kind: 'sgd', lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }, 'o')).toHaveLength(1);
    expect(validateOptimizer({ kind: 'sgd', lr: 0.1, nesterov: true, momentum: 0.9 }, 'o')).toEqual([]);
  });

  it('validates clip settings', () => {
    expect(validateClip({}, 'clip')).toEqual([]);
    expect(validateClip({ maxNorm: 1, value: 0.5 }, 'clip')).toEqual([]);
    expect(validateClip({ maxNorm: 0 }, 'clip')).toEqual(['clip.maxNorm must be a number > 0 (leave it out for no clipping), got 0']);
    expect(validateClip({ norm: 1 }, 'clip')).toEqual(['clip.norm is not a clip setting; use maxNorm or value']);
  });
});
