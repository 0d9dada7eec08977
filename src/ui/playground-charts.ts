/**
 * Which charts the playground shows for an experiment and how each run's records become their
 * points: training loss, validation loss and the task's metric (when the experiment evaluates),
 * gradient norm before clipping (with each clipping run's maxNorm), fraction of steps clipped over
 * a sliding window, learning rate, one chart per recurrent layer's gradient norm and the head's,
 * and a chart for any other numeric column a run reports (sparsity...). Pure data, no DOM.
 */
import type { ExperimentDoc } from '../config/experiment';
import { TASKS, type TaskKind } from '../data/tasks';
import type { RunRecord } from '../experiments/history';
import type { ChartThreshold } from './chart/chart-run';
import type { MetricPoint } from './chart/run-history';
import { words } from './field-sections';

/** Steps the clipped fraction is taken over. */
export const CLIP_WINDOW = 50;

/** A record with what the charts derive from a run's recent records. */
export interface ChartRecord extends RunRecord {
  /** Fraction of the last CLIP_WINDOW steps (or fewer, early on) at which clipping changed the gradient. */
  clippedFraction: number;
}

export interface ChartSpec {
  /** Element id and key for per-chart settings. */
  id: string;
  label: string;
  /** The run's value at this record; undefined when it has none (no evaluation at this step). */
  pick(record: ChartRecord): number | undefined;
  /** Log y when the chart first shows (learning rates span decades). */
  logY: boolean;
  /** A dot per point: the series has a point only every so many steps (evaluations). */
  sparse?: boolean;
  /** Values the y axis always spans (a fraction: 0 and 1). */
  yIncludes?: readonly number[];
}

const FRACTION: readonly number[] = [0, 1];

export const GRAD_NORM_CHART = 'grad-norm';

/** Record keys that are not a chart of their own (or have one above). */
const NOT_EXTRA = new Set(['step', 'time', 'runStep', 'loss', 'gradNorm', 'learningRate', 'layerGradNorms', 'clipped', 'valLoss', 'metric']);

const EXTRA_LABELS: Readonly<Record<string, string>> = {
  sparsity: 'Sparsity (fraction of zero weights)',
};

/** Numeric columns of `record` that get a chart of their own beyond the ones every run has. */
export function extraColumns(record: RunRecord): string[] {
  return Object.entries(record).flatMap(([key, value]) => (!NOT_EXTRA.has(key) && typeof value === 'number' && !Number.isNaN(value) ? [key] : []));
}

const finite = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? undefined : v);

/** The charts for `doc`, and one per extra column seen so far (in the order they were seen). */
export function chartSpecs(doc: ExperimentDoc, extras: readonly string[] = []): ChartSpec[] {
  const layers = Math.max(...doc.runs.map((r) => r.numLayers));
  const task = TASKS[doc.task.kind as TaskKind];
  const evaluates = doc.evalEvery > 0;
  const specs: ChartSpec[] = [
    { id: 'loss', label: 'Training loss', pick: (r) => r.loss, logY: false },
    ...(evaluates
      ? [
          { id: 'val-loss', label: 'Validation loss', pick: (r: ChartRecord) => finite(r.valLoss), logY: false, sparse: true },
          // An MSE task's metric is its validation loss: one chart says it.
          ...(task?.metric === 'mse'
            ? []
            : [{ id: 'metric', label: `Validation ${task?.metricName ?? 'metric'}`, pick: (r: ChartRecord) => finite(r.metric), logY: false, sparse: true }]),
        ]
      : []),
    { id: GRAD_NORM_CHART, label: 'Gradient norm (global L2, before clipping)', pick: (r) => r.gradNorm, logY: false },
    { id: 'clipped', label: `Fraction of steps clipped (last ${CLIP_WINDOW} steps)`, pick: (r) => r.clippedFraction, logY: false, yIncludes: FRACTION },
    { id: 'learning-rate', label: 'Learning rate', pick: (r) => r.learningRate, logY: true },
    ...Array.from({ length: layers }, (_, k) => ({
      id: `layer-${k}`,
      label: `Gradient norm, recurrent layer ${k}`,
      // The head's norm is the last entry; a run with fewer layers has no value here.
      pick: (r: ChartRecord) => (k < r.layerGradNorms.length - 1 ? r.layerGradNorms[k] : undefined),
      logY: false,
    })),
    { id: 'head', label: 'Gradient norm, head', pick: (r) => r.layerGradNorms.at(-1), logY: false },
    ...extras.map((name) => ({ id: `extra-${name}`, label: EXTRA_LABELS[name] ?? words(name), pick: (r: ChartRecord) => finite(r[name as keyof RunRecord] as number | undefined), logY: false })),
  ];
  return specs;
}

/** One run's sliding window of clipped flags. */
export class ClipWindow {
  private readonly flags = new Uint8Array(CLIP_WINDOW);
  private count = 0;
  private clipped = 0;

  /** Adds a step's flag; the fraction over the window after it. */
  push(clipped: boolean): number {
    const slot = this.count % CLIP_WINDOW;
    if (this.count >= CLIP_WINDOW) this.clipped -= this.flags[slot];
    this.flags[slot] = clipped ? 1 : 0;
    this.clipped += this.flags[slot];
    this.count++;
    return this.clipped / Math.min(this.count, CLIP_WINDOW);
  }
}

/** Each chart's points from one run's records, in order; `window` carries the clipped flags along. */
export function chartPoints(records: readonly RunRecord[], specs: readonly ChartSpec[], window: ClipWindow): Map<string, MetricPoint[]> {
  const out = new Map<string, MetricPoint[]>(specs.map((s) => [s.id, []]));
  for (const record of records) {
    const r: ChartRecord = { ...record, clippedFraction: window.push(record.clipped) };
    for (const spec of specs) {
      const value = spec.pick(r);
      if (value !== undefined) out.get(spec.id)!.push({ step: record.step, time: record.time, value });
    }
  }
  return out;
}

/** Clip-by-norm thresholds of the runs that clip. */
export function clipThresholds(runs: readonly { id: string; clip?: { maxNorm?: number } }[]): ChartThreshold[] {
  return runs.flatMap((run) => {
    const maxNorm = run.clip?.maxNorm;
    return maxNorm === undefined ? [] : [{ runId: run.id, value: maxNorm, label: `clip at ${maxNorm}` }];
  });
}
