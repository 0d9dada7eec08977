/**
 * What a training task is: seeded sequences written straight into timestep-major batch
 * arrays, with a per-timestep loss weight (the mask for padded or unscored steps), a training
 * and a validation split, and the metric the task is judged by. Tasks are pure data
 * generators: no GPU, no DOM.
 */

export type LossKind = 'mse' | 'cross_entropy';

/** Which part of the data: training batches, or the fixed validation batches. */
export type TaskSplit = 'train' | 'val';

/**
 * The task's metric on the validation split.
 * mse: the weighted mean squared error (lower is better).
 * accuracy: weighted fraction of scored steps whose arg-max output is the target class (higher is better).
 * bpc: bits per character, the cross-entropy loss / ln 2 (lower is better).
 */
export type MetricKind = 'mse' | 'accuracy' | 'bpc';

/** One window of a batch, timestep-major like the GPU buffers. */
export interface TaskBatch {
  /** [T][B][I] */
  x: Float32Array;
  /** [T][B][O] regression targets (mse), or [T][B] class indices stored as floats (cross_entropy). */
  target: Float32Array;
  /** [T][B] loss weight per timestep and row; 0 masks a step out of the loss. */
  weight: Float32Array;
  /**
   * [T][B] weight of each step in the metric, when it differs from the loss weight (e.g. only the
   * predictable symbols of a Reber string count towards accuracy). Absent: the loss weight.
   */
  metricWeight?: Float32Array;
}

export interface Task {
  /** Registry key, e.g. `sine`. */
  readonly key: string;
  readonly inputSize: number;
  /** Outputs of the head: values per step (mse) or classes (cross_entropy). */
  readonly outputSize: number;
  readonly loss: LossKind;
  readonly metric: MetricKind;
  /** Validation batches evaluated each time (episodes 0 .. valBatches - 1 of the `val` split); 0: none. */
  readonly valBatches: number;
  /** `fill` writes `metricWeight` (allocateBatch then allocates it); absent: the metric uses the loss weight. */
  readonly hasMetricWeight?: boolean;
  /**
   * Timesteps of one episode for tasks whose sequences have a fixed (or a longest) length: a
   * window must cover it (or truncated BPTT walk it); steps past a sequence's end are padding
   * (inputs 0, weight 0). Absent: an endless stream, any window length works.
   */
  readonly episodeLength?: number;
  /** What each output class is, as text (charlm: one character per class); absent for regression. */
  readonly vocabulary?: readonly string[];
  /**
   * Writes timesteps [t0, t0 + seqLen) of episode `episode` of `split` (default `train`) into
   * `out`. Every (split, episode, row, t) gives the same numbers whatever window it is read
   * through, so truncated BPTT sees one continuous stream; the two splits never share a sequence.
   */
  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch, split?: TaskSplit): void;
}

export function allocateBatch(task: Task, seqLen: number, batch: number): TaskBatch {
  const rows = seqLen * batch;
  return {
    x: new Float32Array(rows * task.inputSize),
    target: new Float32Array(task.loss === 'mse' ? rows * task.outputSize : rows),
    weight: new Float32Array(rows),
    metricWeight: task.hasMetricWeight ? new Float32Array(rows) : undefined,
  };
}
