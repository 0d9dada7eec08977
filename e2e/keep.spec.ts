// State that lasts: a reload brings the experiment back where it was and it trains on; a shared
// link opens the same configs elsewhere; a junk hash opens the default with a notice; the saved
// list opens, renames, duplicates and deletes; new experiment; export and import of the file;
// a run's weights download as .safetensors and load into a run of the same shape only.
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { currentDoc, historyLengths, openPlayground, openRunPanel, pointCounts, runIds, runPanel, stepCount } from './playground';

test.use({ actionTimeout: 30_000 });

/** Waits for an autosave of the open experiment that holds at least `steps` steps. */
async function saved(page: import('@playwright/test').Page, steps: number): Promise<void> {
  await expect
    .poll(() => page.evaluate(async () => (await window.__rnnWorkspace!.keeper.savedList())[0]?.steps ?? 0), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(steps);
}

test('a reload brings the experiment back where it was and it trains on', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await openRunPanel(page, 'Adam lr 0.01');
  const lr = page.getByRole('spinbutton', { name: 'learning rate (Adam lr 0.01)' });
  await lr.fill('0.02');
  await lr.press('Enter');
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(20);
  await saved(page, 20);
  const before = await currentDoc(page);
  const savedSteps = await page.evaluate(async () => (await window.__rnnWorkspace!.keeper.savedList())[0].steps);

  await page.reload();
  await expect.poll(() => page.evaluate(() => window.__rnnPlayground?.ready ?? false), { timeout: 90_000 }).toBe(true);
  expect(await currentDoc(page)).toEqual(before);
  // Where it was: the histories are back and the step goes on from there, not from 0.
  expect(Math.min(...(await historyLengths(page)))).toBeGreaterThanOrEqual(savedSteps);
  expect(await stepCount(page)).toBeGreaterThanOrEqual(savedSteps);
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect.poll(async () => Math.min(...(await pointCounts(page))[0]), { timeout: 30_000 }).toBeGreaterThanOrEqual(savedSteps);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(savedSteps + 5);
  const loss = (await pointCounts(page, ['adam'], ['loss']))[0][0];
  expect(loss).toBeGreaterThan(savedSteps);
});

test('a shared link opens the same configs in another browser', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await page.getByRole('combobox', { name: 'Cell of the new run' }).selectOption('rnn_tanh');
  await page.getByRole('button', { name: 'Add run', exact: true }).click();
  await expect.poll(async () => (await currentDoc(page)).runs.length).toBe(3);
  const momentum = page.getByRole('spinbutton', { name: 'weight decay (rnn_tanh run 3)' });
  await momentum.fill('0.001');
  await momentum.press('Enter');
  await expect.poll(async () => (await currentDoc(page)).runs[2].optimizer.weightDecay).toBe(0.001);
  const doc = await currentDoc(page);

  await page.getByRole('button', { name: 'Experiments', exact: true }).click();
  await page.getByRole('button', { name: 'Copy share link', exact: true }).click();
  const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
  expect(new URL(link).hash).toMatch(/^#e=/);
  expect(page.url()).toBe(link);

  const other = await browser.newPage();
  await openPlayground(other, link.replace(/^https?:\/\/[^/]+/, ''));
  expect(await currentDoc(other)).toEqual(doc);
  await expect(other.getByTestId('status')).toHaveText('playing');
  await other.close();
});

test('a junk hash opens the default experiment with a notice', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page, '/#e=this-is-not-an-experiment');
  await expect(page.getByRole('status', { name: 'Notices' })).toContainText('the link\'s experiment could not be opened');
  expect((await currentDoc(page)).name).toBe('Adam against SGD on a noisy sine');
  await expect(page.getByTestId('status')).toHaveText('playing');
  await page.getByRole('button', { name: 'Dismiss notice 1', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Notices' })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('saved experiments: rename, duplicate, new, open and delete', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await saved(page, 1);
  const menu = page.getByRole('button', { name: 'Experiments', exact: true });
  await menu.click();
  const dialog = page.getByRole('dialog', { name: 'Experiments' });
  const rows = dialog.getByRole('table', { name: 'Saved experiments' }).getByRole('row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('open now');

  await dialog.getByRole('button', { name: 'Rename Adam against SGD on a noisy sine', exact: true }).click();
  const name = dialog.getByRole('textbox', { name: 'New name for Adam against SGD on a noisy sine' });
  await name.fill('first try');
  await name.press('Enter');
  await expect(rows.first()).toContainText('first try');
  await expect.poll(async () => (await currentDoc(page)).name).toBe('first try');
  await expect(page.locator('header .title .name')).toHaveText('first try');

  await dialog.getByRole('button', { name: 'Duplicate first try', exact: true }).click();
  await expect(rows).toHaveCount(2);
  await expect(dialog.getByText('first try (copy)')).toBeVisible();

  await dialog.getByRole('button', { name: 'New experiment', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(async () => (await currentDoc(page)).name).toBe('Adam against SGD on a noisy sine');
  await expect(page.getByTestId('status')).toHaveText('playing');
  await saved(page, 1);

  await menu.click();
  await expect(rows).toHaveCount(3);
  await dialog.getByRole('button', { name: 'Open first try (copy)', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(async () => (await currentDoc(page)).name).toBe('first try (copy)');
  await expect(page.getByTestId('status')).toHaveText('playing');

  await menu.click();
  await dialog.getByRole('button', { name: 'Delete first try', exact: true }).click();
  await expect(rows).toHaveCount(2);
  await expect(dialog.getByRole('cell', { name: 'first try', exact: true })).toHaveCount(0);
});

test('export and import the experiment file; weights download and load into a run of the same shape', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await page.getByRole('button', { name: 'Experiments', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Experiments' });

  const plain = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export JSON', exact: true }).click();
  const file = JSON.parse(await readFile(await (await plain).path(), 'utf8'));
  expect(file).toEqual(await currentDoc(page));
  const withHistories = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export JSON with histories', exact: true }).click();
  const full = JSON.parse(await readFile(await (await withHistories).path(), 'utf8'));
  expect(Object.keys(full.histories)).toEqual(['adam', 'sgd']);
  expect(full.histories.adam.step.length).toBeGreaterThan(5);

  const edited = { ...file, name: 'imported', runs: [{ ...file.runs[0], optimizer: { kind: 'adam', lr: 0.005 } }, { ...file.runs[0], id: 'gru', label: 'GRU', cell: 'gru' }] };
  await dialog.getByLabel('Import an experiment file (JSON)').setInputFiles({ name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(edited)) });
  await expect(dialog.getByRole('status')).toContainText('opened edited.json');
  await expect.poll(async () => (await currentDoc(page)).name).toBe('imported');
  const doc = await currentDoc(page);
  expect(doc.runs.map((r) => [r.id, r.cell, r.optimizer.lr])).toEqual([['adam', 'lstm', 0.005], ['gru', 'gru', 0.01]]);
  await dialog.getByLabel('Import an experiment file (JSON)').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1,"runs":[{"hiddenSize":0}]}') });
  await expect(dialog.getByRole('status')).toContainText('runs[0].hiddenSize must be an integer from 1 to 4096, got 0');
  expect((await currentDoc(page)).name).toBe('imported');
  await dialog.getByRole('button', { name: 'Close the experiments list' }).click();

  // Weights: LSTM weights load into an LSTM run of the same shape, not into the GRU.
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(2);
  await openRunPanel(page, 'Adam lr 0.01');
  await openRunPanel(page, 'GRU');
  const weights = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Weights: Adam lr 0.01', exact: true }).click();
  const download = await weights;
  expect(download.suggestedFilename()).toBe('adam.safetensors');
  const bytes = await readFile(await download.path());
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  expect(header.weight_ih_l0).toMatchObject({ dtype: 'F32', shape: [128, 1] });
  expect(header['head.weight']).toMatchObject({ shape: [1, 32] });

  await page.getByLabel('Load weights: GRU').setInputFiles({ name: 'adam.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(runPanel(page, 'GRU').getByRole('status')).toContainText('could not: tensor "weight_ih_l0" is [128, 1] in the file but [96, 1] in this run');
  await page.getByLabel('Load weights: Adam lr 0.01').setInputFiles({ name: 'adam.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(runPanel(page, 'Adam lr 0.01').getByRole('status')).toContainText('weights loaded from adam.safetensors');
  expect(await runIds(page)).toEqual(['adam', 'gru']);
});

test('a link to an experiment on your own data asks for the data, then trains it', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const csv = ['x', ...Array.from({ length: 60 }, (_, i) => Math.cos(i / 5).toFixed(4))].join('\n');
  await openPlayground(page);
  await page.getByRole('combobox', { name: 'task', exact: true }).selectOption('series');
  await page.getByLabel('Open a CSV file').setInputFiles({ name: 'wave.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect.poll(async () => (await currentDoc(page)).task.kind, { timeout: 30_000 }).toBe('series');
  const doc = await currentDoc(page);
  const link = page.url().replace(/^https?:\/\/[^/]+/, '');

  const other = await browser.newPage();
  await other.goto(link);
  await expect(other.getByRole('status', { name: 'Notices' })).toContainText('trains on data of your own', { timeout: 60_000 });
  await expect(other.getByRole('region', { name: 'Open your data' })).toBeVisible();
  expect(await other.evaluate(() => window.__rnnWorkspace?.experiment)).toBeUndefined();
  await other.getByLabel('Open a CSV file').setInputFiles({ name: 'wave.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(other.getByTestId('status')).toHaveText('playing', { timeout: 60_000 });
  expect(await currentDoc(other)).toEqual(doc);
  await expect(other.getByRole('region', { name: 'Open your data' })).toHaveCount(0);
  await other.close();
});
