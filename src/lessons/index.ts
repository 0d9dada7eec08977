/**
 * The lessons, in teaching order: the page's Lessons menu and `#lesson=ID` links read this list.
 */
import { EXPLODING_GRADIENTS, TRUNCATED_BPTT, VANISHING_GRADIENTS } from './gradients';
import type { Lesson } from './lesson';
import { HIDDEN_SIZE_DEPTH, OVERFITTING, PRUNING } from './capacity';
import { NORMALIZATION } from './normalization';
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
  NORMALIZATION,
  PRUNING,
  TRUNCATED_BPTT,
  HIDDEN_SIZE_DEPTH,
];
