// The page under its Content-Security-Policy (index.html's <meta>): no eval, no inline script or
// style, nothing from another origin. It must train (WebGPU, the charts, the Lit components) and
// open the CPU backend's worker with no securitypolicyviolation event and no CSP console error.
import { expect, test, type Page } from '@playwright/test';
import { openPlayground, pauseAndSettle, stepCount } from './playground';

/** Collects every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<{ events: () => Promise<string[]>; console: string[] }> {
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) console.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`), true);
  });
  return { events: () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations), console };
}

test('the page declares a strict policy: no unsafe-eval, no unsafe-inline, no remote origin', async ({ page }) => {
  await page.goto('/');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toMatch(/default-src 'self'/);
  expect(policy).toMatch(/script-src 'self'(;|$)/);
  expect(policy).not.toMatch(/unsafe-eval|unsafe-inline|https?:|\*/);
});

test('trains on WebGPU and on the CPU worker under the policy with no violation', async ({ page }) => {
  test.setTimeout(180_000);
  const watch = await watchViolations(page);
  await openPlayground(page);
  expect(await page.evaluate(() => window.__rnnPlayground?.backend)).toBe('webgpu');
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await pauseAndSettle(page);
  // The theme file applied (it is linked, not inline).
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).not.toBe('');
  // Run colours still reach their swatches (set through the CSSOM, not a style attribute).
  const swatch = await page.evaluate(() => {
    const stats = document.querySelector('rnn-playground')?.shadowRoot?.querySelector('run-stats')?.shadowRoot;
    const el = stats?.querySelector('.swatch');
    return el ? getComputedStyle(el).backgroundColor : 'no swatch';
  });
  expect(swatch).toMatch(/^rgb\(/);
  expect(await watch.events()).toEqual([]);

  await openPlayground(page, '/?backend=cpu');
  expect(await page.evaluate(() => window.__rnnPlayground?.backend)).toBe('cpu');
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(2);
  expect(await watch.events()).toEqual([]);
  expect(watch.console).toEqual([]);
});
