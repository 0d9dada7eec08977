/**
 * Which charts the playground shows and how step records become their points: training loss,
 * global gradient norm (before clipping, with each run's clip threshold), learning rate, and one
 * chart per layer's gradient norm. Pure data over today's StepRecord; no DOM.
 */
import type { RunStepMetrics, StepRecord } from '../experiments/session';
import type { ChartThreshold } from './chart/chart-run';
import type { MetricPoint } from './chart/run-history';

export interface ChartSpec {
  /** Element id and key for per-chart settings. */
  id: string;
  label: string;
  pick(metrics: RunStepMetrics): number;
  /** Log y when the page opens (learning rates span decades). */
  logY: boolean;
}

export const GRAD_NORM_CHART = 'grad-norm';

export function chartSpecs(layerNames: readonly string[]): ChartSpec[] {
  return [
    { id: 'loss', label: 'Training loss', pick: (m) => m.loss, logY: false },
    { id: GRAD_NORM_CHART, label: 'Gradient norm (global L2, before clipping)', pick: (m) => m.gradNorm, logY: false },
    { id: 'learning-rate', label: 'Learning rate', pick: (m) => m.learningRate, logY: true },
    ...layerNames.map((name, l) => ({
      id: `layer-${l}`,
      label: `Gradient norm, ${name}`,
      pick: (m: RunStepMetrics) => m.layerGradNorms[l] ?? NaN,
      logY: false,
    })),
  ];
}

/** Run r's points of one chart from a batch of records stamped with `times`. */
export function runPoints(records: readonly StepRecord[], times: readonly number[], r: number, spec: ChartSpec): MetricPoint[] {
  return records.map((record, i) => ({ step: record.step, time: times[i], value: spec.pick(record.runs[r]) }));
}

/** Clip-by-norm thresholds of the runs that clip. */
export function clipThresholds(runs: readonly { id: string; clip?: { maxNorm?: number } }[]): ChartThreshold[] {
  return runs.flatMap((run) => {
    const maxNorm = run.clip?.maxNorm;
    return maxNorm === undefined ? [] : [{ runId: run.id, value: maxNorm, label: `clip at ${maxNorm}` }];
  });
}

/** Step of each run's first non-finite loss in `records`, for runs not yet marked. */
export function firstNonFiniteLoss(records: readonly StepRecord[], runIds: readonly string[], known: ReadonlyMap<string, number>): Map<string, number> {
  const found = new Map(known);
  for (const record of records) {
    record.runs.forEach((m, r) => {
      const id = runIds[r];
      if (id !== undefined && !found.has(id) && !Number.isFinite(m.loss)) found.set(id, record.step);
    });
  }
  return found;
}
