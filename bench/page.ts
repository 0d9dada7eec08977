/**
 * The in-browser half of `npm run bench`: reads the plan from ?plan=, times the device's best
 * GEMM, then for each config our RunGroup step and TensorFlow.js's trainOnBatch on the same
 * adapter, then R = 4 vs R = 1, then (--cpu) our CPU backend in its worker against TensorFlow.js's
 * cpu backend; sets window.__benchResult (or __benchError) for the driver.
 */
import { createEngine, type Engine } from '../src/engine/engine';
import { chooseKernelPath, isSoftwareAdapter, setKernelPolicy, type KernelPolicy } from '../src/model/kernel-path';
import { browserShaderSource } from '../src/engine/shader-source-browser';
import { CONFIGS, type BenchConfig, type BenchPlan } from './configs';
import { installCounters } from './counters';
import { stepFlops } from './flops';
import { bestGemm } from './gemm-bench';
import { timeCpu, watchLongTasks } from './cpu-bench';
import { ADAM_RUN, compareRuns, timeRunGroup } from './ours';
import type { BenchResult, ConfigResult, CpuResult, PathTiming, StepProgress } from './samples';

declare global {
  interface Window {
    __benchResult?: BenchResult;
    __benchError?: string;
  }
}

function log(line: string): void {
  console.log(`[bench] ${line}`);
  document.getElementById('log')!.textContent += `${line}\n`;
}

/** Logs steps slower than 5 s: on a software adapter M takes about a minute each. */
function progress(what: string): StepProgress {
  return (phase, i, ms) => {
    if (ms > 5000) log(`${what} ${phase} step ${i + 1}: ${(ms / 1000).toFixed(1)} s`);
  };
}

function readPlan(): BenchPlan {
  const raw = new URLSearchParams(location.search).get('plan');
  if (!raw) throw new Error('missing ?plan= (run the benchmark with `npm run bench`)');
  const plan = JSON.parse(raw) as BenchPlan;
  for (const c of plan.configs) if (!CONFIGS[c.name]) throw new Error(`unknown config ${c.name}`);
  return plan;
}

/**
 * Ours on each distinct kernel path the plan's policies resolve to for `cfg`; the path `auto` picks
 * is marked (and timed, when no policy asked for it). Leaves the engine's policy at auto.
 */
async function timePaths(engine: Engine, cfg: BenchConfig, policies: KernelPolicy[], steps: number, warmup: number): Promise<PathTiming[]> {
  setKernelPolicy(engine, 'auto');
  const autoPath = chooseKernelPath(engine, cfg).path;
  const paths: PathTiming[] = [];
  for (const policy of policies) {
    setKernelPolicy(engine, policy);
    const { path, reason } = chooseKernelPath(engine, cfg);
    if (paths.some((p) => p.path === path)) continue;
    log(`${cfg.name}: ours on the ${path} kernels (${reason}), ${warmup} warmup + ${steps} timed steps`);
    const ours = await timeRunGroup(engine, cfg, [ADAM_RUN], steps, warmup, progress(`${cfg.name} ours ${path}`));
    log(`${cfg.name}: ours ${path} ${ours.ms.median.toFixed(2)} ms/step, ${ours.counts.dispatches.median} dispatches`);
    paths.push({ path, reason, auto: path === autoPath, ours });
  }
  setKernelPolicy(engine, 'auto');
  return paths;
}

async function main(): Promise<BenchResult> {
  // Before any device exists, so every encoder and queue is counted the same way.
  installCounters();
  const plan = readPlan();
  const gpuErrors: string[] = [];
  const engine = await createEngine(navigator.gpu, {
    shaders: browserShaderSource,
    onError: (e) => gpuErrors.push(e.message),
    onLost: (e) => gpuErrors.push(e.message),
  });
  const adapter = { ...engine.adapterInfo, software: isSoftwareAdapter(engine) };
  log(`adapter: ${JSON.stringify(adapter)}`);

  // A validation error makes a dispatch a no-op and its time meaningless: stop at the first.
  const checkErrors = async (stage: string) => {
    await engine.device.queue.onSubmittedWorkDone();
    if (gpuErrors.length > 0) throw new Error(`gpu errors during ${stage}: ${gpuErrors.join(' | ')}`);
  };
  const gemm = await bestGemm(engine, log);
  await checkErrors('the gemm benchmark');
  const tfjs = plan.tfjs ? await import('./tfjs-bench') : null;
  const tfjsBackend = tfjs ? await tfjs.initTfjs() : null;

  const configs: ConfigResult[] = [];
  for (const { name, steps, warmup } of plan.configs) {
    const cfg = CONFIGS[name];
    const paths = await timePaths(engine, cfg, plan.kernels, steps, warmup);
    await checkErrors(`config ${name}`);
    // TensorFlow.js is compared with the path auto picks, or the only one asked for
    const ours = (paths.find((p) => p.auto) ?? paths[0]).ours;
    let theirs = null;
    if (tfjs) {
      log(`${name}: tfjs, ${warmup} warmup + ${steps} timed steps`);
      theirs = await tfjs.timeTfjs(cfg, steps, warmup, progress(`${name} tfjs`));
      log(`${name}: tfjs ${theirs.ms.median.toFixed(2)} ms/step`);
    }
    const { cell, inputSize, hiddenSize, numLayers, batch, seqLen, outputSize } = cfg;
    const shape = { cell, inputSize, hiddenSize, numLayers, batch, seqLen, outputSize };
    configs.push({
      name, shape, flopsPerStep: stepFlops(cfg), ours, paths, tfjs: theirs,
      ratio: theirs ? theirs.ms.median / ours.ms.median : null,
    });
  }

  let multiRun = null;
  if (plan.multiRunSteps > 0) {
    log(`R = 4 vs R = 1 on S, ${plan.multiRunSteps} timed steps each`);
    multiRun = await compareRuns(engine, CONFIGS.S, plan.multiRunSteps);
    await checkErrors('the R = 4 vs R = 1 comparison');
  }
  engine.destroy();

  if (plan.cpu) {
    for (const result of configs) {
      const { name, steps, warmup } = plan.configs.find((c) => c.name === result.name)!;
      result.cpu = CONFIGS[name].cpuRow ? await timeCpuRow(CONFIGS[name], steps, warmup, tfjs) : null;
    }
  }
  return { adapter, userAgent: navigator.userAgent, gemm, configs, multiRun, tfjsBackend, gpuErrors };
}

/** Ours on the CPU (in its worker), then TensorFlow.js's cpu backend on the main thread. */
async function timeCpuRow(
  cfg: BenchConfig, steps: number, warmup: number, tfjs: typeof import('./tfjs-bench') | null,
): Promise<CpuResult> {
  log(`${cfg.name}: ours on the CPU in a worker, ${warmup} warmup + ${steps} timed steps`);
  const ours = await timeCpu(cfg, steps, warmup, progress(`${cfg.name} ours cpu`));
  log(`${cfg.name}: ours cpu ${ours.ms.median.toFixed(2)} ms/step (pipelined ${ours.pipelinedMs.toFixed(2)}, ` +
    `in the page's thread ${ours.inThreadMs.median.toFixed(2)})`);
  if (!tfjs) return { ours, tfjs: null, ratio: null };
  log(`${cfg.name}: tfjs cpu, ${warmup} warmup + ${steps} timed steps`);
  const { result, longTasks } = await watchLongTasks(() => tfjs.timeTfjsCpu(cfg, steps, warmup, progress(`${cfg.name} tfjs cpu`)));
  log(`${cfg.name}: tfjs cpu ${result.ms.median.toFixed(2)} ms/step`);
  return { ours, tfjs: { steps, ...result, longTasks }, ratio: result.ms.median / ours.ms.median };
}

main().then(
  (result) => {
    window.__benchResult = result;
  },
  (e: unknown) => {
    const error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    log(`error: ${error}`);
    window.__benchError = error;
  },
);
