// The gradient-flow view's data: steps in order (a reset starts again), heatmap columns per
// direction, direction labels, and one colour scale over every run.
import { describe, expect, it } from 'vitest';
import { RunFlow, directionLabel, sharedScale } from './grad-flow';

describe('RunFlow', () => {
  it('keeps steps in order and starts again after a reset', () => {
    const f = new RunFlow();
    f.add({ step: 5, norms: [[1, 2], [3, 4]] });
    f.add({ step: 10, norms: [[5, 6], [7, 8]] });
    expect(f.directions).toBe(2);
    expect(f.heatmap(1, 10)).toEqual({ steps: [5, 10], columns: [[3, 4], [7, 8]] });
    f.add({ step: 5, norms: [[9, 9]] });
    expect(f.steps.map((s) => s.step)).toEqual([5]);
    expect(f.latest?.norms).toEqual([[9, 9]]);
  });

  it('picks at most the asked number of columns, first and last kept', () => {
    const f = new RunFlow();
    for (let s = 1; s <= 100; s++) f.add({ step: s, norms: [[s]] });
    const h = f.heatmap(0, 4);
    expect(h.steps).toEqual([1, 34, 67, 100]);
    expect(h.columns).toEqual([[1], [34], [67], [100]]);
  });
});

describe('directions and the shared scale', () => {
  it('labels layers, and their halves when bidirectional', () => {
    expect([0, 1, 2].map((d) => directionLabel(d, 1))).toEqual(['layer 0', 'layer 1', 'layer 2']);
    expect([0, 1, 2, 3].map((d) => directionLabel(d, 2))).toEqual(['layer 0, forward', 'layer 0, reverse', 'layer 1, forward', 'layer 1, reverse']);
  });

  it('spans every run and notes non-finite values', () => {
    const a = new RunFlow();
    const b = new RunFlow();
    a.add({ step: 1, norms: [[0.01, 2]] });
    b.add({ step: 1, norms: [[0.5, 30]] });
    expect(sharedScale([a, b])).toEqual({ scale: { min: 0.01, max: 30 }, nonFinite: false });
    b.add({ step: 2, norms: [[Infinity, 1]] });
    expect(sharedScale([a, b]).nonFinite).toBe(true);
  });
});
