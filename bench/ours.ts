/**
 * Times the project's own training step: a RunGroup's trainStep() (forward, BPTT, optimizer
 * in one submit) until the queue drains, with the WebGPU calls counted inside trainStep only.
 * Also the R = 4 vs R = 1 comparison: four optimizers in one group should cost one group's dispatches.
 */
import type { Engine } from '../src/engine/engine';
import type { RunSpec } from '../src/training/group-spec';
import type { OptimizerConfig } from '../src/training/optimizers';
import { RunGroup } from '../src/training/run-group';
import { CONSTANT } from '../src/training/schedules';
import { RandomRegressionTask } from './bench-task';
import type { BenchConfig } from './configs';
import { countCalls, countCallsAsync, type CallCounts } from './counters';
import { stepFlops } from './flops';
import { summarize, summarizeCounts, type MultiRunResult, type OursTiming, type PhaseTimes, type StepProgress } from './samples';

function run(id: string, seed: number, optimizer: OptimizerConfig): RunSpec {
  return { id, label: id, seed, optimizer, clip: {}, schedule: CONSTANT };
}

export const ADAM_RUN = run('adam', 1, { kind: 'adam', lr: 1e-3 });

/** Same shapes, different optimizers: per-run data, so the dispatch list should not change. */
export const FOUR_RUNS: RunSpec[] = [
  ADAM_RUN,
  run('sgd', 2, { kind: 'sgd', lr: 1e-2 }),
  run('momentum', 3, { kind: 'sgd', lr: 1e-2, momentum: 0.9 }),
  run('rmsprop', 4, { kind: 'rmsprop', lr: 1e-3 }),
];

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | undefined)?.then === 'function';
}

export async function timeRunGroup(
  engine: Engine, cfg: BenchConfig, runs: RunSpec[], steps: number, warmup: number,
  onStep: StepProgress = () => {},
): Promise<OursTiming> {
  const group = await RunGroup.create(engine, {
    label: `bench ${cfg.name} R=${runs.length}`,
    cell: cfg.cell, hiddenSize: cfg.hiddenSize, numLayers: cfg.numLayers, batch: cfg.batch, seqLen: cfg.seqLen,
    head: 'every', bptt: { kind: 'full' }, task: new RandomRegressionTask(cfg.inputSize), runs,
  }, () => {});
  const queue = engine.device.queue;
  try {
    for (let i = 0; i < warmup; i++) {
      const t0 = performance.now();
      group.trainStep();
      await queue.onSubmittedWorkDone();
      onStep('warmup', i, performance.now() - t0);
    }
    const times: number[] = [];
    const perStep: CallCounts[] = [];
    let returnedPromise = false;
    let mapsAwaited = 0;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const sync = countCalls(() => group.trainStep() as unknown);
      let counts = sync.counts;
      if (isThenable(sync.result)) {
        // Not the contract, but measure it honestly: every map made while the step's promise
        // was pending counts as awaited by the step.
        returnedPromise = true;
        const rest = await countCallsAsync(async () => { await sync.result; });
        counts = { dispatches: counts.dispatches + rest.counts.dispatches, submits: counts.submits + rest.counts.submits,
          maps: counts.maps + rest.counts.maps };
        mapsAwaited += counts.maps;
      }
      await queue.onSubmittedWorkDone();
      times.push(performance.now() - t0);
      perStep.push(counts);
      onStep('timed', i, times[i]);
    }
    await group.settle();
    const ms = summarize(times);
    // A few repetitions, but only one where a step takes many seconds (M on a software adapter).
    const phases = await timePhases(engine, group, Math.max(1, Math.min(steps, 5, Math.floor(10_000 / ms.median))));
    const flops = stepFlops({ ...cfg, runs: runs.length });
    return {
      runs: runs.length, steps, ms, counts: summarizeCounts(perStep), returnedPromise, phases,
      mapsAwaited: returnedPromise ? mapsAwaited / steps : 0,
      gflops: flops / (ms.median * 1e6),
    };
  } finally {
    group.destroy();
  }
}

/**
 * Where a step's time goes: the recurrent net's forward and backward lists submitted on their
 * own (median of `reps`); the rest (batch upload, head, loss, update, metrics) is the difference.
 * An empty submit gives the fixed cost of one submit plus onSubmittedWorkDone.
 * The numbers in the buffers are whatever the last step left, which does not change the cost.
 */
async function timePhases(engine: Engine, group: RunGroup, reps: number): Promise<PhaseTimes> {
  const time = async (label: string, encode: (encoder: GPUCommandEncoder) => void) => {
    const samples: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      engine.submit(label, encode);
      await engine.device.queue.onSubmittedWorkDone();
      samples.push(performance.now() - t0);
    }
    return summarize(samples).median;
  };
  return {
    emptySubmitMs: await time('bench empty submit', () => {}),
    forwardMs: await time('bench forward only', (e) => group.net.encodeForward(e)),
    backwardMs: await time('bench backward only', (e) => group.net.encodeBackward(e)),
  };
}

/** R = 1 and R = 4 back to back on the same config and step count. */
export async function compareRuns(engine: Engine, cfg: BenchConfig, steps: number): Promise<MultiRunResult> {
  const r1 = await timeRunGroup(engine, cfg, [ADAM_RUN], steps, cfg.warmup);
  const r4 = await timeRunGroup(engine, cfg, FOUR_RUNS, steps, cfg.warmup);
  const d1 = r1.counts.dispatches;
  const d4 = r4.counts.dispatches;
  return {
    config: cfg.name, r1, r4,
    dispatchesEqual: d1.min === d1.max && d4.min === d4.max && d1.min === d4.min,
    timeRatio: r4.ms.median / r1.ms.median,
  };
}
