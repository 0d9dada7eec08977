/**
 * What a lesson is: a preset experiment that sets up one comparison, with a short paragraph
 * that says what to compare, what the learner should see and on which chart, and the paper it
 * comes from. Pure data, checked by the same parser as any experiment file. `ci` is the
 * scaled-down variant the lesson's test trains (src/lessons/lessons.test.ts): fewer steps or
 * smaller sizes, stated here so the README can say what the test saw and at which size.
 */
import type { ExperimentDoc } from '../config/experiment';
import { readExperiment } from '../config/parse';

/** Chart ids of src/ui/playground-charts.ts a lesson can point at. */
export type LessonChart = 'loss' | 'val-loss' | 'metric' | 'grad-norm' | 'clipped' | 'learning-rate' | 'layer-0' | 'head';

export interface Lesson {
  /** The link's `#lesson=ID`. */
  id: string;
  title: string;
  /** What to compare and what the learner should see (plain text). */
  text: string;
  /** The chart that shows the effect. */
  chart: LessonChart;
  /** Its words on the page, as the chart's title reads. */
  chartName: string;
  /** The paper, with authors and year. */
  paper: string;
  /** The experiment document as written (defaults left out). */
  json: Readonly<Record<string, unknown>>;
  /** The test's scale: its step count, and settings laid over every run and the task. */
  ci: LessonScale;
}

export interface LessonScale {
  steps: number;
  run?: Readonly<Record<string, unknown>>;
  task?: Readonly<Record<string, unknown>>;
  /** One line for the README: the size the test trains, in words. */
  size: string;
}

/** The lesson's experiment, every default filled in; throws ExperimentError naming the field. */
export function lessonExperiment(lesson: Lesson): ExperimentDoc {
  return readExperiment(structuredClone(lesson.json), `lesson ${lesson.id}`);
}

/** The lesson's experiment at its test's scale (budget `ci.steps`, the overrides laid over each run and the task). */
export function lessonExperimentAtCiScale(lesson: Lesson): ExperimentDoc {
  const json = structuredClone(lesson.json) as { task: Record<string, unknown>; runs: Record<string, unknown>[]; budget?: number };
  json.budget = lesson.ci.steps;
  json.task = { ...json.task, ...lesson.ci.task };
  json.runs = json.runs.map((r) => overlay(r, lesson.ci.run ?? {}));
  return readExperiment(json, `lesson ${lesson.id} (test scale)`);
}

/**
 * `over` laid on `base`: nested objects merge into the ones `base` has (a run's `prune.end`
 * without losing its `kind`) and are skipped where it has none (the dense run of a pruning lesson).
 */
function overlay(base: Record<string, unknown>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if (b && typeof b === 'object') out[k] = overlay(b as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}
