// The playground's charts: which exist for an experiment, what each plots, the clipped fraction
// over its sliding window, extra columns, and clip thresholds.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import type { RunRecord } from '../experiments/history';
import { CLIP_WINDOW, ClipWindow, chartPoints, chartSpecs, clipThresholds, extraColumns } from './playground-charts';

const doc = (extra: Record<string, unknown> = {}, runs: Record<string, unknown>[] = [{}, { numLayers: 2 }]) =>
  readExperiment({ version: 1, task: { kind: 'classify' }, runs, ...extra });

const record = (step: number, layers: number[], more: Partial<RunRecord> = {}): RunRecord => ({
  step, time: step / 10, loss: 1 / step, gradNorm: 2, learningRate: 0.01, layerGradNorms: layers, runStep: step, clipped: false, ...more,
});

describe('playground charts', () => {
  it('has the metric charts, evaluation charts named after the task metric, and one per layer up to the deepest run', () => {
    const specs = chartSpecs(doc());
    expect(specs.map((s) => s.id)).toEqual(['loss', 'val-loss', 'metric', 'grad-norm', 'clipped', 'learning-rate', 'layer-0', 'layer-1', 'head']);
    expect(specs.find((s) => s.id === 'metric')!.label).toBe('Validation accuracy');
    expect(specs.find((s) => s.id === 'clipped')!.label).toContain(`last ${CLIP_WINDOW} steps`);
    expect(new Set(specs.map((s) => s.label)).size).toBe(specs.length);
    expect(chartSpecs(doc({ evalEvery: 0 })).map((s) => s.id)).not.toContain('val-loss');
  });

  it('gives a run of one layer no point on the second layer\'s chart, and the head its last norm', () => {
    const specs = chartSpecs(doc());
    const points = chartPoints([record(1, [0.5, 0.25]), record(2, [0.4, 0.2])], specs, new ClipWindow());
    expect(points.get('layer-0')!.map((p) => p.value)).toEqual([0.5, 0.4]);
    expect(points.get('layer-1')).toEqual([]);
    expect(points.get('head')).toEqual([{ step: 1, time: 0.1, value: 0.25 }, { step: 2, time: 0.2, value: 0.2 }]);
    const deep = chartPoints([record(1, [3, 2, 1])], specs, new ClipWindow());
    expect([deep.get('layer-1')![0].value, deep.get('head')![0].value]).toEqual([2, 1]);
  });

  it('plots validation values only at steps that have them', () => {
    const specs = chartSpecs(doc());
    const points = chartPoints([record(1, [1, 1]), record(2, [1, 1], { valLoss: 0.7, metric: 0.6 }), record(3, [1, 1], { valLoss: NaN })], specs, new ClipWindow());
    expect(points.get('val-loss')).toEqual([{ step: 2, time: 0.2, value: 0.7 }]);
    expect(points.get('metric')!.map((p) => p.step)).toEqual([2]);
    expect(points.get('loss')!.map((p) => p.step)).toEqual([1, 2, 3]);
  });

  it('the clipped fraction is over the last 50 steps, fewer at the start', () => {
    const window = new ClipWindow();
    const records = Array.from({ length: 120 }, (_, i) => record(i + 1, [1, 1], { clipped: i < 10 || i >= 100 }));
    const values = chartPoints(records, chartSpecs(doc()), window).get('clipped')!.map((p) => p.value);
    expect(values[0]).toBe(1);
    expect(values[19]).toBe(10 / 20);
    expect(values[49]).toBe(10 / 50);
    expect(values[59]).toBe(0);
    expect(values[119]).toBe(20 / 50);
  });

  it('finds extra numeric columns and charts them', () => {
    const r = record(1, [1, 1], { sparsity: 0.25, valLoss: undefined });
    expect(extraColumns(r)).toEqual(['sparsity']);
    expect(extraColumns(record(1, [1]))).toEqual([]);
    const specs = chartSpecs(doc(), ['sparsity']);
    expect(specs.at(-1)!.label).toBe('Sparsity (fraction of zero weights)');
    expect(chartPoints([r], specs, new ClipWindow()).get('extra-sparsity')![0].value).toBe(0.25);
  });

  it('draws a clip threshold only for runs that clip by norm', () => {
    expect(clipThresholds([{ id: 'a', clip: { maxNorm: 1 } }, { id: 'b', clip: {} }, { id: 'c' }])).toEqual([
      { runId: 'a', value: 1, label: 'clip at 1' },
    ]);
  });
});
