// Configure: a run changed through its panel trains on with the new value; an invalid value is
// refused inline with the field table's message and the old value kept; a variant and a run of
// another cell join, every line of every run grows, Pause, Step (exactly one more point per run)
// and Reset work on all of them; clipping switched on draws its threshold and the clipped
// fraction; fork, hide, recolour and delete; the task panel takes a CSV, refusing a bad one.
import { expect, test } from '@playwright/test';
import { currentDoc, drawnLines, historyLengths, openPlayground, openRunPanel, pauseAndSettle, pointCounts, runIds, showChart, stepCount } from './playground';

test.use({ actionTimeout: 30_000 });

test('a run configured through its panel, a variant and a GRU run: every line grows; pause, step once, reset', async ({ page }) => {
  test.setTimeout(240_000);
  await openPlayground(page);
  await openRunPanel(page, 'Adam lr 0.01');
  const lr = page.getByRole('spinbutton', { name: 'learning rate (Adam lr 0.01)' });
  await expect(lr).toHaveValue('0.01');
  await lr.fill('0.02');
  await lr.press('Enter');
  await expect.poll(async () => (await currentDoc(page)).runs[0].optimizer.lr).toBe(0.02);
  // The change is live: the learning-rate chart's latest value for Adam follows.
  await expect(page.locator('metric-chart#learning-rate li', { hasText: 'Adam lr 0.01' })).toContainText('0.02000', { timeout: 30_000 });

  // Refused: the message of the field table, next to the field; nothing changes.
  await lr.fill('-1');
  await lr.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'runs[0].optimizer.lr must be a number > 0 and <= 100, got -1' })).toBeVisible();
  await expect(lr).toHaveValue('0.02');
  expect((await currentDoc(page)).runs[0].optimizer.lr).toBe(0.02);
  await expect(page.getByTestId('status')).toHaveText('playing');

  // A variant of SGD with momentum, and a GRU run.
  await openRunPanel(page, 'SGD lr 0.1');
  await page.getByRole('button', { name: 'Variant: SGD lr 0.1', exact: true }).click();
  await expect(page.locator('run-panel summary', { hasText: 'SGD lr 0.1 (variant)' })).toBeVisible();
  const momentum = page.getByRole('spinbutton', { name: 'momentum (SGD lr 0.1 (variant))' });
  await momentum.fill('0.9');
  await momentum.press('Enter');
  await page.getByRole('combobox', { name: 'Cell of the new run' }).selectOption('gru');
  await page.getByRole('button', { name: 'Add run', exact: true }).click();
  await expect(page.locator('run-panel summary', { hasText: 'gru run 4' })).toBeVisible();
  const doc = await currentDoc(page);
  expect(doc.runs.map((r) => [r.label, r.cell, r.optimizer.kind, r.optimizer.momentum ?? null])).toEqual([
    ['Adam lr 0.01', 'lstm', 'adam', null],
    ['SGD lr 0.1', 'lstm', 'sgd', 0],
    ['SGD lr 0.1 (variant)', 'lstm', 'sgd', 0.9],
    ['gru run 4', 'gru', 'adam', null],
  ]);
  await expect(page.getByTestId('run-backend')).toHaveText(['GPU', 'GPU', 'GPU', 'GPU']);

  // Every line of every run grows on every chart.
  const ids = await runIds(page);
  await expect.poll(async () => (await pointCounts(page, ids)).flat().every((c) => c > 0), { timeout: 60_000 }).toBe(true);
  const first = await pointCounts(page, ids);
  await expect
    .poll(async () => (await pointCounts(page, ids)).every((runs, c) => runs.every((n, r) => n > first[c][r])), { timeout: 60_000 })
    .toBe(true);

  // Pause, then one Step: exactly one more point per run on every chart.
  await pauseAndSettle(page);
  const before = await pointCounts(page, ids);
  const step = await stepCount(page);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBe(step + 1);
  await expect.poll(() => pointCounts(page, ids)).toEqual(before.map((runs) => runs.map((n) => n + 1)));
  await page.waitForTimeout(500);
  expect(await pointCounts(page, ids)).toEqual(before.map((runs) => runs.map((n) => n + 1)));

  // Reset: every run back to step 0, every chart empty, still paused.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect.poll(() => stepCount(page)).toBe(0);
  await expect.poll(async () => (await pointCounts(page, ids)).flat().every((n) => n === 0)).toBe(true);
  await expect(page.getByTestId('status')).toHaveText('paused');
  expect(await historyLengths(page)).toEqual([0, 0, 0, 0]);
});

test('clipping switched on draws its threshold and the fraction of steps clipped rises', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await openRunPanel(page, 'SGD lr 0.1');
  const on = page.getByRole('checkbox', { name: 'clip norm (SGD lr 0.1): on' });
  await on.check();
  const maxNorm = page.getByRole('spinbutton', { name: 'clip norm (SGD lr 0.1)' });
  await expect(maxNorm).toHaveValue('1');
  await maxNorm.fill('0.01');
  await maxNorm.press('Enter');
  await expect.poll(async () => (await currentDoc(page)).runs[1].clip).toEqual({ maxNorm: 0.01 });
  await expect(page.locator('metric-chart#grad-norm').getByText('clip at 0.01')).toBeVisible();
  // Gradient norms are far above 0.01, so SGD clips every step from now on; Adam never clips.
  await expect(page.locator('metric-chart#clipped li', { hasText: 'SGD lr 0.1' })).toContainText(/0\.[5-9]\d\d|1\.000/, { timeout: 60_000 });
  await expect(page.locator('metric-chart#clipped li', { hasText: 'Adam lr 0.01' })).toContainText('0.000');
  await on.uncheck();
  await expect.poll(async () => (await currentDoc(page)).runs[1].clip).toEqual({});
  await expect(page.locator('metric-chart#grad-norm').getByText('clip at 0.01')).toHaveCount(0);
});

test('fork, hide, recolour and delete a run', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await openRunPanel(page, 'Adam lr 0.01');
  await openRunPanel(page, 'SGD lr 0.1');
  await page.getByRole('button', { name: 'Fork: Adam lr 0.01', exact: true }).click();
  await expect(page.locator('run-panel summary', { hasText: 'Adam lr 0.01 (fork)' })).toBeVisible();
  // The fork starts where its parent was: its history so far comes with it.
  const ids = await runIds(page);
  expect(ids).toEqual(['adam', 'sgd', 'adam-2']);
  const [adam, , fork] = (await pointCounts(page, ids, ['loss']))[0];
  expect(fork).toBeGreaterThan(5);
  expect(fork).toBeLessThanOrEqual(adam);

  await page.getByRole('button', { name: 'Hide: SGD lr 0.1', exact: true }).click();
  await expect.poll(async () => (await currentDoc(page)).runs[1].hidden).toBe(true);
  await expect(page.getByRole('button', { name: 'SGD lr 0.1 on Training loss', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await showChart(page, 'loss');
  await expect.poll(async () => (await drawnLines(page, 'loss')).map((l) => l.runId)).toEqual(['adam', 'adam-2']);
  await page.getByRole('button', { name: 'Show: SGD lr 0.1', exact: true }).click();
  await expect.poll(async () => (await currentDoc(page)).runs[1].hidden).toBe(false);

  await page.getByLabel('colour (Adam lr 0.01)').fill('#123456');
  await expect.poll(async () => (await currentDoc(page)).runs[0].color).toBe('#123456');
  await expect(page.locator('run-stats tr[data-run="adam"] .swatch')).toHaveCSS('background-color', 'rgb(18, 52, 86)');

  await page.getByRole('button', { name: 'Delete: Adam lr 0.01 (fork)', exact: true }).click();
  await expect.poll(() => runIds(page)).toEqual(['adam', 'sgd']);
  await expect(page.locator('run-panel')).toHaveCount(2);
  await expect(page.getByTestId('status')).toHaveText('playing');
});

const CSV_GOOD = ['t,value', ...Array.from({ length: 80 }, (_, i) => `${i},${Math.sin(i / 4).toFixed(4)}`)].join('\n');
const CSV_BAD = 't,value\n0,1\n1,oops\n2,3\n';

test('the task panel: a bad CSV is refused with its line and training goes on; a good one trains', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  await page.getByRole('combobox', { name: 'task', exact: true }).selectOption('series');
  await expect(page.getByText('Open a CSV file to train on your time series')).toBeVisible();
  expect((await currentDoc(page)).task.kind).toBe('sine');
  await expect(page.getByText(/Limits: files up to 8 MiB; CSV: 20 to 100000 rows/)).toBeVisible();

  const file = page.getByLabel('Open a CSV file');
  await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV_BAD) });
  await expect(page.getByRole('list', { name: 'Problems with the data' })).toContainText('line 3, column 2 ("value"): "oops" is not a number');
  const step = await stepCount(page);
  await expect.poll(() => stepCount(page), { timeout: 30_000 }).toBeGreaterThan(step);
  expect((await currentDoc(page)).task.kind).toBe('sine');

  await file.setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV_GOOD) });
  await expect.poll(async () => (await currentDoc(page)).task.kind, { timeout: 30_000 }).toBe('series');
  await expect(page.getByText('In use: 80 rows × 2 columns (t, value)')).toBeVisible();
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect.poll(async () => Math.min(...(await historyLengths(page))), { timeout: 60_000 }).toBeGreaterThan(3);
});

// The page names where: the GPU's anomaly flag on WebGPU, the segment norms on the CPU.
for (const backend of ['cpu', 'webgpu'] as const) {
  test(`a run that diverges says so at its step and where (${backend}), and the others train on`, async ({ page }) => {
    await openPlayground(page, backend === 'cpu' ? '/?backend=cpu' : '/');
    await openRunPanel(page, 'SGD lr 0.1');
    const lr = page.getByRole('spinbutton', { name: 'learning rate (SGD lr 0.1)' });
    await lr.fill('100');
    await lr.press('Enter');
    await expect(page.getByTestId('run-status').nth(1)).toHaveText(/^diverged at step \d+ \((loss|gradient of layer 0|gradient of head|update)\)$/, { timeout: 60_000 });
    await expect(page.getByTestId('run-status').nth(0)).toHaveText('training');
    const step = await stepCount(page);
    await expect.poll(() => stepCount(page), { timeout: 30_000 }).toBeGreaterThan(step);
  });
}
