/**
 * Headless trainer: `npm run train -- [options]` (see --help) trains one run group on the GPU in
 * Node through the browser's own RunGroup, and prints each run's loss and gradient norm every N
 * steps as a table (or JSON lines), then the speed and the adapter. Exit 0 done, 2 bad options or
 * a config the device cannot hold, 1 anything else; never a stack trace.
 */
import { createNodeEngine } from '../engine/node';
import type { Engine } from '../engine/engine';
import type { GpuError } from '../engine/errors';
import type { StepRecord } from '../training/metrics';
import { ConfigError, RunGroup } from '../training/run-group';
import { ArgsError, parseTrainArgs, type TrainArgs } from './train-args';

/** Steps submitted between waits on the queue: enough to keep it busy, and well under the
 *  64-step metrics history, so no step's record is overwritten before it is read back. */
const STEPS_PER_WAIT = 16;
const NUMBER_WIDTH = 12;

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

function adapterName(engine: Engine): string {
  const { description, vendor, architecture, device } = engine.adapterInfo;
  return description || [vendor, architecture, device].filter(Boolean).join(' ') || 'unknown adapter';
}

/** Turns records (which arrive in step order) into printed lines for the steps that are due. */
class Printer {
  private readonly stepWidth: number;
  private readonly runWidths: number[];

  constructor(private readonly args: TrainArgs) {
    this.stepWidth = Math.max(4, String(args.steps).length);
    this.runWidths = args.spec.runs.map((r) => Math.max(2 * NUMBER_WIDTH, r.label.length + 2));
  }

  header(): void {
    if (this.args.json) return;
    const runs = this.args.spec.runs;
    console.log(' '.repeat(this.stepWidth + 2) + runs.map((r, i) => r.label.padEnd(this.runWidths[i])).join('').trimEnd());
    console.log('step'.padStart(this.stepWidth) + '  ' +
      runs.map((_, i) => 'loss'.padEnd(NUMBER_WIDTH) + 'grad norm'.padEnd(this.runWidths[i] - NUMBER_WIDTH)).join('').trimEnd());
  }

  records(records: StepRecord[]): void {
    const { every, steps, json, spec } = this.args;
    for (const record of records) {
      if (record.step % every !== 0 && record.step !== steps) continue;
      if (json) {
        console.log(JSON.stringify({
          step: record.step,
          runs: record.runs.map((m, r) => ({
            id: spec.runs[r].id, label: spec.runs[r].label, loss: m.loss, gradNorm: m.gradNorm, learningRate: m.learningRate,
          })),
        }));
      } else {
        const cells = record.runs.map((m, r) => fmt(m.loss).padEnd(NUMBER_WIDTH) + fmt(m.gradNorm).padEnd(this.runWidths[r] - NUMBER_WIDTH));
        console.log(String(record.step).padStart(this.stepWidth) + '  ' + cells.join('').trimEnd());
      }
    }
  }

  summary(seconds: number, adapter: string): void {
    const { steps, json } = this.args;
    const rate = steps / seconds;
    if (json) console.log(JSON.stringify({ done: true, steps, seconds, stepsPerSecond: rate, adapter }));
    else console.log(`${steps} steps in ${seconds.toFixed(2)} s: ${rate.toPrecision(4)} steps/s on ${adapter}`);
  }
}

async function train(args: TrainArgs): Promise<void> {
  // Errors the device reports outside any error scope arrive asynchronously: keep the first and
  // stop at the next wait, rather than training on after a failed dispatch.
  let gpuError: GpuError | undefined;
  const engine = await createNodeEngine({ onLost: (e) => (gpuError ??= e), onError: (e) => (gpuError ??= e) });
  const printer = new Printer(args);
  let group: RunGroup | undefined;
  try {
    group = await RunGroup.create(engine, args.spec, (records) => printer.records(records));
    printer.header();
    const start = performance.now();
    for (let i = 1; i <= args.steps; i++) {
      if (!group.canStep()) await group.settle();
      group.trainStep();
      if (i % STEPS_PER_WAIT === 0) {
        await engine.device.queue.onSubmittedWorkDone();
        if (gpuError) throw gpuError;
      }
    }
    await group.settle();
    if (gpuError) throw gpuError;
    printer.summary((performance.now() - start) / 1000, adapterName(engine));
  } finally {
    group?.destroy();
    engine.destroy();
  }
}

function main(): Promise<number> | number {
  const parsed = parseTrainArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(parsed.help);
    return 0;
  }
  return train(parsed).then(() => 0);
}

// A reader that stops early (`| head`) closes the pipe; that is not an error worth a trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));

Promise.resolve()
  .then(main)
  .then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(e instanceof ArgsError || e instanceof ConfigError ? 2 : 1);
    },
  );
