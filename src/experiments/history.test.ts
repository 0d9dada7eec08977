// A run's history keeps the per-timestep gradient norms of the steps that computed them, by step,
// through a fork's copy and a save (JSON keeps NaN and the infinities apart).
import { describe, expect, it } from 'vitest';
import { RunHistory, type RunRecord } from './history';

const rec = (step: number, extra: Partial<RunRecord> = {}): RunRecord =>
  ({ step, runStep: step, time: step, loss: 1 / step, gradNorm: 1, learningRate: 0.1, layerGradNorms: [1, 2], clipped: false, ...extra });

describe('RunHistory gradThroughTime', () => {
  it('keeps the norms of diagnostics steps only, through upTo and JSON', () => {
    const h = new RunHistory();
    h.push(rec(1));
    h.push(rec(2, { gradThroughTime: [[0.5, 0.25], [Infinity, NaN]] }));
    h.push(rec(3));
    h.push(rec(4, { gradThroughTime: [[1, 2], [3, 4]] }));
    expect(h.gradThroughTime().map((g) => g.step)).toEqual([2, 4]);
    expect(h.record(0).gradThroughTime).toBeUndefined();
    expect(h.record(1).gradThroughTime).toEqual([[0.5, 0.25], [Infinity, NaN]]);
    expect(h.upTo(3).gradThroughTime().map((g) => g.step)).toEqual([2]);
    const json = JSON.parse(JSON.stringify(h.toJSON()));
    expect(json.gradThroughTime[0]).toEqual({ step: 2, norms: [[0.5, 0.25], ['Infinity', null]] });
    const back = RunHistory.fromJSON(json);
    expect(back.gradThroughTime()).toEqual(h.gradThroughTime());
    expect(new RunHistory().toJSON().gradThroughTime).toBeUndefined();
  });
});

describe('RunHistory diagnostics', () => {
  it('keeps gate saturation and spectral norms by step, in records and through upTo', () => {
    const h = new RunHistory();
    const sat = { i: { below: [0.25], above: [0.5] } };
    h.push(rec(1));
    h.push(rec(2, { gateSaturation: sat, spectralNorm: [1.5] }));
    h.push(rec(3));
    expect(h.diagnostics()).toEqual([{ step: 2, gateSaturation: sat, spectralNorm: [1.5] }]);
    expect(h.record(0).gateSaturation).toBeUndefined();
    expect(h.record(1)).toMatchObject({ gateSaturation: sat, spectralNorm: [1.5] });
    expect(h.upTo(1).diagnostics()).toEqual([]);
    expect(h.upTo(2).diagnostics().map((d) => d.step)).toEqual([2]);
  });
});
