/**
 * The looping path's recording (DESIGN decision 11, src/model/kernel-path.ts): per layer and
 * direction one forward_loop dispatch walks every timestep of the forward pass, and one
 * backward_loop dispatch walks every backward step and then the dh0/dc0 pass, unless the sequence
 * is longer than one dispatch's FLOP budget (loopingChunk), when each is split into chunks of
 * consecutive processing steps. The records are the per-step path's (stepRecord) plus the chunk.
 */
import type { BindingResource, Kernel } from '../engine/engine';
import type { ProgramBuilder } from '../engine/program';
import { ROWS_PER_THREAD, type StepField } from './cell-kernels';
import { loopingChunk } from './kernel-path';
import type { DirectionPlan } from './plan';
import type { RnnGpu } from './rnn-gpu';

type StepRecordFn = (net: RnnGpu, dir: DirectionPlan, t: number, variational: boolean, extra: Partial<Record<StepField, number>>) => number[];

/** Workgroups of a looping dispatch: one per batch tile and run, each across all H units. */
export function loopingGroups(net: RnnGpu): readonly [number, number, number] {
  return [1, Math.ceil(net.shape.batch / ROWS_PER_THREAD), net.shape.runs];
}

/** [first, steps] of each chunk of `total` processing steps. */
function chunks(net: RnnGpu, total: number): [number, number][] {
  const { runs, batch, hiddenSize } = net.shape;
  const size = loopingChunk(net.engine, { runs, batch, hiddenSize, gates: net.plan.gates });
  const out: [number, number][] = [];
  for (let first = 0; first < total; first += size) out.push([first, Math.min(size, total - first)]);
  return out;
}

export interface LoopingForward {
  kernel: Kernel;
  /** h_{t-1} as W_hh reads it is recurrent dropout's masked copy. */
  masked: boolean;
  /** KEEP bits to copy the state after timestep keepAfter - 1 (0: keep nothing). */
  keep: number;
  keepAfter?: number;
  /** KEEP bits of the state the first chunk zeroes before its first step (0: the state stage wrote it). */
  zero: number;
  label: string;
}

/** Direction `dir`'s forward timesteps, after its input projection, in `list`. */
export function recordForwardLoop(net: RnnGpu, builder: ProgramBuilder, list: string, dir: DirectionPlan, stepRecord: StepRecordFn, f: LoopingForward): void {
  const T = net.shape.seqLen;
  const keep = f.keep !== 0 && f.keepAfter !== undefined && dir.direction === 'forward' ? f.keep : 0;
  for (const [first, steps] of chunks(net, T)) {
    const record = stepRecord(net, dir, 0, f.masked, {
      first, steps, T, reverse: dir.direction === 'reverse' ? 1 : 0, keep, keep_t: keep ? f.keepAfter! - 1 : 0,
      zero_in: first === 0 ? f.zero : 0,
    });
    builder.add(list, f.kernel, `${f.label} steps ${first}-${first + steps - 1}`, record,
      { 1: net.slot.params, 2: net.gx.buffer, 3: net.acts.buffer }, loopingGroups(net));
  }
}

/** Direction `dir`'s backward steps and its dh0/dc0 pass (processing step T) in `list`. */
export function recordBackwardLoop(
  net: RnnGpu, builder: ProgramBuilder, list: string, dir: DirectionPlan, stepRecord: StepRecordFn,
  kernel: Kernel, variational: boolean, resources: Readonly<Record<number, BindingResource>>, label: string,
): void {
  const T = net.shape.seqLen;
  for (const [first, steps] of chunks(net, T + 1)) {
    const record = stepRecord(net, dir, 0, variational, { first, steps, T, reverse: dir.direction === 'reverse' ? 1 : 0 });
    builder.add(list, kernel, `${label} steps ${first}-${first + steps - 1}`, record, resources, loopingGroups(net));
  }
}
