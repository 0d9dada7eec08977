/**
 * Checks between the task and each run: a fixed-length task's episode must fit in the run's
 * episode (its window for full BPTT, bptt.episodeLength for truncated), and a task that scores
 * more than the last step of equal-length sequences cannot train with `head: "last"`.
 */
import { TASKS, type TaskKind } from '../../data/tasks';
import type { FieldCheck, FieldIssue } from '../field';

export const TASK_RUN_CHECKS: readonly FieldCheck[] = [
  {
    scope: 'experiment',
    check(exp) {
      const task = exp.task as Record<string, never>;
      const def = TASKS[task.kind as TaskKind];
      if (!def) return [];
      const need = def.episodeLength(task);
      const issues: FieldIssue[] = [];
      (exp.runs as Record<string, any>[]).forEach((run, i) => {
        const at = `runs[${i}]`;
        if (need !== null) {
          if (run.bptt.kind === 'full' && run.seqLen < need) {
            issues.push({
              path: `${at}.seqLen`,
              message: `${at}.seqLen must be at least ${need}, the ${task.kind} task's episode length (or use truncated BPTT with bptt.episodeLength at least ${need}), got ${run.seqLen}`,
            });
          } else if (run.bptt.kind === 'truncated' && run.bptt.episodeLength < need) {
            issues.push({
              path: `${at}.bptt.episodeLength`,
              message: `${at}.bptt.episodeLength must be at least ${need}, the ${task.kind} task's episode length, got ${run.bptt.episodeLength}`,
            });
          }
        }
        if (run.head === 'last' && !def.lastStepHead(task)) {
          issues.push({ path: `${at}.head`, message: `${at}.head must be "every" for the ${task.kind} task: it scores steps before the last` });
        }
      });
      return issues;
    },
  },
];
