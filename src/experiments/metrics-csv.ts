/**
 * Every run's metric history as one CSV table in long form (one row per run and step), for the
 * runner's --csv and the page's download: step, run id and label, training time, then every
 * metric column and each layer's gradient norm. Empty cells where a value is absent (validation
 * loss between evaluations); NaN and ±Infinity spelled out. Labels are quoted as CSV requires.
 */
import type { ExperimentDoc } from '../config/experiment';
import { METRIC_COLUMNS, type RunHistory } from './history';

function cell(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

function quoted(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function metricsCsv(doc: ExperimentDoc, history: (runId: string) => RunHistory | undefined): string {
  const layers = Math.max(0, ...doc.runs.map((r) => history(r.id)?.layerCount ?? 0));
  const header = ['step', 'run', 'label', 'time_s', ...METRIC_COLUMNS, ...Array.from({ length: layers }, (_, k) => `gradNorm_segment${k}`)];
  const lines = [header.join(',')];
  for (const run of doc.runs) {
    const h = history(run.id);
    if (!h) continue;
    const columns = METRIC_COLUMNS.map((c) => h.column(c));
    const layerColumns = Array.from({ length: layers }, (_, k) => h.layerColumn(k));
    for (let i = 0; i < h.length; i++) {
      // A loss that was NaN is data, not an absent value: spell it out in the loss column.
      const values = columns.map((col, c) => (c === 0 && Number.isNaN(col[i]) ? 'NaN' : cell(col[i])));
      lines.push([h.step(i), quoted(run.id), quoted(run.label), h.time(i), ...values, ...layerColumns.map((col) => (i < col.length ? cell(col[i]) : ''))].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
