/**
 * Chart.js extensions for <metric-chart>: an interaction mode that picks, in every visible
 * dataset, the point nearest the pointer along x (runs are downsampled differently, so "same
 * index" means nothing across runs), and a plugin that draws dashed horizontal threshold lines.
 */
import { Interaction, type Chart, type ChartEvent, type InteractionItem, type InteractionModeFunction, type Plugin } from 'chart.js';
import type { ThresholdLine } from './chart-run';

declare module 'chart.js' {
  interface InteractionModeMap {
    nearestPerDataset: InteractionModeFunction;
  }
}

function nearestPerDataset(chart: Chart, event: ChartEvent): InteractionItem[] {
  const area = chart.chartArea;
  const { x, y } = event;
  if (x === null || y === null || x < area.left || x > area.right || y < area.top || y > area.bottom) return [];
  const items: InteractionItem[] = [];
  chart.data.datasets.forEach((_, datasetIndex) => {
    if (!chart.isDatasetVisible(datasetIndex)) return;
    const points = chart.getDatasetMeta(datasetIndex).data;
    if (points.length === 0) return;
    // Points are sorted by x: binary search for the first at or right of the pointer.
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid].x < x) lo = mid + 1;
      else hi = mid;
    }
    const index = lo > 0 && x - points[lo - 1].x < points[lo].x - x ? lo - 1 : lo;
    items.push({ element: points[index], datasetIndex, index });
  });
  return items;
}

let registered = false;

/** Adds the 'nearestPerDataset' interaction mode to Chart.js (once). */
export function registerNearestPerDataset(): void {
  if (registered) return;
  Interaction.modes.nearestPerDataset = nearestPerDataset;
  registered = true;
}

/** Dashed lines at the values `lines()` gives, clipped to the plot area. */
export function thresholdPlugin(lines: () => readonly ThresholdLine[]): Plugin<'line'> {
  return {
    id: 'thresholdLines',
    afterDatasetsDraw(chart) {
      const scale = chart.scales.y;
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.25;
      for (const line of lines()) {
        const y = scale.getPixelForValue(line.value);
        if (!Number.isFinite(y)) continue;
        ctx.strokeStyle = line.color;
        ctx.beginPath();
        ctx.moveTo(area.left, y);
        ctx.lineTo(area.right, y);
        ctx.stroke();
      }
      ctx.restore();
    },
  };
}
