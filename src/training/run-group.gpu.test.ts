// The whole GPU training step against the float64 reference (src/reference/train.ts), on the
// cases every backend runs (src/testing/training-cases.ts): params, loss, norms, the clipped flag,
// learning rate and run step of every record, truncated BPTT with carried state and episode
// resets, cross-entropy heads, every optimizer, clip kind and schedule.
import { afterEach, describe, expect, it } from 'vitest';
import { setGemmPolicy } from '../engine/gemm';
import { ruleVariant } from '../engine/gemm-tune';
import { useEngine } from '../testing/gpu';
import { NORM_TRAINING_CASES, TRAINING_CASES, trainAgainstReference } from '../testing/training-cases';
import { RunGroup } from './run-group';

const gpu = useEngine();

describe('training step on the GPU vs float64 reference', () => {
  it.each(TRAINING_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const records = await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
    if (c === TRAINING_CASES[0]) {
      expect(records[4].runs[1].learningRate).toBeCloseTo(0.05 * 0.9 ** 4, 12);
      // maxNorm 0.5 on the momentum run: the first steps' gradients are larger, later ones not
      expect(records.map((r) => r.runs[1].clipped)).toContain(true);
      expect(records.every((r) => !r.runs[0].clipped && !r.runs[2].clipped)).toBe(true);
    }
  });
});

// The weight-gradient GEMMs (network and head) forced to split-K (k = T*B cut in 3, 4 or 5): in a group without
// pruning the norm pass adds their partials up (shape.deferReductions), with pruning (which masks
// grads before the update) they keep their reduce dispatches; either way the reference's numbers.
const SPLIT_CASES = [
  /^LSTM 2 layers, SGD/, // two layers: every weight block and bias deferred
  /^GRU bidirectional 2 layers/, // layer 1's two input parts are strided columns of W_ih: those keep their reductions
  /^rnn_tanh bidirectional residual 3 layers/,
  /^GRU layer norm bidirectional/, // under a norm the weight GEMMs have no row sums
  /gradual and one-shot pruning/, // pruning: nothing deferred
].map((re) => [...TRAINING_CASES, ...NORM_TRAINING_CASES].find((c) => re.test(c.name))!);

describe('training step with split-K weight gradients vs float64 reference', () => {
  afterEach(() => setGemmPolicy(gpu.engine, { mode: 'measure' }));
  it.each(SPLIT_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    setGemmPolicy(gpu.engine, {
      mode: 'rule',
      force: (p) => (p.label.startsWith('weight_hh') ? { kernel: 'blocked', splits: 5 }
        : p.label.startsWith('weight_ih') ? { kernel: 'direct', splits: 3 }
          : p.label.startsWith('head weight gradient') ? { kernel: 'direct', splits: 4 } : ruleVariant(gpu.engine, p)),
    });
    const pruning = c.spec.runs.some((r) => r.prune);
    await trainAgainstReference(async (spec, onRecords) => {
      const group = await RunGroup.create(gpu.engine, spec, onRecords);
      const labels = group.net.program.list('backward').map((d) => d.bindGroup.label);
      const deferredHh = labels.filter((l) => /^weight_hh gradient .* partials$/.test(l) && !labels.includes(l.replace(/partials$/, 'reduce')));
      expect(deferredHh.length, labels.join(', ')).toBe(pruning ? 0 : group.net.plan.directions.length);
      expect(group.net.deferred === undefined).toBe(pruning);
      return group;
    }, c);
  });
});
