/**
 * What a chart is told about its runs and thresholds (plain data from the page), and which
 * threshold lines it draws: one per visible run that has one, in the run's colour, never at a
 * value the axis cannot show. Pure data, no DOM.
 */

/** One run as a chart shows it. */
export interface ChartRun {
  id: string;
  label: string;
  /** CSS colour of the run's lines. */
  color: string;
  /** Left out of the plot (the legend still lists it). */
  hidden?: boolean;
}

/** A horizontal line for one run, e.g. its clip threshold on the gradient-norm chart. */
export interface ChartThreshold {
  runId: string;
  value: number;
  /** What the line means, for the tooltip-free reader (e.g. "clip at 1"). */
  label?: string;
}

export interface ThresholdLine {
  value: number;
  color: string;
}

export function thresholdLines(runs: readonly ChartRun[], thresholds: readonly ChartThreshold[], logY: boolean): ThresholdLine[] {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const lines: ThresholdLine[] = [];
  for (const t of thresholds) {
    const run = byId.get(t.runId);
    if (!run || run.hidden || !Number.isFinite(t.value) || (logY && t.value <= 0)) continue;
    lines.push({ value: t.value, color: run.color });
  }
  return lines;
}
