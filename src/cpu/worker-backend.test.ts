// The worker proxy and host over a real MessageChannel (structured clone and transfer as between
// a page and its worker): the proxy trains exactly like a CpuGroup in this thread, returns from
// trainStep at once, applies back-pressure and moves batches by transfer, not by copy.
import { afterEach, describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import type { GroupSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import { ConfigError } from '../training/run-group';
import type { TrainerGroup } from '../training/trainer';
import { CpuGroup } from './cpu-group';
import { CpuHost } from './host';
import type { FromWorker, ToWorker } from './protocol';
import { DROPOUT_RUNS, RUNS } from '../testing/training-cases';
import { SignTask } from '../testing/tasks';
import { WorkerCpuBackend, type CpuPort } from './worker-backend';

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** A backend whose worker is a CpuHost on the other end of a MessageChannel; `sent` logs what the page posts. */
function connect(maxQueued?: number) {
  const channel = new MessageChannel();
  open.push(channel.port1, channel.port2);
  const host = new CpuHost((message, transfer) => channel.port2.postMessage(message, transfer));
  channel.port2.onmessage = (event: MessageEvent<ToWorker>) => host.handle(event.data);
  const sent: { message: ToWorker; transfer: Transferable[] }[] = [];
  const port: CpuPort = {
    postMessage(message, transfer) {
      sent.push({ message, transfer });
      channel.port1.postMessage(message, transfer);
    },
    set onmessage(handler) {
      channel.port1.onmessage = handler as (event: MessageEvent) => void;
    },
    get onmessage() {
      return channel.port1.onmessage as CpuPort['onmessage'];
    },
  };
  return { backend: new WorkerCpuBackend(port, { maxQueued }), sent };
}

const SPEC = {
  cell: 'lstm', hiddenSize: 5, numLayers: 2, batch: 3, seqLen: 4, head: 'last',
  bptt: { kind: 'truncated', k1: 2, episodeLength: 8 }, task: new SignTask(2), runs: RUNS, evalEvery: 3,
} as GroupSpec;

/** SPEC with the tricks: bidirectional residual layers, dropout, per-timestep gradient norms. */
const TRICKS_SPEC: GroupSpec = { ...SPEC, bidirectional: true, residual: true, runs: DROPOUT_RUNS, diagnosticsEvery: 2 };

/** SPEC with recurrent batch norm: its tensors in the parameter count, its running statistics in checkpoints. */
const NORM_SPEC: GroupSpec = { ...SPEC, norm: 'batch' };

async function steps(group: TrainerGroup, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (!group.canStep()) await group.settle();
    group.trainStep();
  }
  await group.settle();
}

describe('CPU groups in a worker, through the message protocol', () => {
  it.each([['plain', SPEC], ['with the tricks', TRICKS_SPEC], ['with batch norm', NORM_SPEC]] as const)('%s: train exactly like a CpuGroup in this thread, through live settings, restarts, checkpoints and reset', async (_, spec) => {
    const { backend } = connect(2);
    const remoteRecords: StepRecord[] = [];
    const localRecords: StepRecord[] = [];
    const remote = await backend.createGroup(spec, (r) => remoteRecords.push(...r));
    const local = new CpuGroup(spec, (r) => localRecords.push(...r));
    const both = async (what: (g: TrainerGroup) => void | Promise<void>) => {
      await what(remote);
      await what(local);
      await remote.settle();
      expect(remote.runSteps).toEqual(local.runSteps);
      expect(remote.step).toBe(local.step);
    };
    await both((g) => steps(g, 7));
    await both((g) => g.configureRuns([RUNS[2], RUNS[0], { ...RUNS[1], clip: { value: 0.01 } }]));
    await both((g) => g.restartRuns([1]));
    await both((g) => steps(g, 3));
    const [, donor] = await local.readCheckpoints();
    await both((g) => g.writeCheckpoints([0], [donor]));
    await both((g) => steps(g, 2));
    expect(await remote.readCheckpoints()).toEqual(await local.readCheckpoints());
    await both((g) => g.reset());
    await both((g) => steps(g, 2));
    expect(remoteRecords).toEqual(localRecords);
    expect(remoteRecords.some((r) => r.runs[0].metric !== undefined)).toBe(true);
    expect(await remote.readCheckpoints()).toEqual(await local.readCheckpoints());
    expect(remote.spec.runs[0].id).toBe(RUNS[2].id);
    remote.destroy();
    expect(() => remote.trainStep()).toThrow(/used after destroy/);
  });

  it('returns from trainStep at once, stops at maxQueued and transfers each batch', async () => {
    const { backend, sent } = connect(3);
    const records: StepRecord[] = [];
    const group = await backend.createGroup({ ...SPEC, task: new SineTask({ seed: 2 }), evalEvery: 0 } as GroupSpec, (r) => records.push(...r));
    for (let i = 0; i < 3; i++) group.trainStep();
    expect(records).toHaveLength(0);
    expect(group.canStep()).toBe(false);
    expect(() => group.trainStep()).toThrow(/3 steps already queued/);
    const posted = sent.filter((s) => s.message.type === 'step');
    expect(posted).toHaveLength(3);
    for (const { message, transfer } of posted) {
      expect(transfer).toHaveLength(3);
      if (message.type === 'step') expect(message.batch.x.byteLength).toBe(0);
    }
    await group.settle();
    expect(records.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(group.canStep()).toBe(true);
  });

  it('refuses a bad spec on the page and reports worker failures as errors', async () => {
    const { backend } = connect();
    await expect(backend.createGroup({ ...SPEC, seqLen: 0 }, () => {})).rejects.toThrow(ConfigError);

    const posted: FromWorker[] = [];
    const host = new CpuHost((m) => posted.push(m));
    host.handle({ type: 'read', group: 9, request: 5 });
    expect(posted[0]).toMatchObject({ type: 'error', group: 9, request: 5, message: 'cpu worker: no group 9' });
    const info = { key: 'x', inputSize: 1, outputSize: 1, loss: 'mse', metric: 'mse', valBatches: 0 } as const;
    host.handle({ type: 'create', group: 1, request: 6, spec: { ...SPEC, hiddenSize: -1, task: info }, val: [] });
    expect(posted[1]).toMatchObject({ type: 'error', request: 6, name: 'ConfigError' });
    expect((posted[1] as { details: string[] }).details[0]).toMatch(/hiddenSize must be an integer/);
  });
});
