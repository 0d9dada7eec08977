/**
 * Test support for the export tests (not used by the app): finding a python3 (any, or one with
 * torch), running Python files, reading the script's `step N run LABEL loss X` lines, and the
 * app's losses for the same experiment from the float64 reference. Tests that need a Python
 * skip with a printed reason where there is none.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentDoc } from '../config/experiment';
import { TASKS, type TaskData, type TaskKind } from '../data/tasks';
import { partitionRuns, toGroupSpec } from '../experiments/structure';
import { ReferenceGroup } from '../reference/train';
import { expect } from 'vitest';

/** Per test that runs Python: torch alone takes seconds to import on a busy machine. */
export const PYTHON_TIMEOUT = 120_000;

let found: string | null | undefined;

/** The first of `python3` and /usr/bin/python3 that runs, or null (with a printed reason). */
export function anyPython(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const exe of ['python3', '/usr/bin/python3']) {
    if (spawnSync(exe, ['-c', 'import json, math'], { encoding: 'utf8', timeout: 60_000 }).status === 0) {
      found = exe;
      break;
    }
  }
  if (!found) console.log('skipping the Python checks of the export: no python3 here (apt install python3)');
  return found;
}

const dir = mkdtempSync(join(tmpdir(), 'torch-export-'));

/** Writes `text` to a fresh file in this run's temporary folder and returns its path. */
export function tempFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs `python args...`; returns stdout, or throws with the exit status and stderr. */
export function runPython(python: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(python, args, {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 256 * 2 ** 20,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout;
}

/**
 * Losses by run label from the script's `step N run LABEL loss X` lines (`val_loss`: its
 * `step N run LABEL val_loss X` lines, after each evaluation), checking that training steps come in order.
 */
export function parseLosses(stdout: string, kind: 'loss' | 'val_loss' = 'loss'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of stdout.split('\n').filter((l) => l !== '')) {
    const m = /^step (\d+) run (.*) (loss|val_loss) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a loss line: ${line}`);
    if (m[3] !== kind) continue;
    const list = out.get(m[2]) ?? [];
    if (kind === 'loss' && Number(m[1]) !== list.length + 1) throw new Error(`run ${m[2]}: step ${m[1]} after ${list.length} steps`);
    list.push(Number(m[4]));
    out.set(m[2], list);
  }
  return out;
}

/**
 * The app's losses by run label for `steps` steps, from the float64 reference (which the GPU
 * matches within 1e-4 + 1e-3|ref|), each group as the experiment builds it.
 */
export function referenceLosses(doc: ExperimentDoc, steps: number, data?: TaskData, weights: Record<string, Float32Array> = {}): Map<string, number[]> {
  return referenceTrace(doc, steps, data, weights).losses;
}

/** referenceLosses, with each run's validation losses (at evaluation steps) and learning rates (every step). */
export function referenceTrace(doc: ExperimentDoc, steps: number, data?: TaskData, weights: Record<string, Float32Array> = {}) {
  const task = TASKS[doc.task.kind as TaskKind].create(doc.task, data);
  const trace = { losses: new Map<string, number[]>(), valLosses: new Map<string, number[]>(), rates: new Map<string, number[]>() };
  for (const runs of partitionRuns(doc.runs)) {
    const group = new ReferenceGroup(toGroupSpec(doc, task, runs));
    runs.forEach((run, r) => {
      if (weights[run.id]) group.params[r].set(weights[run.id]);
      for (const m of Object.values(trace)) m.set(run.label, []);
    });
    for (let s = 0; s < steps; s++) {
      const step = group.trainStep();
      runs.forEach((run, r) => {
        trace.losses.get(run.label)!.push(step.losses[r]);
        trace.rates.get(run.label)!.push(step.learningRates[r]);
        if (step.valLoss) trace.valLosses.get(run.label)!.push(step.valLoss[r]);
      });
    }
  }
  return trace;
}

/** The worst |got - want| / (rtol |want| + atol) over every run and step, with where it was; `names` name got and want. */
export function worstLossError(got: Map<string, number[]>, want: Map<string, number[]>, rtol = 1e-3, atol = 1e-7, names = ['script', 'app']) {
  let worst = { ratio: 0, at: '' };
  for (const [label, losses] of want) {
    const mine = got.get(label);
    if (!mine || mine.length !== losses.length) throw new Error(`run ${label}: ${mine?.length ?? 0} losses, expected ${losses.length}`);
    losses.forEach((w, i) => {
      const ratio = Number.isFinite(mine[i]) ? Math.abs(mine[i] - w) / (rtol * Math.abs(w) + atol) : Infinity;
      if (ratio >= worst.ratio) worst = { ratio, at: `run ${label} step ${i + 1}: ${names[0]} ${mine[i]}, ${names[1]} ${w}` };
    });
  }
  return worst;
}

/** A torchrun of these tests takes about 7 s; one that has not exited after this has hung. */
export const TORCHRUN_TIMEOUT = 60_000;
/** Vitest's limit for a test that runs torchrun: a hung attempt and its retry fit. */
export const TORCHRUN_TEST_TIMEOUT = 2 * TORCHRUN_TIMEOUT + PYTHON_TIMEOUT;

/**
 * torchrun's launcher for `processes` processes on this machine, with a rendezvous port of its own:
 * `--standalone` always takes port 29400, so two test files launching at once joined one job and hung.
 * --redirects 1 --tee 1: torch 1.13's launcher cannot parse its default (--redirects 0) under
 * Python 3.11; with these it tees each process's stdout to the console, lines prefixed by rank.
 */
export async function torchrunLauncher(processes: number): Promise<string[]> {
  const port = await new Promise<number>((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => ok(free));
    });
  });
  return ['-m', 'torch.distributed.run', '--nnodes', '1', '--nproc_per_node', String(processes), '--rdzv_backend', 'c10d',
    '--rdzv_endpoint', `127.0.0.1:${port}`, '--rdzv_id', `rnn-playground-test-${port}`, '--redirects', '1', '--tee', '1'];
}

/**
 * An exported script under torchrun with 2 processes (gloo, one thread each) for `steps` steps: its
 * stdout, rank prefixes removed. A launch that fails fails the test; one that hangs (seen twice in
 * full unit runs on a loaded 2-core machine, in the tricks test, cause not found: it never hung
 * alone) is stopped after TORCHRUN_TIMEOUT, its output printed, and tried once more on a new port.
 */
export async function exportAndRunTorchrun(python: string, name: string, script: string, steps: number): Promise<string> {
  const file = scriptFile(name, script);
  for (let attempt = 1; ; attempt++) {
    const launcher = await torchrunLauncher(2);
    const r = spawnSync(python, [...launcher, file, '--steps', String(steps)], {
      encoding: 'utf8', timeout: TORCHRUN_TIMEOUT, maxBuffer: 256 * 2 ** 20, env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (r.status === 0) return r.stdout.replace(/^\[default\d+\]:/gm, '');
    const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    const report = `torchrun of ${name}, attempt ${attempt}: ${hung ? `no exit after ${TORCHRUN_TIMEOUT / 1000} s` : `exit ${r.status ?? r.signal}`}\n` +
      `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    if (!hung || attempt === 2) throw new Error(report);
    console.log(`${report}\nhung: trying once more on a new rendezvous port`);
  }
}

/** Writes an exported script to a temporary file, runs it for `steps` steps in one process and reads its losses. */
export function exportAndRun(python: string, name: string, script: string, steps: number) {
  return parseLosses(exportAndRunText(python, name, script, steps));
}

/** exportAndRun's stdout, for parseLosses. */
export function exportAndRunText(python: string, name: string, script: string, steps: number) {
  return runPython(python, [scriptFile(name, script), '--steps', String(steps)]);
}

/** The script in a temporary file: not copy.py, which would shadow the module torch imports. */
function scriptFile(name: string, script: string): string {
  return tempFile(`exported-${name}.py`, script);
}

/** Expects every run's script losses within 1e-3 relative of the app's, printing the worst share of that tolerance. */
export function expectClose(got: Map<string, number[]>, want: Map<string, number[]>): void {
  const worst = worstLossError(got, want);
  console.log(`worst share of the 1e-3 relative tolerance: ${worst.ratio.toExponential(2)} (${worst.at})`);
  expect(worst.ratio, worst.at).toBeLessThanOrEqual(1);
}

/** Imports an exported script and prints each run's model parameters, in the app's order, as built by its Run. */
export const INIT_DRIVER = String.raw`
import importlib.util, json, sys, torch
spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
task = m.make_task(m.EXPERIMENT["task"])
out = {}
for config in m.EXPERIMENT["runs"]:
    run = m.Run(config, task, torch.device("cpu"), 0, 1)
    params = run.model.app_parameters()
    slots = m.parameter_slots(config["cell"], task.input_size, config["hiddenSize"], config["numLayers"], task.output_size,
                              config["bidirectional"], config["norm"])
    out[config["id"]] = [v for name, _ in slots for v in params[name].flatten().tolist()]
print(json.dumps(out))
`;
