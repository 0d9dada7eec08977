// Saved experiments (IndexedDB through idb, in memory via fake-indexeddb here) and experiment
// files: save/load keeps weights, optimizer state and histories; list, rename, duplicate, delete;
// files round-trip with and without histories, and bad files are refused or trimmed with a reason.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { Experiment } from './experiment';
import { experimentFileText, MAX_EXPERIMENT_FILE_BYTES, openExperimentFile } from './export-file';
import { FakeBackend } from './fake-backend';
import { ExperimentStore } from './persistence';

async function trained() {
  const doc = readExperiment({ version: 1, name: 'saved one', task: { kind: 'sine' }, runs: [{ id: 'a' }, { id: 'b', cell: 'gru' }] });
  const e = await Experiment.create(doc, new FakeBackend());
  for (let i = 0; i < 3; i++) await e.step();
  return e;
}

describe('ExperimentStore', () => {
  it('saves and loads everything, lists newest first, renames, duplicates, deletes', async () => {
    const store = await ExperimentStore.open();
    const e = await trained();
    const state = await e.saveState();
    const id = await store.save(state);
    await store.setCurrent(id);
    const back = (await store.load(id))!.state;
    expect(back.doc).toEqual(state.doc);
    expect(back.tick).toBe(3);
    expect(back.checkpoints.a.params).toEqual(state.checkpoints.a.params);
    expect(back.checkpoints.a.params).toBeInstanceOf(Float32Array);
    expect(back.histories.b.toJSON()).toEqual(state.histories.b.toJSON());
    expect(back.histories.b.record(2)).toEqual(state.histories.b.record(2));

    await new Promise((r) => setTimeout(r, 2));
    const copy = await store.duplicate(id);
    expect((await store.list()).map((s) => s.name)).toEqual(['saved one (copy)', 'saved one']);
    await store.rename(copy, 'renamed');
    expect((await store.load(copy))!.state.doc.name).toBe('renamed');
    expect(await store.current()).toBe(id);
    await store.delete(id);
    expect(await store.current()).toBeUndefined();
    expect((await store.list()).map((s) => s.id)).toEqual([copy]);
    store.close();
  });
});

describe('experiment files', () => {
  it('round-trip with histories; without them only the document', async () => {
    const e = await trained();
    const histories = new Map(e.doc.runs.map((r) => [r.id, e.history(r.id)!]));
    const opened = openExperimentFile(experimentFileText(e.doc, histories));
    expect(opened.issues).toEqual([]);
    expect(opened.doc).toEqual(e.doc);
    expect(opened.histories.get('b')!.toJSON()).toEqual(histories.get('b')!.toJSON());
    const plain = openExperimentFile(experimentFileText(e.doc));
    expect(plain.doc).toEqual(e.doc);
    expect(plain.histories.size).toBe(0);
  });

  it('refuses files that are too big, not JSON, or invalid; drops a bad history with a reason', async () => {
    expect(openExperimentFile('{}', MAX_EXPERIMENT_FILE_BYTES + 1).issues[0].message).toMatch(/may be at most 64 MiB/);
    expect(openExperimentFile('{"runs": [').issues[0].message).toMatch(/^the file is not JSON/);
    expect(openExperimentFile('{"version":1,"runs":[{"hiddenSize":0}]}').issues[0].path).toBe('runs[0].hiddenSize');
    const e = await trained();
    const json = JSON.parse(experimentFileText(e.doc, new Map([['a', e.history('a')!]])));
    json.histories.a.step[1] = 1;
    json.histories.ghost = json.histories.a;
    const opened = openExperimentFile(JSON.stringify(json));
    expect(opened.doc).toEqual(e.doc);
    expect(opened.warnings).toEqual([
      'history of run "a" has steps that are not increasing whole numbers; it was left out',
      'history of run "ghost" belongs to no run of the experiment; it was left out',
    ]);
  });
});
