// Diagnostics: the gradient-flow view opens from the Diagnostics section, shows heatmaps and the
// latest-step lines with data that change as training goes on, and closes; while it is closed no
// diagnostic step happens (no run records gradThroughTime). Also writes docs/gradient-flow.png.
import { expect, test, type Page } from '@playwright/test';
import { currentDoc, openPlayground, stepCount } from './playground';

/** Diagnostic steps each run's history holds. */
function diagnosedSteps(page: Page): Promise<number[][]> {
  return page.evaluate(() => {
    const e = window.__rnnWorkspace!.experiment!;
    return e.doc.runs.map((r) => (e.history(r.id)?.gradThroughTime() ?? []).map((g) => g.step));
  });
}

type Summary<T> = { runId: string; steps: number[]; latest?: T }[];

/** What an open view holds per run (its test hook), or null when it is not on the page. */
function summaryOf<T>(page: Page, tag: string): Promise<Summary<T> | null> {
  return page.evaluate((tag) => {
    const panel = document.querySelector('rnn-playground')?.shadowRoot?.querySelector('diagnostics-panel');
    const view = panel?.shadowRoot?.querySelector(tag) as unknown as { summary(): Summary<T> } | null;
    return view ? view.summary() : null;
  }, tag);
}

const viewSummary = (page: Page) => summaryOf<number[][]>(page, 'gradient-flow-view');
const fewestSteps = async <T>(page: Page, tag: string) => Math.min(...((await summaryOf<T>(page, tag)) ?? []).map((r) => r.steps.length));

test('the gradient-flow view shows changing data while open and costs no diagnostic step while closed', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(3);

  // Closed from the start: training, and no run has a diagnostic step.
  expect((await diagnosedSteps(page)).flat()).toEqual([]);
  expect(await viewSummary(page)).toBeNull();

  await page.getByLabel('Diagnostics interval (training steps)').fill('2');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  const summary = page.getByText('Gradient flow through time', { exact: true });
  await summary.scrollIntoViewIfNeeded();
  await summary.click();
  await expect(page.getByRole('img', { name: /^Colour legend/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Gradient flow, Adam[^,]*, layer 0:/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Gradient flow, SGD[^,]*, layer 0:/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /latest diagnostic step, layer 0/ })).toBeVisible();

  // Data arrive every 2 steps and change between diagnostic steps.
  await expect.poll(() => fewestSteps(page, 'gradient-flow-view'), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  const first = (await viewSummary(page))!;
  await expect.poll(() => fewestSteps(page, 'gradient-flow-view'), { timeout: 90_000 }).toBeGreaterThanOrEqual(first[0].steps.length + 3);
  const later = (await viewSummary(page))!;
  for (const [r, run] of later.entries()) {
    expect(run.steps.every((s, i) => i === 0 || s - run.steps[i - 1] === 2), `${run.runId}: diagnostic steps every 2 (${run.steps})`).toBe(true);
    const norms = run.latest![0];
    expect(norms.length).toBeGreaterThan(1);
    expect(norms.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(norms, `${run.runId}: the latest norms changed`).not.toEqual(first[r].latest![0]);
  }
  await expect(page.getByRole('img', { name: /^Gradient flow, Adam[^,]*, layer 0: .*training steps \d+ to \d+/ })).toBeVisible();

  // The screenshot for the README: the Diagnostics section with the view open, some history in it.
  await expect.poll(() => fewestSteps(page, 'gradient-flow-view'), { timeout: 90_000 }).toBeGreaterThanOrEqual(40);
  await page.getByRole('heading', { name: 'Diagnostics' }).click();
  await page.locator('diagnostics-panel').scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  const box = (await page.locator('diagnostics-panel details[data-view="gradient-flow"]').boundingBox())!;
  await page.screenshot({ path: 'docs/gradient-flow.png', clip: { x: box.x - 12, y: box.y - 8, width: box.width + 24, height: box.height + 16 } });

  // Close: the view goes, and while training continues no diagnostic step is recorded.
  await summary.click();
  await expect.poll(() => viewSummary(page)).toBeNull();
  // Records of a step already in flight may still come: let them land, then watch 10 more steps.
  const stepAtClose = await stepCount(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(stepAtClose + 4);
  const atClose = await diagnosedSteps(page);
  const watchedFrom = await stepCount(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(watchedFrom + 10);
  expect(await diagnosedSteps(page), 'no diagnostic step while the view is closed').toEqual(atClose);
  expect(errors).toEqual([]);
});

test('gate saturation and spectral norms: shown while their views are open, none computed once both close', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(3);
  await page.getByLabel('Diagnostics interval (training steps)').fill('3');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  const gates = page.getByText('Gate saturation (LSTM, GRU)', { exact: true });
  const spectral = page.getByText('Spectral norm of the recurrent weights', { exact: true });
  await gates.scrollIntoViewIfNeeded();
  await gates.click();
  await spectral.click();
  // The default experiment's runs are LSTMs: input, forget and output gates.
  for (const gate of ['i', 'f', 'o']) await expect(page.getByRole('img', { name: new RegExp(`^Gate saturation, LSTM gate ${gate}, layer 0:`) })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Spectral norm of weight_hh, layer 0/ })).toBeVisible();
  await expect.poll(() => fewestSteps(page, 'gate-saturation-view'), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
  await expect.poll(() => fewestSteps(page, 'spectral-norm-view'), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
  const sat = (await summaryOf<Record<string, { below: number[]; above: number[] }>>(page, 'gate-saturation-view'))!;
  for (const run of sat) {
    expect(run.steps.every((s, i) => i === 0 || s - run.steps[i - 1] === 3), `${run.runId}: every 3 steps (${run.steps})`).toBe(true);
    expect(Object.keys(run.latest!)).toEqual(['i', 'f', 'o']);
    for (const f of Object.values(run.latest!).flatMap((g) => [...g.below, ...g.above])) expect(f >= 0 && f <= 1).toBe(true);
  }
  const norms = (await summaryOf<number[]>(page, 'spectral-norm-view'))!;
  for (const run of norms) for (const n of run.latest!) expect(n).toBeGreaterThan(0);

  // Closing one view keeps the diagnostics for the other.
  await gates.click();
  const before = await fewestSteps(page, 'spectral-norm-view');
  await expect.poll(() => fewestSteps(page, 'spectral-norm-view'), { timeout: 90_000 }).toBeGreaterThan(before);
  // Closing the last one stops them.
  await spectral.click();
  await expect.poll(() => summaryOf(page, 'spectral-norm-view')).toBeNull();
  const stepAtClose = await stepCount(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(stepAtClose + 4);
  const atClose = await diagnosedSteps(page);
  const watchedFrom = await stepCount(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(watchedFrom + 10);
  expect(await diagnosedSteps(page), 'no diagnostic step while every view is closed').toEqual(atClose);
  expect(errors).toEqual([]);
});

test('histograms: a tensor is chosen, a step scrubbed to, both weights and gradients drawn per run', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openPlayground(page);
  await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThan(3);
  // A bad interval is refused by name, with what is allowed; a good one clears the message.
  await page.getByLabel('Diagnostics interval (training steps)').fill('0');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  await expect(page.getByRole('alert')).toHaveText('Diagnostics interval: a whole number of steps from 1 to 1000000, got "0"');
  await page.getByLabel('Diagnostics interval (training steps)').fill('2');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  await expect(page.getByRole('alert')).toHaveCount(0);
  const summary = page.getByText('Weight and gradient histograms', { exact: true });
  await summary.scrollIntoViewIfNeeded();
  await summary.click();
  await expect.poll(() => fewestSteps(page, 'weight-histogram-view'), { timeout: 90_000 }).toBeGreaterThanOrEqual(4);
  const names = (await summaryOf<string[]>(page, 'weight-histogram-view'))![0].latest!;
  expect(names).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'head.weight', 'head.bias']);
  await page.getByLabel('Tensor', { exact: true }).selectOption('weight_hh_l0');
  await expect(page.getByRole('img', { name: /^Histogram of weight_hh_l0 weights at training step \d+, one outline per run/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Histogram of weight_hh_l0 gradients at training step \d+/ })).toBeVisible();
  // Scrub to the first diagnostic step: the charts say which.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const first = (await summaryOf<string[]>(page, 'weight-histogram-view'))![0].steps[0];
  await page.getByRole('slider', { name: 'Training step' }).fill('0');
  await expect(page.getByRole('img', { name: `Histogram of weight_hh_l0 weights at training step ${first}, one outline per run` })).toBeVisible();
  await page.getByRole('heading', { name: 'Diagnostics' }).click();
  await page.locator('diagnostics-panel').screenshot({ path: 'test-results/histograms.png' });
  await summary.click();
  await expect.poll(() => summaryOf(page, 'weight-histogram-view')).toBeNull();
  expect(errors).toEqual([]);
});

test('validation example: the hidden state and the prediction against the target at a step that evaluates', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openPlayground(page);
  await page.getByLabel('Diagnostics interval (training steps)').fill('5');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  const summary = page.getByText('Hidden state and prediction on a validation example', { exact: true });
  await summary.scrollIntoViewIfNeeded();
  await summary.click();
  const doc = await currentDoc(page);
  await expect.poll(() => fewestSteps(page, 'validation-example-view'), { timeout: 150_000 }).toBeGreaterThanOrEqual(1);
  const example = (await summaryOf<number[][]>(page, 'validation-example-view'))!;
  for (const [r, run] of example.entries()) {
    // Steps that both evaluate and compute diagnostics.
    expect(run.steps.every((s) => s % doc.evalEvery === 0 && s % 5 === 0), `${run.runId}: ${run.steps}`).toBe(true);
    expect(run.latest).toHaveLength(doc.runs[r].seqLen);
    for (const h of run.latest!) {
      expect(h).toHaveLength(doc.runs[r].hiddenSize);
      for (const v of h) expect(Math.abs(v)).toBeLessThan(1); // an LSTM's h = o tanh(c)
    }
  }
  for (const label of doc.runs.map((r) => r.label)) {
    await expect(page.getByRole('img', { name: new RegExp(`^Hidden state of ${label}'s top layer over validation example 0 at training step \\d+`) })).toBeVisible();
    await expect(page.getByRole('img', { name: new RegExp(`^Predicted against actual values of ${label} over validation example 0`) })).toBeVisible();
  }
  await page.getByRole('heading', { name: 'Diagnostics' }).click();
  await page.locator('diagnostics-panel details[data-view="example"]').screenshot({ path: 'test-results/example.png' });
  await summary.click();
  await expect.poll(() => summaryOf(page, 'validation-example-view')).toBeNull();
  expect(errors).toEqual([]);
});

test('validation example on a classification task: the confusion matrix over the validation set', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openPlayground(page);
  await page.getByRole('combobox', { name: 'task', exact: true }).selectOption('parity');
  await expect.poll(async () => (await currentDoc(page)).task.kind).toBe('parity');
  await page.evaluate(() => window.__rnnWorkspace!.experiment!.setField('evalEvery', 4));
  await page.getByLabel('Diagnostics interval (training steps)').fill('4');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  const summary = page.getByText('Hidden state and prediction on a validation example', { exact: true });
  await summary.scrollIntoViewIfNeeded();
  await summary.click();
  await expect.poll(() => fewestSteps(page, 'validation-example-view'), { timeout: 150_000 }).toBeGreaterThanOrEqual(1);
  for (const label of (await currentDoc(page)).runs.map((r) => r.label)) {
    await expect(page.getByRole('img', { name: new RegExp(`^Confusion matrix of ${label} over the validation set at training step \\d+: accuracy \\d+\\.\\d%`) })).toBeVisible();
    // No predicted-against-actual chart for a classification task.
    await expect(page.getByRole('img', { name: new RegExp(`^Predicted against actual values of ${label}`) })).toHaveCount(0);
  }
  await page.getByRole('heading', { name: 'Diagnostics' }).click();
  await page.locator('diagnostics-panel details[data-view="example"]').screenshot({ path: 'test-results/confusion.png' });
  expect(errors).toEqual([]);
});

test('on the CPU backend (in its worker) the diagnostics arrive too', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page's Content-Security-Policy allows no inline style: run colours go through the CSSOM.
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await openPlayground(page, '/?backend=cpu');
  await expect(page.getByTestId('run-backend')).toHaveText(['CPU', 'CPU']);
  await page.evaluate(() => window.__rnnWorkspace!.experiment!.setField('evalEvery', 6));
  await page.getByLabel('Diagnostics interval (training steps)').fill('3');
  await page.getByLabel('Diagnostics interval (training steps)').press('Tab');
  for (const title of ['Gradient flow through time', 'Gate saturation (LSTM, GRU)', 'Spectral norm of the recurrent weights',
    'Weight and gradient histograms', 'Hidden state and prediction on a validation example']) {
    await page.getByText(title, { exact: true }).click();
  }
  for (const tag of ['gradient-flow-view', 'gate-saturation-view', 'spectral-norm-view', 'weight-histogram-view', 'validation-example-view']) {
    await expect.poll(() => fewestSteps(page, tag), { timeout: 120_000, message: tag }).toBeGreaterThanOrEqual(1);
  }
  const labels = (await currentDoc(page)).runs.map((r) => r.label);
  await expect(page.getByRole('img', { name: new RegExp(`^Hidden state of ${labels[0]}'s top layer`) })).toBeVisible();
  const dot = await page.evaluate(() => {
    const view = document.querySelector('rnn-playground')?.shadowRoot?.querySelector('diagnostics-panel')?.shadowRoot?.querySelector('spectral-norm-view');
    const el = view?.shadowRoot?.querySelector('.dot');
    return el ? getComputedStyle(el).backgroundColor : null;
  });
  expect(dot, 'a run colour dot has its colour').toMatch(/^rgb\(/);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
});
