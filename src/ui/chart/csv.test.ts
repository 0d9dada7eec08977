// CSV export: every raw point, runs merged by step, labels quoted, non-finite values readable.
import { describe, expect, it } from 'vitest';
import { csvField, metricCsv } from './csv';
import { RunHistory } from './run-history';

function history(points: [step: number, time: number, value: number][]): RunHistory {
  const h = new RunHistory();
  h.append(points.map(([step, time, value]) => ({ step, time, value })));
  return h;
}

describe('metricCsv', () => {
  it('writes one row per step with one column per run', () => {
    const csv = metricCsv([
      { label: 'Adam lr 0.01', history: history([[1, 0.5, 0.25], [2, 1, 0.125]]) },
      { label: 'SGD lr 0.1', history: history([[1, 0.5, 0.5], [2, 1, 0.3]]) },
    ]);
    expect(csv).toBe('step,time_s,Adam lr 0.01,SGD lr 0.1\n1,0.500,0.25,0.5\n2,1.000,0.125,0.3\n');
  });

  it('merges runs with different steps and leaves missing cells empty', () => {
    const csv = metricCsv([
      { label: 'a', history: history([[1, 0.1, 1], [3, 0.3, 3]]) },
      { label: 'b', history: history([[2, 5, 20], [3, 6, 30], [4, 7, 40]]) },
    ]);
    expect(csv.trim().split('\n')).toEqual(['step,time_s,a,b', '1,0.100,1,', '2,5.000,,20', '3,0.300,3,30', '4,7.000,,40']);
  });

  it('keeps every point of a long history and writes non-finite values', () => {
    const h = new RunHistory();
    h.append(Array.from({ length: 10_000 }, (_, i) => ({ step: i + 1, time: i, value: i === 9998 ? NaN : i === 9999 ? -Infinity : i })));
    const rows = metricCsv([{ label: 'x', history: h }]).trim().split('\n');
    expect(rows).toHaveLength(10_001);
    expect(rows.slice(1).map((r) => Number(r.split(',')[0]))).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(rows.slice(-2)).toEqual(['9999,9998.000,NaN', '10000,9999.000,-inf']);
  });

  it('quotes labels with commas and quotes', () => {
    expect(csvField('Adam, lr "big"')).toBe('"Adam, lr ""big"""');
    expect(metricCsv([{ label: 'a,b', history: new RunHistory() }])).toBe('step,time_s,"a,b"\n');
  });
});
