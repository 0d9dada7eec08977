// The PyTorch export and the tricks: every trick is exported (their losses against the app's:
// torch-tricks-losses.test.ts); a run with an initialisation scheme but without its initial
// weights is refused by name (never a script that trains something else); an initialisation scheme is exported by
// embedding the run's initial weights, drawn exactly as the app draws them.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { loadTask } from '../data/tasks';
import { initParams } from '../model/init';
import { runLayout } from '../experiments/weights';
import { exportTorchScript, exportTorchScriptFrom, torchExportProblems } from './torch-script';

const doc = (run: Record<string, unknown>) => readExperiment({ version: 1, task: { kind: 'sine' }, runs: [{ id: 'r', label: 'the run', hiddenSize: 4, ...run }] });

describe('PyTorch export of tricks', () => {
  it.each([
    [{ init: { weightIh: 'orthogonal' } }, 'an initialisation scheme (export its weights with it)'],
  ])('%o without its weights is refused by name', (run, words) => {
    const d = doc(run);
    expect(torchExportProblems(d)).toEqual([`run "the run" uses ${words}, which the PyTorch script does not reproduce yet`]);
    expect(() => exportTorchScript(d)).toThrow(`uses ${words}`);
  });

  // Their losses against the app's: torch-tricks-losses.test.ts.
  it.each([
    { dropout: 0.2 }, { recurrentDropout: 0.2 }, { residual: true, numLayers: 2 }, { bidirectional: true }, { norm: 'layer' }, { norm: 'batch' }, { plateau: {} },
    { prune: { kind: 'oneshot' } }, { prune: { kind: 'gradual' } },
    { dropout: 0.1, recurrentDropout: 0.1, residual: true, bidirectional: true, norm: 'layer', numLayers: 2 },
  ])('%o is exported', (run) => {
    const d = doc(run);
    expect(torchExportProblems(d)).toEqual([]);
    expect(() => exportTorchScript(d)).not.toThrow();
  });

  it('an initialisation scheme travels as the run\'s embedded initial weights', async () => {
    const d = doc({ init: { weightIh: 'orthogonal', weightHh: 'identity', bias: 'zeros' }, seed: 11 });
    expect(torchExportProblems(d)).toHaveLength(1);
    const script = await exportTorchScriptFrom(d, {});
    const task = await loadTask(d.task);
    const layout = runLayout(d.runs[0], task);
    const want = new Float32Array(layout.paramCount);
    initParams(want, layout.rnn, 4, layout.head, 11, d.runs[0].init, 'lstm');
    expect(script).toContain('WEIGHTS = {');
    expect(script).toContain('"r": {');
    // The identity block's ones and the zero biases are there as exact float32 literals.
    expect(want.slice(layout.rnn.entries[1].offset, layout.rnn.entries[1].offset + 5)).toEqual(Float32Array.of(1, 0, 0, 0, 0));
  });
});
