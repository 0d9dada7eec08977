// Helpers for the specs: open the page until the experiment is ready, read the open experiment's
// document and the charts' state through their public methods (pointCount, drawnLines, toCsv)
// inside the shadow roots, and wait until every record has reached every chart.
import { expect, type Page } from '@playwright/test';

export const RUNS = ['adam', 'sgd'] as const;
/** Charts with a point at every step of every run (the validation charts have one per evaluation). */
export const CHARTS = ['loss', 'grad-norm', 'clipped', 'learning-rate', 'layer-0', 'head'] as const;
export type ChartId = (typeof CHARTS)[number] | 'val-loss' | 'metric';

export async function openPlayground(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect
    .poll(() => page.evaluate(() => window.__rnnPlayground ?? null), { timeout: 90_000 })
    .toMatchObject({ ready: true });
}

export const stepCount = async (page: Page): Promise<number> => Number(await page.getByTestId('step').textContent());

/** The open experiment's document, as JSON. */
export function currentDoc(page: Page): Promise<{ name: string; budget: number; evalEvery: number; task: Record<string, unknown>; runs: Record<string, any>[] }> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__rnnWorkspace!.experiment!.doc)));
}

/** Run ids of the open experiment, in order. */
export async function runIds(page: Page): Promise<string[]> {
  return (await currentDoc(page)).runs.map((r) => r.id as string);
}

/** Records each run's history holds (what every every-step chart should show). */
export function historyLengths(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const e = window.__rnnWorkspace!.experiment!;
    return e.doc.runs.map((r) => e.history(r.id)?.length ?? 0);
  });
}

interface ChartLike {
  pointCount(runId: string): number;
  drawnLines(): { runId: string; raw: { x: number; y: number }[]; smoothed: { x: number; y: number }[] | null }[];
  toCsv(): string;
}

/** Raw points kept per run, for each chart, in `charts` and `runs` order (-1: no such chart). */
export function pointCounts(page: Page, runs: readonly string[] = RUNS, charts: readonly string[] = CHARTS): Promise<number[][]> {
  return page.evaluate(
    ({ charts, runs }) => {
      const root = document.querySelector('rnn-playground')?.shadowRoot?.querySelector('experiment-charts')?.shadowRoot;
      return charts.map((id) => {
        const chart = root?.querySelector(`metric-chart#${id}`) as unknown as ChartLike | null;
        return runs.map((run) => chart?.pointCount(run) ?? -1);
      });
    },
    { charts: [...charts], runs: [...runs] },
  );
}

/** Scrolls a chart into view: charts out of view do not redraw. */
export async function showChart(page: Page, id: ChartId): Promise<void> {
  await page.locator(`metric-chart#${id}`).scrollIntoViewIfNeeded();
}

/** The lines a chart drew last frame (visible runs only). */
export function drawnLines(page: Page, id: ChartId): Promise<ReturnType<ChartLike['drawnLines']>> {
  return page.evaluate((chartId) => {
    const root = document.querySelector('rnn-playground')?.shadowRoot?.querySelector('experiment-charts')?.shadowRoot;
    const chart = root?.querySelector(`metric-chart#${chartId}`) as unknown as ChartLike | null;
    return chart ? chart.drawnLines().map((l) => ({ runId: l.runId, raw: l.raw, smoothed: l.smoothed })) : [];
  }, id);
}

/** A chart's CSV export parsed: header and numeric rows. */
export async function chartCsv(page: Page, id: ChartId): Promise<{ header: string[]; rows: number[][] }> {
  const text = await page.evaluate((chartId) => {
    const root = document.querySelector('rnn-playground')?.shadowRoot?.querySelector('experiment-charts')?.shadowRoot;
    const chart = root?.querySelector(`metric-chart#${chartId}`) as unknown as ChartLike | null;
    return chart?.toCsv() ?? '';
  }, id);
  return parseCsv(text);
}

export function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const [header, ...rows] = text.trim().split('\n');
  return { header: header.split(','), rows: rows.map((row) => row.split(',').map(Number)) };
}

/** Pauses and waits until every step's records have reached every chart. */
export async function pauseAndSettle(page: Page): Promise<number> {
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  return settle(page);
}

/** Once paused: waits until every run's records have reached every every-step chart; gives the step. */
export async function settle(page: Page): Promise<number> {
  await expect(page.getByTestId('status')).toHaveText('paused');
  const ids = await runIds(page);
  await expect
    .poll(async () => {
      const lengths = await historyLengths(page);
      const counts = await pointCounts(page, ids);
      return counts.every((perRun) => perRun.every((c, r) => c === lengths[r])) && lengths.every((n) => n > 0);
    }, { timeout: 30_000 })
    .toBe(true);
  return stepCount(page);
}

/** The accessible name of the element that has focus, looking through shadow roots. */
export function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}` : '';
  });
}

/** A run's panel, by the run's label exactly. */
export function runPanel(page: Page, label: string) {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('run-panel').filter({ has: page.locator('summary .name', { hasText: exact }) });
}

/** Opens a run's panel by its label (its <summary>). */
export async function openRunPanel(page: Page, label: string): Promise<void> {
  const panel = runPanel(page, label);
  if ((await panel.locator('details').first().getAttribute('open')) === null) await panel.locator('summary').first().click();
}
