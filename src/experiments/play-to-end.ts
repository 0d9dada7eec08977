/**
 * Plays an experiment until it stops by itself (its budget spent, every run diverged, an error)
 * and its loop is idle: how the headless runner and the lessons' trainer drive one.
 */
import type { Experiment } from './experiment';

export async function playToEnd(exp: Experiment): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = exp.subscribe({
      onStatus: (s) => {
        if (s.status !== 'playing') {
          stop();
          resolve();
        }
      },
    });
    exp.play();
  });
  await exp.idle();
}
