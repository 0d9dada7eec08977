/**
 * Per-step metrics of a run group, collected on the GPU and read back without stalling.
 * Each step copies its losses [R] and gradient norms [R][1 + S] into slot (step - 1) % K of a
 * history buffer; every few steps the whole history is copied into a staging ring and mapped
 * in the background, so every step's numbers arrive even though only some steps read back.
 */
import type { Engine } from '../engine/engine';
import { ReadbackRing } from '../engine/readback';

/** Metrics of one run at one training step. */
export interface RunStepMetrics {
  loss: number;
  /** Global L2 norm of all gradients, before clipping. */
  gradNorm: number;
  /** L2 norm of each segment's gradients (recurrent layers bottom first, then the head). */
  layerGradNorms: number[];
  learningRate: number;
  /** The run's own step count at this record (differs from the group step after a restart). */
  runStep?: number;
  /** Whether clipping changed the gradient at this step (norm over maxNorm, or a value clamped). */
  clipped?: boolean;
  /** Validation loss and the task's metric on the validation split, at steps where they were evaluated. */
  valLoss?: number;
  metric?: number;
  /** Fraction of zero weights in the recurrent layers (pruning). */
  sparsity?: number;
  /** Set from the first step at which a loss, gradient or weight was not finite (anomaly detection). */
  anomaly?: { step: number; where: string };
}

/** All runs' metrics at one step (1-based). */
export interface StepRecord {
  step: number;
  runs: RunStepMetrics[];
}

export interface MetricSource {
  buffer: GPUBuffer;
  /** Offset in floats. */
  offset: number;
}

export class MetricsHistory {
  readonly slots: number;
  private readonly slotFloats: number;
  private readonly buffer: GPUBuffer;
  private readonly ring: ReadbackRing;
  /** Learning rates per step, kept until that step's record is delivered. */
  private readonly rates = new Map<number, number[]>();
  private delivered = 0;
  private generation = 0;
  /** Steps whose metrics were overwritten before any readback reached them. */
  lost = 0;

  constructor(
    engine: Engine,
    label: string,
    private readonly runs: number,
    private readonly segments: number,
    private readonly deliver: (records: StepRecord[]) => void,
    slots = 64,
  ) {
    this.slots = slots;
    this.slotFloats = runs * (2 + segments); // losses [R], then norms [R][1 + S]
    this.buffer = engine.createBuffer(`${label} metrics history`, slots * this.slotFloats * 4,
      GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    this.ring = new ReadbackRing(engine, `${label} metrics readback`, slots * this.slotFloats * 4, 3);
  }

  /** Records the copies of step `step`'s losses and norms into its history slot. */
  encodeStep(encoder: GPUCommandEncoder, step: number, losses: MetricSource, norms: MetricSource, rates: number[]): void {
    const base = ((step - 1) % this.slots) * this.slotFloats * 4;
    const R = this.runs;
    encoder.copyBufferToBuffer(losses.buffer, losses.offset * 4, this.buffer, base, R * 4);
    encoder.copyBufferToBuffer(norms.buffer, norms.offset * 4, this.buffer, base + R * 4, R * (1 + this.segments) * 4);
    this.rates.set(step, rates);
  }

  /**
   * Copies the history into a staging slot as of step `step` (the last step encoded).
   * Returns a promise that settles when the records are delivered, or null if every staging
   * slot is busy (the next capture will cover these steps).
   */
  capture(encoder: GPUCommandEncoder, step: number): Promise<void> | null {
    const generation = this.generation;
    const data = this.ring.capture(encoder, this.buffer);
    if (!data) return null;
    return data.then((bytes) => {
      if (generation === this.generation) this.decode(new Float32Array(bytes), step);
    });
  }

  /** Call after the submit that carried a capture. */
  afterSubmit(): void {
    this.ring.afterSubmit();
  }

  /** Forgets everything (a reset); captures already in flight are ignored when they land. */
  clear(): void {
    this.generation++;
    this.delivered = 0;
    this.lost = 0;
    this.rates.clear();
  }

  private decode(history: Float32Array, upTo: number): void {
    if (upTo <= this.delivered) return;
    const first = Math.max(this.delivered + 1, upTo - this.slots + 1);
    this.lost += first - (this.delivered + 1);
    const R = this.runs;
    const S = this.segments;
    const records: StepRecord[] = [];
    for (let step = first; step <= upTo; step++) {
      const base = ((step - 1) % this.slots) * this.slotFloats;
      const rates = this.rates.get(step) ?? [];
      const runs: RunStepMetrics[] = [];
      for (let r = 0; r < R; r++) {
        const norms = base + R + r * (1 + S);
        runs.push({
          loss: history[base + r],
          gradNorm: history[norms],
          layerGradNorms: Array.from(history.subarray(norms + 1, norms + 1 + S)),
          learningRate: rates[r] ?? NaN,
        });
      }
      records.push({ step, runs });
    }
    for (const step of this.rates.keys()) if (step <= upTo) this.rates.delete(step);
    this.delivered = upTo;
    if (records.length > 0) this.deliver(records);
  }

  destroy(): void {
    this.buffer.destroy();
    this.ring.destroy();
  }
}
