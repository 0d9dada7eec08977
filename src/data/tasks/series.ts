/**
 * The user's time series (a CSV of numeric columns, one row per step): the input is a row, the
 * target the row `horizon` steps later, every column standardised with the training split's
 * mean and standard deviation. An endless stream over the first 90% of the rows; the last 10%
 * is the validation split. MSE in standard units; baseline: repeat the last row.
 */
import type { TaskBatch, TaskSplit } from '../task';
import type { SeriesData } from '../user-data';
import { scorePredictor } from './split';
import { PairStream } from './stream';
import { defineTask, pickOptions, seedField, taskFields, type BuiltinTask, type ValWindow } from './task-def';

export interface SeriesOptions {
  /** Seeds where training rows start reading. */
  seed: number;
  /** Predict the row this many steps ahead. */
  horizon: number;
}

export const SERIES_DEFAULTS: SeriesOptions = { seed: 1, horizon: 1 };

export class SeriesTask implements BuiltinTask {
  readonly key = 'series';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss = 'mse' as const;
  readonly metric = 'mse' as const;
  readonly valBatches = 2;
  readonly options: SeriesOptions;
  readonly columns: readonly string[];
  /** Per column, over the training rows: the network sees (value - mean) / std. */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** [rows][columns] standardised. */
  readonly values: Float64Array;
  readonly stream: PairStream;

  constructor(options: Partial<SeriesOptions>, data: SeriesData) {
    this.options = { ...SERIES_DEFAULTS, ...options };
    const C = data.columns.length;
    this.inputSize = C;
    this.outputSize = C;
    this.columns = data.columns;
    this.stream = new PairStream(this.options.seed, data.rows, this.options.horizon, this.valBatches);
    const { valStart, trainPairs, valPairs } = this.stream;
    if (trainPairs < 1 || valPairs < 1) {
      throw new Error(`task.horizon must be below ${data.rows - valStart}, the rows of the validation split (the last 10% of ${data.rows}), got ${this.options.horizon}`);
    }
    this.mean = new Float64Array(C);
    this.std = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let r = 0; r < valStart; r++) sum += data.values[r * C + c];
      const mean = sum / valStart;
      let sq = 0;
      for (let r = 0; r < valStart; r++) sq += (data.values[r * C + c] - mean) ** 2;
      this.mean[c] = mean;
      // A constant column stays at 0 rather than dividing by 0.
      this.std[c] = Math.sqrt(sq / valStart) || 1;
    }
    this.values = data.values.map((v, i) => (v - this.mean[i % C]) / this.std[i % C]);
  }

  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const C = this.inputSize;
    const h = this.options.horizon;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seqLen; t++) {
        const row = this.stream.item(split, episode, b, batch, t0 + t);
        const i = t * batch + b; // [T][B]
        for (let c = 0; c < C; c++) {
          out.x[i * C + c] = this.values[row * C + c];
          out.target[i * C + c] = this.values[(row + h) * C + c];
        }
        out.weight[i] = 1;
      }
    }
  }

  /** MSE of repeating the last row (predicting row t + horizon = row t). */
  baseline(window: ValWindow): number {
    const C = this.inputSize;
    return scorePredictor(this, window, (batch, row, y) => {
      for (let c = 0; c < C; c++) y[c] = batch.x[row * C + c];
    });
  }
}

export const seriesTask = defineTask({
  kind: 'series',
  label: 'your time series',
  doc: 'Predict the row `horizon` steps ahead of a CSV time series you open (columns standardised on the training rows).',
  metric: 'mse',
  baselineDoc: 'repeat the last row',
  fields: taskFields('series', [
    seedField('Seeds where each training row starts reading.'),
    { path: 'horizon', type: 'int', label: 'horizon', min: 1, max: 1000, default: SERIES_DEFAULTS.horizon, flag: 'horizon',
      doc: 'Predict the row this many steps ahead (below the rows of the validation split).' },
  ]),
  episodeLength: () => null,
  lastStepHead: () => true,
  needs: () => 'series',
  create: (options, data) => {
    if (data?.kind !== 'series') throw new Error('task kind series needs a CSV file: open one');
    return new SeriesTask(pickOptions(SERIES_DEFAULTS, options), data);
  },
});
