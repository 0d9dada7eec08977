/**
 * `npm run bench`: serves bench/index.html with Vite, opens it in headless Chromium with
 * WebGPU (SwiftShader unless --gpu), waits for the page's result, prints the table and writes
 * bench/results/<date>-<configs>.json. Options: --config S|M|GRU-S|RNN-S|S-T128 (repeatable or comma
 * list), --steps N, --json, --gpu, --no-tfjs, --cpu (adds the CPU backend and TensorFlow.js's cpu
 * backend on the S-sized configs), --kernels auto|per-step|looping (repeatable or comma list; default
 * per-step,looping: both paths side by side, auto's marked), --timeout-min N.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { KERNEL_POLICIES, type KernelPolicy } from '../src/model/kernel-path';
import { CONFIGS, CONFIG_NAMES, type BenchPlan } from './configs';
import { checkTargets, formatReport } from './report';
import type { BenchResult } from './samples';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMMON_FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const SWIFTSHADER_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader'];
const GPU_FLAGS = ['--use-angle=vulkan', '--enable-features=Vulkan,VulkanFromANGLE', '--enable-unsafe-webgpu',
  '--ignore-gpu-blocklist'];

interface Options {
  configs: string[];
  steps?: number;
  json: boolean;
  gpu: boolean;
  tfjs: boolean;
  cpu: boolean;
  kernels: KernelPolicy[];
  timeoutMin: number;
}

function usage(message: string): never {
  throw new Error(`${message}\nusage: npm run bench -- [--config S,M,GRU-S,RNN-S,S-T128] [--steps N] [--json] [--gpu] ` +
    '[--no-tfjs] [--cpu] [--kernels auto,per-step,looping] [--timeout-min N]');
}

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} needs a whole number >= 1, got ${v}`);
  return n;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { configs: [], json: false, gpu: false, tfjs: true, cpu: false, kernels: [], timeoutMin: 60 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--config') opts.configs.push(...value().split(',').filter(Boolean));
    else if (flag === '--kernels') {
      for (const k of value().split(',').filter(Boolean)) {
        if (!KERNEL_POLICIES.includes(k as KernelPolicy)) usage(`--kernels must be ${KERNEL_POLICIES.join(', ')}, got ${k}`);
        opts.kernels.push(k as KernelPolicy);
      }
    } else if (flag === '--steps') opts.steps = positiveInt('--steps', value());
    else if (flag === '--timeout-min') opts.timeoutMin = positiveInt('--timeout-min', value());
    else if (flag === '--json') opts.json = true;
    else if (flag === '--gpu') opts.gpu = true;
    else if (flag === '--no-tfjs') opts.tfjs = false;
    else if (flag === '--cpu') opts.cpu = true;
    else usage(`unknown option ${argv[i]}`);
  }
  for (const c of opts.configs) if (!CONFIGS[c]) usage(`unknown config ${c}; choose from ${CONFIG_NAMES.join(', ')}`);
  if (opts.configs.length === 0) opts.configs = [...CONFIG_NAMES];
  if (opts.kernels.length === 0) opts.kernels = ['per-step', 'looping'];
  opts.kernels = [...new Set(opts.kernels)];
  opts.configs = [...new Set(opts.configs)];
  return opts;
}

/** The commit measured, marked dirty when the tree has changes (results are compared across commits). */
function gitRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src', 'shaders') ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** A port the OS says is free now (Vite then binds it with strictPort). */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function startVite(): Promise<{ server: ViteDevServer; url: string }> {
  const port = await freePort();
  // configFile: false keeps the app's Vite config (plugins, build options) out of the bench;
  // tfjs is pre-bundled up front so no mid-run re-optimisation reloads the page, into a cache
  // of its own so a dev server of the app running alongside keeps its pre-bundled deps.
  const server = await createServer({
    configFile: false, root: ROOT, cacheDir: 'node_modules/.vite-bench', logLevel: 'warn', clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false },
    optimizeDeps: { entries: ['bench/index.html'], include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'] },
  });
  await server.listen();
  return { server, url: `http://127.0.0.1:${port}` };
}

async function runPage(browser: Browser, url: string, plan: BenchPlan, timeoutMs: number): Promise<BenchResult> {
  const page = await browser.newPage();
  let pageError: string | null = null;
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('[bench]')) console.error(text);
    else if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[page ${msg.type()}] ${text}`);
  });
  page.on('pageerror', (e) => {
    pageError = e.message;
  });
  await page.goto(`${url}/bench/index.html?plan=${encodeURIComponent(JSON.stringify(plan))}`);
  const deadline = Date.now() + timeoutMs;
  // Poll from Node rather than waitForFunction: a long synchronous step would time out its polls.
  for (;;) {
    const state = await page.evaluate(() => ({ result: window.__benchResult, error: window.__benchError }));
    if (state.error) throw new Error(`the benchmark page failed: ${state.error}`);
    if (state.result) return state.result;
    if (pageError) throw new Error(`uncaught error in the benchmark page: ${pageError}`);
    if (Date.now() > deadline) throw new Error(`no result after ${timeoutMs / 60000} min; raise --timeout-min or use fewer --steps`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const plan: BenchPlan = {
    configs: opts.configs.map((name) => ({ name, steps: opts.steps ?? CONFIGS[name].defaultSteps, warmup: CONFIGS[name].warmup })),
    multiRunSteps: opts.configs.includes('S') ? opts.steps ?? CONFIGS.S.defaultSteps : 0,
    tfjs: opts.tfjs,
    cpu: opts.cpu,
    kernels: opts.kernels,
  };
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const started = Date.now();
    const revision = gitRevision();
    const vite = await startVite();
    server = vite.server;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [...(opts.gpu ? GPU_FLAGS : SWIFTSHADER_FLAGS), ...COMMON_FLAGS],
    });
    console.error(`[bench] ${plan.configs.map((c) => `${c.name}: ${c.warmup}+${c.steps} steps`).join(', ')}` +
      `${plan.multiRunSteps ? `; R=4 vs R=1 on S: ${plan.multiRunSteps} steps` : ''}${opts.tfjs ? '' : '; tfjs skipped'}` +
      `${opts.cpu ? '; CPU rows' : ''}`);
    const result = await runPage(browser, vite.url, plan, opts.timeoutMin * 60_000);
    const seconds = (Date.now() - started) / 1000;

    const outDir = join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const date = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    const file = join(outDir, `${date}-${opts.configs.join('_')}.json`);
    const record = { date: new Date().toISOString(), revision, options: opts, plan, seconds, ...result };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);

    console.log(formatReport(result));
    if (result.adapter.software) {
      console.log('note: software adapter (SwiftShader): absolute times are CPU-bound and far from a real GPU; ' +
        'compare ratios only, and expect M to take minutes per configuration');
    }
    for (const line of checkTargets(result)) console.log(line);
    console.log(`wrote ${relative(process.cwd(), file)} (revision ${revision}, ${seconds.toFixed(0)} s in all)`);
    if (opts.json) console.log(JSON.stringify(record));
    if (result.gpuErrors.length > 0) throw new Error(`the GPU reported errors during the run: ${result.gpuErrors.join(' | ')}`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
