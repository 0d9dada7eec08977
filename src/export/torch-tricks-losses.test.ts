// The exported script with the tricks, trained in PyTorch against the app: every run's losses
// (and validation losses) within 1e-3 relative of the float64 reference (src/reference/train.ts)
// over the first steps, every model's initial weights equal to the app's bit for bit, and the
// dropout masks equal to the app's element for element. Bidirectional layers (truncated windows,
// the last-step head), residual layers, layer and batch norm, pruning, dropout (between layers,
// on the head's input, recurrent), validation and reduce-on-plateau, and all of them under
// torchrun. Needs a python3 that imports torch (Debian's python3-torch); skips with a reason.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ExperimentDoc } from '../config/experiment';
import { readExperiment } from '../config/parse';
import { TASKS, type TaskKind } from '../data/tasks';
import { runLayout } from '../experiments/weights';
import { initParams } from '../model/init';
import { dropoutDraw, dropoutKey, fillMask } from '../training/dropout';
import { torchPython } from '../testing/python';
import { expectClose, exportAndRunText, exportAndRunTorchrun, torchrunLauncher, TORCHRUN_TEST_TIMEOUT, INIT_DRIVER, parseLosses, PYTHON_TIMEOUT, referenceTrace, runPython, tempFile } from './test-support';
import { exportTorchScript } from './torch-script';

const run = (id: string, patch: Record<string, unknown>) => ({ id, label: `${id} run`, batch: 4, seqLen: 8, hiddenSize: 4, ...patch });

const doc = (name: string, task: Record<string, unknown>, runs: Record<string, unknown>[]) => readExperiment({ version: 1, name, task, runs });

const CASES: { name: string; doc: ExperimentDoc; steps: number }[] = [
  {
    name: 'bidirectional: truncated windows (the reverse direction restarts), 2 layers, every cell, the last-step head',
    steps: 6,
    doc: doc('bidirectional', { kind: 'adding', length: 12, seed: 4 }, [
      run('lstm-bi-tbptt', { cell: 'lstm', bidirectional: true, numLayers: 2, seqLen: 6, bptt: { kind: 'truncated', k1: 3, episodeLength: 12 }, optimizer: { kind: 'adam', lr: 0.05 } }),
      run('gru-bi-last', { cell: 'gru', bidirectional: true, seqLen: 12, head: 'last', optimizer: { kind: 'sgd', lr: 0.5, momentum: 0.9 } }),
      run('tanh-bi', { cell: 'rnn_tanh', bidirectional: true, numLayers: 2, seqLen: 12, optimizer: { kind: 'rmsprop', lr: 0.01 } }),
      run('relu-bi-tbptt', { cell: 'rnn_relu', bidirectional: true, seqLen: 5, bptt: { kind: 'truncated', k1: 5, episodeLength: 15 }, optimizer: { kind: 'adam', lr: 0.02 } }),
    ]),
  },
  {
    name: 'residual: 3 layers (layers 1 and 2 add their input), bidirectional residual, truncated',
    steps: 5,
    doc: doc('residual', { kind: 'sine', seed: 2, sines: 2 }, [
      run('lstm-res', { cell: 'lstm', residual: true, numLayers: 3, optimizer: { kind: 'adam', lr: 0.02 } }),
      run('gru-bi-res', { cell: 'gru', residual: true, bidirectional: true, numLayers: 2, seqLen: 6, bptt: { kind: 'truncated', k1: 2, episodeLength: 14 }, optimizer: { kind: 'adam', lr: 0.02 } }),
    ]),
  },
  {
    name: 'layer normalisation: LSTM (c_t too) 2 layers truncated, GRU bidirectional, tanh RNN residual',
    steps: 5,
    doc: doc('layer-norm', { kind: 'copy', symbols: 3, length: 2, delay: 2, seed: 1 }, [
      run('lstm-ln', { cell: 'lstm', norm: 'layer', numLayers: 2, seqLen: 7, bptt: { kind: 'truncated', k1: 4, episodeLength: 15 }, optimizer: { kind: 'adam', lr: 0.05 } }),
      run('gru-ln-bi', { cell: 'gru', norm: 'layer', bidirectional: true, seqLen: 7, optimizer: { kind: 'adamw', lr: 0.05 } }),
      run('tanh-ln-res', { cell: 'rnn_tanh', norm: 'layer', residual: true, numLayers: 2, seqLen: 7, optimizer: { kind: 'sgd', lr: 0.3 } }),
    ]),
  },
  {
    // On sines, whose rows differ at every timestep: where every row of a batch holds the same input
    // (the copy task's markers) the normalised value is 0 in float64 but float32 rounding noise in
    // float32, and Adam turns that noise in the gains' gradients into visible steps.
    name: 'batch normalisation: LSTM (c_t too) truncated, GRU bidirectional with dropout; running statistics in the validation pass',
    steps: 6,
    doc: readExperiment({
      version: 1, name: 'batch-norm', evalEvery: 2, task: { kind: 'sine', seed: 2, sines: 2 }, runs: [
        run('lstm-bn', { cell: 'lstm', norm: 'batch', numLayers: 2, seqLen: 7, bptt: { kind: 'truncated', k1: 4, episodeLength: 15 }, optimizer: { kind: 'adam', lr: 0.05 } }),
        run('gru-bn-bi', { cell: 'gru', norm: 'batch', bidirectional: true, dropout: 0.2, seqLen: 7, optimizer: { kind: 'adam', lr: 0.05 } }),
        run('relu-bn-recurrent', { cell: 'rnn_relu', norm: 'batch', recurrentDropout: 0.3, seqLen: 7, optimizer: { kind: 'sgd', lr: 0.3 } }),
      ],
    }),
  },
  {
    name: 'pruning: oneshot and gradual (cubic), masks on the gradients before clipping and on the weights after each update',
    steps: 6,
    doc: doc('pruning', { kind: 'sine', seed: 2, sines: 2 }, [
      run('lstm-oneshot', { cell: 'lstm', hiddenSize: 5, prune: { kind: 'oneshot', step: 2, sparsity: 0.5 }, optimizer: { kind: 'adam', lr: 0.02 }, clip: { maxNorm: 0.1 } }),
      run('gru-gradual', { cell: 'gru', numLayers: 2, prune: { kind: 'gradual', start: 1, end: 5, every: 2, sparsity: 0.7 }, optimizer: { kind: 'sgd', lr: 0.3, momentum: 0.9 } }),
      run('tanh-bi-prune', { cell: 'rnn_tanh', bidirectional: true, prune: { kind: 'oneshot', step: 1, sparsity: 0.3 }, optimizer: { kind: 'rmsprop', lr: 0.01 } }),
    ]),
  },
  {
    name: 'dropout with the app\'s masks: between layers and on the head, recurrent, with the other tricks',
    steps: 6,
    doc: doc('dropout', { kind: 'sine', seed: 3 }, [
      run('lstm-drop', { cell: 'lstm', dropout: 0.3, numLayers: 2, seed: 5, optimizer: { kind: 'adam', lr: 0.02 } }),
      run('gru-drop-bi-res', { cell: 'gru', dropout: 0.25, bidirectional: true, residual: true, numLayers: 2, seed: 6, seqLen: 6, bptt: { kind: 'truncated', k1: 3, episodeLength: 12 }, optimizer: { kind: 'adam', lr: 0.02 } }),
      run('lstm-recurrent', { cell: 'lstm', recurrentDropout: 0.4, dropout: 0.1, seed: 7, optimizer: { kind: 'rmsprop', lr: 0.01 } }),
      run('tanh-recurrent-ln', { cell: 'rnn_tanh', recurrentDropout: 0.2, norm: 'layer', bidirectional: true, seed: 8, optimizer: { kind: 'adam', lr: 0.02 } }),
    ]),
  },
];

describe('the exported script with tricks against the app', () => {
  const python = torchPython();

  it.skipIf(!python).each(CASES)('$name: losses within 1e-3 relative', (c) => {
    const want = referenceTrace(c.doc, c.steps);
    expect([...want.losses.values()].flat().some((l) => l > 0)).toBe(true);
    const text = exportAndRunText(python!, c.doc.name, exportTorchScript(c.doc), c.steps);
    expectClose(parseLosses(text), want.losses);
    if (c.doc.evalEvery > 0 && c.doc.evalEvery <= c.steps) expectClose(parseLosses(text, 'val_loss'), want.valLosses);
  }, PYTHON_TIMEOUT);

  it.skipIf(!python).each(CASES)('$name: the models start from our initial weights bit for bit', (c) => {
    const task = TASKS[c.doc.task.kind as TaskKind].create(c.doc.task);
    const file = tempFile(`exported-init-${c.doc.name}.py`, exportTorchScript(c.doc));
    const got = JSON.parse(runPython(python!, ['-c', INIT_DRIVER, file]));
    for (const r of c.doc.runs) {
      const l = runLayout(r, task);
      const want = new Float32Array(l.paramCount);
      initParams(want, l.rnn, r.hiddenSize, l.head, r.seed);
      expect(Float32Array.from(got[r.id]), r.id).toEqual(want);
    }
  }, PYTHON_TIMEOUT);
});

describe('the exported script\'s dropout masks', () => {
  const python = torchPython();

  it.skipIf(!python)('equal the app\'s (src/training/dropout.ts) element for element, cut to a process\'s rows', () => {
    const d = CASES[0].doc;
    const file = tempFile('exported-masks.py', exportTorchScript(d));
    const [T, B, D, p, seed, step, site] = [5, 6, 7, 0.35, 9, 4, 2];
    const driver = String.raw`
import importlib.util, json, sys, torch
spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
key = m.dropout_key(${seed}, ${step})
print(json.dumps([m.dropout_mask(key, ${p}, ${site}, [${T}, ${B}, ${D}], rows).flatten().tolist() for rows in [range(0, ${B}), range(2, 5)]]))
`;
    const [whole, share] = JSON.parse(runPython(python!, ['-c', driver, file])) as number[][];
    const want = new Float32Array(T * B * D);
    fillMask(want, dropoutDraw(dropoutKey(seed, step), p), site);
    expect(Float32Array.from(whole)).toEqual(want);
    expect(want.some((v) => v === 0) && want.some((v) => v > 1)).toBe(true);
    const rows = Array.from({ length: T }, (_, t) => [2, 3, 4].map((b) => Array.from(want.subarray((t * B + b) * D, (t * B + b + 1) * D)))).flat(2);
    expect(Float32Array.from(share)).toEqual(Float32Array.from(rows));
  }, PYTHON_TIMEOUT);
});

describe('the exported script\'s validation pass and reduce-on-plateau against the app', () => {
  const python = torchPython();
  const plateau = { patience: 0, threshold: 0.5, factor: 0.1 };
  const PLATEAU_CASES: { name: string; doc: ExperimentDoc; steps: number }[] = [
    {
      name: 'on the validation loss every 2 steps (cooldown, minLr, a cosine schedule, dropout off in evaluation)',
      steps: 8,
      doc: readExperiment({
        version: 1, name: 'plateau-val', evalEvery: 2, task: { kind: 'copy', symbols: 3, length: 2, delay: 2, seed: 1 }, runs: [
          run('lstm-plateau', { cell: 'lstm', seqLen: 7, plateau, optimizer: { kind: 'adam', lr: 0.05 } }),
          run('gru-cooldown', { cell: 'gru', seqLen: 7, dropout: 0.2, plateau: { ...plateau, cooldown: 1, minLr: 0.004 }, schedule: { kind: 'cosine', tMax: 20, etaMin: 0.001 }, optimizer: { kind: 'sgd', lr: 0.5, momentum: 0.9 } }),
          run('tanh-plain', { cell: 'rnn_tanh', seqLen: 7, optimizer: { kind: 'adam', lr: 0.02 } }),
        ],
      }),
    },
    {
      name: 'on the training loss every step (no evaluation)',
      steps: 6,
      doc: readExperiment({
        version: 1, name: 'plateau-train', evalEvery: 0, task: { kind: 'sine', seed: 2 }, runs: [
          run('lstm-train-plateau', { cell: 'lstm', plateau: { patience: 1, threshold: 0.5, factor: 0.2 }, optimizer: { kind: 'adam', lr: 0.05 } }),
        ],
      }),
    },
  ];

  it.skipIf(!python).each(PLATEAU_CASES)('$name: losses and validation losses within 1e-3 relative', (c) => {
    const want = referenceTrace(c.doc, c.steps);
    // The plateau must reduce some rate inside the steps compared, or the test could not see it.
    const reduced = c.doc.runs.filter((r) => r.plateau).map((r) => want.rates.get(r.label)!);
    expect(reduced.every((rates) => rates.some((lr, i) => i > 0 && lr < rates[i - 1] * 0.5)), JSON.stringify(reduced)).toBe(true);
    const text = exportAndRunText(python!, c.doc.name, exportTorchScript(c.doc), c.steps);
    expectClose(parseLosses(text), want.losses);
    if (c.doc.evalEvery > 0) expectClose(parseLosses(text, 'val_loss'), want.valLosses);
    else expect(text).not.toContain('val_loss');
  }, PYTHON_TIMEOUT);
});

describe('the exported script with tricks under torchrun', () => {
  const python = torchPython();

  it.skipIf(!python)('2 processes (gloo), uneven shares of the batch: dropout masks, bidirectional, layer norm, validation and plateau give the app\'s losses', async () => {
    const d = readExperiment({
      version: 1, name: 'torchrun-tricks', evalEvery: 2, task: { kind: 'copy', symbols: 3, length: 2, delay: 2, seed: 1 }, runs: [
        run('lstm-all', { cell: 'lstm', batch: 5, seqLen: 7, dropout: 0.2, recurrentDropout: 0.2, bidirectional: true, norm: 'layer', plateau: { patience: 0, threshold: 0.5, factor: 0.1 }, optimizer: { kind: 'adam', lr: 0.05 } }),
        run('gru-res', { cell: 'gru', batch: 5, seqLen: 5, dropout: 0.3, residual: true, numLayers: 2, bptt: { kind: 'truncated', k1: 3, episodeLength: 16 }, optimizer: { kind: 'sgd', lr: 0.5, momentum: 0.9 } }),
      ],
    });
    const steps = 6;
    const script = exportTorchScript(d);
    const distributed = await exportAndRunTorchrun(python!, 'torchrun-tricks', script, steps);
    const want = referenceTrace(d, steps);
    expect(want.rates.get('lstm-all run')!.some((lr) => lr < 0.05)).toBe(true);
    expectClose(parseLosses(distributed), want.losses);
    expectClose(parseLosses(distributed, 'val_loss'), want.valLosses);
  }, TORCHRUN_TEST_TIMEOUT);

  it.skipIf(!python)('batch normalisation under torchrun is refused by name (its statistics are over the whole batch)', async () => {
    const d = doc('torchrun-bn', { kind: 'sine' }, [run('bn', { cell: 'gru', norm: 'batch' })]);
    const file = tempFile('exported-torchrun-bn.py', exportTorchScript(d));
    const launcher = await torchrunLauncher(2);
    const r = spawnSync(python!, [...launcher, file, '--steps', '1'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('run bn run: batch normalisation\'s statistics are over the whole batch; train it in one process (without torchrun)');
  }, PYTHON_TIMEOUT);
});
