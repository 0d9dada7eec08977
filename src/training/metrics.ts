/**
 * Per-step metrics of a run group, collected on the GPU and read back without stalling.
 * Each step copies every metric column ([R][width] floats some stage keeps: losses, gradient
 * norms, evaluation results) into slot (step - 1) % K of a history buffer; every few steps the
 * whole history is copied into a staging ring and mapped in the background, so every step's
 * numbers arrive even though only some steps read back. Back-pressure: a step that would
 * overwrite a slot no capture has covered yet is refused (`canRecord`), so no step is lost.
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
  /**
   * The rate the optimizer used: the schedule's at the run's step, times the reduce-on-plateau
   * scale (floored at its minLr) for a run with a plateau; in a group with a plateau it is read
   * back from the GPU, as float32.
   */
  learningRate: number;
  /** The run's own step count at this record (differs from the group step after a restart). */
  runStep: number;
  /**
   * Whether clipping changed the gradient at this step: norm clipping scaled it (torch's
   * clip_coef = maxNorm / (norm + 1e-6) < 1), or value clipping clamped some element.
   */
  clipped: boolean;
  /**
   * At steps with an evaluation pass: the mean loss over the task's validation batches, and the
   * task's metric on them (mse: sum of m (y - t)^2 / O over sum of m, m the metric weights;
   * accuracy: sum of m [argmax y = target] over sum of m; bpc: valLoss / ln 2).
   */
  valLoss?: number;
  metric?: number;
  /** In a group where some run prunes: the fraction of zero weights in the recurrent layers' weight matrices. */
  sparsity?: number;
  /**
   * At steps with diagnostics (GroupSpec.diagnosticsEvery): for every direction of every layer
   * (bottom first; a bidirectional layer's forward then reverse direction) and every timestep t of
   * the window, the L2 norm over batch rows and units of dL/dh_t along every path, before
   * clipping: [direction][t].
   */
  gradThroughTime?: number[][];
  /**
   * At steps with diagnostics, LSTM and GRU only (DiagnosticsStage): per sigmoid gate (LSTM i, f,
   * o; GRU r, z), per direction, the fraction of its activations over the training window's
   * timesteps, batch rows and units below 0.05 and above 0.95.
   */
  gateSaturation?: Record<string, { below: number[]; above: number[] }>;
  /** At steps with diagnostics: per direction, the spectral norm (largest singular value) of weight_hh, the whole [G*H, H] matrix. */
  spectralNorm?: number[];
  /**
   * At steps with diagnostics: per parameter tensor (network in PyTorch's order, then head.weight
   * and head.bias), the histograms of its weights (after the update) and of its gradients (before
   * clipping): the largest |value| and 32 counts over [-max, max].
   */
  histograms?: { name: string; weight: { max: number; counts: number[] }; grad: { max: number; counts: number[] } }[];
  /**
   * At steps with both diagnostics and an evaluation pass: validation example 0
   * (row 0 of the first validation batch) through the run: the top layer's output h_t [t][D] (D
   * = H, or 2H when bidirectional), the head's output [t][O], and the example's input [t][I] and
   * target ([t][O] values for regression, [t][1] class indices for classification), and whether
   * each step's target is scored ([t]; the loss weight of the row is not 0): an unscored target is
   * a placeholder, not a value to draw.
   */
  validationExample?: { hidden: number[][]; output: number[][]; input: number[][]; target: number[][]; scored: boolean[] };
  /**
   * At steps with both diagnostics and an evaluation pass, for tasks scored by
   * accuracy with at most 16 classes: counts over the validation set's weighted rows, [actual][predicted].
   */
  confusion?: number[][];
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

/** Per-run floats a stage keeps on the GPU, copied into every step's history slot. */
export interface MetricColumn {
  name: string;
  /** [R][width] floats, run-major and contiguous. */
  source: MetricSource;
  width: number;
  /** Copied only at steps with an evaluation pass. */
  evalOnly?: boolean;
  /** Copied only at steps with diagnostics. */
  diagnosticOnly?: boolean;
  /** Puts one run's `width` floats into its record. */
  decode(values: Float32Array, into: RunStepMetrics): void;
}

/** What the CPU knows of a step when it is encoded, kept until its record is delivered. */
export interface StepNote {
  runSteps: readonly number[];
  learningRates: readonly number[];
  evaluated: boolean;
  /** The step computed diagnostics (absent: no). */
  diagnosed?: boolean;
}

/** Whether a column is copied (and decoded) at a step of this note. */
function copiedAt(c: MetricColumn, note: StepNote | undefined): boolean {
  return (!c.evalOnly || !!note?.evaluated) && (!c.diagnosticOnly || !!note?.diagnosed);
}

export class MetricsHistory {
  readonly slots: number;
  private readonly slotFloats: number;
  /** Float offset of each column inside a slot. */
  private readonly columnAt: number[];
  private readonly buffer: GPUBuffer;
  private readonly ring: ReadbackRing;
  private readonly notes = new Map<number, StepNote>();
  private readonly pending = new Set<Promise<void>>();
  private delivered = 0;
  /** The latest step a capture has been encoded for. */
  private capturedThrough = 0;
  private generation = 0;
  private failure: Error | undefined;
  /** Steps whose metrics were overwritten before any readback reached them (back-pressure keeps it 0). */
  lost = 0;

  constructor(
    private readonly engine: Engine,
    readonly label: string,
    private readonly runs: number,
    private readonly columns: readonly MetricColumn[],
    private readonly deliver: (records: StepRecord[]) => void,
    private readonly every = 4,
    slots = 64,
  ) {
    this.slots = slots;
    let at = 0;
    this.columnAt = columns.map((c) => {
      const start = at;
      at += runs * c.width;
      return start;
    });
    this.slotFloats = at;
    this.buffer = engine.createBuffer(`${label} metrics history`, slots * this.slotFloats * 4,
      GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    this.ring = new ReadbackRing(engine, `${label} metrics readback`, slots * this.slotFloats * 4, 3);
  }

  /** Whether step `step` can be recorded without overwriting metrics no capture has covered. */
  canRecord(step: number): boolean {
    return step - this.capturedThrough <= this.slots && !this.failure;
  }

  /** Records the copies of step `step`'s columns into its history slot, and a capture when due. */
  encodeStep(encoder: GPUCommandEncoder, step: number, note: StepNote): void {
    if (this.failure) throw this.failure;
    if (!this.canRecord(step)) {
      throw new Error(`metrics of "${this.label}" are ${step - 1 - this.capturedThrough} steps behind the readback; call settle() before more steps`);
    }
    const base = ((step - 1) % this.slots) * this.slotFloats * 4;
    const R = this.runs;
    this.columns.forEach((c, k) => {
      if (!copiedAt(c, note)) return;
      encoder.copyBufferToBuffer(c.source.buffer, c.source.offset * 4, this.buffer, base + this.columnAt[k] * 4, R * c.width * 4);
    });
    this.notes.set(step, note);
    if (step % this.every === 0 || step - this.capturedThrough >= this.slots / 2) this.capture(encoder, step);
  }

  /**
   * Copies the history into a staging slot as of step `step` (the last step encoded). False if
   * every staging slot is busy (a later capture will cover these steps).
   */
  private capture(encoder: GPUCommandEncoder, step: number): boolean {
    const generation = this.generation;
    const data = this.ring.capture(encoder, this.buffer);
    if (!data) return false;
    this.capturedThrough = step;
    // A failed readback (or a listener that throws) is kept and rethrown by settle() and the next step.
    const done: Promise<void> = data
      .then((bytes) => {
        if (generation === this.generation) this.decode(new Float32Array(bytes), step);
      })
      .catch((e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
    return true;
  }

  /** Call after the submit that carried the step's copies. */
  afterSubmit(): void {
    this.ring.afterSubmit();
  }

  /** Resolves when the records of every step up to `lastStep` (the last encoded) are delivered. */
  async settle(lastStep: number): Promise<void> {
    while (this.capturedThrough < lastStep) {
      if (this.failure) throw this.failure;
      let issued = false;
      this.engine.submit(`${this.label} metrics flush`, (encoder) => {
        issued = this.capture(encoder, lastStep);
      });
      this.afterSubmit();
      if (!issued) await (this.pending.size > 0 ? Promise.race(this.pending) : this.engine.device.queue.onSubmittedWorkDone());
    }
    await Promise.all(this.pending);
    if (this.failure) throw this.failure;
  }

  /** Forgets everything (a reset); captures already in flight are ignored when they land. */
  clear(): void {
    this.startAt(0);
  }

  /** Forgets everything and expects the next step to be `step + 1` (a group that seeks). */
  startAt(step: number): void {
    this.generation++;
    this.delivered = step;
    this.capturedThrough = step;
    this.lost = 0;
    this.notes.clear();
  }

  private decode(history: Float32Array, upTo: number): void {
    if (upTo <= this.delivered) return;
    const first = Math.max(this.delivered + 1, upTo - this.slots + 1);
    this.lost += first - (this.delivered + 1);
    const records: StepRecord[] = [];
    for (let step = first; step <= upTo; step++) {
      const base = ((step - 1) % this.slots) * this.slotFloats;
      const note = this.notes.get(step);
      const runs: RunStepMetrics[] = [];
      for (let r = 0; r < this.runs; r++) {
        const m: RunStepMetrics = {
          loss: NaN, gradNorm: NaN, layerGradNorms: [], clipped: false,
          learningRate: note?.learningRates[r] ?? NaN, runStep: note?.runSteps[r] ?? NaN,
        };
        this.columns.forEach((c, k) => {
          if (!copiedAt(c, note)) return;
          const at = base + this.columnAt[k] + r * c.width;
          c.decode(history.subarray(at, at + c.width), m);
        });
        runs.push(m);
      }
      records.push({ step, runs });
    }
    for (const step of this.notes.keys()) if (step <= upTo) this.notes.delete(step);
    this.delivered = upTo;
    if (records.length > 0) this.deliver(records);
  }

  destroy(): void {
    this.buffer.destroy();
    this.ring.destroy();
  }
}
