// Threshold lines: visible runs only, in their colour, nothing a log axis cannot place.
import { describe, expect, it } from 'vitest';
import { thresholdLines } from './chart-run';

describe('thresholdLines', () => {
  const runs = [
    { id: 'a', label: 'A', color: '#111111' },
    { id: 'b', label: 'B', color: '#222222', hidden: true },
    { id: 'c', label: 'C', color: '#333333' },
  ];

  it('draws one line per visible run that has a threshold', () => {
    const lines = thresholdLines(runs, [{ runId: 'a', value: 1 }, { runId: 'b', value: 2 }, { runId: 'x', value: 3 }], false);
    expect(lines).toEqual([{ value: 1, color: '#111111' }]);
  });

  it('leaves out non-finite values, and values of zero or less on a log axis', () => {
    const thresholds = [{ runId: 'a', value: 0 }, { runId: 'c', value: NaN }];
    expect(thresholdLines(runs, thresholds, false)).toEqual([{ value: 0, color: '#111111' }]);
    expect(thresholdLines(runs, thresholds, true)).toEqual([]);
  });
});
