/**
 * The soak (not part of `npm test`): the built page with 8 runs training for N minutes in
 * Chromium, sampled every interval for the JS heap (after a forced GC, through CDP), the GPU
 * buffers alive on the engine (Engine.liveBuffers), the step and the steps whose metrics were
 * lost; prints a table and the heap and buffer growth from the first sample after warm-up to the last.
 *   npm run soak -- [--minutes 10] [--every 30] [--port 4399]
 * Needs `vite build` first (npm run soak does it) and Debian's chromium (SwiftShader WebGPU here).
 */
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a number > 0, got ${process.argv[i + 1]}`);
  return v;
}

const MINUTES = option('minutes', 10);
const EVERY_S = option('every', 30);
const PORT = option('port', 4399);
const RUNS = 8;

interface Sample {
  seconds: number;
  step: number;
  heapMiB: number;
  buffers: number;
  lost: number;
  status: string;
}

async function waitForServer(url: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the preview server did not come up at ${url}`);
}

async function main(): Promise<void> {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader',
      '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const url = `http://127.0.0.1:${PORT}/`;
    await waitForServer(url);
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.__rnnPlayground?.ready === true, undefined, { timeout: 120_000 });
    const backend = await page.evaluate(() => window.__rnnPlayground?.backend);
    const added = await page.evaluate(async (runs) => {
      const e = window.__rnnWorkspace!.experiment!;
      while (e.doc.runs.length < runs) {
        const issues = await e.addRun();
        if (issues.length > 0) return issues.map((i) => i.message).join('; ');
      }
      e.play();
      return '';
    }, RUNS);
    if (added) throw new Error(`could not add runs: ${added}`);
    const cdp = await page.context().newCDPSession(page);
    const samples: Sample[] = [];
    const start = Date.now();
    console.log(`soak: ${RUNS} runs on ${backend} for ${MINUTES} min, a sample every ${EVERY_S} s`);
    console.log('   time    step  heap MiB  gpu buffers  lost  status');
    for (;;) {
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const state = await page.evaluate(() => {
        const e = window.__rnnWorkspace!.experiment!;
        return { step: e.snapshot().step, status: e.snapshot().status, lost: e.lostSteps(), buffers: window.__rnnPlayground?.gpuBuffers?.() ?? -1 };
      });
      const s: Sample = { seconds: (Date.now() - start) / 1000, heapMiB: heap.usedSize / 2 ** 20, ...state };
      samples.push(s);
      console.log(`${s.seconds.toFixed(0).padStart(6)} s ${String(s.step).padStart(7)} ${s.heapMiB.toFixed(1).padStart(9)} ${String(s.buffers).padStart(12)} ${String(s.lost).padStart(5)}  ${s.status}`);
      if (s.status === 'error') throw new Error(`the experiment stopped on an error: ${await page.evaluate(() => window.__rnnWorkspace!.experiment!.snapshot().error)}`);
      if (s.seconds >= MINUTES * 60) break;
      await page.waitForTimeout(Math.min(EVERY_S * 1000, MINUTES * 60_000 - (Date.now() - start)) + 50);
    }
    // Growth from the first sample after a minute of warm-up (pipelines, chart buffers) to the last.
    const base = samples.find((s) => s.seconds >= 60) ?? samples[0];
    const last = samples[samples.length - 1];
    const steps = last.step - base.step;
    console.log(`heap ${base.heapMiB.toFixed(1)} -> ${last.heapMiB.toFixed(1)} MiB (${(last.heapMiB - base.heapMiB).toFixed(1)} MiB over ${steps} steps), ` +
      `gpu buffers ${base.buffers} -> ${last.buffers}, steps lost ${last.lost}, ${(last.step / last.seconds).toFixed(1)} steps/s`);
  } finally {
    await browser.close();
    // npx starts vite as a child: end the whole process group the server was started in.
    if (server.pid) process.kill(-server.pid);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
