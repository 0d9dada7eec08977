/**
 * A chart's CSV export: one row per step that any run has, columns `step`, `time_s` and one per
 * run with every raw point (not the smoothed or downsampled line). `time_s` is the wall time of
 * the first run, in column order, that has that step (runs that train in lockstep share it).
 * An empty cell: that run has no point at that step. Pure text, no DOM.
 */
import type { RunHistory } from './run-history';

export interface CsvColumn {
  label: string;
  history: RunHistory;
}

/** A field quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Values as pandas and spreadsheets read them back: shortest exact form, NaN, inf, -inf. */
function csvNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

export function metricCsv(columns: readonly CsvColumn[]): string {
  const lines = [['step', 'time_s', ...columns.map((c) => csvField(c.label))].join(',')];
  const next = columns.map(() => 0);
  for (;;) {
    let step = Infinity;
    columns.forEach((c, k) => {
      if (next[k] < c.history.length) step = Math.min(step, c.history.step(next[k]));
    });
    if (step === Infinity) break;
    let time = '';
    const cells = columns.map((c, k) => {
      const i = next[k];
      if (i >= c.history.length || c.history.step(i) !== step) return '';
      next[k]++;
      if (time === '') time = c.history.time(i).toFixed(3);
      return csvNumber(c.history.value(i));
    });
    lines.push([String(step), time, ...cells].join(','));
  }
  return lines.join('\n') + '\n';
}
