/**
 * The lessons, in teaching order: the page's Lessons menu and `#lesson=ID` links read this list.
 * Lesson 7 (normalization.ts) is not listed until the run field `norm` exists on this branch.
 */
import { EXPLODING_GRADIENTS, TRUNCATED_BPTT, VANISHING_GRADIENTS } from './gradients';
import type { Lesson } from './lesson';
import { HIDDEN_SIZE_DEPTH, OVERFITTING, PRUNING } from './capacity';
import { INITIALIZATION, LR_SCHEDULES, OPTIMIZERS } from './training';

export type { Lesson, LessonChart, LessonScale } from './lesson';
export { lessonExperiment, lessonExperimentAtCiScale } from './lesson';

export const LESSONS: readonly Lesson[] = [
  VANISHING_GRADIENTS,
  EXPLODING_GRADIENTS,
  INITIALIZATION,
  OPTIMIZERS,
  LR_SCHEDULES,
  OVERFITTING,
  PRUNING,
  TRUNCATED_BPTT,
  HIDDEN_SIZE_DEPTH,
];
