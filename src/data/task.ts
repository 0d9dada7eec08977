/**
 * What a training task is: seeded sequences written straight into timestep-major batch
 * arrays, with a per-timestep loss weight (the mask for padded or unscored steps).
 * Tasks are pure data generators: no GPU, no DOM.
 */

export type LossKind = 'mse' | 'cross_entropy';

/** One window of a batch, timestep-major like the GPU buffers. */
export interface TaskBatch {
  /** [T][B][I] */
  x: Float32Array;
  /** [T][B][O] regression targets (mse), or [T][B] class indices stored as floats (cross_entropy). */
  target: Float32Array;
  /** [T][B] loss weight per timestep and row; 0 masks a step out of the loss. */
  weight: Float32Array;
}

export interface Task {
  /** Registry key, e.g. `sine`. */
  readonly key: string;
  readonly inputSize: number;
  /** Outputs of the head: values per step (mse) or classes (cross_entropy). */
  readonly outputSize: number;
  readonly loss: LossKind;
  /**
   * Writes timesteps [t0, t0 + seqLen) of episode `episode` into `out`. Every (episode, row, t)
   * gives the same numbers whatever window it is read through, so truncated BPTT sees one
   * continuous stream.
   */
  fill(episode: number, t0: number, seqLen: number, batch: number, out: TaskBatch): void;
}

export function allocateBatch(task: Task, seqLen: number, batch: number): TaskBatch {
  const rows = seqLen * batch;
  return {
    x: new Float32Array(rows * task.inputSize),
    target: new Float32Array(task.loss === 'mse' ? rows * task.outputSize : rows),
    weight: new Float32Array(rows),
  };
}
