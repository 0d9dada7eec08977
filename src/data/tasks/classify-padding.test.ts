// Padding never changes the gradients: a right-padded classify batch gives, in the float64
// reference training step, the mean of the gradients of its sequences each trained alone at its
// own length (the loss averages over scored steps, one per row). Gradients are read off one SGD
// step with lr 1 (params before minus after).
import { describe, expect, it } from 'vitest';
import type { CellKind } from '../../model/layout';
import { ReferenceGroup } from '../../reference/train';
import type { GroupSpec } from '../../training/group-spec';
import { CONSTANT } from '../../training/schedules';
import { allocateBatch, type Task, type TaskBatch } from '../task';
import { ClassifyTask } from './classify';

/** A task that hands out one fixed batch, whatever window is asked for. */
function fixedBatch(task: Task, batch: TaskBatch): Task {
  return {
    ...task,
    fill: (_e, _t0, _T, _B, out) => {
      out.x.set(batch.x);
      out.target.set(batch.target);
      out.weight.set(batch.weight);
    },
  };
}

function gradients(cell: CellKind, task: Task, seqLen: number, batch: number): Float64Array {
  const spec: GroupSpec = {
    cell, hiddenSize: 5, numLayers: 2, batch, seqLen, head: 'every', bptt: { kind: 'full' }, task,
    runs: [{ id: 'r', label: 'r', seed: 21, optimizer: { kind: 'sgd', lr: 1 }, clip: {}, schedule: CONSTANT }],
  };
  const group = new ReferenceGroup(spec);
  const before = group.params[0].slice();
  group.trainStep();
  return before.map((p, i) => p - group.params[0][i]);
}

describe('classify padding', () => {
  it.each(['lstm', 'gru', 'rnn_tanh'] as const)('%s: a padded batch gives the mean of its sequences\' own gradients', (cell) => {
    const task = new ClassifyTask({ seed: 8, classes: 3, minLength: 2, maxLength: 7 });
    const T = task.episodeLength;
    const B = 4;
    const padded = allocateBatch(task, T, B);
    task.fill(0, 0, T, B, padded);
    const lengths = Array.from({ length: B }, (_, b) => task.sequence('train', 0, b).length);
    expect(new Set(lengths).size).toBeGreaterThan(1);
    expect(Math.min(...lengths)).toBeLessThan(T);

    const want = new Float64Array(gradients(cell, fixedBatch(task, padded), T, B).length);
    lengths.forEach((L, b) => {
      const alone = allocateBatch(task, L, 1);
      for (let t = 0; t < L; t++) {
        alone.x[t] = padded.x[t * B + b];
        alone.target[t] = padded.target[t * B + b];
        alone.weight[t] = padded.weight[t * B + b];
      }
      expect(alone.weight[L - 1]).toBe(1);
      gradients(cell, fixedBatch(task, alone), L, 1).forEach((g, i) => (want[i] += g / B));
    });
    const got = gradients(cell, fixedBatch(task, padded), T, B);
    let scale = 0;
    for (const g of want) scale = Math.max(scale, Math.abs(g));
    expect(scale).toBeGreaterThan(1e-4);
    got.forEach((g, i) => expect(Math.abs(g - want[i]), `gradient ${i}`).toBeLessThanOrEqual(1e-13 + 1e-9 * Math.abs(want[i])));
  });
});
