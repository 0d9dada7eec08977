// Which kernel path a shape runs under each policy, and the looping kernels' chunk length and workgroup size: from a FLOP budget per dispatch (whole dispatch on a software
// adapter, per workgroup on a GPU), never below one step, and the tests' fixed override; when the
// top layer folds the head's input gradient (FOLD_HEAD) and layer 0 its input projection (FOLD_INPUT);
// how many hidden units a backward_step thread serves.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine';
import {
  backwardStepUnits, chooseKernelPath, FOLD_HEAD_MAX_OUTPUTS, FOLD_INPUT_BELOW, foldsHead, foldsInput, LOOPING_MAX_HIDDEN, loopingChunk, loopingWorkgroup,
  setBackwardStepUnits, setKernelPolicy, setLoopingChunk, setLoopingWorkgroup,
} from './kernel-path';

const engine = (description: string) => ({ adapterInfo: { vendor: '', architecture: '', description } }) as unknown as Engine;

describe('loopingChunk', () => {
  const S = { runs: 1, batch: 16, hiddenSize: 64, gates: 4 };

  it('on a software adapter: 1e8 FLOP over the whole dispatch (S: 190 steps, so T 32 and 128 are one dispatch)', () => {
    const sw = engine('SwiftShader Device (Subzero)');
    expect(loopingChunk(sw, S)).toBe(Math.floor(1e8 / (16 * 2 * 4 * 64 * 64)));
    expect(loopingChunk(sw, S)).toBe(190);
    // 32 runs of H 256: each step is 1.1 GFLOP of mat-vec, more than the budget, so one step per dispatch
    expect(loopingChunk(sw, { runs: 32, batch: 64, hiddenSize: 256, gates: 4 })).toBe(1);
  });

  it('on a GPU: per workgroup of 4 batch rows, bounded by the whole dispatch', () => {
    const gpu = engine('NVIDIA H200');
    expect(loopingChunk(gpu, { runs: 1, batch: 16, hiddenSize: 256, gates: 4 })).toBe(Math.floor(5e8 / (4 * 2 * 4 * 256 * 256)));
    expect(loopingChunk(gpu, { runs: 64, batch: 256, hiddenSize: 256, gates: 4 })).toBe(Math.floor(5e10 / (64 * 256 * 2 * 4 * 256 * 256)));
  });

  it('a fixed chunk for tests, per engine, until cleared; refuses a non-positive or fractional one', () => {
    const a = engine('SwiftShader');
    const b = engine('SwiftShader');
    setLoopingChunk(a, 3);
    expect(loopingChunk(a, S)).toBe(3);
    expect(loopingChunk(b, S)).toBe(190);
    setLoopingChunk(a, undefined);
    expect(loopingChunk(a, S)).toBe(190);
    expect(() => setLoopingChunk(a, 0)).toThrow(/whole number of timesteps >= 1, got 0/);
    expect(() => setLoopingChunk(a, 2.5)).toThrow(/got 2.5/);
  });
});

describe('chooseKernelPath', () => {
  it('auto picks per-step on a software adapter, whatever the shape', () => {
    const e = engine('SwiftShader Device (Subzero)');
    for (const hiddenSize of [8, LOOPING_MAX_HIDDEN, LOOPING_MAX_HIDDEN + 1]) {
      expect(chooseKernelPath(e, { hiddenSize }).path).toBe('per-step');
    }
    expect(chooseKernelPath(e, { hiddenSize: 8 }).reason).toMatch(/software adapter/);
  });

  it('auto and looping pick the looping kernels on a GPU up to LOOPING_MAX_HIDDEN without norms; per-step otherwise', () => {
    const e = engine('NVIDIA H200');
    expect(chooseKernelPath(e, { hiddenSize: LOOPING_MAX_HIDDEN }).path).toBe('looping');
    expect(chooseKernelPath(e, { hiddenSize: LOOPING_MAX_HIDDEN + 1 })).toEqual({ path: 'per-step', reason: expect.stringMatching(/above/) });
    expect(chooseKernelPath(e, { hiddenSize: 8, norm: 'layer' }).path).toBe('per-step');
    expect(chooseKernelPath(e, { hiddenSize: 8, norm: 'batch' }).path).toBe('per-step');
    expect(chooseKernelPath(e, { hiddenSize: 8, norm: 'none' }).path).toBe('looping');
    setKernelPolicy(e, 'looping');
    const sw = engine('SwiftShader');
    setKernelPolicy(sw, 'looping');
    expect(chooseKernelPath(sw, { hiddenSize: 8 }).path).toBe('looping');
    expect(chooseKernelPath(e, { hiddenSize: 8, norm: 'layer' }).path).toBe('per-step');
    expect(chooseKernelPath(e, { hiddenSize: 8 }).reason).toMatch(/forced/);
    setKernelPolicy(e, 'per-step');
    expect(chooseKernelPath(e, { hiddenSize: 8 }).path).toBe('per-step');
    expect(() => setKernelPolicy(e, 'fast' as never)).toThrow(/kernels must be one of auto, per-step, looping, got fast/);
  });
});

describe('loopingWorkgroup', () => {
  it('64 threads on a software adapter; on a GPU one thread per unit, in steps of 64, at most 256', () => {
    const sw = engine('SwiftShader');
    const gpu = engine('NVIDIA H200');
    expect([8, 64, 70, 256].map((h) => loopingWorkgroup(sw, h))).toEqual([64, 64, 64, 64]);
    expect([8, 64, 70, 200, 256].map((h) => loopingWorkgroup(gpu, h))).toEqual([64, 64, 128, 256, 256]);
  });

  it('a fixed size for tests until cleared; refuses one that is not a multiple of 4 from 4 to 256', () => {
    const sw = engine('SwiftShader');
    setLoopingWorkgroup(sw, 256);
    expect(loopingWorkgroup(sw, 8)).toBe(256);
    setLoopingWorkgroup(sw, undefined);
    expect(loopingWorkgroup(sw, 8)).toBe(64);
    for (const bad of [0, 2, 6, 260, 12.5]) expect(() => setLoopingWorkgroup(sw, bad)).toThrow(`got ${bad}`);
  });
});

describe('foldsHead', () => {
  it('folds a head of 1 to 16 outputs straight above the top layer; a wider head (a char task\'s 60) or a layer-output kernel keeps the GEMM', () => {
    expect(FOLD_HEAD_MAX_OUTPUTS).toBe(16);
    expect([1, 3, 16].map((o) => foldsHead(o, false))).toEqual([true, true, true]);
    expect([17, 60].map((o) => foldsHead(o, false))).toEqual([false, false]);
    expect([1, 3, 16].map((o) => foldsHead(o, true))).toEqual([false, false, false]);
  });
});

describe('foldsInput', () => {
  it('folds layer 0\'s projection of an input narrower than 16, on either path; never a layer above', () => {
    expect(FOLD_INPUT_BELOW).toBe(16);
    expect([1, 8, 15].map((i) => foldsInput(0, i))).toEqual([true, true, true]);
    expect([16, 64].map((i) => foldsInput(0, i))).toEqual([false, false]);
    expect([1, 8].map((i) => foldsInput(1, i))).toEqual([false, false]);
  });
});

describe('backwardStepUnits', () => {
  it('4 units a thread on a software adapter, 1 on a GPU; a fixed count for tests until cleared, only 1, 2 or 4', () => {
    const sw = engine('SwiftShader');
    const gpu = engine('NVIDIA H200');
    expect(backwardStepUnits(sw)).toBe(4);
    expect(backwardStepUnits(gpu)).toBe(1);
    setBackwardStepUnits(gpu, 2);
    expect(backwardStepUnits(gpu)).toBe(2);
    setBackwardStepUnits(gpu, undefined);
    expect(backwardStepUnits(gpu)).toBe(1);
    for (const bad of [0, 3, 8, 1.5]) expect(() => setBackwardStepUnits(sw, bad)).toThrow(`got ${bad}`);
  });
});
