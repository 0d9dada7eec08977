// A few tasks trained briefly on the GPU through a RunGroup at tiny sizes: their batches (masks,
// padding, one-hot inputs, class targets) go through the real training step and the training
// loss falls. Not a benchmark and not a preset: only that the data and the trainer fit together.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../../testing/gpu';
import type { GroupSpec } from '../../training/group-spec';
import type { StepRecord } from '../../training/metrics';
import { RunGroup } from '../../training/run-group';
import { CONSTANT } from '../../training/schedules';
import { TASKS, type TaskOptions } from '.';

const gpu = useEngine();

async function losses(options: TaskOptions, shape: { hiddenSize: number; batch: number; seqLen?: number }, steps: number): Promise<number[]> {
  const task = TASKS[options.kind as keyof typeof TASKS].create(options);
  const spec: GroupSpec = {
    label: `${options.kind} test`, cell: 'lstm', hiddenSize: shape.hiddenSize, numLayers: 1, batch: shape.batch,
    seqLen: shape.seqLen ?? task.episodeLength!, head: 'every', bptt: { kind: 'full' }, task,
    runs: [{ id: 'adam', label: 'Adam', seed: 3, optimizer: { kind: 'adam', lr: 0.03 }, clip: {}, schedule: CONSTANT }],
    metricsEvery: 8,
  };
  const records: StepRecord[] = [];
  const group = await RunGroup.create(gpu.engine, spec, (r) => records.push(...r));
  try {
    for (let s = 0; s < steps; s++) group.trainStep();
    await group.settle();
  } finally {
    group.destroy();
  }
  expect(records.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  return records.map((r) => r.runs[0].loss);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The training loss of the last `n` steps against the first `n`. */
function expectFalls(loss: number[], n: number, ratio: number): void {
  expect(loss.every(Number.isFinite)).toBe(true);
  const first = mean(loss.slice(0, n));
  const last = mean(loss.slice(-n));
  expect(last, `first ${n} steps ${first.toFixed(4)}, last ${n} steps ${last.toFixed(4)}`).toBeLessThan(ratio * first);
}

describe('tasks on the GPU', () => {
  it('adding: the loss at the last step falls', async () => {
    expectFalls(await losses({ kind: 'adding', length: 10, seed: 1 }, { hiddenSize: 8, batch: 16 }, 40), 5, 0.5);
  });

  it('copy: cross-entropy on the recall steps falls', async () => {
    expectFalls(await losses({ kind: 'copy', symbols: 3, length: 2, delay: 2, seed: 1 }, { hiddenSize: 12, batch: 16 }, 60), 5, 0.9);
  });

  it('classify: padded batches of variable length, the loss falls', async () => {
    expectFalls(await losses({ kind: 'classify', classes: 2, minLength: 6, maxLength: 12, noise: 0.1, seed: 1 }, { hiddenSize: 8, batch: 16 }, 80), 10, 0.8);
  });

  it('charlm on the brackets text: the loss in nats falls', async () => {
    expectFalls(await losses({ kind: 'charlm', corpus: 'brackets', corpusLength: 2000, seed: 1 }, { hiddenSize: 16, batch: 8, seqLen: 16 }, 40), 5, 0.8);
  });
});
