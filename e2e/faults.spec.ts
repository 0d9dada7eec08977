// Faults, as a hostile world would cause them: the GPU device destroyed mid-training (the
// experiment stops at once, comes back from its last checkpoint on a new device with a notice of
// the steps redone, and trains on); the renderer killed mid-training (a new tab has the
// experiment up to its last autosave); 200 rapid Step presses and 200 concurrent steps (every
// step's point reaches every chart, nothing lost).
import { expect, test, type Page } from '@playwright/test';
import { currentDoc, historyLengths, openPlayground, pauseAndSettle, pointCounts, runIds, settle, stepCount } from './playground';

test.use({ actionTimeout: 30_000 });

/** Waits for an autosave holding at least `steps` steps; gives the steps it holds. */
async function saved(page: Page, steps: number): Promise<number> {
  let held = 0;
  await expect
    .poll(async () => (held = await page.evaluate(async () => (await window.__rnnWorkspace!.keeper.savedList())[0]?.steps ?? 0)), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(steps);
  return held;
}

test('a destroyed device: the experiment stops at once, comes back from its checkpoint on a new device and trains on', async ({ page }) => {
  test.setTimeout(240_000);
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(10);
  await saved(page, 10);

  const stopped = await page.evaluate(async () => {
    const ws = window.__rnnWorkspace!;
    const old = ws.experiment!;
    window.__rnnPlayground!.loseDevice!();
    const start = performance.now();
    while (old.snapshot().status !== 'error' && performance.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
    return { status: old.snapshot().status, ms: performance.now() - start, lostAt: old.snapshot().step };
  });
  expect(stopped.status).toBe('error');
  expect(stopped.ms).toBeLessThan(2_000);

  const notices = page.getByRole('status', { name: 'Notices' });
  await expect(notices).toContainText(
    new RegExp(`the gpu device was lost at step \\d+; training goes on from its last checkpoint at step \\d+ on a new gpu device: \\d+ steps? redone`),
    { timeout: 90_000 },
  );
  const text = (await notices.textContent())!;
  const [, lostAt, from, redone] = /lost at step (\d+);.* at step (\d+) .*: (\d+) steps? redone/.exec(text)!.map(Number);
  expect(lostAt).toBeGreaterThanOrEqual(stopped.lostAt);
  expect(redone).toBe(lostAt - from);
  expect(from).toBeGreaterThanOrEqual(10);
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThan(lostAt + 5);
  // The new experiment trains on the new device, and the charts carry the restored history on.
  const step = await pauseAndSettle(page);
  expect(Math.min(...(await historyLengths(page)))).toBe(step);
  expect(await page.evaluate(() => window.__rnnPlayground?.error ?? null)).toBeNull();
});

test('a crashed renderer: a new tab has the experiment up to its last autosave', async ({ page, context }) => {
  test.setTimeout(240_000);
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(15);
  const held = await saved(page, 15);
  const doc = await currentDoc(page);

  const crashed = page.waitForEvent('crash');
  const cdp = await context.newCDPSession(page);
  void cdp.send('Page.crash').catch(() => undefined);
  await crashed;

  const again = await context.newPage();
  await openPlayground(again);
  expect(await currentDoc(again)).toEqual(doc);
  expect(Math.min(...(await historyLengths(again)))).toBeGreaterThanOrEqual(held);
  await expect.poll(() => stepCount(again), { timeout: 90_000 }).toBeGreaterThan(held);
  await again.close();
});

test('200 rapid Step presses and 200 concurrent steps: every step has its point on every chart, none lost', async ({ page }) => {
  test.setTimeout(300_000);
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(2);
  const start = await pauseAndSettle(page);

  // Presses while a step is running are refused by the page (its controls are busy); each one
  // that is taken must show.
  for (let i = 0; i < 200; i++) await page.keyboard.press('s', { delay: 0 });
  const afterPresses = await settle(page);
  expect(afterPresses).toBeGreaterThan(start);

  // The repro of issue 10 row 2: 200 steps asked for at once, each must arrive.
  await page.evaluate(() => Promise.all(Array.from({ length: 200 }, () => window.__rnnWorkspace!.experiment!.step())));
  const end = await settle(page);
  expect(end).toBe(afterPresses + 200);
  const ids = await runIds(page);
  expect(await historyLengths(page)).toEqual(ids.map(() => end));
  for (const perRun of await pointCounts(page, ids)) expect(perRun).toEqual(ids.map(() => end));
  expect(await page.evaluate(() => window.__rnnWorkspace!.experiment!.lostSteps())).toBe(0);
});
