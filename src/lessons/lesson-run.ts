/**
 * Trains a lesson's experiment headless, for its test and for measuring its figures: the
 * Experiment runtime on the in-process CPU backend (float32, the code the page's CPU fallback
 * runs in its worker), played to its budget; gives each run's last training loss, last validation
 * loss and metric, its divergence and its final sparsity. Node or browser; no DOM.
 */
import type { ExperimentDoc } from '../config/experiment';
import { createCpuBackend } from '../cpu/backend';
import type { TaskSources } from '../data/tasks';
import { Experiment } from '../experiments/experiment';
import { playToEnd } from '../experiments/play-to-end';

export interface LessonRunResult {
  id: string;
  label: string;
  steps: number;
  /**
   * Mean training loss over the last `tail` steps that scored a target (NaN when none). A truncated
   * BPTT window that holds none of the task's targets (the adding problem's last step) records a
   * loss of exactly 0; those steps are left out so windows of different lengths compare.
   */
  loss: number;
  /** The last validation loss and metric recorded (NaN when none). */
  valLoss: number;
  metric: number;
  /** Smallest validation loss recorded over training. */
  bestValLoss: number;
  divergedAt?: number;
  /** Fraction of pruned weights at the end (0 without pruning). */
  sparsity: number;
}

function lastFinite(values: ArrayLike<number>): number {
  for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i])) return values[i];
  return NaN;
}

/** Mean of the last `tail` finite values above 0. */
function tailMean(values: ArrayLike<number>, tail: number): number {
  let sum = 0;
  let n = 0;
  for (let i = values.length - 1; i >= 0 && n < tail; i--) {
    if (Number.isFinite(values[i]) && values[i] > 0) {
      sum += values[i];
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/** Trains `doc` for `steps` lockstep ticks on the CPU; every run trains on, diverged or not. */
export async function runLesson(doc: ExperimentDoc, steps: number, sources: TaskSources = {}, tail = 20): Promise<LessonRunResult[]> {
  const exp = await Experiment.create({ ...doc, budget: steps }, createCpuBackend({ worker: false }), sources);
  try {
    await playToEnd(exp);
    const snap = exp.snapshot();
    if (snap.status === 'error') throw new Error(snap.error ?? 'training stopped on an error');
    return exp.runs().map((run) => {
      const h = exp.history(run.config.id)!;
      const val = h.column('valLoss');
      let best = Infinity;
      for (const v of val) if (Number.isFinite(v) && v < best) best = v;
      return {
        id: run.config.id,
        label: run.config.label,
        steps: h.length,
        loss: tailMean(h.column('loss'), tail),
        valLoss: lastFinite(val),
        metric: lastFinite(h.column('metric')),
        bestValLoss: best === Infinity ? NaN : best,
        divergedAt: run.divergedAt,
        sparsity: lastFinite(h.column('sparsity')) || 0,
      };
    });
  } finally {
    exp.destroy();
  }
}
