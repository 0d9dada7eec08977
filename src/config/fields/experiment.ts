/**
 * Fields of the experiment as a whole: its name, the step budget and how often the validation
 * split is evaluated. The task's fields come from the task registry (src/data/tasks).
 */
import type { FieldDef } from '../field';

export const EXPERIMENT_FIELDS: readonly FieldDef[] = [
  {
    path: 'name', scope: 'experiment', type: 'string', label: 'name', maxLength: 80, default: 'Untitled experiment',
    apply: 'live', doc: 'What the experiment is called in the saved list and the page title.',
  },
  {
    path: 'budget', scope: 'experiment', type: 'int', label: 'step budget', min: 0, max: 10_000_000, default: 0,
    apply: 'live', flag: 'steps', doc: 'Training steps after which the experiment pauses by itself; 0 for no limit.',
  },
  {
    path: 'evalEvery', scope: 'experiment', type: 'int', label: 'validate every', min: 0, max: 100_000, default: 50,
    apply: 'rebuild', flag: 'eval-every',
    doc: 'Steps between evaluations of the validation split (loss and the task\'s metric, without dropout); 0 never.',
  },
];
