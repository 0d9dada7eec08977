// Every cell kernel (forward step, backward step, initial-state pass, projection and gradient
// GEMMs) against the float64 reference, for R = 3 runs with different weights in one dispatch;
// bidirectional layers (reverse directions, 2H-wide inputs) and residual layers (the layer-output
// kernel and its gradient) too, on the path `auto` picks for this adapter (kernel-path-check.ts
// compares every output, final state and gradient of each run).
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { checkAgainstReference } from './kernel-path-check';
import { CELL_KINDS, type CellKind } from './layout';

const gpu = useEngine();

const SHAPES: { layers: number; I: number; H: number; T: number; B: number; bidirectional?: boolean; residual?: boolean }[] = [
  { layers: 1, I: 3, H: 5, T: 4, B: 2 },
  { layers: 2, I: 7, H: 37, T: 3, B: 3 },
  { layers: 3, I: 2, H: 70, T: 2, B: 1 },
  { layers: 1, I: 4, H: 6, T: 1, B: 1 },
  { layers: 2, I: 5, H: 9, T: 3, B: 6 }, // a full and a partial block of batch rows per thread
  { layers: 2, I: 3, H: 5, T: 4, B: 2, bidirectional: true },
  { layers: 3, I: 4, H: 4, T: 3, B: 2, residual: true }, // every layer, layer 0 adding the data
  { layers: 3, I: 2, H: 3, T: 3, B: 5, bidirectional: true, residual: true }, // layers 1 and 2
];

describe.each(CELL_KINDS)('%s kernels vs float64 reference, R = 3', (cell: CellKind) => {
  it.each(SHAPES)('L=$layers I=$I H=$H T=$T B=$B bidirectional=$bidirectional residual=$residual', async ({ layers, I, H, T, B, bidirectional, residual }) => {
    const worst = await checkAgainstReference(gpu.engine, {
      shape: { cell, inputSize: I, hiddenSize: H, numLayers: layers, bidirectional, residual }, seqLen: T, batch: B, runs: 3, seed: H + layers,
    });
    for (const w of worst) expect(w.ratio, `${w.name}: max abs ${w.maxAbs}`).toBeLessThanOrEqual(1);
  });
});
