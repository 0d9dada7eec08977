/**
 * Times the CPU backend in the benchmark page: a CPU group in its module worker (the page's
 * path: each step posted and its record awaited, then a pipelined run as the play loop drives
 * it) while a PerformanceObserver records the main thread's long tasks, and the same group in
 * the page's own thread. Not the TensorFlow.js baseline (tfjs-bench.ts) nor the GPU rows (ours.ts).
 */
import { createCpuBackend } from '../src/cpu/backend';
import type { GroupSpec } from '../src/training/group-spec';
import type { TrainerGroup } from '../src/training/trainer';
import { RandomRegressionTask } from './bench-task';
import type { BenchConfig } from './configs';
import { stepFlops } from './flops';
import { ADAM_RUN } from './ours';
import { summarize, type CpuTiming, type LongTasks, type StepProgress } from './samples';

function benchSpec(cfg: BenchConfig): GroupSpec {
  return {
    label: `bench ${cfg.name} cpu`, cell: cfg.cell, hiddenSize: cfg.hiddenSize, numLayers: cfg.numLayers,
    batch: cfg.batch, seqLen: cfg.seqLen, head: 'every', bptt: { kind: 'full' },
    task: new RandomRegressionTask(cfg.inputSize), runs: [ADAM_RUN],
  };
}

/** Long tasks (>= 50 ms, Chromium's threshold) on this thread while `work` runs; null where unsupported. */
export async function watchLongTasks<T>(work: () => Promise<T>): Promise<{ result: T; longTasks: LongTasks | null }> {
  if (!PerformanceObserver.supportedEntryTypes?.includes('longtask')) return { result: await work(), longTasks: null };
  const durations: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) durations.push(entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const result = await work();
  // Entries are queued to observers asynchronously: give them a task to arrive.
  await new Promise((r) => setTimeout(r, 100));
  durations.push(...observer.takeRecords().map((e) => e.duration));
  observer.disconnect();
  return { result, longTasks: { count: durations.length, longestMs: durations.length ? Math.max(...durations) : 0 } };
}

async function timeSteps(group: TrainerGroup, steps: number, warmup: number, onStep: StepProgress): Promise<number[]> {
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    group.trainStep();
    await group.settle();
    onStep('warmup', i, performance.now() - t0);
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    group.trainStep();
    await group.settle();
    times.push(performance.now() - t0);
    onStep('timed', i, times[i]);
  }
  return times;
}

/**
 * Steps with the worker's queue kept full, as a play loop runs them: ms per step. The loop sleeps
 * until the next record arrives (no polling, which would take CPU from the worker).
 */
async function pipelined(group: TrainerGroup, records: RecordWaiter, steps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    while (!group.canStep()) await records.next();
    group.trainStep();
  }
  await group.settle();
  return (performance.now() - t0) / steps;
}

/** A RecordSink whose `next()` resolves at the next delivery. */
class RecordWaiter {
  private wake: (() => void) | null = null;
  readonly sink = () => {
    this.wake?.();
    this.wake = null;
  };

  next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}

export async function timeCpu(cfg: BenchConfig, steps: number, warmup: number, onStep: StepProgress = () => {}): Promise<CpuTiming> {
  const spec = benchSpec(cfg);
  const flops = stepFlops(cfg);
  const worker = createCpuBackend({ worker: true });
  let workerTimes: number[];
  let pipelinedMs: number;
  let longTasks: LongTasks | null;
  try {
    const records = new RecordWaiter();
    const group = await worker.createGroup(spec, records.sink);
    ({ result: [workerTimes, pipelinedMs], longTasks } = await watchLongTasks(async () => {
      const times = await timeSteps(group, steps, warmup, onStep);
      return [times, await pipelined(group, records, steps)] as const;
    }));
  } finally {
    worker.destroy();
  }
  const inThread = createCpuBackend({ worker: false });
  try {
    const group = await inThread.createGroup(spec, () => {});
    const inThreadMs = summarize(await timeSteps(group, steps, warmup, () => {}));
    const ms = summarize(workerTimes);
    return { steps, ms, pipelinedMs, inThreadMs, longTasks, gflops: flops / (ms.median * 1e6) };
  } finally {
    inThread.destroy();
  }
}
