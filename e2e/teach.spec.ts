// Presets, lessons, sampling and the PyTorch export on the page: a preset opens from its menu and
// trains, the one before kept in the saved list; a charlm experiment samples text of the asked
// length; the export downloads the generator's Python file or shows its refusal; every lesson
// opens from the menu and from its link, shows its note, and starts training.
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { currentDoc, openPlayground, stepCount } from './playground';

/** A preset's experiment file as written (Playwright's loader does not import JSON modules). */
async function presetJson(name: string): Promise<{ name: string }> {
  return JSON.parse(await readFile(new URL(`../src/data/presets/${name}.json`, import.meta.url), 'utf8'));
}

/** The items a catalog menu lists: id, title, description. */
async function catalog(page: Page, menu: 'Presets' | 'Lessons'): Promise<{ id: string; title: string; description: string }[]> {
  await page.getByRole('button', { name: menu, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: menu });
  const items = await dialog.locator('li').evaluateAll((lis) => lis.map((li) => ({
    id: li.getAttribute('data-id') ?? '',
    title: li.querySelector('.title')?.textContent ?? '',
    description: li.querySelector('.description')?.textContent ?? '',
  })));
  await dialog.getByRole('button', { name: `Close the ${menu.toLowerCase()} list`, exact: true }).click();
  return items;
}

test.use({ actionTimeout: 30_000 });

async function openFromMenu(page: Page, menu: 'Presets' | 'Lessons', title: string): Promise<void> {
  await page.getByRole('button', { name: menu, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: menu });
  await dialog.getByRole('button', { name: `Open ${title}`, exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });
}

/** The open experiment is `name`, playing, and its step count moves. */
async function trains(page: Page, name: string): Promise<void> {
  await expect.poll(async () => (await currentDoc(page)).name, { timeout: 60_000 }).toBe(name);
  await expect(page.getByTestId('status')).toHaveText('playing');
  await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThan(0);
}

test('a preset opens from the Presets menu and trains; the experiment before stays saved', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  const before = (await currentDoc(page)).name;
  const items = await catalog(page, 'Presets');
  expect(items.map((i) => i.id)).toEqual(['sine', 'adding', 'copy', 'parity', 'reber', 'charlm', 'classify', 'series']);
  for (const item of items) expect(item.description.length, item.id).toBeGreaterThan(20);

  const adding = await presetJson('adding');
  await openFromMenu(page, 'Presets', 'adding');
  await trains(page, adding.name);
  expect((await currentDoc(page)).task).toEqual({ kind: 'adding', seed: 1, length: 50 });
  const saved = await page.evaluate(async () => (await window.__rnnWorkspace!.keeper.savedList()).map((s) => s.name));
  expect(saved).toContain(before);
  expect(saved).toContain(adding.name);

  // The series preset brings its CSV (sunspots) along.
  await openFromMenu(page, 'Presets', 'series');
  await trains(page, (await presetJson('series')).name);
});

test('a charlm experiment samples text of the asked length; other tasks show no sampling panel', async ({ page }) => {
  test.setTimeout(240_000);
  await openPlayground(page);
  await expect(page.getByRole('region', { name: 'Sample text' })).toHaveCount(0);
  await openFromMenu(page, 'Presets', 'charlm');
  await trains(page, (await presetJson('charlm')).name);
  const panel = page.getByRole('region', { name: 'Sample text' });
  await panel.getByRole('slider', { name: 'Sampling temperature' }).fill('1.2');
  const length = panel.getByRole('spinbutton', { name: 'Sample length (characters)' });
  await length.fill('123');
  await length.press('Enter');
  await panel.getByRole('button', { name: 'Sample', exact: true }).click();
  const text = panel.getByTestId('sample-text');
  await expect(text).toBeVisible({ timeout: 60_000 });
  expect(Array.from((await text.textContent()) ?? '')).toHaveLength(123);
  await expect(panel).toContainText('123 characters from "LSTM 96 Adam lr 0.005"');
  await expect(panel).toContainText('temperature 1.20');

  await length.fill('0');
  await length.press('Enter');
  await panel.getByRole('button', { name: 'Sample', exact: true }).click();
  await expect(panel.getByRole('alert')).toHaveText('length must be a whole number of characters from 1 to 2000, got 0');
});

test('Export PyTorch script downloads the generator\'s Python file, tricks included', async ({ page }) => {
  test.setTimeout(180_000);
  await openPlayground(page);
  const doc = await currentDoc(page);
  await page.getByRole('button', { name: 'Experiments', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Experiments' });
  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export PyTorch script', exact: true }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^[a-z0-9-]+-torch\.py$/);
  const script = await readFile(await file.path(), 'utf8');
  expect(script.startsWith(`#!/usr/bin/env python3\n"""${doc.name}: an experiment exported from RNN Playground as a PyTorch script.`)).toBe(true);
  expect(script).toContain('\nimport torch\n');
  await expect(dialog.getByRole('status')).toHaveText(`downloaded ${file.suggestedFilename()}`);

  // Tricks travel too: the script carries the run's settings and builds its layered model.
  const withTricks = {
    ...doc, name: 'with tricks',
    runs: [{ ...doc.runs[0], dropout: 0.2, bidirectional: true, prune: { ...doc.runs[0].prune, kind: 'oneshot' } }, doc.runs[1]],
  };
  await dialog.getByLabel('Import an experiment file (JSON)').setInputFiles({ name: 'd.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(withTricks)) });
  await expect(dialog.getByRole('status')).toHaveText('opened d.json', { timeout: 60_000 });
  expect((await currentDoc(page)).name).toBe('with tricks');
  const tricksDownload = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Export PyTorch script', exact: true }).click();
  const tricksFile = await tricksDownload;
  expect(tricksFile.suggestedFilename()).toBe('with-tricks-torch.py');
  const tricksScript = await readFile(await tricksFile.path(), 'utf8');
  expect(tricksScript).toContain('"bidirectional": True');
  expect(tricksScript).toContain('"dropout": 0.2');
  expect(tricksScript).toContain('class LayeredNet(torch.nn.Module)');
});

// On the CPU backend: SwiftShader takes seconds per step of the larger lessons, and opening the
// next lesson waits for the step in flight. The WebGPU path opens presets in the tests above.
test('every lesson opens from the Lessons menu and from its link, shows its note and trains', async ({ page }) => {
  test.setTimeout(600_000);
  await openPlayground(page, '/?backend=cpu');
  const lessons = await catalog(page, 'Lessons');
  expect(lessons).toHaveLength(10);
  const docs = new Map<string, Awaited<ReturnType<typeof currentDoc>>>();
  for (const lesson of lessons) {
    await openFromMenu(page, 'Lessons', lesson.title);
    const note = page.getByRole('region', { name: 'Lesson' });
    await expect(note).toContainText(lesson.title.replace(/^\d+\. /, ''));
    await expect(note).toContainText(/Look at the chart "[^"]+"\./);
    const doc = await currentDoc(page);
    expect(doc.name).toMatch(/^Lesson: /);
    docs.set(lesson.id, doc);
    await trains(page, doc.name);
  }
  await page.getByRole('button', { name: 'Dismiss the lesson', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Lesson' })).toHaveCount(0);

  for (const lesson of lessons) {
    await page.goto('about:blank');
    await openPlayground(page, `/?backend=cpu#lesson=${lesson.id}`);
    await expect(page.getByRole('region', { name: 'Lesson' })).toContainText(lesson.title.replace(/^\d+\. /, ''));
    expect(await currentDoc(page)).toEqual(docs.get(lesson.id));
    await trains(page, docs.get(lesson.id)!.name);
  }
});

// Lesson 7 (plain, layer norm, batch norm) opens and trains on WebGPU like the others: no backend move, no notice.
test('the normalization lesson opens and trains on WebGPU', async ({ page }) => {
  test.setTimeout(300_000);
  await openPlayground(page, '/#lesson=normalization');
  await expect(page.getByRole('region', { name: 'Lesson' })).toContainText('Layer normalization and batch normalization');
  await expect(page.getByTestId('run-backend')).toHaveText(['GPU', 'GPU', 'GPU']);
  await trains(page, 'Lesson: layer and batch normalization (adding problem, length 20)');
  await expect(page.getByText('trains on the CPU')).toHaveCount(0);
});
