/**
 * Headless runner: `npm run train -- [EXPERIMENT.json] [options]` (see --help) trains an
 * experiment file or a preset (every run group, in lockstep) in Node through the browser's own
 * Experiment and engine, printing each run's loss and gradient norm as a table or JSON lines,
 * text sampled from each character model with --sample N, then a closing line. Exit 0 done, 2 bad
 * options, an invalid experiment or one the device cannot hold (nothing is allocated first), 3 a
 * run diverged, 1 anything else; never a stack trace.
 */
import { setKernelPolicy, type KernelPolicy } from '../model/kernel-path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ExperimentDoc } from '../config/experiment';
import { nodeSourceCorpus } from '../data/corpus/source-corpus-node';
import { TASKS, type BuiltinTask, type TaskKind } from '../data/tasks';
import { createCpuBackend } from '../cpu/backend';
import { createNodeEngine } from '../engine/node';
import { NoAdapterError, type GpuError } from '../engine/errors';
import { Experiment } from '../experiments/experiment';
import { playToEnd } from '../experiments/play-to-end';
import { metricsCsv } from '../experiments/metrics-csv';
import { runWeightsFile } from '../experiments/weights';
import { exportTorchScriptFrom } from '../export/torch-script';
import { sampleModel } from '../data/sample-model';
import { presetData } from '../data/presets';
import { nodePresetFile } from '../data/presets/preset-files-node';
import { WebGpuBackend } from '../training/webgpu-backend';
import type { TrainerBackend } from '../training/trainer';
import { ArgsError, parseRunnerArgs, type RunnerArgs } from './runner-args';
import { printable } from './printable';
import { RunnerPrinter } from './runner-output';

/** A config the device cannot hold, or one the schema refuses: exit 2, like a bad option. */
const CONFIG_ERRORS = new Set(['ArgsError', 'ConfigError', 'ExperimentError']);

function adapterName(backend: WebGpuBackend): string {
  const { description, vendor, architecture, device } = backend.engine.adapterInfo;
  return description || [vendor, architecture, device].filter(Boolean).join(' ') || 'unknown adapter';
}

/** The backend asked for; webgpu falls back to the CPU, with a notice, when no adapter comes up. */
async function chooseBackend(kind: RunnerArgs['backend'], kernels: KernelPolicy, onError: (e: GpuError) => void): Promise<{ backend: TrainerBackend; name: string }> {
  const cpu = () => ({ backend: createCpuBackend({ worker: false }), name: 'the cpu' });
  if (kind === 'cpu') return cpu();
  try {
    const engine = await createNodeEngine({ onLost: onError, onError });
    setKernelPolicy(engine, kernels);
    const backend = new WebGpuBackend(engine);
    return { backend, name: `webgpu on ${adapterName(backend)}` };
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    console.error(`no webgpu adapter here (${e.message}); training on the cpu instead (--backend cpu says so up front)`);
    return cpu();
  }
}


function saveWeights(dir: string, doc: ExperimentDoc, exp: Experiment): Promise<void> {
  mkdirSync(dir, { recursive: true });
  return doc.runs.reduce(async (previous, run) => {
    await previous;
    const cp = await exp.readCheckpoint(run.id);
    if (cp) writeFileSync(join(dir, `${run.id}.safetensors`), runWeightsFile(doc, run, exp.currentTask, cp.params, cp.step));
  }, Promise.resolve());
}

/**
 * --sample: N characters from each run's trained weights, seeded by the run's init seed, as a
 * JSON line or as text under a line naming the run (line breaks kept, other control characters escaped).
 */
async function printSamples(args: RunnerArgs, doc: ExperimentDoc, exp: Experiment): Promise<void> {
  const vocabulary = exp.currentTask.vocabulary!;
  for (const run of doc.runs) {
    const cp = await exp.readCheckpoint(run.id);
    if (!cp) continue;
    const text = sampleModel(run, vocabulary, cp.params, { length: args.sample, temperature: args.temperature, seed: run.seed });
    if (args.json) console.log(JSON.stringify({ sample: { id: run.id, label: run.label, temperature: args.temperature, seed: run.seed, text } }));
    else console.log(`sample of "${printable(run.label)}" at temperature ${args.temperature}:\n${text.split('\n').map(printable).join('\n')}\n`);
  }
}

async function train(args: RunnerArgs): Promise<number> {
  let gpuError: GpuError | undefined;
  const { backend, name } = await chooseBackend(args.backend, args.kernels, (e) => (gpuError ??= e));
  const doc: ExperimentDoc = { ...args.doc, budget: args.steps };
  let exp: Experiment | undefined;
  try {
    const user = args.preset && (await presetData(args.preset, nodePresetFile));
    exp = await Experiment.create(doc, backend, { source: nodeSourceCorpus, user });
    if (args.diagnostics > 0) await exp.setDiagnosticsEvery(args.diagnostics);
    const printer = new RunnerPrinter(doc, args, (line) => console.log(line));
    const diverged = new Map<string, { step: number; where: string }>();
    const running = exp;
    exp.subscribe({
      onRecords: (id, records) => printer.records(id, records),
      onRuns: (runs) => {
        for (const run of runs) {
          if (run.divergedAt === undefined || diverged.has(run.config.id)) continue;
          diverged.set(run.config.id, { step: run.divergedAt, where: run.divergedIn ?? 'loss' });
          console.error(`run "${printable(run.config.label)}" diverged at step ${run.divergedAt}: ${divergenceText(run.divergedIn ?? 'loss')}` +
            (args.keepGoing ? '; the other runs train on' : '; stopping (--keep-going trains the other runs on)'));
          printer.stop(run.config.id);
          if (!args.keepGoing) running.pause();
        }
      },
    });
    printer.header();
    const start = performance.now();
    await playToEnd(exp);
    if (gpuError) throw gpuError;
    const snap = exp.snapshot();
    if (snap.status === 'error') throw new Error(snap.error ?? 'training stopped on an error');
    const seconds = (performance.now() - start) / 1000;
    const task = exp.currentTask as BuiltinTask;
    const def = TASKS[doc.task.kind as TaskKind];
    const first = doc.runs[0];
    if (args.sample > 0) await printSamples(args, doc, exp);
    printer.closing({
      steps: snap.step,
      seconds,
      backend: name,
      lostSteps: exp.lostSteps(),
      task: { kind: doc.task.kind, metric: def.metricName, baseline: task.baseline({ seqLen: first.seqLen, batch: first.batch }) },
      diverged,
    });
    if (args.saveWeights) await saveWeights(args.saveWeights, doc, exp);
    if (args.csv) writeFileSync(args.csv, metricsCsv(doc, (id) => running.history(id)));
    return diverged.size > 0 ? 3 : 0;
  } finally {
    exp?.destroy();
    backend.destroy();
  }
}

/** Writes the experiment as a PyTorch script (its initial weights regenerated from the seeds there). */
async function exportTorch(args: RunnerArgs, file: string): Promise<number> {
  const doc: ExperimentDoc = { ...args.doc, budget: args.steps };
  const user = args.preset && (await presetData(args.preset, nodePresetFile));
  writeFileSync(file, await exportTorchScriptFrom(doc, { source: nodeSourceCorpus, user }, { fileName: basename(file) }));
  console.log(`wrote ${file}: run it with python3 ${file} --steps 5 (needs torch)`);
  return 0;
}

function main(): Promise<number> | number {
  const parsed = parseRunnerArgs(process.argv.slice(2), (path) => readFileSync(path, 'utf8'));
  if ('help' in parsed) {
    console.log(parsed.help);
    return 0;
  }
  return parsed.exportTorch ? exportTorch(parsed, parsed.exportTorch) : train(parsed);
}

// A reader that stops early (`| head`) closes the pipe; that is not an error worth a trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));

Promise.resolve()
  .then(main)
  .then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(e instanceof ArgsError || (e instanceof Error && CONFIG_ERRORS.has(e.name)) ? 2 : 1);
    },
  );

/** Why a run stopped, from its divergedIn ('loss', 'gradient of layer 0', 'update', ...). */
function divergenceText(where: string): string {
  return where === 'update' ? 'the update made a weight non-finite' : `the ${where} is not finite`;
}
