// The keeper: the hash follows the document, saves happen when something changed (and on page
// hide), and at start the last experiment comes back where it was, a link opens its experiment,
// a junk link opens the default with a notice, and a link that needs user data says so.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { experimentFromHash, experimentToHash } from '../config/url';
import { LESSONS, lessonExperiment } from '../lessons';
import { Experiment } from './experiment';
import { FakeBackend } from './fake-backend';
import { Keeper } from './keeper';
import { ExperimentStore } from './persistence';

async function setup(hash = '') {
  // A fresh database per test: fake-indexeddb keeps one global namespace.
  indexedDB.deleteDatabase('rnn-playground');
  const store = await ExperimentStore.open();
  const location = { hash };
  const events = new EventTarget();
  let hidden = false;
  const keeper = await Keeper.open({ store, location, replaceHash: (h) => (location.hash = `#${h}`), events, hidden: () => hidden });
  return { store, location, events, keeper, hide: () => ((hidden = true), events.dispatchEvent(new Event('visibilitychange'))) };
}

const doc = readExperiment({ version: 1, name: 'kept', task: { kind: 'sine' }, runs: [{ id: 'a' }, { id: 'g', cell: 'gru' }] });

describe('Keeper', () => {
  it('with nothing saved and no hash: the default experiment', async () => {
    const { keeper, store } = await setup();
    expect((await keeper.initial()).doc.name).toBe('Adam against SGD on a noisy sine');
    store.close();
  });

  it('follows the document in the hash, saves, and a reload restores where it was', async () => {
    const first = await setup();
    const e = await Experiment.create(doc, new FakeBackend());
    first.keeper.attach(e);
    expect(experimentFromHash(first.location.hash).doc).toEqual(doc);
    await e.step();
    await e.step();
    await e.setRunField('a', 'optimizer.lr', 0.02);
    expect(experimentFromHash(first.location.hash).doc!.runs[0].optimizer.lr).toBe(0.02);
    first.hide();
    await new Promise((r) => setTimeout(r, 50));
    await first.keeper.saveNow();
    first.keeper.detach();

    // The reload: same hash, same database.
    const keeper = await Keeper.open({ store: first.store, location: first.location, replaceHash: () => undefined });
    const opening = await keeper.initial();
    expect(opening.state?.tick).toBe(2);
    expect(opening.doc.runs[0].optimizer.lr).toBe(0.02);
    const restored = await Experiment.restore(opening.state!, new FakeBackend());
    await restored.step();
    expect(restored.history('g')!.lastStep).toBe(3);
    expect(keeper.currentId).toBe(first.keeper.currentId);
    first.store.close();
  });

  it('a link to another experiment opens it fresh; a junk link opens the default with a notice', async () => {
    const other = readExperiment({ version: 1, name: 'linked', runs: [{ id: 'x', cell: 'rnn_tanh' }] });
    const link = await setup(`#${experimentToHash(other)}`);
    const opening = await link.keeper.initial();
    expect(opening.state).toBeUndefined();
    expect(opening.doc).toEqual(other);
    link.store.close();

    const junk = await setup('#e=garbage');
    const j = await junk.keeper.initial();
    expect(j.doc.name).toBe('Adam against SGD on a noisy sine');
    expect(j.notice).toMatch(/^the link's experiment could not be opened \(.+\); the default experiment opened instead$/);
    junk.store.close();
  });

  it('a link whose task needs the user\'s own data says to open it again', async () => {
    const userText = readExperiment({ version: 1, task: { kind: 'charlm', corpus: 'user' }, runs: [{ id: 'c' }] });
    const { keeper, store } = await setup(`#${experimentToHash(userText)}`);
    const opening = await keeper.initial();
    expect(opening).toMatchObject({ needsData: true, doc: userText });
    expect(opening.notice).toMatch(/data of your own, which links do not carry/);
    store.close();
  });

  it('keeps the user data with the saved experiment; saves only when something changed', async () => {
    const { keeper, store } = await setup();
    const e = await Experiment.create(doc, new FakeBackend());
    keeper.attach(e, { kind: 'text', text: 'hello world' });
    await keeper.saveNow();
    const id = keeper.currentId!;
    expect((await store.load(id))!.userData).toEqual({ kind: 'text', text: 'hello world' });
    const saved = (await store.list())[0].savedAt;
    await new Promise((r) => setTimeout(r, 5));
    keeper.setUserData(undefined);
    await keeper.saveNow();
    expect((await store.load(id))!.userData).toBeUndefined();
    expect((await store.list())[0].savedAt).toBeGreaterThan(saved);
    keeper.detach();
    store.close();
  });

  it('a lesson link opens the lesson\'s experiment and names it; an unknown lesson opens the default with a notice', async () => {
    const { keeper, store } = await setup('#lesson=optimizers');
    const opening = await keeper.initial();
    expect(opening.lesson).toBe('optimizers');
    expect(opening.doc).toEqual(lessonExperiment(LESSONS.find((l) => l.id === 'optimizers')!));
    expect(opening.notice).toBeUndefined();
    store.close();

    const other = await setup('#lesson=nonsense');
    const fallback = await other.keeper.initial();
    expect(fallback.lesson).toBeUndefined();
    expect(fallback.doc.name).toBe('Adam against SGD on a noisy sine');
    expect(fallback.notice).toContain('the link names no lesson "nonsense" (the lessons are vanishing-gradients, exploding-gradients,');
    other.store.close();
  });
});
