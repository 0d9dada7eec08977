// Controls: Play/Pause, Step and Reset exist by accessible name, are live in the right states,
// and drive the session (the step counter moves on Step and returns to 0 on Reset).
import { expect, test, type Page } from '@playwright/test';

async function openPlayground(page: Page): Promise<void> {
  await page.goto('/');
  await expect
    .poll(() => page.evaluate(() => window.__rnnPlayground ?? null), { timeout: 90_000 })
    .toMatchObject({ ready: true });
}

const stepCount = async (page: Page) => Number(await page.getByTestId('step').textContent());

test('the default experiment plays at once with Pause, Step and Reset shown', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Play' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Step' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reset' })).toBeEnabled();
});

test('Pause, Step, Reset and Play drive the session', async ({ page }) => {
  await openPlayground(page);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('status')).toHaveText('paused');
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Pause' })).toHaveCount(0);

  const step = page.getByRole('button', { name: 'Step' });
  await expect(step).toBeEnabled();
  const before = await stepCount(page);
  await step.click();
  await expect.poll(() => stepCount(page)).toBeGreaterThan(before);

  await page.getByRole('button', { name: 'Reset' }).click();
  await expect.poll(() => stepCount(page)).toBe(0);

  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(0);
});
