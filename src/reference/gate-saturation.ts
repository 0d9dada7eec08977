/**
 * Gate saturation in float64 (the oracle of shaders/gate_saturation.wgsl): for each sigmoid gate
 * the cell registry names (CellDef.saturating), the fraction of its activations over timesteps,
 * batch rows and units below 0.05 and above 0.95, from what a direction's forward saved.
 */
import { CELLS, type CellKind } from '../model/cells';

/** Below this a gate counts as saturated shut, above SATURATED_HIGH as saturated open. */
export const SATURATED_LOW = 0.05;
export const SATURATED_HIGH = 0.95;

/** One gate's fractions, one entry per direction (bottom first). */
export interface GateFractions {
  below: number[];
  above: number[];
}

/** Per gate name (e.g. LSTM i, f, o): the fractions of each direction. */
export type GateSaturation = Record<string, GateFractions>;

/**
 * `saved` holds one [T][B][S*H] array per direction (the reference's LayerCache.saved, which is
 * also the GPU's layout; S the registry's savedPerUnit unless given: the CPU backend passes its
 * [T][B][G*H] activated gates with S = G, whose blocks put the sigmoid gates at the same slots).
 * Compares in float32, as the kernel does, so both count the same cells.
 */
export function gateSaturation(cell: CellKind, hidden: number, saved: readonly ArrayLike<number>[], S = CELLS[cell].savedPerUnit): GateSaturation {
  const def = CELLS[cell];
  const out: GateSaturation = {};
  for (const { gate, slot } of def.saturating ?? []) {
    const fractions: GateFractions = { below: [], above: [] };
    for (const dir of saved) {
      const rows = dir.length / (S * hidden);
      let below = 0;
      let above = 0;
      for (let row = 0; row < rows; row++) {
        for (let j = 0; j < hidden; j++) {
          const v = Math.fround(dir[row * S * hidden + slot * hidden + j]);
          if (v < Math.fround(SATURATED_LOW)) below++;
          if (v > Math.fround(SATURATED_HIGH)) above++;
        }
      }
      fractions.below.push(below / (rows * hidden));
      fractions.above.push(above / (rows * hidden));
    }
    out[gate] = fractions;
  }
  return out;
}
