// Helpers for the specs: open the page until the experiment is ready, and read the charts'
// state through their public methods (pointCount, drawnLines, toCsv) inside the shadow roots.
import { expect, type Page } from '@playwright/test';

export const RUNS = ['adam', 'sgd'] as const;
export const CHARTS = ['loss', 'grad-norm', 'learning-rate', 'layer-0', 'layer-1'] as const;
export type ChartId = (typeof CHARTS)[number];

export async function openPlayground(page: Page): Promise<void> {
  await page.goto('/');
  await expect
    .poll(() => page.evaluate(() => window.__rnnPlayground ?? null), { timeout: 90_000 })
    .toMatchObject({ ready: true });
}

export const stepCount = async (page: Page): Promise<number> => Number(await page.getByTestId('step').textContent());

interface ChartLike {
  pointCount(runId: string): number;
  drawnLines(): { runId: string; raw: { x: number; y: number }[]; smoothed: { x: number; y: number }[] | null }[];
  toCsv(): string;
}

/** Raw points kept per run, for each chart, in CHARTS and RUNS order. */
export function pointCounts(page: Page): Promise<number[][]> {
  return page.evaluate(
    ({ charts, runs }) => {
      const root = document.querySelector('rnn-playground')?.shadowRoot;
      return charts.map((id) => {
        const chart = root?.querySelector(`metric-chart#${id}`) as unknown as ChartLike | null;
        return runs.map((run) => chart?.pointCount(run) ?? -1);
      });
    },
    { charts: [...CHARTS], runs: [...RUNS] },
  );
}

/** Scrolls a chart into view: charts out of view do not redraw. */
export async function showChart(page: Page, id: ChartId): Promise<void> {
  await page.locator(`metric-chart#${id}`).scrollIntoViewIfNeeded();
}

/** The lines a chart drew last frame (visible runs only). */
export function drawnLines(page: Page, id: ChartId): Promise<ReturnType<ChartLike['drawnLines']>> {
  return page.evaluate((chartId) => {
    const chart = document.querySelector('rnn-playground')?.shadowRoot?.querySelector(`metric-chart#${chartId}`) as unknown as ChartLike | null;
    return chart ? chart.drawnLines().map((l) => ({ runId: l.runId, raw: l.raw, smoothed: l.smoothed })) : [];
  }, id);
}

/** A chart's CSV export parsed: header and numeric rows. */
export async function chartCsv(page: Page, id: ChartId): Promise<{ header: string[]; rows: number[][] }> {
  const text = await page.evaluate((chartId) => {
    const chart = document.querySelector('rnn-playground')?.shadowRoot?.querySelector(`metric-chart#${chartId}`) as unknown as ChartLike | null;
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

/** Once paused: waits until every step's records have reached every chart; gives the step. */
export async function settle(page: Page): Promise<number> {
  await expect(page.getByTestId('status')).toHaveText('paused');
  await expect
    .poll(async () => {
      const step = await stepCount(page);
      const counts = (await pointCounts(page)).flat();
      return counts.every((c) => c === step) ? step : -1;
    }, { timeout: 30_000 })
    .toBeGreaterThan(0);
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
