/**
 * Axis ranges and tick values for the charts, chosen here instead of by Chart.js so that no two
 * labels crowd at an axis end ("120 128", "1.00" over "0.70"): ticks sit only on round values
 * inside the range, never on a data bound that is not round. Linear, log and wall-time axes.
 * Pure numbers, no DOM and no Chart.js.
 */

export interface AxisLayout {
  min: number;
  max: number;
  /** Increasing tick values, all within [min, max]. */
  ticks: number[];
  label(value: number): string;
}

export interface AxisOptions {
  /** Widen the range to round values (y axes); otherwise the range is the data's (x axes). */
  extend?: boolean;
  /** Ticks only on whole numbers (training steps). */
  integer?: boolean;
}

const EPS = 1e-9;

/** The smallest 1, 2 or 5 times a power of ten that is at least `rough`. */
export function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const f = rough / power;
  return (f <= 1 + EPS ? 1 : f <= 2 + EPS ? 2 : f <= 5 + EPS ? 5 : 10) * power;
}

function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + EPS));
}

/** Multiples of `step` inside [min, max], rounded to the step's decimals. */
function multiplesInside(min: number, max: number, step: number): number[] {
  const decimals = decimalsOf(step);
  const out: number[] = [];
  const span = max - min;
  for (let k = Math.ceil(min / step - EPS); k * step <= max + span * EPS; k++) out.push(Number((k * step).toFixed(decimals)));
  return out;
}

/** "1e-5", "0.002", "5000", "2e6": for round values on log axes and very large or small ones. */
export function formatRound(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e5) return String(Number(value.toPrecision(6)));
  return value.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
}

function labelForStep(step: number, largest: number): (value: number) => string {
  const decimals = decimalsOf(step);
  if (largest < 1e5 && decimals <= 4) return (v) => v.toFixed(decimals);
  return (v) => {
    if (v === 0) return '0';
    const digits = Math.max(0, Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(step) + EPS));
    return v.toExponential(digits).replace('e+', 'e');
  };
}

function spread(min: number, max: number, integer: boolean): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min < max) return [min, max];
  const pad = integer ? 1 : Math.abs(min) * 0.1 || 1;
  return [min - pad, max + pad];
}

/** A linear axis with at most about `maxTicks` ticks. */
export function linearAxis(dataMin: number, dataMax: number, maxTicks: number, options: AxisOptions = {}): AxisLayout {
  const [lo, hi] = spread(dataMin, dataMax, !!options.integer);
  // The finest round step whose ticks fit: a step a hair over a round one (101 -> 200) would
  // leave a 300-step axis with one label, so try the smaller round step first.
  let step = niceStep((hi - lo) / Math.max(1, maxTicks));
  let min = lo;
  let max = hi;
  let ticks: number[] = [];
  for (;;) {
    if (options.integer) step = Math.max(1, step);
    min = options.extend ? Math.floor(lo / step + EPS) * step : lo;
    max = options.extend ? Math.ceil(hi / step - EPS) * step : hi;
    ticks = multiplesInside(min, max, step);
    if (ticks.length <= Math.max(2, maxTicks)) break;
    step = niceStep(step * (1 + 1e-6));
  }
  return { min, max, ticks, label: labelForStep(step, Math.max(Math.abs(min), Math.abs(max))) };
}

const MANTISSAS = [1, 2, 5];

/** 1-2-5 values times powers of ten inside [min, max]. */
function roundValuesInside(min: number, max: number, mantissas: readonly number[]): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)) - 1; e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - EPS) && v <= max * (1 + EPS)) out.push(v);
    }
  }
  return out;
}

/** A log axis over positive values; falls back to linear ticks over less than a decade. */
export function logAxis(dataMin: number, dataMax: number, maxTicks: number, options: AxisOptions = {}): AxisLayout {
  let min = dataMin > 0 && Number.isFinite(dataMin) ? dataMin : 1;
  let max = dataMax > 0 && Number.isFinite(dataMax) ? dataMax : 10 * min;
  if (max <= min) [min, max] = [min / 2, min * 2];
  if (options.extend) {
    const below = roundValuesInside(min / 10, min, MANTISSAS);
    const above = roundValuesInside(max, max * 10, MANTISSAS);
    min = below[below.length - 1];
    max = above[0];
  }
  const limit = Math.max(2, maxTicks);
  const oneTwoFive = roundValuesInside(min, max, MANTISSAS);
  if (oneTwoFive.length >= 3 && oneTwoFive.length <= limit) return { min, max, ticks: oneTwoFive, label: formatRound };
  const powers = roundValuesInside(min, max, [1]);
  if (powers.length >= 2) {
    const stride = Math.ceil(powers.length / limit);
    return { min, max, ticks: powers.filter((_, i) => i % stride === 0), label: formatRound };
  }
  const linear = linearAxis(min, max, maxTicks);
  return { min, max, ticks: linear.ticks.filter((v) => v > 0), label: linear.label };
}

/** Tick spacings for a wall-time axis, in seconds. */
const TIME_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Seconds as "45 s", "1:30" or "1:02:03", in the unit that fits an axis reaching `largest`. */
export function formatDuration(seconds: number, largest = seconds, step = 1): string {
  if (largest < 60) return `${step < 1 ? seconds.toFixed(decimalsOf(step)) : Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const s = String(total % 60).padStart(2, '0');
  if (largest < 3600) return `${Math.floor(total / 60)}:${s}`;
  const m = String(Math.floor(total / 60) % 60).padStart(2, '0');
  return `${Math.floor(total / 3600)}:${m}:${s}`;
}

/** A linear wall-time axis (seconds) with ticks on round durations. */
export function timeAxis(dataMin: number, dataMax: number, maxTicks: number): AxisLayout {
  const [min, max] = spread(dataMin, dataMax, false);
  const rough = (max - min) / Math.max(1, maxTicks - 1);
  const step = TIME_STEPS.find((s) => s >= rough - EPS) ?? Math.ceil(rough / 86400) * 86400;
  const ticks = step < 1 ? multiplesInside(min, max, step) : multiplesInside(min / step, max / step, 1).map((k) => k * step);
  const largest = Math.max(Math.abs(min), Math.abs(max));
  return { min, max, ticks, label: (v) => formatDuration(v, largest, step) };
}
