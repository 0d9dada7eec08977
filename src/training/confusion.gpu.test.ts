// Confusion counts on the GPU against counting on the CPU: 3 classes, R = 2 runs with their own
// outputs, two validation batches added up, rows with a zero metric weight left out, and batch 0
// of the next pass starting the counts again.
import { describe, expect, it } from 'vitest';
import { Arena } from '../engine/arena';
import { Rng } from '../reference/random';
import { useEngine } from '../testing/gpu';
import { ConfusionGpu } from './confusion-gpu';

const gpu = useEngine();

describe('confusion counts on the GPU', () => {
  it('match counting on the CPU, over batches, with weights', async () => {
    const R = 2;
    const rows = 70; // more than one workgroup
    const C = 3;
    const rng = new Rng(9);
    const y = new Arena(gpu.engine, 'test outputs', [{ name: 'y', shape: [R, rows, C] }]);
    const batch = new Arena(gpu.engine, 'test batch', [{ name: 'target', shape: [rows] }, { name: 'metricWeight', shape: [rows] }]);
    const c = await ConfusionGpu.create(gpu.engine, {
      label: 'test', runs: R, rows, classes: C, y: { buffer: y.buffer, offset: y.view('y').offset },
      batch: { buffer: batch.buffer, target: batch.view('target').offset, metricWeight: batch.view('metricWeight').offset },
    });
    const want = Array.from({ length: R }, () => Array.from({ length: C }, () => new Array<number>(C).fill(0)));
    const pass = async (index: number) => {
      const logits = Float32Array.from(rng.uniform(R * rows * C, 2));
      const target = Float32Array.from({ length: rows }, () => Math.floor(((rng.uniform(1, 1)[0] + 1) / 2) * C) % C);
      const weight = Float32Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? 0 : 1));
      y.write('y', logits);
      batch.write('target', target);
      batch.write('metricWeight', weight);
      if (index === 0) for (const m of want) for (const row of m) row.fill(0);
      for (let r = 0; r < R; r++) {
        for (let i = 0; i < rows; i++) {
          if (weight[i] === 0) continue;
          const o = Array.from(logits.subarray((r * rows + i) * C, (r * rows + i + 1) * C));
          want[r][target[i]][o.indexOf(Math.max(...o))]++;
        }
      }
      await gpu.engine.validate('confusion test', () => gpu.engine.submit('confusion test', (encoder) => c.encode(encoder, index)));
    };
    try {
      await pass(0);
      await pass(1);
      const two = await c.read();
      expect(two).toEqual(want);
      expect(two[0].flat().reduce((a, b) => a + b, 0)).toBe(2 * (rows - 10)); // 10 rows of 70 weigh 0
      await pass(0);
      expect(await c.read()).toEqual(want);
    } finally {
      c.destroy();
      y.destroy();
      batch.destroy();
    }
  });
});
