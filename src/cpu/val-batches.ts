/**
 * The task's fixed validation batches as the CPU group evaluates them: episodes 0 .. valBatches - 1
 * of split 'val', one window from t = 0, the head's scoring applied to the loss and the metric
 * weights alike. The same convention as the GPU group's evaluation batches: a task either fills
 * the metric weights it is given or sets its own array; one it leaves untouched has none.
 */
import { allocateBatch, type Task, type TaskBatch } from '../data/task';
import { scoreWindow } from '../training/bptt';
import type { GroupSpec } from '../training/group-spec';

/** A validation batch whose metric weights are resolved (the loss weights where the task gives none). */
export type ValBatch = TaskBatch & { metricWeight: Float32Array };

/** Fills the batches with the task's own `fill` (on the page for a worker group, which gets them once). */
export function makeValBatches(task: Task, seqLen: number, batch: number, head: GroupSpec['head']): ValBatch[] {
  return Array.from({ length: task.valBatches }, (_, episode) => {
    const data: TaskBatch = allocateBatch(task, seqLen, batch);
    data.metricWeight = new Float32Array(data.weight.length).fill(NaN);
    task.fill(episode, 0, seqLen, batch, data, 'val');
    const own = data.metricWeight;
    const metricWeight = own && own.length === data.weight.length && !own.some(Number.isNaN) ? own : Float32Array.from(data.weight);
    scoreWindow(data.weight, seqLen, batch, 0, head === 'last');
    scoreWindow(metricWeight, seqLen, batch, 0, head === 'last');
    return { ...data, metricWeight };
  });
}
