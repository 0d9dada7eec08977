/**
 * The task registry: each kind's option fields (as FieldDefs of the experiment file) and how to
 * build its Task. The experiment file's `task: { kind, ...options }` is read through it.
 */
import type { FieldDef, FieldValue } from '../../config/field';
import { SineTask, SINE_DEFAULTS } from '../sine';
import type { Task } from '../task';

export interface TaskDef {
  kind: string;
  label: string;
  /** One line: what the task is, with its paper where there is one. */
  doc: string;
  fields: readonly FieldDef[];
  create(options: Readonly<Record<string, FieldValue>>): Task;
}

const sineWhen = { path: 'kind', is: ['sine'] } as const;

export const TASKS: Record<string, TaskDef> = {
  sine: {
    kind: 'sine',
    label: 'noisy sine',
    doc: 'Predict the next value of a noisy sine wave of random frequency and phase.',
    fields: [
      {
        path: 'seed', scope: 'task', type: 'int', label: 'data seed', min: 0, max: 0xffffffff, default: SINE_DEFAULTS.seed,
        apply: 'rebuild', when: sineWhen, flag: 'seed', doc: 'Seeds the sequences; every run sees the same data.',
      },
      {
        path: 'noise', scope: 'task', type: 'number', label: 'noise', min: 0, max: 10, default: SINE_DEFAULTS.noise,
        apply: 'rebuild', when: sineWhen, flag: 'noise', doc: 'Standard deviation of the Gaussian noise on every sample.',
      },
    ],
    create: (o) => new SineTask({ seed: o.seed as number, noise: o.noise as number }),
  },
};

export const TASK_KIND_FIELD: FieldDef = {
  path: 'kind', scope: 'task', type: 'enum', label: 'task', choices: Object.keys(TASKS), default: 'sine',
  apply: 'rebuild', flag: 'task', doc: 'What every run learns.',
};
