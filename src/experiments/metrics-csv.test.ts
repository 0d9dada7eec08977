// The metrics CSV: one row per run and step, every column, absent values empty, NaN and
// infinities spelled out, labels quoted when they hold commas or quotes.
import { expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { RunHistory, type RunRecord } from './history';
import { metricsCsv } from './metrics-csv';

it('writes every run and step in long form', () => {
  const doc = readExperiment({ version: 1, runs: [{ id: 'a', label: 'Adam, "fast"' }, { id: 'b' }] });
  const rec = (step: number, loss: number, extra: Partial<RunRecord> = {}): RunRecord =>
    ({ step, runStep: step, time: step / 2, loss, gradNorm: 1, learningRate: 0.01, layerGradNorms: [0.5, 0.25], clipped: false, ...extra });
  const a = new RunHistory();
  a.push(rec(1, 0.5));
  a.push(rec(2, Infinity, { clipped: true, valLoss: 0.4, metric: 0.4 }));
  const b = new RunHistory();
  b.push(rec(1, NaN));
  const csv = metricsCsv(doc, (id) => (id === 'a' ? a : b)).trimEnd().split('\n');
  expect(csv[0]).toBe('step,run,label,time_s,loss,gradNorm,learningRate,clipped,valLoss,metric,sparsity,gradNorm_segment0,gradNorm_segment1');
  expect(csv[1]).toBe('1,a,"Adam, ""fast""",0.5,0.5,1,0.01,0,,,,0.5,0.25');
  expect(csv[2]).toBe('2,a,"Adam, ""fast""",1,Infinity,1,0.01,1,0.4,0.4,,0.5,0.25');
  expect(csv[3]).toBe('1,b,run 2,0.5,NaN,1,0.01,0,,,,0.5,0.25');
});
