/**
 * A stage: one part of a run group's training step (DESIGN decision 10). The run group is a list
 * of stages run in order; every stage takes part in a step through this one interface:
 *   - it records its dispatches when it is built (its own Program), and encodes them phase by
 *     phase in `encode`, with whatever copies it needs;
 *   - `prepareStep` does its CPU work for the coming step: its fields of the per-run table
 *     (run-fields.ts), queue writes of the step's data. Nothing there waits on the GPU;
 *   - `configure`, `reset`, `restartRuns` follow the group's live changes; the checkpoint hooks
 *     move its per-run state (RunCheckpoint.extra, under keys that start with its name);
 *   - `metricColumns` are the per-run floats it adds to each step's record.
 * Today's stages: batch (data in), state (recurrent state in), network, head (+ loss), update, and
 * in groups where a run uses them, dropout, prune and plateau.
 *   dropout   (dropout-stage.ts) sets the per-run table's mask fields in prepareStep (key from the
 *             run's seed and own step) and records the recurrent masks into 'state' of the train
 *             pass only; the network records the masked forward and backward itself, and an eval
 *             pass runs without dropout.
 *   prune     (prune-stage.ts) masks the gradients in 'backward' and the updated weights in
 *             'after-update', selecting new masks there at the steps that change them; its masks
 *             are `extra`; it adds a `sparsity` metric column.
 *   plateau   (plateau-stage.ts) records into 'metrics', after any evaluation pass, a
 *             one-thread-per-run kernel that reads the watched loss on the GPU and keeps the scale
 *             the optimizer applies to the run's rate, so the decision needs no readback.
 *   diagnostics  the network stage encodes its backward variant that leaves the per-timestep
 *             gradient norms on steps where StepInfo.diagnostics is set, and a metric column that
 *             is copied on those steps only (MetricColumn.diagnosticOnly).
 *   norms     layer and batch norm have no stage of their own: they live inside the cell, so the
 *             network records their kernels (src/model/rnn-program.ts); the network stage moves
 *             batch norm's running statistics through restarts and checkpoints as
 *             `extra["norm.running"]`, laid out as the CPU backend's NormNetwork.readRunning writes them.
 */
import type { WindowPlan } from './bptt';
import type { RunCheckpoint } from './trainer';
import type { RunSpec } from './group-spec';
import type { MetricColumn } from './metrics';

/**
 * The phases of a step, in order. A training step runs TRAIN_PHASES once; a step with an
 * evaluation pass then runs EVAL_PHASES once per validation batch (forward only: no backward,
 * no update); 'metrics' closes every step.
 */
export type Phase = 'input' | 'state' | 'forward' | 'head' | 'backward' | 'update' | 'after-update' | 'metrics';

export const TRAIN_PHASES: readonly Phase[] = ['input', 'state', 'forward', 'head', 'backward', 'update', 'after-update'];
export const EVAL_PHASES: readonly Phase[] = ['input', 'state', 'forward', 'head'];

/** Which pass a phase belongs to: the training pass, or the evaluation of validation batch `batch`. */
export type Pass = { mode: 'train' } | { mode: 'eval'; batch: number };

export const TRAIN: Pass = { mode: 'train' };

/** What every stage knows about the step being prepared and encoded. */
export interface StepInfo {
  /** The group step (1-based): the data stream's position. */
  step: number;
  /** Each run's own step (1-based; a restarted run counts from 1 again). */
  runSteps: readonly number[];
  /** Which data the step sees and whether recurrent state is carried in. */
  window: WindowPlan;
  /** Whether the step ends with an evaluation pass. */
  evaluate: boolean;
  /** Whether the step computes the per-timestep gradient norms (GroupSpec.diagnosticsEvery); absent: no. */
  diagnostics?: boolean;
}

export interface Stage {
  /** Short name; it prefixes the stage's keys in RunCheckpoint.extra. */
  readonly name: string;
  /** New per-run settings (already validated by the group), applied from the next step. */
  configure?(runs: readonly RunSpec[]): void;
  /** CPU work for the coming step; runs before anything of the step is encoded. */
  prepareStep?(step: StepInfo): void;
  /** Encodes this stage's part of `phase` in `pass`. */
  encode?(encoder: GPUCommandEncoder, phase: Phase, pass: Pass, step: StepInfo): void;
  /** Per-run floats this stage adds to every step's metrics record. */
  metricColumns?(): readonly MetricColumn[];
  /** Every run back to step 0. */
  reset?(): void;
  /** The given runs back to step 0 (the others keep everything). */
  restartRuns?(runs: readonly number[]): void;
  /** Problems with this stage's part of a checkpoint, each naming `at` and the key; [] if none. */
  checkpointProblems?(checkpoint: RunCheckpoint, at: string): string[];
  /** Fills in this stage's part of every run's checkpoint (after queued work has run). */
  readCheckpoints?(into: RunCheckpoint[]): Promise<void>;
  /** Takes this stage's part of `checkpoint` into run `run` (already checked). */
  writeCheckpoint?(run: number, checkpoint: RunCheckpoint): void;
  destroy(): void;
}
