// Smoke: the built page finds a working WebGPU adapter and trains the default experiment on it;
// without WebGPU (navigator.gpu removed, or no adapter) it trains the same experiment on the CPU
// in a worker, says so plainly, still explains how to get WebGPU, and its controls work.
import { expect, test, type Page } from '@playwright/test';
import { chartCsv, openPlayground, pauseAndSettle, pointCounts, stepCount } from './playground';

const CHART_NAMES = [
  'Training loss', 'Validation loss', 'Gradient norm (global L2, before clipping)', 'Fraction of steps clipped (last 50 steps)',
  'Learning rate', 'Gradient norm, recurrent layer 0', 'Gradient norm, head',
];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('finds a WebGPU adapter and trains on it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page);
  await expect(page).toHaveTitle('Adam against SGD on a noisy sine · RNN Playground');
  const state = await page.evaluate(() => window.__rnnPlayground);
  expect(state).toMatchObject({ backend: 'webgpu', ready: true });
  expect(state?.error).toBeUndefined();
  expect(state?.adapter).toBeTruthy();
  await expect(page.locator('footer')).toContainText(`Training on WebGPU: ${state!.adapter}`);
  for (const name of CHART_NAMES) await expect(page.getByRole('img', { name, exact: true })).toBeVisible();
  await expect(page.getByTestId('run-backend')).toHaveText(['GPU', 'GPU']);
  await expect(page.getByText('no WebGPU here')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

async function trainsOnTheCpu(page: Page): Promise<void> {
  await expect(page.getByTestId('run-backend')).toHaveText(['CPU', 'CPU']);
  await expect(page.getByTestId('status')).toHaveText('playing');
  // The loss falls for both runs.
  await expect.poll(async () => Math.min(...(await pointCounts(page))[0]), { timeout: 60_000 }).toBeGreaterThanOrEqual(60);
  const loss = await chartCsv(page, 'loss');
  for (const [r, label] of ['Adam', 'SGD'].entries()) {
    const values = loss.rows.map((row) => row[2 + r]);
    expect(mean(values.slice(-10)), `${label}: loss over the last 10 steps vs the first 5`).toBeLessThan(0.6 * mean(values.slice(0, 5)));
  }
  // Pause, Step (exactly one more point per run), Reset, Play.
  const settled = await pauseAndSettle(page);
  const counts = await pointCounts(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBe(settled + 1);
  await expect.poll(() => pointCounts(page)).toEqual(counts.map((c) => c.map((n) => n + 1)));
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBe(0);
  await expect.poll(async () => (await pointCounts(page)).flat().every((n) => n === 0)).toBe(true);
  await expect(page.getByTestId('status')).toHaveText('paused');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect.poll(() => stepCount(page), { timeout: 30_000 }).toBeGreaterThan(5);
}

test('without navigator.gpu the default experiment trains on the CPU, with the notice', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
  await openPlayground(page);
  expect(await page.evaluate(() => window.__rnnPlayground?.backend)).toBe('cpu');
  await expect(page.getByText('no WebGPU here: training on the CPU (slower)')).toBeVisible();
  await page.getByText('How to get WebGPU').click();
  await expect(page.getByRole('heading', { name: 'WebGPU is not available' })).toBeVisible();
  await expect(page.getByText('navigator.gpu is missing').first()).toBeVisible();
  await expect(page.getByText('Chrome or Edge 113+')).toBeVisible();
  await expect(page.getByText('--enable-unsafe-webgpu --enable-features=Vulkan')).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Backend' }).locator('option[value="webgpu"]')).toBeDisabled();
  await trainsOnTheCpu(page);
  expect(errors).toEqual([]);
});

test('with no adapter the page trains on the CPU and says why', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.gpu.requestAdapter = async () => null;
  });
  await openPlayground(page);
  await expect(page.getByText('no WebGPU here: training on the CPU (slower)')).toBeVisible();
  await page.getByText('How to get WebGPU').click();
  await expect(page.getByText('found no GPU adapter')).toBeVisible();
  await expect(page.getByTestId('run-backend')).toHaveText(['CPU', 'CPU']);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(0);
});

test('the backend switch moves the experiment to the CPU and back, where it was', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await page.getByRole('combobox', { name: 'Backend' }).selectOption('cpu');
  await expect(page.getByTestId('run-backend')).toHaveText(['CPU', 'CPU']);
  await expect(page.getByText('Training on the CPU, in a worker, as asked')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('backend')).toBe('cpu');
  const onCpu = await stepCount(page);
  expect(onCpu).toBeGreaterThan(5);
  await expect.poll(() => stepCount(page), { timeout: 30_000 }).toBeGreaterThan(onCpu + 10);
  await page.getByRole('combobox', { name: 'Backend' }).selectOption('webgpu');
  await expect(page.getByTestId('run-backend')).toHaveText(['GPU', 'GPU']);
  expect(new URL(page.url()).searchParams.get('backend')).toBeNull();
  const back = await stepCount(page);
  expect(back).toBeGreaterThan(onCpu + 10);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(back);
  await expect(page.getByTestId('status')).toHaveText('playing');
});

test('a GPU error stops training at once and the banner says so', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(2);
  // An invalid buffer made on the experiment's device: an error no error scope catches.
  await page.evaluate(() => {
    const experiment = window.__rnnWorkspace!.experiment as unknown as { backend: { engine: { device: GPUDevice } } };
    experiment.backend.engine.device.createBuffer({ label: 'broken on purpose', size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE });
  });
  await expect(page.locator('error-banner')).toContainText('validation failed in an uncaptured gpu operation');
  await expect(page.getByTestId('status')).toHaveText('error');
  await expect(page.getByRole('alert').filter({ hasText: 'training stopped: validation failed' })).toBeVisible();
  const step = await stepCount(page);
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toHaveAttribute('aria-disabled', 'true');
  await page.waitForTimeout(1500);
  expect(await stepCount(page)).toBe(step);
});
