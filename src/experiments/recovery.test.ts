// Recovery after a lost device (recovery.ts) on the deterministic fake backend: the replacement
// continues from the checkpoint with the same weights, step and history, reports the steps
// redone, falls back to the cpu when no gpu comes back, and starts from 0 without a checkpoint.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import type { BackendKind } from '../training/trainer';
import { Experiment } from './experiment';
import { FakeBackend } from './fake-backend';
import { recoverExperiment } from './recovery';

const DOC = readExperiment({ version: 1, task: { kind: 'sine' }, runs: [{ id: 'a', optimizer: { kind: 'sgd', lr: 0.1 } }, { id: 'b', optimizer: { kind: 'sgd', lr: 0.05 } }] });

async function trained(steps: number, checkpointAt: number) {
  const e = await Experiment.create(DOC, new FakeBackend());
  let checkpoint;
  for (let i = 1; i <= steps; i++) {
    await e.step();
    if (i === checkpointAt) checkpoint = await e.saveState();
  }
  return { e, checkpoint };
}

describe('recoverExperiment', () => {
  it('rebuilds from the checkpoint on a new backend: same weights, step and history; the steps after it are redone', async () => {
    const { e: lost, checkpoint } = await trained(9, 6);
    // The reference: an experiment that never lost anything, at step 6 then on to 9.
    const { e: reference } = await trained(9, 6);
    lost.fail(new Error('gpu device lost (destroyed)'));
    expect(lost.snapshot().status).toBe('error');

    const made: BackendKind[] = [];
    const r = await recoverExperiment({
      doc: lost.doc, lostAtStep: lost.snapshot().step, checkpoint, sources: {},
      makeBackend: async (kind) => (made.push(kind), { backend: new FakeBackend() }),
    });
    expect(made).toEqual(['webgpu']);
    expect(r.fromStep).toBe(6);
    expect(r.redone).toBe(3);
    expect(r.notice).toBe('the gpu device was lost at step 9; training goes on from its last checkpoint at step 6 on a new gpu device: 3 steps redone');
    const back = r.experiment;
    expect(back.snapshot()).toMatchObject({ step: 6, status: 'paused' });
    expect(back.history('a')!.lastStep).toBe(6);
    for (let i = 0; i < 3; i++) await back.step();
    // Deterministic backend: the redone steps give the records the lost ones had.
    for (const id of ['a', 'b']) {
      const want = reference.history(id)!;
      const got = back.history(id)!;
      expect(got.lastStep).toBe(9);
      for (let i = 0; i < 9; i++) expect(got.record(i).loss).toBe(want.record(i).loss);
    }
    expect((await back.readCheckpoint('a'))!.params).toEqual((await reference.readCheckpoint('a'))!.params);
  });

  it('without a checkpoint starts the document from step 0, every step redone', async () => {
    const { e: lost } = await trained(4, 0);
    const r = await recoverExperiment({ doc: lost.doc, lostAtStep: 4, sources: {}, makeBackend: async () => ({ backend: new FakeBackend() }) });
    expect(r.experiment.snapshot().step).toBe(0);
    expect(r.redone).toBe(4);
    expect(r.notice).toMatch(/from step 0 \(no checkpoint had been saved yet\) on a new gpu device: 4 steps redone$/);
  });

  it('falls back to the cpu when no gpu comes back', async () => {
    const { e: lost, checkpoint } = await trained(3, 3);
    const r = await recoverExperiment({
      doc: lost.doc, lostAtStep: 3, checkpoint, sources: {},
      makeBackend: async (kind) => {
        if (kind === 'webgpu') throw new Error('no webgpu adapter available');
        return { backend: new FakeBackend() };
      },
    });
    expect(r.kind).toBe('cpu');
    expect(r.redone).toBe(0);
    expect(r.notice).toMatch(/on the cpu \(no gpu came back\): 0 steps redone$/);
  });
});
