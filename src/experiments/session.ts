/**
 * The contract between a running experiment and the views: a headless object that owns
 * training state, and the snapshots it publishes. Views subscribe; they never touch the GPU.
 */

/** One run as the views see it. */
export interface RunInfo {
  /** Stable key, e.g. `adam-lr0.01`. */
  id: string;
  /** Human label for legends, e.g. `Adam lr 0.01`. */
  label: string;
  /** CSS colour for this run's lines. */
  color: string;
}

export type { RunStepMetrics, StepRecord } from '../training/metrics';
import type { StepRecord } from '../training/metrics';

export type SessionStatus = 'starting' | 'paused' | 'playing' | 'error';

export interface SessionSnapshot {
  status: SessionStatus;
  /** Training steps completed. */
  step: number;
  /** Steps per second over the last second or so of playing. */
  stepsPerSecond: number;
  /** Shown to the user when status is 'error'. */
  error?: string;
}

/** What the playground page drives. Events come from user input only; the session pushes data. */
export interface TrainingSession {
  readonly runs: readonly RunInfo[];
  readonly layerNames: readonly string[];
  snapshot(): SessionSnapshot;
  play(): void;
  pause(): void;
  /** One training step while paused. */
  step(): Promise<void>;
  /** Back to step 0 with the same seeds (so the same curves come back). */
  reset(): Promise<void>;
  /** Called with new step records as they arrive from the GPU, and with status changes. */
  subscribe(listener: SessionListener): () => void;
  dispose(): void;
}

export interface SessionListener {
  onRecords?(records: readonly StepRecord[]): void;
  onStatus?(snapshot: SessionSnapshot): void;
  /** After reset: views clear their charts. */
  onReset?(): void;
}
