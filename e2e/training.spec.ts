// The default experiment trains on the GPU as soon as the page opens: both runs' loss lines
// get points, the charts visibly move, and the loss falls for Adam and for SGD.
import { expect, test } from '@playwright/test';
import { chartCsv, drawnLines, openPlayground, pointCounts } from './playground';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('the default experiment trains at once and its loss falls for both runs', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page);

  const lossCanvas = page.getByRole('img', { name: 'Training loss' });
  await expect.poll(async () => (await drawnLines(page, 'loss')).map((run) => run.raw.length).join(','), { timeout: 60_000 })
    .toMatch(/^([1-9]\d*),([1-9]\d*)$/);
  const early = await lossCanvas.screenshot();

  // Wait for 80 steps of both runs, then compare the start of training with its latest steps.
  await expect.poll(async () => Math.min(...(await pointCounts(page))[0]), { timeout: 180_000 }).toBeGreaterThanOrEqual(80);
  const loss = await chartCsv(page, 'loss');
  expect(loss.header).toEqual(['step', 'time_s', 'Adam lr 0.01', 'SGD lr 0.1']);
  expect(loss.rows[0][0], 'training starts at step 1').toBe(1);
  for (const [r, label] of ['Adam', 'SGD'].entries()) {
    const values = loss.rows.map((row) => row[2 + r]);
    const first = mean(values.slice(0, 5));
    const last = mean(values.slice(-10));
    expect(last, `${label}: loss over the last 10 steps (${last}) vs the first 5 (${first})`).toBeLessThan(0.6 * first);
  }
  const norms = await chartCsv(page, 'grad-norm');
  expect(norms.rows.length).toBeGreaterThanOrEqual(80);
  expect(norms.rows.every((row) => row.slice(2).every((v) => Number.isFinite(v) && v > 0))).toBe(true);

  expect(Buffer.compare(early, await lossCanvas.screenshot()), 'the loss chart should have moved').not.toBe(0);
  await expect(page.getByTestId('status')).toContainText('playing');
  expect(errors).toEqual([]);
});
