/**
 * The small interface a run group presents to the experiment, whatever it runs on: the WebGPU
 * RunGroup (src/training/run-group.ts) and the CPU group in a worker (src/cpu/) both implement it.
 * The experiment steps every group in lockstep, changes per-run settings live, restarts single
 * runs, and moves weights and optimizer state in and out (fork, rebuild, checkpoint, export).
 */
import type { GroupSpec, RunSpec } from './group-spec';
import type { StepRecord } from './metrics';

export type BackendKind = 'webgpu' | 'cpu';

/**
 * One run's whole training state: enough to continue exactly where it was (fork, a rebuilt
 * group, recovery after a lost device, a reload). Float arrays are float32, laid out as the
 * group's model layout says (params in PyTorch order, then the head).
 */
export interface RunCheckpoint {
  /** The run's own step count (1-based steps taken; 0 = freshly initialised). */
  step: number;
  /** [P] parameters. */
  params: Float32Array;
  /**
   * Optimizer state slots, each [P], with the meaning of shaders/optimizer.wgsl's slot0..2 for the
   * run's optimizer kind (sgd: momentum_buffer; rmsprop: square_avg, grad_avg, momentum_buffer;
   * adam, adamw: exp_avg, exp_avg_sq). Fewer than three: the rest are zeros.
   */
  optimizer: Float32Array[];
  /**
   * Other named per-run state a stage keeps (running averages, pruning masks, plateau state),
   * keyed `<stage>.<name>`. The WebGPU group writes `update.optimizerStep` (the optimizer's own
   * step count, [1]; it differs from `step` after a change of optimizer kind) and, with truncated
   * BPTT, `state.h` / `state.c` (the state carried into the next window, [L][B][H]); for a run on
   * a plateau `plateau.state` ([4]: best, bad evaluations, cooldown left, scale) and for a run that
   * prunes `prune.mask` ([Pw] of 0 and 1, its weight matrices in layout order). A group ignores
   * keys it does not know and takes defaults for missing ones (the optimizer step is `step`; the
   * carried state is zero; a fresh plateau; masks of ones).
   */
  extra: Record<string, Float32Array>;
}

/** Called with records in step order; a record holds every run of the group at one group step. */
export type RecordSink = (records: StepRecord[]) => void;

export interface TrainerGroup {
  readonly backend: BackendKind;
  readonly spec: GroupSpec;
  /** Group steps queued so far (the data stream's position). */
  readonly step: number;
  /** Each run's own step count (a restarted run counts from 0 again). */
  readonly runSteps: readonly number[];
  /** Metrics of steps that were lost before they could be read back (should stay 0). */
  readonly lostSteps: number;

  /**
   * Queues one training step of every run. Never waits for the device. Throws if the metrics
   * of earlier steps would be overwritten before delivery: call `settle()` first (back-pressure).
   */
  trainStep(): void;
  /** True when `trainStep()` may be called without losing metrics. */
  canStep(): boolean;
  /** Resolves when every queued step has run and its metrics are delivered. */
  settle(): Promise<void>;

  /**
   * New per-run settings that apply live, from the next step (same runs, same order). A group
   * records a trick's dispatches only when one of its runs used it at build (GroupSpec.tricks);
   * settings that need one it lacks are refused, and the experiment rebuilds the group instead
   * (its key names the tricks in use), carrying every run's checkpoint.
   */
  configureRuns(runs: readonly RunSpec[]): void;
  /** Re-initialises the given runs from their seeds, their step counts back to 0. */
  restartRuns(indices: readonly number[]): void;
  /** Every run back to step 0 and the data stream to its start. */
  reset(): void;
  /**
   * Moves the data stream to group step `step` (a rebuilt group continues the stream where the
   * old one was, instead of seeing its first batches again). Runs' own steps are not changed.
   */
  seek(step: number): void;

  /** Every run's checkpoint (after queued work has run). */
  readCheckpoints(): Promise<RunCheckpoint[]>;
  /** Puts checkpoints into runs: `checkpoints[i]` into run `indices[i]`. Shapes must match. */
  writeCheckpoints(indices: readonly number[], checkpoints: readonly RunCheckpoint[]): void;

  destroy(): void;
}

/** Builds groups of one backend. */
export interface TrainerBackend {
  readonly kind: BackendKind;
  /** Problems that would stop `spec` from being built here (limits, memory), each naming the field; [] if none. */
  validate(spec: GroupSpec): string[] | Promise<string[]>;
  /** Validates `spec` (throws ConfigError naming fields) and builds the group. */
  createGroup(spec: GroupSpec, onRecords: RecordSink): Promise<TrainerGroup>;
  destroy(): void;
}
