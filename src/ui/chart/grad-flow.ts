/**
 * What the gradient-flow view draws, from the records' gradThroughTime ([direction][t] at
 * diagnostic steps): per run, the steps that have norms and, per direction (layer, and its
 * reverse half when bidirectional), the heatmap's columns and the latest step's line; and one
 * log colour scale shared by every heatmap so that colours compare across runs and layers.
 * Pure data, no DOM.
 */
import { logScaleOf, pickColumns, type LogScale } from './heatmap';

/** One diagnostic step of a run: ||dLoss/dh_t|| per direction and timestep. */
export interface FlowStep {
  step: number;
  norms: readonly (readonly number[])[];
}

/** A run's diagnostic steps in step order; a replayed or reset history replaces it. */
export class RunFlow {
  private readonly list: FlowStep[] = [];

  /** Appends a step after the last (a step at or before it means a reset: start again). */
  add(entry: FlowStep): void {
    const last = this.list.at(-1);
    if (last && entry.step <= last.step) this.list.length = 0;
    this.list.push(entry);
  }

  get steps(): readonly FlowStep[] {
    return this.list;
  }

  get latest(): FlowStep | undefined {
    return this.list.at(-1);
  }

  get directions(): number {
    return this.list.at(-1)?.norms.length ?? 0;
  }

  /** At most `max` columns for direction `d`, evenly picked over the whole history. */
  heatmap(d: number, max: number): { steps: number[]; columns: (readonly number[])[] } {
    const picked = pickColumns(this.list.length, max).map((i) => this.list[i]);
    return { steps: picked.map((s) => s.step), columns: picked.map((s) => s.norms[d] ?? []) };
  }
}

/** "layer 0", or "layer 0, forward" / "layer 0, reverse" when each layer has two directions. */
export function directionLabel(d: number, perLayer: number): string {
  const layer = Math.floor(d / perLayer);
  return perLayer === 2 ? `layer ${layer}, ${d % 2 === 0 ? 'forward' : 'reverse'}` : `layer ${layer}`;
}

/** The colour scale over every value of every run shown, and whether any value is not finite. */
export function sharedScale(flows: readonly RunFlow[]): { scale?: LogScale; nonFinite: boolean } {
  let nonFinite = false;
  const values = function* () {
    for (const flow of flows) {
      for (const s of flow.steps) {
        for (const row of s.norms) {
          for (const v of row) {
            if (!Number.isFinite(v)) nonFinite = true;
            yield v;
          }
        }
      }
    }
  };
  const scale = logScaleOf(values());
  return { scale, nonFinite };
}
