/**
 * The page's sampling from a character model: checks the panel's settings (a message naming the
 * setting and what is allowed when one is off), reads the chosen run's current weights through
 * the experiment's checkpoint API, and draws text with the runner's `--sample` code
 * (src/data/sample-model.ts). Draw n of a run is seeded by the run's seed plus n, so the first
 * draw is the text the runner prints for the same weights. No DOM.
 */
import { sampleModel } from '../data/sample-model';
import type { Experiment } from '../experiments/experiment';

export const SAMPLE_TEMPERATURE = { min: 0.1, max: 2, step: 0.05, initial: 0.8 } as const;
export const SAMPLE_LENGTH = { min: 1, max: 2000, initial: 200 } as const;

export interface SampleRequest {
  runId: string;
  temperature: number;
  length: number;
  /** Draws of this run before this one (0 for the first). */
  draw: number;
}

export type SampleResult = { text: string; step: number; seed: number } | { error: string };

/** Problems with the settings, each naming the setting and what it allows. */
export function sampleSettingErrors(temperature: number, length: number): string[] {
  const errors: string[] = [];
  const t = SAMPLE_TEMPERATURE;
  if (!(temperature >= t.min && temperature <= t.max)) errors.push(`temperature must be a number from ${t.min} to ${t.max}, got ${temperature}`);
  const l = SAMPLE_LENGTH;
  if (!Number.isInteger(length) || length < l.min || length > l.max) errors.push(`length must be a whole number of characters from ${l.min} to ${l.max}, got ${length}`);
  return errors;
}

/** Text from run `runId` as it is now; an error message (never a throw) when it cannot be drawn. */
export async function sampleFromRun(experiment: Experiment, req: SampleRequest): Promise<SampleResult> {
  const errors = sampleSettingErrors(req.temperature, req.length);
  if (errors.length > 0) return { error: errors.join('; ') };
  const vocabulary = experiment.currentTask.vocabulary;
  if (!vocabulary) return { error: `the ${experiment.doc.task.kind} task is not a character model: only charlm experiments sample text` };
  const run = experiment.doc.runs.find((r) => r.id === req.runId);
  if (!run) return { error: `no run with id "${req.runId}"` };
  const checkpoint = await experiment.readCheckpoint(run.id);
  if (!checkpoint) return { error: `run "${run.label}" has no weights to sample from yet` };
  const seed = (run.seed + req.draw) >>> 0;
  try {
    const text = sampleModel(run, vocabulary, checkpoint.params, { length: req.length, temperature: req.temperature, seed });
    return { text, step: checkpoint.step, seed };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
