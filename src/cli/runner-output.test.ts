// The runner's printing: one line per step once every run has it (groups deliver separately), JSON
// lines with NaN/Infinity/-Infinity kept apart, a diverged run no longer holding lines back, and
// the closing line with the task's metric and baseline.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import type { RunRecord } from '../experiments/history';
import { RunnerPrinter } from './runner-output';

const doc = readExperiment({ version: 1, runs: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B', cell: 'gru' }] });
const rec = (step: number, loss: number, extra: Partial<RunRecord> = {}): RunRecord =>
  ({ step, runStep: step, time: step / 10, loss, gradNorm: 2 * loss, learningRate: 0.01, layerGradNorms: [1], clipped: false, ...extra });

function printer(json: boolean, every = 1, steps = 3) {
  const lines: string[] = [];
  return { p: new RunnerPrinter(doc, { json, every, steps }, (l) => lines.push(l)), lines };
}

describe('RunnerPrinter', () => {
  it('prints a step only when every run has it, in step order', () => {
    const { p, lines } = printer(true);
    p.records('a', [rec(1, 0.5), rec(2, 0.4)]);
    expect(lines).toEqual([]);
    p.records('b', [rec(1, 0.6)]);
    expect(lines.map((l) => JSON.parse(l).step)).toEqual([1]);
    p.records('b', [rec(2, 0.55, { clipped: true, valLoss: 0.7, metric: 0.7 })]);
    expect(JSON.parse(lines[1])).toEqual({
      step: 2,
      runs: [
        { id: 'a', label: 'A', loss: 0.4, gradNorm: 0.8, learningRate: 0.01, clipped: false },
        { id: 'b', label: 'B', loss: 0.55, gradNorm: 1.1, learningRate: 0.01, clipped: true, valLoss: 0.7, metric: 0.7 },
      ],
    });
  });

  it('adds gradThroughTime [direction][t] to a step that computed it, and only there', () => {
    const { p, lines } = printer(true);
    p.records('a', [rec(1, 0.5, { gradThroughTime: [[0.25, 0.5, Infinity]] }), rec(2, 0.4)]);
    p.records('b', [rec(1, 0.6, { gradThroughTime: [[1, 2, 3]] }), rec(2, 0.5)]);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.runs.map((r: { gradThroughTime: unknown }) => r.gradThroughTime)).toEqual([[[0.25, 0.5, 'Infinity']], [[1, 2, 3]]]);
    expect(second.runs.every((r: object) => !('gradThroughTime' in r))).toBe(true);
  });

  it('adds gate saturation and spectral norms to a step that computed them', () => {
    const { p, lines } = printer(true);
    const sat = { r: { below: [0.1], above: [0.2] }, z: { below: [0], above: [0.5] } };
    p.records('a', [rec(1, 0.5, { spectralNorm: [Infinity] }), rec(2, 0.4)]);
    p.records('b', [rec(1, 0.6, { gateSaturation: sat, spectralNorm: [1.25] }), rec(2, 0.5)]);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.runs[0].spectralNorm).toEqual(['Infinity']);
    expect(first.runs[1]).toMatchObject({ gateSaturation: sat, spectralNorm: [1.25] });
    expect(second.runs.every((r: object) => !('gateSaturation' in r) && !('spectralNorm' in r))).toBe(true);
  });

  it('keeps NaN, Infinity and -Infinity apart; a stopped run no longer holds lines back', () => {
    const { p, lines } = printer(true);
    p.records('a', [rec(1, NaN, { gradNorm: Infinity })]);
    p.records('b', [rec(1, 0.5, { gradNorm: -Infinity })]);
    p.stop('a');
    p.records('b', [rec(2, 0.4)]);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first.runs[0]).toMatchObject({ loss: 'NaN', gradNorm: 'Infinity' });
    expect(first.runs[1]).toMatchObject({ gradNorm: '-Infinity' });
    expect(second.runs.map((r: { id: string }) => r.id)).toEqual(['b']);
  });

  it('a table every N steps and on the last; the closing line', () => {
    const { p, lines } = printer(false, 2, 3);
    p.header();
    for (const s of [1, 2, 3]) {
      p.records('a', [rec(s, 1 / s)]);
      p.records('b', [rec(s, 2 / s, s === 2 ? { valLoss: 0.25, metric: 0.125 } : {})]);
    }
    p.closing({ steps: 3, seconds: 1.5, backend: 'webgpu (SwiftShader)', lostSteps: 0, task: { kind: 'sine', metric: 'mse', baseline: 0.5 }, diverged: new Map() });
    expect(lines[0].trim().startsWith('A')).toBe(true);
    expect(lines.slice(2, 4).map((l) => l.trim().split(/\s+/)[0])).toEqual(['2', '3']);
    expect(lines[4]).toBe('B: validation loss 0.2500, mse 0.1250 (baseline 0.5000)');
    expect(lines[5]).toBe('3 steps in 1.50 s: 2.000 steps/s on webgpu (SwiftShader)');
  });
});
