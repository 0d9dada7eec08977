/**
 * A chart's two axes for what it draws now: the data's extent over the drawn lines (plus any
 * threshold, so a clip line stays in view), then round ranges and ticks from axis-ticks for the
 * view (step or wall time, log or linear) and the canvas size. Computed before Chart.js updates,
 * so it can skip scanning the data for its own limits. Pure numbers, no DOM.
 */
import { formatDuration, linearAxis, logAxis, timeAxis, type AxisLayout } from './axis-ticks';
import type { XAxisKind, XY } from './run-line';

export interface Bounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** The extent of `lines` and `extraY`; log axes ignore values of zero or less. NaN when empty. */
export function boundsOf(lines: readonly (readonly XY[])[], extraY: readonly number[], logX: boolean, logY: boolean): Bounds {
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const line of lines) {
    for (const { x, y } of line) {
      if (!(logX && x <= 0)) {
        if (x < xMin) xMin = x;
        if (x > xMax) xMax = x;
      }
      if (!(logY && y <= 0)) {
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
      }
    }
  }
  for (const y of extraY) {
    if (logY && y <= 0) continue;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  const finite = (v: number) => (Number.isFinite(v) ? v : NaN);
  return { xMin: finite(xMin), xMax: finite(xMax), yMin: finite(yMin), yMax: finite(yMax) };
}

export interface AxisView {
  xAxis: XAxisKind;
  logX: boolean;
  logY: boolean;
}

/** Pixels per x tick and per y tick, so labels never touch. */
const X_TICK_PX = 75;
const Y_TICK_PX = 36;

export function viewAxes(bounds: Bounds, view: AxisView, width: number, height: number): { x: AxisLayout; y: AxisLayout } {
  const xCount = Math.max(2, Math.floor((width - 60) / X_TICK_PX));
  const yCount = Math.max(2, Math.floor((height - 40) / Y_TICK_PX));
  let x: AxisLayout;
  if (view.logX) {
    x = logAxis(bounds.xMin, bounds.xMax, xCount);
    if (view.xAxis === 'time') {
      const largest = x.max;
      x = { ...x, label: (v) => formatDuration(v, largest, v < 1 ? 0.1 : 1) };
    }
  } else {
    x = view.xAxis === 'time' ? timeAxis(bounds.xMin, bounds.xMax, xCount) : linearAxis(bounds.xMin, bounds.xMax, xCount, { integer: true });
  }
  const y = view.logY ? logAxis(bounds.yMin, bounds.yMax, yCount, { extend: true }) : linearAxis(bounds.yMin, bounds.yMax, yCount, { extend: true });
  return { x, y };
}
