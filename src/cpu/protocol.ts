/**
 * The messages between the page's CPU group proxies (worker-backend.ts) and the worker that
 * trains them (host.ts). Tasks do not cross: the page fills each step's batch with the task's
 * own `fill` and transfers it; the worker replays it (ReplayTask) and transfers the arrays back
 * with the step's record, so a step moves no data but the batch and the record.
 */
import type { LossKind, MetricKind } from '../data/task';
import type { GroupSpec, RunSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import type { RunCheckpoint } from '../training/trainer';

/** What the worker needs of a task besides its data. */
export interface TaskInfo {
  key: string;
  inputSize: number;
  outputSize: number;
  loss: LossKind;
  metric: MetricKind;
  valBatches: number;
}

/** A GroupSpec whose task is described, not carried. */
export type WireSpec = Omit<GroupSpec, 'task'> & { task: TaskInfo };

/** One window of data: the training batch of a step, or a validation batch (with its metric weights). */
export interface WireBatch {
  x: Float32Array;
  target: Float32Array;
  weight: Float32Array;
  metricWeight?: Float32Array;
}

export type ToWorker =
  | { type: 'create'; group: number; request: number; spec: WireSpec; val: WireBatch[] }
  /** `epoch` counts resets, so records of steps queued before a reset can be told apart. */
  | { type: 'step'; group: number; epoch: number; episode: number; t0: number; batch: WireBatch }
  | { type: 'configure'; group: number; runs: RunSpec[] }
  | { type: 'restart'; group: number; indices: number[] }
  | { type: 'reset'; group: number }
  | { type: 'seek'; group: number; step: number }
  | { type: 'read'; group: number; request: number }
  | { type: 'write'; group: number; indices: number[]; checkpoints: RunCheckpoint[] }
  | { type: 'settle'; group: number; request: number }
  | { type: 'destroy'; group: number };

export type FromWorker =
  | { type: 'created'; group: number; request: number }
  /** One step's record, and the batch's arrays handed back for reuse. */
  | { type: 'records'; group: number; epoch: number; records: StepRecord[]; batch: WireBatch }
  | { type: 'checkpoints'; group: number; request: number; checkpoints: RunCheckpoint[] }
  | { type: 'settled'; group: number; request: number }
  /** A failed request (request set) or a failure of the group's training (request absent). */
  | { type: 'error'; group: number; request?: number; name: string; message: string; details?: string[] };

/** The side of a Worker or MessagePort that both ends use. */
export interface MessagePortLike<In, Out> {
  postMessage(message: Out, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<In>) => void) | null;
}

export function batchBuffers(b: WireBatch): ArrayBuffer[] {
  const arrays = b.metricWeight ? [b.x, b.target, b.weight, b.metricWeight] : [b.x, b.target, b.weight];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

export function checkpointBuffers(checkpoints: readonly RunCheckpoint[]): ArrayBuffer[] {
  return checkpoints.flatMap((cp) => [cp.params, ...cp.optimizer, ...Object.values(cp.extra)].map((a) => a.buffer as ArrayBuffer));
}
