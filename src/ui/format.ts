/**
 * Number and duration formats shared by the page's components, chosen so that values keep a
 * steady width while training (fixed significant digits) and say "–" when unknown. Pure text.
 */

/** Four significant digits, exponent form below 1e-3 and from 1e5; "–" when unknown. */
export function formatValue(value: number | undefined): string {
  if (value === undefined) return '–';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(3).replace('e+', 'e');
  return value.toPrecision(4);
}

/** Steps per second with one decimal; "–" when not training. */
export function formatRate(stepsPerSecond: number): string {
  return stepsPerSecond > 0 ? stepsPerSecond.toFixed(1) : '–';
}

/** Milliseconds per step from steps per second; "–" when not training. */
export function formatMsPerStep(stepsPerSecond: number): string {
  if (!(stepsPerSecond > 0)) return '–';
  const ms = 1000 / stepsPerSecond;
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

/** A time left, coarse enough not to flicker: "12 s", "4 min 05 s", "1 h 07 min". */
export function formatRemaining(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}
