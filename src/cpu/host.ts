/**
 * The worker side of the CPU backend: hosts CpuGroups and answers the proxies' messages in
 * order (protocol.ts). It knows nothing of Worker globals (worker.ts wires it to `self`), so
 * tests drive it through a MessageChannel in Node. Tasks are replayed from the page's batches.
 */
import type { Task, TaskBatch, TaskSplit } from '../data/task';
import { CpuGroup } from './cpu-group';
import { batchBuffers, checkpointBuffers, type FromWorker, type TaskInfo, type ToWorker, type WireBatch } from './protocol';

/** A task whose data comes from the page: the batch of the current step, and the validation batches. */
export class ReplayTask implements Task {
  readonly key: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss: TaskInfo['loss'];
  readonly metric: TaskInfo['metric'];
  readonly valBatches: number;
  /** The current step's window, set before each trainStep. */
  next: { episode: number; t0: number; batch: WireBatch } | null = null;

  constructor(info: TaskInfo, private readonly val: readonly WireBatch[]) {
    this.key = info.key;
    this.inputSize = info.inputSize;
    this.outputSize = info.outputSize;
    this.loss = info.loss;
    this.metric = info.metric;
    this.valBatches = info.valBatches;
  }

  fill(episode: number, t0: number, _seqLen: number, _batch: number, out: TaskBatch, split: TaskSplit = 'train'): void {
    const next = this.next;
    const b = split === 'val' ? this.val[episode] : next && next.episode === episode && next.t0 === t0 ? next.batch : undefined;
    if (!b) throw new Error(`cpu worker: no ${split} batch for episode ${episode} at t0 ${t0}`);
    out.x.set(b.x);
    out.target.set(b.target);
    out.weight.set(b.weight);
    if (b.metricWeight && out.metricWeight?.length === b.metricWeight.length) out.metricWeight.set(b.metricWeight);
    else if (b.metricWeight) out.metricWeight = b.metricWeight.slice();
  }
}

interface Hosted {
  group: CpuGroup;
  task: ReplayTask;
  epoch: number;
}

export class CpuHost {
  private readonly groups = new Map<number, Hosted>();

  constructor(private readonly post: (message: FromWorker, transfer: Transferable[]) => void) {}

  handle(msg: ToWorker): void {
    try {
      this.dispatch(msg);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const request = 'request' in msg ? msg.request : undefined;
      const details = (err as { messages?: string[] }).messages;
      this.post({ type: 'error', group: msg.group, request, name: err.name, message: err.message, details }, []);
    }
  }

  private dispatch(msg: ToWorker): void {
    if (msg.type === 'create') {
      const task = new ReplayTask(msg.spec.task, msg.val);
      let hosted: Hosted | undefined;
      const group = new CpuGroup({ ...msg.spec, task }, (records) => {
        const batch = task.next!.batch;
        this.post({ type: 'records', group: msg.group, epoch: hosted!.epoch, records, batch }, batchBuffers(batch));
      });
      hosted = { group, task, epoch: 0 };
      this.groups.set(msg.group, hosted);
      this.post({ type: 'created', group: msg.group, request: msg.request }, []);
      return;
    }
    const hosted = this.groups.get(msg.group);
    if (!hosted) throw new Error(`cpu worker: no group ${msg.group}`);
    const { group, task } = hosted;
    switch (msg.type) {
      case 'step':
        hosted.epoch = msg.epoch;
        task.next = { episode: msg.episode, t0: msg.t0, batch: msg.batch };
        group.trainStep();
        task.next = null;
        return;
      case 'configure':
        return group.configureRuns(msg.runs);
      case 'restart':
        return group.restartRuns(msg.indices);
      case 'reset':
        return group.reset();
      case 'seek':
        return group.seek(msg.step);
      case 'read':
        void group.readCheckpoints().then((checkpoints) => {
          this.post({ type: 'checkpoints', group: msg.group, request: msg.request, checkpoints }, checkpointBuffers(checkpoints));
        });
        return;
      case 'write':
        return group.writeCheckpoints(msg.indices, msg.checkpoints);
      case 'settle':
        this.post({ type: 'settled', group: msg.group, request: msg.request }, []);
        return;
      case 'destroy':
        group.destroy();
        this.groups.delete(msg.group);
        return;
    }
  }
}
