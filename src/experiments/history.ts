/**
 * One run's metric history: every step's record as columns of growing Float64Arrays (a step,
 * its training time, and one column per metric), compact enough to keep 100k steps, to save
 * with the experiment and to export as CSV or JSON. Absent values (validation loss between
 * evaluations) are NaN; a non-finite loss is kept as it came (Infinity is not NaN). The
 * per-timestep gradient norms come only at diagnostics steps and are kept beside the columns, by step.
 */
import type { RunStepMetrics } from '../training/metrics';

/** One run at one of its steps, as views and files see it. */
export interface RunRecord extends RunStepMetrics {
  /** The run's own step (1-based). */
  step: number;
  /** Seconds of training (pauses excluded) since the run's step 0. */
  time: number;
}

/** Diagnostics a record may carry besides gradThroughTime. */
export type Diagnosed = Pick<RunStepMetrics, 'gateSaturation' | 'spectralNorm' | 'histograms' | 'validationExample' | 'confusion'>;

/** Scalar columns, in the order files list them. */
export const METRIC_COLUMNS = ['loss', 'gradNorm', 'learningRate', 'clipped', 'valLoss', 'metric', 'sparsity'] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** What a history looks like in a saved experiment or an export (plain JSON numbers; null for NaN). */
export interface HistoryJson {
  step: number[];
  time: number[];
  columns: Partial<Record<MetricColumn, (number | null | 'Infinity' | '-Infinity')[]>>;
  layerGradNorms: (number | null)[][];
  /** The steps with per-timestep gradient norms, each with its [direction][t] (absent: none). */
  gradThroughTime?: { step: number; norms: (number | null | 'Infinity' | '-Infinity')[][] }[];
}

/** A history as typed-array columns (how saved experiments keep it). */
export interface HistoryColumns {
  step: Float64Array;
  time: Float64Array;
  metrics: Record<MetricColumn, Float64Array>;
  layers: Float64Array[];
  /** Per-timestep gradient norms at the steps that have them (plain numbers: structured clone keeps NaN). */
  gradThroughTime: { step: number; norms: number[][] }[];
}

type JsonNumber = number | null | 'Infinity' | '-Infinity';

const toJsonNumber = (v: number): JsonNumber => (Number.isNaN(v) ? null : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);
const fromJsonNumber = (v: number | null | string | undefined): number =>
  v === null || v === undefined ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v);

class Column {
  data = new Float64Array(256);

  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = v;
  }
}

export class RunHistory {
  length = 0;
  private readonly steps = new Column();
  private readonly times = new Column();
  private readonly metrics = new Map<MetricColumn, Column>(METRIC_COLUMNS.map((c) => [c, new Column()]));
  private layers: Column[] = [];
  /** Per-timestep gradient norms [direction][t] by step, at the steps that computed them. */
  private readonly throughTime = new Map<number, number[][]>();
  /** The other diagnostics by step (kept in memory only: saved experiments and exports leave them out). */
  private readonly diagnosed = new Map<number, Diagnosed>();

  push(record: RunRecord): void {
    const i = this.length++;
    this.steps.set(i, record.step);
    this.times.set(i, record.time);
    for (const c of METRIC_COLUMNS) {
      const v = record[c];
      this.metrics.get(c)!.set(i, typeof v === 'boolean' ? Number(v) : (v ?? NaN));
    }
    record.layerGradNorms.forEach((v, k) => {
      if (!this.layers[k]) this.layers[k] = new Column();
      this.layers[k].set(i, v);
    });
    if (record.gradThroughTime) this.throughTime.set(record.step, record.gradThroughTime);
    if (record.gateSaturation || record.spectralNorm || record.histograms || record.validationExample || record.confusion) {
      const { gateSaturation, spectralNorm, histograms, validationExample, confusion } = record;
      this.diagnosed.set(record.step, { gateSaturation, spectralNorm, histograms, validationExample, confusion });
    }
  }

  /** The steps that have diagnostics beyond gradThroughTime, in order, with them. */
  diagnostics(): ({ step: number } & Diagnosed)[] {
    return [...this.diagnosed].map(([step, d]) => ({ step, ...d }));
  }

  /** The steps that have per-timestep gradient norms, in order, with them ([direction][t]). */
  gradThroughTime(): { step: number; norms: number[][] }[] {
    return [...this.throughTime].map(([step, norms]) => ({ step, norms }));
  }

  /** The last step recorded, 0 if none. */
  get lastStep(): number {
    return this.length > 0 ? this.steps.data[this.length - 1] : 0;
  }

  step(i: number): number {
    return this.steps.data[i];
  }

  time(i: number): number {
    return this.times.data[i];
  }

  column(c: MetricColumn): Float64Array {
    return this.metrics.get(c)!.data.subarray(0, this.length);
  }

  layerColumn(k: number): Float64Array {
    return (this.layers[k]?.data ?? new Float64Array(0)).subarray(0, this.length);
  }

  get layerCount(): number {
    return this.layers.length;
  }

  /** Record i as a RunRecord. */
  record(i: number): RunRecord {
    const num = (c: MetricColumn) => this.metrics.get(c)!.data[i];
    const optional = (c: MetricColumn) => (Number.isNaN(num(c)) ? undefined : num(c));
    return {
      step: this.steps.data[i],
      time: this.times.data[i],
      loss: num('loss'),
      gradNorm: num('gradNorm'),
      learningRate: num('learningRate'),
      layerGradNorms: this.layers.map((l) => l.data[i]),
      runStep: this.steps.data[i],
      clipped: num('clipped') === 1,
      valLoss: optional('valLoss'),
      metric: optional('metric'),
      sparsity: optional('sparsity'),
      gradThroughTime: this.throughTime.get(this.steps.data[i]),
      ...this.diagnosed.get(this.steps.data[i]),
    };
  }

  /** A copy holding the records up to and including `step` (a fork's past). */
  upTo(step: number): RunHistory {
    const copy = new RunHistory();
    for (let i = 0; i < this.length && this.steps.data[i] <= step; i++) copy.push(this.record(i));
    return copy;
  }

  /** The columns as typed-array copies: what IndexedDB stores (structured clone, no JSON). */
  toColumns(): HistoryColumns {
    const cut = (a: Float64Array) => a.slice(0, this.length);
    return {
      step: cut(this.steps.data),
      time: cut(this.times.data),
      metrics: Object.fromEntries(METRIC_COLUMNS.map((c) => [c, this.column(c).slice()])) as Record<MetricColumn, Float64Array>,
      layers: this.layers.map((_, k) => this.layerColumn(k).slice()),
      gradThroughTime: this.gradThroughTime(),
    };
  }

  static fromColumns(c: HistoryColumns): RunHistory {
    const h = new RunHistory();
    h.length = c.step.length;
    const fill = (col: Column, data: Float64Array) => {
      col.data = new Float64Array(Math.max(256, data.length));
      col.data.set(data);
    };
    fill(h.steps, c.step);
    fill(h.times, c.time);
    for (const name of METRIC_COLUMNS) fill(h.metrics.get(name)!, c.metrics[name] ?? new Float64Array(h.length).fill(NaN));
    h.layers = c.layers.map((data) => {
      const col = new Column();
      fill(col, data);
      return col;
    });
    for (const g of c.gradThroughTime ?? []) h.throughTime.set(g.step, g.norms);
    return h;
  }

  toJSON(): HistoryJson {
    const list = (a: Float64Array) => Array.from(a, toJsonNumber);
    const columns: HistoryJson['columns'] = {};
    for (const c of METRIC_COLUMNS) {
      const col = this.column(c);
      if (col.some((v) => !Number.isNaN(v))) columns[c] = list(col);
    }
    const json: HistoryJson = {
      step: Array.from(this.steps.data.subarray(0, this.length)),
      time: Array.from(this.times.data.subarray(0, this.length)),
      columns,
      layerGradNorms: this.layers.map((_, k) => list(this.layerColumn(k)) as (number | null)[]),
    };
    if (this.throughTime.size > 0) {
      json.gradThroughTime = this.gradThroughTime().map(({ step, norms }) => ({ step, norms: norms.map((row) => row.map(toJsonNumber)) }));
    }
    return json;
  }

  static fromJSON(json: HistoryJson): RunHistory {
    const h = new RunHistory();
    const value = fromJsonNumber;
    const throughTime = new Map((json.gradThroughTime ?? []).map((g) => [g.step, g.norms.map((row) => row.map(fromJsonNumber))]));
    for (let i = 0; i < json.step.length; i++) {
      const col = (c: MetricColumn) => value(json.columns[c]?.[i]);
      h.push({
        step: json.step[i],
        time: json.time[i],
        loss: col('loss'),
        gradNorm: col('gradNorm'),
        learningRate: col('learningRate'),
        layerGradNorms: json.layerGradNorms.map((l) => value(l[i])),
        runStep: json.step[i],
        clipped: col('clipped') === 1,
        valLoss: col('valLoss'),
        metric: col('metric'),
        sparsity: col('sparsity'),
        gradThroughTime: throughTime.get(json.step[i]),
      });
    }
    return h;
  }
}
