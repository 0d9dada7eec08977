// The default experiment trains on the GPU as soon as the page opens: both runs' loss lines
// get points, the charts visibly move, and the loss falls for Adam and for SGD.
import { expect, test, type Page } from '@playwright/test';

type Point = { x: number; y: number };

function chartPoints(page: Page, id: 'loss' | 'grad-norm'): Promise<Point[][]> {
  return page.evaluate((chartId) => {
    const root = document.querySelector('rnn-playground')?.shadowRoot;
    const chart = root?.querySelector(`metric-chart#${chartId}`) as unknown as { drawnPoints(): Point[][] } | null;
    return chart ? chart.drawnPoints().map((run) => run.map((p) => ({ x: p.x, y: p.y }))) : [];
  }, id);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('the default experiment trains at once and its loss falls for both runs', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect.poll(() => page.evaluate(() => window.__rnnPlayground?.ready ?? false), { timeout: 90_000 }).toBe(true);

  const lossCanvas = page.getByRole('img', { name: 'Loss' });
  await expect.poll(async () => (await chartPoints(page, 'loss')).map((run) => run.length).join(','), { timeout: 60_000 })
    .toMatch(/^([1-9]\d*),([1-9]\d*)$/);
  const early = await lossCanvas.screenshot();

  // Wait for 80 steps of both runs, then compare the start of training with its latest steps.
  await expect.poll(async () => Math.min(...(await chartPoints(page, 'loss')).map((run) => run.length)), { timeout: 180_000 })
    .toBeGreaterThanOrEqual(80);
  const loss = await chartPoints(page, 'loss');
  expect(loss).toHaveLength(2);
  for (const [r, run] of loss.entries()) {
    expect(run[0].x, `run ${r} starts at step 1`).toBe(1);
    const first = mean(run.slice(0, 5).map((p) => p.y));
    const last = mean(run.slice(-10).map((p) => p.y));
    expect(last, `run ${r}: loss over the last 10 steps (${last}) vs the first 5 (${first})`).toBeLessThan(0.6 * first);
  }
  const norms = await chartPoints(page, 'grad-norm');
  expect(norms.map((run) => run.length >= 80)).toEqual([true, true]);
  expect(norms.flat().every((p) => Number.isFinite(p.y) && p.y > 0)).toBe(true);

  expect(Buffer.compare(early, await lossCanvas.screenshot()), 'the loss chart should have moved').not.toBe(0);
  await expect(page.getByTestId('status')).toContainText('playing');
  expect(errors).toEqual([]);
});
