// Normalization from the run panel: the field shows with its one-line explanation; on WebGPU a
// layer norm run moves to a group of its own and trains, and so does a batch norm run (no refusal);
// on the CPU backend batch norm trains too.
import { expect, test } from '@playwright/test';
import { currentDoc, historyLengths, openPlayground, openRunPanel } from './playground';

test.use({ actionTimeout: 30_000 });

test('norm: layer norm and batch norm train on WebGPU, batch norm on the CPU too', async ({ page }) => {
  test.setTimeout(240_000);
  await openPlayground(page);
  await openRunPanel(page, 'SGD lr 0.1');
  const norm = page.getByRole('combobox', { name: 'normalization (SGD lr 0.1)' });
  await expect(norm).toHaveValue('none');
  await expect(page.locator('field-input', { has: norm })).toContainText('Ba et al. 2016');
  await norm.selectOption('layer');
  await expect.poll(async () => (await currentDoc(page)).runs.map((r) => r.norm)).toEqual(['none', 'layer']);
  const before = (await historyLengths(page))[1];
  await expect.poll(async () => (await historyLengths(page))[1], { timeout: 60_000 }).toBeGreaterThan(before + 3);
  await expect(page.getByTestId('run-backend')).toHaveText(['GPU', 'GPU']);

  await norm.selectOption('batch');
  await expect.poll(async () => (await currentDoc(page)).runs.map((r) => r.norm)).toEqual(['none', 'batch']);
  const batchBefore = (await historyLengths(page))[1];
  await expect.poll(async () => (await historyLengths(page))[1], { timeout: 60_000 }).toBeGreaterThan(batchBefore + 3);
  await expect(page.getByTestId('run-backend')).toHaveText(['GPU', 'GPU']);
  await expect(page.getByRole('alert').filter({ hasText: 'norm' })).toHaveCount(0);

  await openPlayground(page, '/?backend=cpu');
  await openRunPanel(page, 'SGD lr 0.1');
  await page.getByRole('combobox', { name: 'normalization (SGD lr 0.1)' }).selectOption('batch');
  await expect.poll(async () => (await currentDoc(page)).runs.map((r) => r.norm)).toEqual(['none', 'batch']);
  const cpuBefore = (await historyLengths(page))[1];
  await expect.poll(async () => (await historyLengths(page))[1], { timeout: 60_000 }).toBeGreaterThan(cpuBefore + 3);
});
