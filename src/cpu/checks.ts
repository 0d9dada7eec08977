/**
 * The checks the CPU backend makes before it changes anything, shared by the group and its
 * worker proxy so a bad setting throws on the page, synchronously, with the field's name:
 * the group spec, live run settings, run indices and checkpoint shapes. Also the names the
 * checkpoint's `extra` uses, the same as the GPU run group's stages, so checkpoints move between backends.
 */
import { validateDropout } from '../training/dropout';
import { runTrickErrors, type GroupSpec, type RunSpec } from '../training/group-spec';
import { PLATEAU_STATE_KEY } from '../training/plateau';
import { PRUNE_MASK_KEY } from '../training/prune';
import { NORM_RUNNING_KEY } from './norm-network';
import { validateClip, validateOptimizer } from '../training/optimizers';
import { validateSchedule } from '../training/schedules';
import type { RunCheckpoint } from '../training/trainer';

/** Optimizer slots per run, as in shaders/optimizer.wgsl. */
export const OPTIMIZER_SLOTS = 3;

/**
 * RunCheckpoint.extra keys, as the GPU group's stages name them: the optimizer's own step count
 * (Adam's t; it restarts when a live change gives the state another meaning), truncated BPTT's
 * kept state [L][B][H] (L counting directions; c for lstm only), the plateau state [4] and the
 * pruning masks [Pw], and batch norm's running statistics (norm-network.ts).
 */
export const EXTRA = {
  optimizerStep: 'update.optimizerStep', stateH: 'state.h', stateC: 'state.c', plateau: PLATEAU_STATE_KEY, masks: PRUNE_MASK_KEY,
  normRunning: NORM_RUNNING_KEY,
} as const;

/**
 * Problems with new live settings for a group of `count` runs (configureRuns), each naming its
 * field; `group` says the cell and the tricks the group was built with, as for the GPU group.
 */
export function liveRunErrors(runs: readonly RunSpec[], count: number, group: Pick<GroupSpec, 'cell' | 'tricks' | 'runs'>): string[] {
  const errors: string[] = [];
  if (runs.length !== count) errors.push(`runs must keep the group's ${count} runs, got ${runs.length}`);
  runs.forEach((run, i) => {
    errors.push(...validateOptimizer(run.optimizer, `runs[${i}].optimizer`));
    errors.push(...validateClip(run.clip, `runs[${i}].clip`));
    errors.push(...validateSchedule(run.schedule, `runs[${i}].schedule`));
    errors.push(...validateDropout(run, `runs[${i}]`));
    errors.push(...runTrickErrors(group, run, i));
  });
  return errors;
}

export function checkRunIndex(r: number, count: number): void {
  if (!Number.isInteger(r) || r < 0 || r >= count) throw new Error(`run index must be an integer from 0 to ${count - 1}, got ${r}`);
}

/**
 * Problems with checkpoints for runs of P parameters, kept states of `stateSize` floats, masks
 * of `maskSize` and batch norm statistics of `runningSize` (writeCheckpoints), thrown before anything is written.
 */
export function checkCheckpoints(
  indices: readonly number[], checkpoints: readonly RunCheckpoint[], P: number, count: number, stateSize: number, maskSize: number,
  runningSize = 0,
): void {
  if (indices.length !== checkpoints.length) {
    throw new Error(`writeCheckpoints got ${indices.length} indices but ${checkpoints.length} checkpoints`);
  }
  checkpoints.forEach((cp, i) => {
    checkRunIndex(indices[i], count);
    if (cp.params.length !== P) throw new Error(`checkpoint ${i}: params must hold ${P} numbers, got ${cp.params.length}`);
    if (cp.optimizer.length > OPTIMIZER_SLOTS || cp.optimizer.some((s) => s.length !== P)) {
      throw new Error(`checkpoint ${i}: optimizer must be at most ${OPTIMIZER_SLOTS} slots of ${P} numbers`);
    }
    if (!Number.isInteger(cp.step) || cp.step < 0) throw new Error(`checkpoint ${i}: step must be an integer >= 0, got ${cp.step}`);
    const t = cp.extra[EXTRA.optimizerStep];
    if (t && (t.length !== 1 || !Number.isInteger(t[0]) || t[0] < 0)) {
      throw new Error(`checkpoint ${i}: extra["${EXTRA.optimizerStep}"] must hold one integer >= 0`);
    }
    for (const key of [EXTRA.stateH, EXTRA.stateC]) {
      const v = cp.extra[key];
      if (v && v.length !== stateSize) throw new Error(`checkpoint ${i}: extra["${key}"] must hold ${stateSize} numbers, got ${v.length}`);
    }
    const plateau = cp.extra[EXTRA.plateau];
    if (plateau && plateau.length !== 4) throw new Error(`checkpoint ${i}: extra["${EXTRA.plateau}"] must hold 4 numbers (best, bad, cooldown, scale), got ${plateau.length}`);
    const running = cp.extra[EXTRA.normRunning];
    if (running && running.length !== runningSize) {
      throw new Error(`checkpoint ${i}: extra["${EXTRA.normRunning}"] must hold ${runningSize} numbers, got ${running.length}`);
    }
    const masks = cp.extra[EXTRA.masks];
    if (masks && (masks.length !== maskSize || masks.some((x) => x !== 0 && x !== 1))) {
      throw new Error(`checkpoint ${i}: extra["${EXTRA.masks}"] must hold ${maskSize} numbers, each 0 or 1`);
    }
  });
}
