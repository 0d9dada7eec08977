// The experiment's orchestration on a deterministic fake backend (no GPU): groups by structure,
// lockstep ticks, live / restart / rebuild changes, add, variant, fork, delete, budget, back-
// pressure, divergence, save and restore. The GPU path is covered by experiment.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import type { ExperimentDoc } from '../config/experiment';
import { readExperiment } from '../config/parse';
import { Experiment, gradientPlace } from './experiment';
import { FakeBackend, type FakeGroup } from './fake-backend';
import type { RunRecord } from './history';

function doc(runs: Record<string, unknown>[], extra: Record<string, unknown> = {}): ExperimentDoc {
  return readExperiment({ version: 1, task: { kind: 'sine' }, runs, ...extra });
}

const lstm = (id: string, lr = 0.1, more: Record<string, unknown> = {}) => ({ id, optimizer: { kind: 'sgd', lr }, ...more });

async function setup(runs: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const backend = new FakeBackend();
  const e = await Experiment.create(doc(runs, extra), backend);
  const records = new Map<string, RunRecord[]>();
  e.subscribe({
    onRecords: (id, list) => records.set(id, [...(records.get(id) ?? []), ...list]),
    onHistory: (id, h) => records.set(id, Array.from({ length: h.length }, (_, i) => h.record(i))),
  });
  // Groups alive now, ordered by their first run's id (creation order is not the slot order).
  const live = () => backend.groups.filter((g) => !g.destroyed).sort((x, y) => x.spec.runs[0].id.localeCompare(y.spec.runs[0].id));
  const steps = async (n: number) => {
    for (let i = 0; i < n; i++) await e.step();
  };
  const last = (id: string) => records.get(id)!.at(-1)!;
  return { e, backend, records, live, steps, last };
}

describe('groups', () => {
  it('runs of one structure share a group; other cells and sizes get their own', async () => {
    const { live } = await setup([lstm('a'), lstm('b'), lstm('c', 0.1, { cell: 'gru' }), lstm('d', 0.1, { hiddenSize: 8 })]);
    expect(live().map((g) => g.spec.runs.map((r) => r.id))).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(live()[1].spec.cell).toBe('gru');
  });

  it('every group steps once per tick; every run gets one record per step', async () => {
    const { e, records, steps } = await setup([lstm('a'), lstm('g', 0.1, { cell: 'gru' })]);
    await steps(3);
    expect(e.snapshot().step).toBe(3);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(records.get('g')!.map((r) => r.step)).toEqual([1, 2, 3]);
  });

  it('a group that is too big is refused before anything is built', async () => {
    const backend = new FakeBackend();
    backend.maxHidden = 16;
    await expect(Experiment.create(doc([lstm('a', 0.1, { hiddenSize: 8 }), lstm('b', 0.1, { hiddenSize: 64 })]), backend)).rejects.toThrow(
      /hiddenSize 64 is more than this backend holds/,
    );
    expect(backend.groups).toHaveLength(0);
  });
});

describe('changes while training', () => {
  it('a learning rate applies from the next step without a rebuild', async () => {
    const { e, live, steps, last } = await setup([lstm('a'), lstm('b')]);
    await steps(2);
    const group = live()[0];
    expect(await e.setRunField('a', 'optimizer.lr', 0.5)).toEqual([]);
    await steps(1);
    expect(live()).toEqual([group]);
    expect(last('a').learningRate).toBe(0.5);
    expect(last('b').learningRate).toBe(0.1);
    expect(last('a').step).toBe(3);
  });

  it('dropout applies live; turning on a kind of dropout the group was built without rebuilds it, weights and steps carried', async () => {
    const { e, live, steps, records } = await setup([lstm('a'), lstm('b', 0.2)]);
    await steps(3);
    const before = live()[0];
    const weights = await before.readCheckpoints();
    expect(await e.setRunField('a', 'dropout', 0.3)).toEqual([]);
    const rebuilt = live()[0];
    expect(before.destroyed).toBe(true);
    expect(rebuilt.spec.runs.map((r) => r.dropout)).toEqual([0.3, 0]);
    expect((await rebuilt.readCheckpoints()).map((c) => [c.step, Array.from(c.params)])).toEqual(weights.map((c) => [c.step, Array.from(c.params)]));
    expect(rebuilt.seeks).toEqual([3]);
    // another rate, or the other run's, fits the dispatches it has: no rebuild
    expect(await e.setRunField('b', 'dropout', 0.5)).toEqual([]);
    expect(await e.setRunField('a', 'dropout', 0)).toEqual([]);
    expect(live()).toEqual([rebuilt]);
    // recurrent dropout is another kind
    expect(await e.setRunField('b', 'recurrentDropout', 0.25)).toEqual([]);
    expect(rebuilt.destroyed).toBe(true);
    await steps(1);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(e.doc.runs.map((r) => [r.dropout, r.recurrentDropout])).toEqual([[0, 0], [0.5, 0.25]]);
  });

  it('bidirectional and residual rebuild the run into a group of its own shape', async () => {
    const { e, live } = await setup([lstm('a'), lstm('b')]);
    expect(await e.setRunField('a', 'bidirectional', true)).toEqual([]);
    expect(await e.setRunField('b', 'residual', true)).toEqual([]);
    expect(live().map((g) => [g.spec.runs.map((r) => r.id), g.spec.bidirectional, g.spec.residual])).toEqual([[['a'], true, false], [['b'], false, true]]);
    expect(live()[0].spec.label).toBe('lstm H32 B16 T32 bidirectional');
  });

  it('per-timestep gradient norms: setDiagnosticsEvery rebuilds every group with it, runs carried; 0 turns them off', async () => {
    const { e, live, steps } = await setup([lstm('a'), lstm('g', 0.1, { cell: 'gru' })]);
    await steps(2);
    const before = live();
    expect(await e.setDiagnosticsEvery(5)).toEqual([]);
    expect(before.every((g) => g.destroyed)).toBe(true);
    expect(live().map((g) => [g.spec.diagnosticsEvery, g.runSteps])).toEqual([[5, [2]], [5, [2]]]);
    const now = live();
    expect(await e.setDiagnosticsEvery(5)).toEqual([]);
    expect(live()).toEqual(now);
    expect(await e.setDiagnosticsEvery(-1)).toEqual([{ path: 'diagnosticsEvery', message: 'diagnosticsEvery must be an integer from 0 to 1000000, got -1' }]);
    expect(await e.setDiagnosticsEvery(0)).toEqual([]);
    expect(live().map((g) => g.spec.diagnosticsEvery)).toEqual([0, 0]);
  });

  it('an invalid value is refused with its path and changes nothing', async () => {
    const { e } = await setup([lstm('a')]);
    expect(await e.setRunField('a', 'optimizer.lr', -2)).toEqual([
      { path: 'runs[0].optimizer.lr', message: 'runs[0].optimizer.lr must be a number > 0 and <= 100, got -2' },
    ]);
    expect(e.doc.runs[0].optimizer.lr).toBe(0.1);
  });

  it('switching optimizer drops the settings it does not take and gets its own defaults', async () => {
    const { e } = await setup([lstm('a', 0.1, { optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 } })]);
    expect(await e.setRunField('a', 'optimizer.kind', 'adam')).toEqual([]);
    expect(e.doc.runs[0].optimizer).toEqual({ kind: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  });

  it('a new seed restarts only that run, in place', async () => {
    const { e, live, steps, records } = await setup([lstm('a'), lstm('b')]);
    await steps(3);
    const group = live()[0];
    await e.setRunField('a', 'seed', 99);
    await steps(1);
    expect(live()).toEqual([group]);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1]);
    expect(records.get('b')!.map((r) => r.step)).toEqual([1, 2, 3, 4]);
  });

  it('a new hidden size rebuilds that run\'s groups; the runs that stay carry on, other groups are untouched', async () => {
    const { e, live, steps, records } = await setup([lstm('a'), lstm('b'), lstm('g', 0.1, { cell: 'gru' })]);
    await steps(3);
    const [lstmGroup, gruGroup] = live(); // a..., g
    const bBefore = records.get('b')!.at(-1)!.loss;
    await e.setRunField('a', 'hiddenSize', 8);
    expect(lstmGroup.destroyed).toBe(true);
    expect(gruGroup.destroyed).toBe(false);
    expect(live().map((g) => g.spec.runs.map((r) => r.id))).toEqual([['a'], ['b'], ['g']]);
    expect((live()[1] as FakeGroup).seeks).toEqual([3]);
    await steps(1);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1]);
    const b = records.get('b')!;
    expect(b.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(b[3].loss).toBeCloseTo(bBefore * 0.81, 6); // w -= 0.1 w once more: loss scales by 0.9^2
    expect(records.get('g')!.map((r) => r.step)).toEqual([1, 2, 3, 4]);
  });

  it('a new seed or init scheme restarts the run from the weights they draw', async () => {
    const { e, backend, live, steps } = await setup([lstm('a'), lstm('b')]);
    await steps(2);
    const fresh = async (patch: Record<string, unknown>) => {
      const other = new FakeBackend();
      await Experiment.create(doc([lstm('a', 0.1, patch)]), other);
      return (await other.groups[0].readCheckpoints())[0].params;
    };
    await e.setRunField('a', 'seed', 99);
    expect((await live()[0].readCheckpoints())[0].params).toEqual(await fresh({ seed: 99 }));
    await e.setRunField('a', 'init.weightIh', 'orthogonal');
    const [a, b] = await live()[0].readCheckpoints();
    expect(a.params).toEqual(await fresh({ seed: 99, init: { weightIh: 'orthogonal' } }));
    expect(a.step).toBe(0);
    expect(b.step).toBe(2);
    expect(backend.groups.filter((g) => g.destroyed)).toEqual([]);
  });

  it('turning pruning or the plateau on live rebuilds the group with its dispatches, the runs carrying on; turning the last off drops them', async () => {
    const { e, live, steps, records } = await setup([lstm('a'), lstm('b')]);
    await steps(2);
    const first = live()[0];
    expect(first.spec.tricks).toEqual({ plateau: false, prune: false, dropout: false, recurrentDropout: false });
    expect(await e.setRunField('a', 'prune.kind', 'oneshot')).toEqual([]);
    expect(first.destroyed).toBe(true);
    expect(live()).toHaveLength(1);
    expect(live()[0].spec.tricks).toEqual({ plateau: false, prune: true, dropout: false, recurrentDropout: false });
    expect(await e.setRunField('b', 'plateau', {})).toEqual([]);
    expect(live()[0].spec.tricks).toEqual({ plateau: true, prune: true, dropout: false, recurrentDropout: false });
    expect(e.doc.runs[1].plateau).toEqual({ mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0 });
    const withBoth = live()[0];
    expect(await e.setRunField('b', 'plateau.factor', 0.5)).toEqual([]);
    expect(withBoth.destroyed).toBe(false);
    expect(await e.setRunField('a', 'prune.kind', 'none')).toEqual([]);
    expect(live()[0].spec.tricks).toEqual({ plateau: true, prune: false, dropout: false, recurrentDropout: false });
    await steps(1);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(records.get('b')!.map((r) => r.step)).toEqual([1, 2, 3]);
  });

  it('changing the task restarts every run', async () => {
    const { e, steps, records } = await setup([lstm('a')]);
    await steps(2);
    expect(await e.setField('task.noise', 0.5)).toEqual([]);
    expect(records.get('a')).toEqual([]);
    expect(e.doc.task.noise).toBe(0.5);
  });
});

describe('run operations', () => {
  it('add, variant, fork, delete', async () => {
    const { e, live, steps, records, last } = await setup([lstm('a')]);
    await steps(2);
    expect(await e.addRun({ cell: 'gru' })).toEqual([]);
    expect(await e.duplicateRun('a', { optimizer: { kind: 'sgd', lr: 0.2 } })).toEqual([]);
    expect(await e.forkRun('a')).toEqual([]);
    const ids = e.doc.runs.map((r) => r.id);
    expect(ids).toEqual(['a', 'run-2', 'a-2', 'a-3']);
    expect(new Set(e.doc.runs.map((r) => r.color)).size).toBe(4);
    expect(e.doc.runs[2].label).toBe('run 1 (variant)');
    // The fork holds its parent's past and continues from its weights.
    expect(records.get('a-3')!.map((r) => r.step)).toEqual([1, 2]);
    await steps(1);
    expect(last('a-3')).toMatchObject({ step: 3, loss: last('a').loss });
    expect(records.get('a-2')!.map((r) => r.step)).toEqual([1]);
    expect(live().map((g) => g.spec.runs.map((r) => r.id))).toEqual([['a', 'a-2', 'a-3'], ['run-2']]);

    expect(await e.deleteRun('run-2')).toEqual([]);
    expect(live().map((g) => g.spec.runs.map((r) => r.id))).toEqual([['a', 'a-2', 'a-3']]);
    expect(await e.deleteRun('nope')).toEqual([{ path: 'runs', message: 'no run with id "nope"' }]);
  });

  it('the last run cannot be deleted, and an experiment holds at most 16 runs', async () => {
    const { e } = await setup([lstm('a')]);
    expect((await e.deleteRun('a'))[0].message).toBe('an experiment needs at least one run');
    for (let i = 0; i < 15; i++) expect(await e.addRun()).toEqual([]);
    expect((await e.addRun())[0].message).toBe('an experiment holds at most 16 runs');
  });
});

describe('playing', () => {
  it('plays to the budget and stops there, every step recorded despite back-pressure', async () => {
    const { e, records } = await setup([lstm('a'), lstm('g', 0.1, { cell: 'gru' })], { budget: 50 });
    const done = new Promise<void>((resolve) => e.subscribe({ onStatus: (s) => s.status === 'done' && resolve() }));
    e.play();
    await done;
    expect(e.snapshot().step).toBe(50);
    expect(records.get('a')!.map((r) => r.step)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(records.get('g')).toHaveLength(50);
  });

  it('200 steps asked for at once: every one is taken and recorded', async () => {
    const { e, records } = await setup([lstm('a')]);
    await Promise.all(Array.from({ length: 200 }, () => e.step()));
    expect(records.get('a')!.map((r) => r.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('a change while playing waits for the chunk and training goes on', async () => {
    const { e, records } = await setup([lstm('a'), lstm('b')]);
    e.play();
    await new Promise((r) => setTimeout(r, 20));
    expect(await e.setRunField('b', 'hiddenSize', 8)).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    e.pause();
    await e.step(); // waits for the loop to stop
    const a = records.get('a')!.map((r) => r.step);
    expect(a).toEqual(Array.from({ length: a.length }, (_, i) => i + 1));
    expect(e.snapshot().status).toBe('paused');
  });

  it('a backend without the GPU anomaly flag names a non-finite gradient by its segment norms', () => {
    expect(gradientPlace([1, Infinity, 2])).toBe('gradient of layer 1');
    expect(gradientPlace([1, 2, NaN])).toBe('gradient of head');
    expect(gradientPlace([1, 2])).toBe('gradient');
  });

  it('a run that diverges is marked at its step and stops recording; the others go on', async () => {
    const { e, steps, records } = await setup([lstm('a', 0.1, { schedule: { kind: 'constant', warmup: 0 } }), lstm('b')]);
    await steps(2);
    await e.setRunField('a', 'optimizer.lr', 5);
    await steps(3);
    expect(e.runs()[0]).toMatchObject({ divergedAt: 3, divergedIn: 'loss' });
    expect(records.get('a')!.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(records.get('b')).toHaveLength(5);
    await e.reset();
    expect(e.runs()[0].divergedAt).toBeUndefined();
  });
});

describe('save and restore', () => {
  it('continues exactly where it was', async () => {
    const { e, steps, last } = await setup([lstm('a'), lstm('g', 0.3, { cell: 'gru' })]);
    await steps(4);
    const state = await e.saveState();
    await steps(2);
    const expected = { a: last('a'), g: last('g') };
    const restored = await Experiment.restore(state, new FakeBackend());
    expect(restored.history('a')!.length).toBe(4);
    const got = new Map<string, RunRecord[]>();
    restored.subscribe({ onRecords: (id, list) => got.set(id, [...(got.get(id) ?? []), ...list]) });
    await restored.step();
    await restored.step();
    expect(got.get('a')!.at(-1)).toMatchObject({ step: 6, loss: expected.a.loss });
    expect(got.get('g')!.at(-1)).toMatchObject({ step: 6, loss: expected.g.loss });
    expect(restored.snapshot().step).toBe(6);
  });
});

describe('page operations', () => {
  it('a task its data cannot build is refused with the reason; the experiment goes on unchanged', async () => {
    const { e, steps, records } = await setup([lstm('a')]);
    await steps(2);
    const issues = await e.setTask({ kind: 'series' }, undefined);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0].path).toBe('task');
    expect(e.doc.task.kind).toBe('sine');
    expect(e.snapshot().status).toBe('paused');
    await steps(1);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(await e.setTask({ kind: 'charlm' }, undefined)).toEqual([]);
    expect(await e.setField('task.corpus', 'user')).toEqual([expect.objectContaining({ path: 'task' })]);
    expect(e.doc.task.corpus).toBe('brackets');
    expect(e.snapshot().status).toBe('paused');
  });

  it('a task with the user\'s CSV restarts every run and keeps the data', async () => {
    const { e, steps, records } = await setup([lstm('a')]);
    await steps(2);
    const values = Float64Array.from({ length: 60 }, (_, i) => Math.sin(i / 3));
    const data = { kind: 'series' as const, columns: ['x'], rows: 60, values };
    expect(await e.setTask({ kind: 'series' }, data)).toEqual([]);
    expect(e.doc.task.kind).toBe('series');
    expect(e.userData).toBe(data);
    expect(records.get('a')).toEqual([]);
    await steps(1);
    expect(records.get('a')!.map((r) => r.step)).toEqual([1]);
  });

  it('loaded weights replace the run\'s parameters; its step goes on', async () => {
    const { e, steps, records } = await setup([lstm('a'), lstm('b')]);
    await steps(2);
    const before = (await e.readCheckpoint('a'))!;
    const params = before.params.map((_, i) => (i < 4 ? 0.5 : 0));
    expect(await e.loadWeights('a', params)).toEqual([]);
    const after = (await e.readCheckpoint('a'))!;
    expect(Array.from(after.params)).toEqual(Array.from(params));
    expect(after.step).toBe(2);
    expect(await e.loadWeights('a', new Float32Array(3))).toEqual([expect.objectContaining({ message: expect.stringMatching(/3 values/) })]);
    await steps(1);
    expect(records.get('a')!.at(-1)!.step).toBe(3);
    expect(records.get('a')!.at(-1)!.loss).toBeCloseTo(4 * (0.5 * 0.9) ** 2, 5);
  });

  it('fail() turns the experiment to an error at once and play() does nothing after', async () => {
    const { e } = await setup([lstm('a')]);
    const statuses: string[] = [];
    e.subscribe({ onStatus: (s) => statuses.push(s.status) });
    e.play();
    e.fail(new Error('gpu device lost (unknown): gone'));
    expect(e.snapshot()).toMatchObject({ status: 'error', error: 'gpu device lost (unknown): gone' });
    e.play();
    await e.idle();
    expect(e.snapshot().status).toBe('error');
    expect(statuses.at(-1)).toBe('error');
  });
});

describe('changing the task kind', () => {
  it('drops the old kind\'s options and takes the new kind\'s defaults', async () => {
    const backend = new FakeBackend();
    const e = await Experiment.create(readExperiment({ version: 1, task: { kind: 'sine', sines: 2 }, runs: [{ id: 'a', seqLen: 64 }] }), backend);
    expect(await e.setField('task.kind', 'adding')).toEqual([]);
    expect(e.doc.task).toEqual({ kind: 'adding', seed: 1, length: 50 });
  });
});
