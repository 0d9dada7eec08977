// Charts: every chart's lines grow; the legend hides a run on every chart; CSV holds every step;
// PNG has an opaque background; smoothing changes the drawn line; thresholds show in the legend;
// every control has its own accessible name.
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { CHARTS, RUNS, chartCsv, drawnLines, openPlayground, parseCsv, pauseAndSettle, pointCounts, showChart, stepCount } from './playground';

test('every chart gets a growing line per run', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(async () => (await pointCounts(page)).flat().every((c) => c > 0), { timeout: 60_000 }).toBe(true);
  const first = await pointCounts(page);
  await expect
    .poll(async () => (await pointCounts(page)).every((runs, c) => runs.every((n, r) => n > first[c][r])), { timeout: 60_000 })
    .toBe(true);
  for (const id of CHARTS) {
    await showChart(page, id);
    await expect.poll(async () => (await drawnLines(page, id)).map((l) => `${l.runId}:${l.raw.length > 0}`), { message: id })
      .toEqual(RUNS.map((run) => `${run}:true`));
  }
});

test('a legend toggle hides the run on every chart and shows it again', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(async () => (await drawnLines(page, 'loss')).length, { timeout: 60_000 }).toBe(2);
  const toggle = page.getByRole('button', { name: 'Adam lr 0.01 on Training loss', exact: true });
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  for (const id of CHARTS) {
    await showChart(page, id);
    await expect.poll(async () => (await drawnLines(page, id)).map((l) => l.runId), { message: id }).toEqual(['sgd']);
  }
  await expect(page.getByRole('button', { name: 'Adam lr 0.01 on Learning rate', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  for (const id of CHARTS) {
    await showChart(page, id);
    await expect.poll(async () => (await drawnLines(page, id)).map((l) => l.runId), { message: id }).toEqual(['adam', 'sgd']);
  }
});

test('CSV download holds every step; PNG download is an opaque image', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(10);
  const steps = await pauseAndSettle(page);

  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download Training loss as CSV', exact: true }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe('training-loss.csv');
  const { header, rows } = parseCsv(await readFile(await csv.path(), 'utf8'));
  expect(header).toEqual(['step', 'time_s', 'Adam lr 0.01', 'SGD lr 0.1']);
  expect(rows.map((row) => row[0])).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  for (const row of rows) expect(row.slice(1).every(Number.isFinite)).toBe(true);
  const times = rows.map((row) => row[1]);
  expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);

  const lr = await chartCsv(page, 'learning-rate');
  expect(lr.rows.every((row) => row[2] === 0.01 && row[3] === 0.1)).toBe(true);

  const pngDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download Gradient norm (global L2, before clipping) as PNG', exact: true }).click();
  const png = await readFile(await (await pngDownload).path());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const corners = await page.evaluate(async (bytes) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const at = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data);
    return [at(1, 1), at(bitmap.width - 2, bitmap.height - 2)];
  }, [...png]);
  expect(corners).toEqual([[255, 255, 255, 255], [255, 255, 255, 255]]);
});

test('smoothing changes the drawn line and keeps the raw one', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(20);
  await pauseAndSettle(page);
  const slider = page.getByRole('slider', { name: 'Smoothing' });

  await slider.fill('0');
  await expect.poll(async () => (await drawnLines(page, 'loss')).map((l) => l.smoothed)).toEqual([null, null]);
  const raw = (await drawnLines(page, 'loss')).map((l) => l.raw);

  await slider.fill('0.9');
  await expect(page.locator('chart-settings output')).toHaveText('0.90');
  await expect.poll(async () => (await drawnLines(page, 'loss')).every((l) => l.smoothed !== null)).toBe(true);
  const lines = await drawnLines(page, 'loss');
  lines.forEach((line, r) => {
    expect(line.raw).toEqual(raw[r]);
    const smoothed = line.smoothed!;
    expect(smoothed[0].y).toBeCloseTo(line.raw[0].y, 5);
    const moved = smoothed.filter((p, i) => Math.abs(p.y - line.raw[i].y) > 1e-4).length;
    expect(moved, `run ${line.runId}: smoothed points that differ from raw`).toBeGreaterThan(smoothed.length / 2);
  });
});

test('a threshold shows on the gradient-norm chart and in its legend', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  await pauseAndSettle(page);
  const canvas = page.getByRole('img', { name: 'Gradient norm (global L2, before clipping)', exact: true });
  const before = await canvas.screenshot();
  await page.evaluate(() => {
    const charts = document.querySelector('rnn-playground')!.shadowRoot!.querySelector('experiment-charts')!.shadowRoot!;
    const chart = charts.querySelector('metric-chart#grad-norm') as unknown as { thresholds: unknown };
    chart.thresholds = [{ runId: 'adam', value: 2, label: 'clip at 2' }];
  });
  await expect(page.locator('metric-chart#grad-norm').getByText('clip at 2')).toBeVisible();
  await expect.poll(async () => Buffer.compare(before, await canvas.screenshot())).not.toBe(0);
});

test('nothing on the page moves while training', async ({ page }) => {
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(5);
  const boxes = () =>
    page.evaluate(() => {
      const out: string[] = [];
      const visit = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('*')) {
          if (el.shadowRoot) visit(el.shadowRoot);
          if (!el.matches('metric-chart, canvas, button, input, select, table, run-stats, chart-settings, run-panel, task-panel')) continue;
          const r = el.getBoundingClientRect();
          out.push(`${el.tagName.toLowerCase()} ${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
      };
      visit(document);
      return out;
    });
  const before = await boxes();
  const step = await stepCount(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(step + 20);
  expect(await boxes()).toEqual(before);
});

test('every control has its own accessible name', async ({ page }) => {
  await openPlayground(page);
  const names = await page.evaluate(() => {
    const out: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) visit(el.shadowRoot);
        if (!el.matches('button, input, select, textarea')) continue;
        const input = el as HTMLInputElement;
        if (input.type === 'radio') continue; // radios share their group's name by design
        const labelled = el.getAttribute('aria-label') ?? (input.labels?.[0]?.textContent ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
        out.push(labelled);
      }
    };
    visit(document);
    return out;
  });
  expect(names.length).toBeGreaterThan(20);
  expect(names.filter((n) => n === '')).toEqual([]);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
});
