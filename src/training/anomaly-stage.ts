/**
 * Anomaly detection as a stage (PyTorch's detect_anomaly as the model): after the update, one
 * small dispatch (shaders/anomaly.wgsl) sets a per-run flag on the GPU at the first step whose
 * loss, gradient norm (global or of one segment: a layer, the head) or updated weights are not
 * finite, with the run's own step. The weights are checked by the update itself as it writes them
 * (the update stage's `nonfinite` words). The flag is a metric column, so it comes back with that
 * step's record as RunStepMetrics.anomaly; the experiment stops the run there.
 * Checking on the GPU catches the one case the host cannot see in the metrics: an update that
 * makes a weight overflow while the loss and gradients that led to it were finite.
 */
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { MetricColumn, RunStepMetrics } from './metrics';
import type { ParamSegment } from './optimizers';
import type { Pass, Phase, Stage, StepInfo } from './stage';
import type { NormsView } from './update-stage';

/** `struct Anomaly` in shaders/anomaly.wgsl. */
export const ANOMALY_RECORD = new RecordLayout(['segments', 'norm_off', 'loss_off', 'runs']);

export interface AnomalyStageSpec {
  label: string;
  runs: number;
  /** The gradient norms of the update stage. */
  norms: NormsView;
  /** The update stage's u32 [R] words, set where the update wrote a non-finite weight; cleared here. */
  nonfinite: GPUBuffer;
  /** The head stage's training loss [R] at float offset `loss`. */
  losses: { buffer: GPUBuffer; loss: number };
  /** The gradient-norm segments, in order (their names name the place of a non-finite gradient). */
  segments: readonly ParamSegment[];
}

/** The name of a `where` code of anomaly.wgsl, or undefined for 0 (nothing found). */
export function anomalyWhere(code: number, segments: readonly { name: string }[]): string | undefined {
  if (code === 0) return undefined;
  if (code === 1) return 'loss';
  if (code === 2) return 'gradient';
  const s = code - 3;
  if (s < segments.length) return `gradient of ${segments[s].name}`;
  if (s === segments.length) return 'update';
  return `unknown place ${code}`;
}

export class AnomalyStage implements Stage {
  readonly name = 'anomaly';
  /** u32 words: flags [R][2] (where, step), the runs' steps [R]. */
  private readonly state: GPUBuffer;
  private readonly steps: Uint32Array<ArrayBuffer>;
  private program!: Program;

  private constructor(
    private readonly engine: Engine,
    private readonly spec: AnomalyStageSpec,
  ) {
    const R = spec.runs;
    this.state = engine.createBuffer(`${spec.label} anomaly flags`, 3 * R * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.steps = new Uint32Array(R);
  }

  static async create(engine: Engine, spec: AnomalyStageSpec): Promise<AnomalyStage> {
    const check = await engine.kernel({ label: 'anomaly check', file: 'anomaly.wgsl', entryPoint: 'anomaly_check' });
    const stage = new AnomalyStage(engine, spec);
    const R = spec.runs;
    const record = ANOMALY_RECORD.pack({ segments: spec.segments.length, norm_off: spec.norms.offset, loss_off: spec.losses.loss, runs: R });
    const builder = new ProgramBuilder(engine, `${spec.label} anomaly`);
    builder.add('check', check, `${spec.label} anomaly check`, record,
      { 2: spec.norms.buffer, 3: spec.losses.buffer, 4: stage.state, 5: spec.nonfinite }, [1, 1, R]);
    stage.program = builder.finish();
    stage.reset();
    return stage;
  }

  /** The runs' own steps, which a flag set at this step records. */
  prepareStep(step: StepInfo): void {
    step.runSteps.forEach((s, r) => (this.steps[r] = s));
    this.engine.device.queue.writeBuffer(this.state, 2 * this.spec.runs * 4, this.steps);
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase === 'metrics' && pass.mode === 'train') this.program.encode(encoder, 'check');
  }

  metricColumns(): readonly MetricColumn[] {
    const segments = this.spec.segments;
    return [{
      name: 'anomaly',
      source: { buffer: this.state, offset: 0 },
      width: 2,
      decode: (v: Float32Array, m: RunStepMetrics) => {
        const words = new Uint32Array(v.buffer, v.byteOffset, 2);
        const where = anomalyWhere(words[0], segments);
        if (where) m.anomaly = { step: words[1], where };
      },
    }];
  }

  reset(): void {
    this.clearRuns([...this.steps.keys()]);
  }

  restartRuns(runs: readonly number[]): void {
    this.clearRuns(runs);
  }

  /** A run given new weights starts with its flag clear (they are checked at its next step). */
  writeCheckpoint(run: number): void {
    this.clearRuns([run]);
  }

  private clearRuns(runs: readonly number[]): void {
    const zero = new Uint32Array(2);
    for (const r of runs) this.engine.device.queue.writeBuffer(this.state, r * 2 * 4, zero);
  }

  destroy(): void {
    this.state.destroy();
    this.program?.destroy();
  }
}
