// The sampling panel's logic: a charlm experiment trained a few steps on the CPU backend gives
// text of the asked length from the chosen run's current weights, the runner's `--sample` text
// on its first draw; bad settings and non-character tasks get messages naming what is wrong.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { createCpuBackend } from '../cpu/backend';
import { sampleModel } from '../data/sample-model';
import { Experiment } from '../experiments/experiment';
import { sampleFromRun, sampleSettingErrors } from './sampling';

const charlm = readExperiment({
  version: 1, name: 'tiny charlm', task: { kind: 'charlm', corpus: 'brackets', corpusLength: 2000 },
  runs: [{ id: 'a', cell: 'lstm', hiddenSize: 8, seqLen: 8, batch: 2, seed: 3 }, { id: 'b', cell: 'gru', hiddenSize: 6, seqLen: 8, batch: 2 }],
});

describe('sampling from a run on the page', () => {
  it('draws text of the asked length from the run\'s current weights, as the runner does', async () => {
    const e = await Experiment.create(charlm, createCpuBackend({ worker: false }));
    await e.step();
    await e.step();
    const first = await sampleFromRun(e, { runId: 'a', temperature: 0.8, length: 37, draw: 0 });
    if ('error' in first) throw new Error(first.error);
    expect(Array.from(first.text)).toHaveLength(37);
    expect(first.step).toBe(2);
    expect(first.seed).toBe(3);
    const vocabulary = e.currentTask.vocabulary!;
    for (const ch of first.text) expect(vocabulary).toContain(ch);
    const cp = (await e.readCheckpoint('a'))!;
    expect(first.text).toBe(sampleModel(charlm.runs[0], vocabulary, cp.params, { length: 37, temperature: 0.8, seed: 3 }));

    // Another draw is seeded anew; another run samples its own weights.
    const second = await sampleFromRun(e, { runId: 'a', temperature: 0.8, length: 37, draw: 1 });
    expect('text' in second && second.seed).toBe(4);
    const other = await sampleFromRun(e, { runId: 'b', temperature: 2, length: 5, draw: 0 });
    expect('text' in other && Array.from(other.text).length).toBe(5);

    // Training moves the weights, and the sample follows them.
    for (let i = 0; i < 5; i++) await e.step();
    const later = await sampleFromRun(e, { runId: 'a', temperature: 0.8, length: 37, draw: 0 });
    expect('text' in later && later.step).toBe(7);
    e.destroy();
  });

  it('names the setting that is off, and refuses tasks that are not character models', async () => {
    expect(sampleSettingErrors(0.8, 200)).toEqual([]);
    expect(sampleSettingErrors(0.05, 0)).toEqual([
      'temperature must be a number from 0.1 to 2, got 0.05',
      'length must be a whole number of characters from 1 to 2000, got 0',
    ]);
    expect(sampleSettingErrors(Number.NaN, 2.5)).toHaveLength(2);
    const e = await Experiment.create(charlm, createCpuBackend({ worker: false }));
    expect(await sampleFromRun(e, { runId: 'zz', temperature: 1, length: 3, draw: 0 })).toEqual({ error: 'no run with id "zz"' });
    expect(await sampleFromRun(e, { runId: 'a', temperature: 3, length: 3, draw: 0 })).toEqual({ error: 'temperature must be a number from 0.1 to 2, got 3' });
    e.destroy();
    const sine = await Experiment.create(readExperiment({ version: 1, runs: [{ id: 's' }] }), createCpuBackend({ worker: false }));
    expect(await sampleFromRun(sine, { runId: 's', temperature: 1, length: 3, draw: 0 })).toEqual({
      error: 'the sine task is not a character model: only charlm experiments sample text',
    });
    sine.destroy();
  });
});
