// Screenshots of the main views to look at (not a check of pixels): 1280, 1024 and 768 px wide,
// light and dark, with the default 2 runs (task and run panels open) and with 8 runs (the first
// panels open). Runs only with SCREENS_DIR set (`SCREENS_DIR=/some/dir npx playwright test
// e2e/screens.spec.ts`), and is skipped, saying so, otherwise.
import { expect, test, type Page } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { openPlayground, openRunPanel, pointCounts, runIds } from './playground';

const DIR = process.env.SCREENS_DIR;
const WIDTHS = [1280, 1024, 768] as const;
const SCHEMES = ['light', 'dark'] as const;

const EIGHT = {
  version: 1,
  name: 'Optimizers and cells, side by side',
  task: { kind: 'sine' },
  runs: [
    { id: 'adam', label: 'Adam lr 0.01', optimizer: { kind: 'adam', lr: 0.01 } },
    { id: 'sgd', label: 'SGD lr 0.1', optimizer: { kind: 'sgd', lr: 0.1 } },
    { id: 'momentum', label: 'SGD momentum 0.9', optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 } },
    { id: 'adamw', label: 'AdamW, clip 0.2', optimizer: { kind: 'adamw', lr: 0.01 }, clip: { maxNorm: 0.2 } },
    { id: 'gru', label: 'GRU Adam', cell: 'gru' },
    { id: 'gru-sgd', label: 'GRU SGD', cell: 'gru', optimizer: { kind: 'sgd', lr: 0.1 } },
    { id: 'rnn', label: 'RNN tanh', cell: 'rnn_tanh' },
    { id: 'deep', label: 'LSTM 2 layers', numLayers: 2 },
  ],
};

test.skip(!DIR, 'set SCREENS_DIR to write the screenshots');
test.use({ actionTimeout: 30_000 });

async function shoot(page: Page, name: string): Promise<void> {
  // Charts out of view do not draw: make the viewport as tall as the page so every chart draws.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const width = page.viewportSize()!.width;
  await page.setViewportSize({ width, height });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${DIR}/${name}.png`, fullPage: true });
  await page.setViewportSize({ width, height: 900 });
}

for (const scheme of SCHEMES) {
  test(`screens, ${scheme}`, async ({ page }) => {
    test.setTimeout(600_000);
    await mkdir(DIR!, { recursive: true });
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 900 });
    await openPlayground(page);
    await openRunPanel(page, 'Adam lr 0.01');
    await openRunPanel(page, 'SGD lr 0.1');
    await expect.poll(async () => Math.min(...(await pointCounts(page)).flat()), { timeout: 60_000 }).toBeGreaterThan(60);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await shoot(page, `${width}-${scheme}-2-runs`);
    }

    await page.getByRole('button', { name: 'Experiments', exact: true }).click();
    await page.getByLabel('Import an experiment file (JSON)').setInputFiles({ name: 'eight.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(EIGHT)) });
    await expect(page.getByRole('dialog', { name: 'Experiments' }).getByRole('status')).toContainText('opened eight.json');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${DIR}/1280-${scheme}-menu.png` });
    await page.getByRole('button', { name: 'Close the experiments list' }).click();
    await openRunPanel(page, 'Adam lr 0.01');
    await openRunPanel(page, 'AdamW, clip 0.2');
    const ids = await runIds(page);
    await expect.poll(async () => Math.min(...(await pointCounts(page, ids)).flat()), { timeout: 120_000 }).toBeGreaterThan(40);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await shoot(page, `${width}-${scheme}-8-runs`);
    }
  });
}
