// Controls: Play/Pause, Step and Reset exist by accessible name, are live in the right states,
// and drive the session; Enter on Step keeps focus there and adds exactly one point per run;
// Reset while playing goes back to step 0 and keeps playing; a step budget stops training there.
import { expect, test } from '@playwright/test';
import { focusedName, openPlayground, pauseAndSettle, pointCounts, stepCount } from './playground';

const button = (name: string) => ({ name, exact: true });

test('the default experiment plays at once with Pause, Step and Reset shown', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect(page.getByRole('button', button('Pause'))).toBeEnabled();
  await expect(page.getByRole('button', button('Play'))).toHaveCount(0);
  await expect(page.getByRole('button', button('Step'))).toBeDisabled();
  await expect(page.getByRole('button', button('Reset'))).toBeEnabled();
  await expect(page.getByRole('button', button('Reset'))).toHaveAttribute('title', /step 0.*goes on if it was playing/);
});

test('Pause, Step, Reset and Play drive the session', async ({ page }) => {
  await openPlayground(page);
  await page.getByRole('button', button('Pause')).click();
  await expect(page.getByTestId('status')).toHaveText('paused');
  await expect(page.getByRole('button', button('Play'))).toBeEnabled();
  await expect(page.getByRole('button', button('Pause'))).toHaveCount(0);

  const step = page.getByRole('button', button('Step'));
  await expect(step).toBeEnabled();
  const before = await stepCount(page);
  await step.click();
  await expect.poll(() => stepCount(page)).toBeGreaterThan(before);

  await page.getByRole('button', button('Reset')).click();
  await expect.poll(() => stepCount(page)).toBe(0);
  await expect(page.getByTestId('status')).toHaveText('paused');
  await expect.poll(async () => (await pointCounts(page)).flat().every((c) => c === 0)).toBe(true);

  await page.getByRole('button', button('Play')).click();
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect(page.getByRole('button', button('Pause'))).toBeVisible();
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(0);
});

test('Enter on Step keeps focus on Step and adds exactly one point per run to every chart', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(3);
  const before = await pauseAndSettle(page);
  const countsBefore = await pointCounts(page);

  const step = page.getByRole('button', button('Step'));
  await step.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => stepCount(page)).toBe(before + 1);
  await expect.poll(async () => (await pointCounts(page)).flat().every((c) => c === before + 1)).toBe(true);
  await expect(page.getByTestId('run-status')).toHaveText(['paused', 'paused']);
  expect(await focusedName(page)).toBe('button:Step');

  // Nothing more arrives: one press, one step, one point per run on each chart.
  await page.waitForTimeout(1000);
  expect(await pointCounts(page)).toEqual(countsBefore.map((run) => run.map((c) => c + 1)));
  expect(await focusedName(page)).toBe('button:Step');
});

test('Reset while playing goes back to step 0 and keeps playing', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(20);
  await page.getByRole('button', button('Reset')).click();
  await expect.poll(() => stepCount(page)).toBeLessThan(20);
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(20);
  // The charts restarted with the session: their first step is 1 again.
  const counts = (await pointCounts(page)).flat();
  expect(Math.max(...counts)).toBeLessThanOrEqual(await stepCount(page));
});

test('a step budget stops training when reached and says done', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(3);
  const budget = (await stepCount(page)) + 30;
  const input = page.getByRole('spinbutton', { name: 'Step budget' });
  await input.fill(String(budget));
  await input.press('Enter');
  await expect(page.getByRole('progressbar', { name: 'Step budget progress' })).toBeVisible();
  await expect(page.getByTestId('time-left')).toContainText('left');
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  // The experiment stops exactly at the budget, every run's record of that step delivered.
  expect(await stepCount(page)).toBe(budget);
  await expect(page.getByTestId('run-status')).toHaveText(['done', 'done']);
  await expect(page.getByTestId('time-left')).toHaveText('budget reached');
  await expect(page.getByRole('button', button('Play'))).toHaveAttribute('aria-disabled', 'true');
  await expect.poll(async () => (await pointCounts(page)).flat().every((c) => c === budget)).toBe(true);
  // The budget is part of the experiment: it travels in the link.
  expect(await page.evaluate(() => window.__rnnWorkspace!.experiment!.doc.budget)).toBe(budget);
});
