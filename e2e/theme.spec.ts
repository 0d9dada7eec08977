// Themes: the page follows the system's dark scheme, charts included, and redraws on a switch.
import { expect, test } from '@playwright/test';
import { drawnLines, openPlayground, pauseAndSettle, stepCount } from './playground';

const background = (page: import('@playwright/test').Page, selector: string) =>
  page.evaluate((s) => {
    const charts = document.querySelector('rnn-playground')!.shadowRoot!.querySelector('experiment-charts')!.shadowRoot!;
    const el = s === 'html' ? document.documentElement : charts.querySelector(s)!;
    return getComputedStyle(el).backgroundColor;
  }, selector);

test('dark scheme renders, and the charts redraw when the scheme changes', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page);
  expect(await background(page, 'html')).toBe('rgb(15, 18, 22)');
  expect(await background(page, 'metric-chart#loss')).toBe('rgb(23, 27, 33)');
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await pauseAndSettle(page);
  expect((await drawnLines(page, 'loss')).length).toBe(2);

  const canvas = page.getByRole('img', { name: 'Training loss', exact: true });
  const dark = await canvas.screenshot();
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background(page, 'html')).toBe('rgb(246, 247, 249)');
  await expect.poll(async () => Buffer.compare(dark, await canvas.screenshot()), { message: 'the chart redraws in the light theme' }).not.toBe(0);
  expect(errors).toEqual([]);
});
