// Responsiveness: 8 runs in 4 groups training, their charts drawing, and the main thread stays
// free. Over a window of steady training (start-up and pipeline compilation are before it) a
// PerformanceObserver collects long tasks, and long animation frames with the scripts in them.
// No script of the page may run 50 ms. Whole tasks (the browser's layout, paint and commit
// included) are printed and attached: on a shared two-core machine, where SwiftShader computes
// in the GPU process, those also measure how busy the machine is, so they are reported, not
// asserted. A machine so loaded that even scripts are descheduled past 50 ms (load average
// over 1.5 per core) makes the test skip, visibly, with what it measured.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { availableParallelism, loadavg } from 'node:os';
import { currentDoc, openPlayground, pointCounts, stepCount } from './playground';

const EIGHT = {
  version: 1,
  name: 'eight runs',
  task: { kind: 'sine' },
  runs: [
    { id: 'adam', label: 'Adam', optimizer: { kind: 'adam', lr: 0.01 } },
    { id: 'sgd', label: 'SGD', optimizer: { kind: 'sgd', lr: 0.1 } },
    { id: 'rmsprop', label: 'RMSprop', optimizer: { kind: 'rmsprop', lr: 0.01 } },
    { id: 'adamw', label: 'AdamW clip 0.5', optimizer: { kind: 'adamw', lr: 0.01 }, clip: { maxNorm: 0.5 } },
    { id: 'gru', label: 'GRU', cell: 'gru' },
    { id: 'gru-sgd', label: 'GRU SGD', cell: 'gru', optimizer: { kind: 'sgd', lr: 0.1 } },
    { id: 'rnn', label: 'RNN tanh', cell: 'rnn_tanh' },
    { id: 'wide', label: 'LSTM H64', hiddenSize: 64 },
  ],
};

const WINDOW_MS = 20_000;

interface Measured {
  steps: number;
  tasks: number[];
  /** Longest single script (an event handler, a frame callback, a promise continuation) in a long frame. */
  worstScript: number;
  worstScriptName: string;
}

async function measureEightRuns(page: Page, path: string): Promise<Measured> {
  await openPlayground(page, path);
  await page.getByRole('button', { name: 'Experiments', exact: true }).click();
  await page.getByLabel('Import an experiment file (JSON)').setInputFiles({ name: 'eight.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(EIGHT)) });
  await expect(page.getByRole('dialog', { name: 'Experiments' }).getByRole('status')).toContainText('opened eight.json');
  await page.getByRole('button', { name: 'Close the experiments list' }).click();
  const ids = EIGHT.runs.map((r) => r.id);
  expect((await currentDoc(page)).runs.map((r) => r.id)).toEqual(ids);
  await expect.poll(async () => (await pointCounts(page, ids)).flat().every((c) => c > 2), { timeout: 120_000 }).toBe(true);
  const start = await stepCount(page);
  const seen = await page.evaluate(
    (ms) =>
      new Promise<Omit<Measured, 'steps'>>((resolve) => {
        const tasks: number[] = [];
        let worstScript = 0;
        let worstScriptName = '';
        const longTasks = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) tasks.push(Math.round(e.duration));
        });
        const frames = new PerformanceObserver((list) => {
          for (const e of list.getEntries() as (PerformanceEntry & { scripts?: { duration: number; invoker: string; sourceFunctionName: string }[] })[]) {
            for (const s of e.scripts ?? []) {
              if (s.duration > worstScript) {
                worstScript = Math.round(s.duration);
                worstScriptName = `${s.invoker} ${s.sourceFunctionName}`.trim();
              }
            }
          }
        });
        longTasks.observe({ type: 'longtask' });
        frames.observe({ type: 'long-animation-frame' });
        setTimeout(() => {
          longTasks.disconnect();
          frames.disconnect();
          resolve({ tasks, worstScript, worstScriptName });
        }, ms);
      }),
    WINDOW_MS,
  );
  await expect(page.getByTestId('status')).toHaveText('playing');
  return { ...seen, steps: (await stepCount(page)) - start };
}

function judge(info: TestInfo, where: string, m: Measured): void {
  const worst = Math.max(0, ...m.tasks);
  const load = loadavg()[0];
  const cores = availableParallelism();
  const summary = `${where}, 8 runs, ${WINDOW_MS / 1000} s (${m.steps} steps): ${m.tasks.length} long tasks, worst ${worst} ms; ` +
    `longest script ${m.worstScript} ms${m.worstScriptName ? ` (${m.worstScriptName})` : ''}; load average ${load.toFixed(1)} on ${cores} cores`;
  console.log(summary);
  info.annotations.push({ type: 'long tasks', description: summary });
  expect(m.steps).toBeGreaterThan(0);
  test.skip(m.worstScript >= 50 && load > 1.5 * cores, `the machine is too busy to judge: ${summary}`);
  expect(m.worstScript, summary).toBeLessThan(50);
}

test('8 runs on the CPU backend: no script of 50 ms or more on the main thread', async ({ page }, info) => {
  test.setTimeout(180_000);
  judge(info, 'cpu', await measureEightRuns(page, '/?backend=cpu'));
});

test('8 runs on WebGPU: no script of 50 ms or more on the main thread', async ({ page }, info) => {
  test.setTimeout(240_000);
  judge(info, 'webgpu', await measureEightRuns(page, '/'));
});
