/**
 * The evaluation schedule and the task's fixed validation batches, as the GPU group and the
 * float64 reference both see them: episodes 0 .. valBatches - 1 of split 'val', each one window
 * of seqLen steps from t = 0 and a zero state, with the head's scoring (every step, or the last)
 * applied to the loss weights and the metric weights alike. Pure: no GPU.
 */
import { allocateBatch, type Task, type TaskBatch } from '../data/task';
import { scoreWindow } from './bptt';
import type { GroupSpec } from './group-spec';

/** A validation batch with its metric weights resolved (the loss weights where the task gives none). */
export interface EvalBatch extends TaskBatch {
  metricWeight: Float32Array;
}

/** Whether the group ever runs an evaluation pass. */
export function evaluates(spec: Pick<GroupSpec, 'evalEvery' | 'task'>): boolean {
  return (spec.evalEvery ?? 0) > 0 && spec.task.valBatches > 0;
}

/** Whether group step `step` (1-based) ends with an evaluation pass. */
export function isEvalStep(spec: Pick<GroupSpec, 'evalEvery' | 'task'>, step: number): boolean {
  return evaluates(spec) && step % spec.evalEvery! === 0;
}

export function evalBatches(task: Task, seqLen: number, batch: number, head: GroupSpec['head']): EvalBatch[] {
  return Array.from({ length: task.valBatches }, (_, episode) => {
    const data: TaskBatch = allocateBatch(task, seqLen, batch);
    // A task either fills the metric weights it is given or sets its own array; one it leaves
    // untouched (still NaN) has none, and the loss weights count.
    data.metricWeight = new Float32Array(data.weight.length).fill(NaN);
    task.fill(episode, 0, seqLen, batch, data, 'val');
    const own = data.metricWeight;
    const metricWeight = own && own.length === data.weight.length && !own.some(Number.isNaN) ? own : Float32Array.from(data.weight);
    scoreWindow(data.weight, seqLen, batch, 0, head === 'last');
    scoreWindow(metricWeight, seqLen, batch, 0, head === 'last');
    return { ...data, metricWeight };
  });
}
