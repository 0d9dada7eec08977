/**
 * What the lessons' effect tests share: train a lesson at its test scale on the in-process CPU
 * backend and print what each run reached (the README's "what the test saw").
 */
import { nodeSourceCorpus } from '../data/corpus/source-corpus-node';
import { LESSONS, lessonExperimentAtCiScale, type Lesson } from '.';
import { runLesson, type LessonRunResult } from './lesson-run';

export const BASELINE_MSE = 1 / 6;
export const MINUTES = 60_000;

export const lesson = (id: string) => LESSONS.find((l) => l.id === id)!;

export async function train(lesson: Lesson): Promise<Record<string, LessonRunResult>> {
  const results = await runLesson(lessonExperimentAtCiScale(lesson), lesson.ci.steps, { source: nodeSourceCorpus });
  console.log(`${lesson.id} (${lesson.ci.size}):\n${results.map((r) =>
    `  ${r.id}: loss ${r.loss.toPrecision(3)} val ${r.valLoss.toPrecision(3)} best val ${r.bestValLoss.toPrecision(3)}` +
    `${r.divergedAt !== undefined ? ` diverged at ${r.divergedAt}` : ''}${r.sparsity > 0 ? ` sparsity ${r.sparsity.toFixed(3)}` : ''}`).join('\n')}`);
  return Object.fromEntries(results.map((r) => [r.id, r]));
}
