// The exported script against the app on the GPU: the same experiment trained through RunGroup
// (one group per structure, built with toGroupSpec as the experiment builds them) and by the
// script in PyTorch; every run's losses over the first 5 steps agree within 1e-3 relative, with
// and without tricks (dropout masks from the shaders). Tiny shapes (SwiftShader). Needs a python3 that imports torch; skips with a printed reason.
import { describe, expect, it } from 'vitest';
import type { ExperimentDoc } from '../config/experiment';
import { readExperiment } from '../config/parse';
import { TASKS, type TaskKind } from '../data/tasks';
import { partitionRuns, toGroupSpec } from '../experiments/structure';
import { useEngine } from '../testing/gpu';
import { torchPython } from '../testing/python';
import type { StepRecord } from '../training/metrics';
import { RunGroup } from '../training/run-group';
import { parseLosses, PYTHON_TIMEOUT, runPython, tempFile, worstLossError } from './test-support';
import { exportTorchScript } from './torch-script';

const STEPS = 5;

const gpu = useEngine();

/** Every run's losses by label, each group trained for `steps` steps on the GPU. */
async function gpuLosses(doc: ExperimentDoc, steps: number): Promise<Map<string, number[]>> {
  const task = TASKS[doc.task.kind as TaskKind].create(doc.task);
  const out = new Map<string, number[]>();
  for (const runs of partitionRuns(doc.runs)) {
    const records: StepRecord[] = [];
    const group = await RunGroup.create(gpu.engine, toGroupSpec(doc, task, runs), (r) => records.push(...r));
    try {
      for (let s = 0; s < steps; s++) group.trainStep();
      await group.settle();
    } finally {
      group.destroy();
    }
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    runs.forEach((run, r) => out.set(run.label, records.map((rec) => rec.runs[r].loss)));
  }
  return out;
}

const DOCS: ExperimentDoc[] = [
  readExperiment({
    version: 1,
    name: 'LSTM Adam and GRU SGD with momentum and clipping on sines',
    task: { kind: 'sine', seed: 4, sines: 2 },
    runs: [
      { id: 'lstm-adam', label: 'LSTM Adam', cell: 'lstm', hiddenSize: 4, batch: 3, seqLen: 6, optimizer: { kind: 'adam', lr: 0.05 } },
      {
        id: 'gru-sgd', label: 'GRU SGD momentum clip', cell: 'gru', hiddenSize: 5, batch: 3, seqLen: 6,
        optimizer: { kind: 'sgd', lr: 0.5, momentum: 0.9 }, schedule: { kind: 'constant', warmup: 2 }, clip: { maxNorm: 0.05, value: 0.01 },
      },
    ],
  }),
  readExperiment({
    version: 1,
    name: 'truncated LSTM Adam on copy',
    task: { kind: 'copy', symbols: 3, length: 2, delay: 1, seed: 2 },
    runs: [
      { id: 'lstm-tbptt', label: 'LSTM truncated', cell: 'lstm', hiddenSize: 4, batch: 3, seqLen: 4, bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, optimizer: { kind: 'adam', lr: 0.05 } },
    ],
  }),
  readExperiment({
    version: 1,
    name: 'tricks: bidirectional residual dropout, layer norm with recurrent dropout',
    evalEvery: 0,
    task: { kind: 'sine', seed: 3 },
    runs: [
      {
        id: 'lstm-bi', label: 'LSTM bidirectional residual dropout', cell: 'lstm', hiddenSize: 3, numLayers: 2, batch: 3, seqLen: 5,
        bidirectional: true, residual: true, dropout: 0.3, seed: 5, optimizer: { kind: 'adam', lr: 0.05 },
      },
      {
        id: 'gru-ln', label: 'GRU layer norm recurrent dropout', cell: 'gru', hiddenSize: 4, batch: 3, seqLen: 5, norm: 'layer',
        recurrentDropout: 0.3, dropout: 0.1, seed: 6, bptt: { kind: 'truncated', k1: 3, episodeLength: 11 }, optimizer: { kind: 'adam', lr: 0.05 },
      },
    ],
  }),
];

describe('the exported script against the GPU trainer', () => {
  const python = torchPython();

  it.skipIf(!python).each(DOCS.map((doc) => ({ name: doc.name, doc })))('$name: losses within 1e-3 relative', async ({ doc }) => {
    const want = await gpuLosses(doc, STEPS);
    expect([...want.values()].flat().some((l) => l > 0)).toBe(true);
    const file = tempFile(`exported-gpu-${doc.runs[0].id}.py`, exportTorchScript(doc));
    const got = parseLosses(runPython(python!, [file, '--steps', String(STEPS)]));
    const worst = worstLossError(got, want, 1e-3, 1e-7, ['script', 'GPU']);
    console.log(`worst share of the 1e-3 relative tolerance: ${worst.ratio.toExponential(2)} (${worst.at})`);
    expect(worst.ratio, worst.at).toBeLessThanOrEqual(1);
  }, PYTHON_TIMEOUT);
});
