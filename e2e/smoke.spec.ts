// Smoke: the built page finds a working WebGPU adapter and sets up the playground; without
// WebGPU (simulated) it explains what is missing instead of showing a blank page.
import { expect, test } from '@playwright/test';

test('finds a WebGPU adapter and sets up the playground', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page).toHaveTitle('RNN Playground');

  const adapter = await page.evaluate(async () => {
    const found = await navigator.gpu?.requestAdapter();
    return found ? { vendor: found.info.vendor, architecture: found.info.architecture } : null;
  });
  expect(adapter, 'navigator.gpu.requestAdapter() returned no adapter').not.toBeNull();

  await expect
    .poll(() => page.evaluate(() => window.__rnnPlayground ?? null), { timeout: 90_000 })
    .toMatchObject({ ready: true });
  const state = await page.evaluate(() => window.__rnnPlayground);
  expect(state?.error).toBeUndefined();
  expect(state?.adapter?.vendor).toBe(adapter?.vendor);
  await expect(page.getByTestId('adapter')).not.toBeEmpty();
  for (const name of ['Training loss', 'Gradient norm (global L2, before clipping)', 'Learning rate', 'Gradient norm, lstm layer 0', 'Gradient norm, head']) {
    await expect(page.getByRole('img', { name, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('explains what is missing when the browser has no WebGPU', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'WebGPU is not available' })).toBeVisible();
  await expect(page.getByText('navigator.gpu is missing').first()).toBeVisible();
  await expect(page.getByText('Chrome or Edge 113+')).toBeVisible();
  await expect(page.getByText('Firefox 141+ on Windows')).toBeVisible();
  await expect(page.getByText('--enable-unsafe-webgpu --enable-features=Vulkan')).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.__rnnPlayground?.error)).toBeTruthy();
});

test('explains what is missing when no adapter comes back', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.gpu.requestAdapter = async () => null;
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'WebGPU is not available' })).toBeVisible();
  await expect(page.getByText('found no GPU adapter')).toBeVisible();
});
