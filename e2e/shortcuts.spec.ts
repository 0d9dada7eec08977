// Keyboard: "?" opens the shortcut list and Escape closes it; Space plays and pauses; s steps;
// l switches every chart to log y; keys typed into a field do nothing.
import { expect, test } from '@playwright/test';
import { openPlayground, settle, stepCount } from './playground';

test('? opens the shortcut list and Escape closes it', async ({ page }) => {
  await openPlayground(page);
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeHidden();
  await page.keyboard.press('?');
  await expect(dialog).toBeVisible();
  for (const key of ['Space', 'S', 'R', 'L', '?', 'Esc']) await expect(dialog.locator('kbd').getByText(key, { exact: true })).toHaveCount(1);
  await expect(dialog).toContainText('Play or pause');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('Space, s and l work from the page and not while typing', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(3);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(' ');
  await expect(page.getByTestId('status')).toHaveText('paused');
  const settled = await settle(page);

  await page.keyboard.press('s');
  await expect.poll(() => stepCount(page)).toBe(settled + 1);

  const budget = page.getByRole('spinbutton', { name: 'Step budget' });
  await budget.focus();
  await page.keyboard.press('s');
  await page.keyboard.press(' ');
  await page.waitForTimeout(500);
  expect(await stepCount(page)).toBe(settled + 1);
  await expect(page.getByTestId('status')).toHaveText('paused');

  const logLoss = page.getByRole('checkbox', { name: 'Log y axis: Training loss', exact: true });
  await expect(logLoss).not.toBeChecked();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('l');
  await expect(logLoss).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Log y axis: Gradient norm, head', exact: true })).toBeChecked();
  await page.keyboard.press('l');
  await expect(logLoss).not.toBeChecked();

  await page.keyboard.press(' ');
  await expect(page.getByTestId('status')).toHaveText('playing');
});
