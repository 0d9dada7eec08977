/**
 * Where the streaming tasks on given data (charlm, series) read: the data's items form pairs
 * (input item i, target item i + h), the first 90% of the items for training and the last 10%
 * for validation, pairs never crossing the boundary. Each training row starts at a seeded
 * random pair and walks on, wrapping inside its split; validation rows start evenly spread.
 */
import { rngUniform, STREAM } from '../../training/rng';
import type { TaskSplit } from '../task';
import { sequenceKey } from './split';

/** Share of the items that is the validation split (the last ones). */
export const VAL_FRACTION = 0.1;

export class PairStream {
  /** First item of the validation split. */
  readonly valStart: number;
  readonly trainPairs: number;
  readonly valPairs: number;

  /** `items`: the data's length; `horizon`: how far ahead the target item is. */
  constructor(
    readonly seed: number,
    items: number,
    readonly horizon: number,
    private readonly valBatches: number,
  ) {
    this.valStart = items - Math.max(1, Math.floor(items * VAL_FRACTION));
    this.trainPairs = this.valStart - horizon;
    this.valPairs = items - this.valStart - horizon;
  }

  /** The input item of step t of row b of an episode (its target is this + horizon). */
  item(split: TaskSplit, episode: number, b: number, batch: number, t: number): number {
    if (split === 'train') {
      const start = Math.floor(rngUniform(sequenceKey(this.seed, 'train', episode, b), STREAM.data, 0) * this.trainPairs);
      return (start + t) % this.trainPairs;
    }
    const rows = this.valBatches * batch;
    const start = Math.floor(((episode * batch + b) % rows) * (this.valPairs / rows));
    return this.valStart + ((start + t) % this.valPairs);
  }
}
