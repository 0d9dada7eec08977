// The lessons: each is valid data (its experiment at full and at test scale parses, its link
// round-trips), and each shows its stated effect at test scale, trained through the Experiment
// runtime on the in-process CPU backend (lessons 6 and 8 in lessons-capacity.test.ts, so the two
// files train in parallel). The figures printed here are the README's "what the test saw".
import { describe, expect, it } from 'vitest';
import { LESSONS, lessonExperiment, lessonExperimentAtCiScale } from '.';
import { BASELINE_MSE, lesson, MINUTES, train } from './lesson-test-support';
import { lessonHash, lessonIdFromHash } from './link';

const CHARTS = ['loss', 'val-loss', 'metric', 'grad-norm', 'clipped', 'learning-rate', 'layer-0', 'head'];

describe('lessons as data', () => {
  it('ten registered lessons with unique ids, a chart, a paper with its year', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([
      'vanishing-gradients', 'exploding-gradients', 'initialization', 'optimizers', 'lr-schedules', 'overfitting', 'normalization',
      'pruning', 'truncated-bptt', 'hidden-size-depth',
    ]);
    for (const l of LESSONS) {
      expect(CHARTS, l.id).toContain(l.chart);
      expect(l.paper, l.id).toMatch(/\(\d{4}\)/);
      expect(l.text.length, l.id).toBeGreaterThan(200);
      expect(l.id).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('every lesson parses at full size and at test size, and opens from its link', () => {
    for (const l of LESSONS) {
      const full = lessonExperiment(l);
      const ci = lessonExperimentAtCiScale(l);
      expect(full.runs.length, l.id).toBeGreaterThanOrEqual(2);
      expect(ci.budget, l.id).toBe(l.ci.steps);
      expect(ci.runs.map((r) => r.id)).toEqual(full.runs.map((r) => r.id));
      expect(lessonIdFromHash(`#${lessonHash(l.id)}`)).toBe(l.id);
    }
    expect(lessonIdFromHash('#e=abc')).toBeUndefined();
  });
});

describe('each lesson shows its effect at test scale (CPU backend)', () => {
  it('1 vanishing gradients: LSTM and GRU beat the vanilla RNN, which stays near the baseline', async () => {
    const r = await train(lesson('vanishing-gradients'));
    expect(r.lstm.valLoss).toBeLessThan(0.05);
    expect(r.gru.valLoss).toBeLessThan(0.05);
    expect(r.rnn.valLoss).toBeGreaterThan(0.6 * BASELINE_MSE);
    expect(r.lstm.valLoss).toBeLessThan(r.rnn.valLoss / 4);
  }, 5 * MINUTES);

  it('2 exploding gradients: the unclipped run diverges, the clipped one stays finite and learns', async () => {
    const r = await train(lesson('exploding-gradients'));
    expect(r.plain.divergedAt).toBeDefined();
    expect(r.clipped.divergedAt).toBeUndefined();
    expect(r.clipped.steps).toBe(lesson('exploding-gradients').ci.steps);
    expect(Number.isFinite(r.clipped.valLoss)).toBe(true);
    expect(r.clipped.loss).toBeLessThan(0.1);
  }, 5 * MINUTES);

  it('3 initialization: default and orthogonal tanh RNNs stay near the baseline; Kaiming and the IRNN learn', async () => {
    const r = await train(lesson('initialization'));
    expect(r.default.valLoss).toBeGreaterThan(0.6 * BASELINE_MSE);
    expect(r.orthogonal.valLoss).toBeGreaterThan(0.6 * BASELINE_MSE);
    expect(r.kaiming.valLoss).toBeLessThan(0.05);
    expect(r.irnn.valLoss).toBeLessThan(0.05);
  }, 5 * MINUTES);

  it('4 optimizers: RMSprop and Adam solve it, SGD and momentum stay near the baseline', async () => {
    const r = await train(lesson('optimizers'));
    expect(r.adam.valLoss).toBeLessThan(0.02);
    expect(r.rmsprop.valLoss).toBeLessThan(0.02);
    expect(r.sgd.bestValLoss).toBeGreaterThan(0.6 * BASELINE_MSE);
    expect(r.momentum.bestValLoss).toBeGreaterThan(0.6 * BASELINE_MSE);
  }, 5 * MINUTES);

  it('5 schedules: every schedule solves it; exponential decay ends highest', async () => {
    const r = await train(lesson('lr-schedules'));
    for (const run of Object.values(r)) expect(run.valLoss, run.id).toBeLessThan(0.02);
    const others = ['constant', 'step', 'cosine', 'plateau'].map((id) => r[id].valLoss);
    expect(r.exponential.valLoss).toBeGreaterThan(Math.max(...others));
  }, 5 * MINUTES);

  it('7 normalization: the plain tanh RNN stays near the baseline; layer norm learns, batch norm learns then wavers', async () => {
    const r = await train(lesson('normalization'));
    expect(r.plain.valLoss).toBeGreaterThan(0.6 * BASELINE_MSE);
    expect(r.layer.valLoss).toBeLessThan(0.05);
    expect(r.batch.bestValLoss).toBeLessThan(0.05);
  }, 5 * MINUTES);

  it('9 truncated BPTT: full BPTT learns the 40-step sum, a 5-step window stays near the baseline', async () => {
    const r = await train(lesson('truncated-bptt'));
    expect(r.full.loss).toBeLessThan(0.1);
    expect(r['window-5'].loss).toBeGreaterThan(0.6 * BASELINE_MSE);
    expect(r['window-20'].loss).toBeGreaterThan(r.full.loss);
  }, 5 * MINUTES);

  it('10 hidden size: the training loss falls with the width (4 > 16 > 64 units)', async () => {
    const r = await train(lesson('hidden-size-depth'));
    expect(r['units-16'].loss).toBeLessThan(r['units-4'].loss);
    expect(r['units-64'].loss).toBeLessThan(r['units-16'].loss);
  }, 10 * MINUTES);
});
