/**
 * The diagnostics beyond the per-timestep gradient norms, as a stage present only in groups built
 * with diagnostics (GroupSpec.diagnosticsEvery > 0), so a group without them records the plain
 * step. At diagnostic steps it encodes, in 'after-update' of the training pass (after the forward
 * saved its gates, before an evaluation pass overwrites them): gate saturation (LSTM, GRU), the
 * spectral norm of each weight_hh (as updated, and masked when pruning), and histograms of every
 * parameter tensor's weights and gradients; and at diagnostic steps that evaluate, validation
 * example 0 after the first validation batch's head and (classification) the confusion counts. Its metric columns are copied at those steps
 * only (MetricColumn.diagnosticOnly).
 */
import type { Engine } from '../engine/engine';
import { GateSaturationGpu } from '../model/gate-saturation-gpu';
import { HistogramGpu, histogramTensors } from '../model/histogram-gpu';
import type { ModelLayout } from '../model/model-layout';
import type { RnnGpu } from '../model/rnn-gpu';
import { SpectralNormGpu } from '../model/spectral-norm-gpu';
import type { ConfusionGpu } from './confusion-gpu';
import type { ExampleCapture } from './example-capture';
import type { MetricColumn } from './metrics';
import type { Pass, Phase, Stage, StepInfo } from './stage';

export class DiagnosticsStage implements Stage {
  readonly name = 'diagnostics';

  private constructor(
    private readonly saturation: GateSaturationGpu | undefined,
    private readonly spectral: SpectralNormGpu,
    private readonly histograms: HistogramGpu,
    private readonly example: ExampleCapture | undefined,
    private readonly confusion: ConfusionGpu | undefined,
  ) {}

  /**
   * `model` is the whole parameter vector of a run (network and head) in `params` and `grads`;
   * `example`, in groups that evaluate, captures validation example 0, and `confusion` counts the
   * validation set's predictions of a classification task (the stage owns both).
   */
  static async create(
    engine: Engine, net: RnnGpu, label: string, model: { layout: ModelLayout; params: GPUBuffer; grads: GPUBuffer },
    example?: ExampleCapture, confusion?: ConfusionGpu,
  ): Promise<DiagnosticsStage> {
    const made: { destroy(): void }[] = [example, confusion].filter((m) => m !== undefined);
    try {
      const saturation = await GateSaturationGpu.create(engine, net, label);
      if (saturation) made.push(saturation);
      const spectral = await SpectralNormGpu.create(engine, net, label);
      made.push(spectral);
      const histograms = await HistogramGpu.create(engine, {
        label, tensors: histogramTensors(model.layout), runs: net.shape.runs, runStride: model.layout.paramCount, params: model.params, grads: model.grads,
      });
      return new DiagnosticsStage(saturation, spectral, histograms, example, confusion);
    } catch (e) {
      for (const m of made) m.destroy();
      throw e;
    }
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass, step: StepInfo): void {
    // The first validation batch's head has just run (this stage comes after the head stage).
    if (phase === 'head' && pass.mode === 'eval' && step.diagnostics) {
      if (pass.batch === 0) this.example?.encode(encoder);
      this.confusion?.encode(encoder, pass.batch);
    }
    if (phase !== 'after-update' || pass.mode !== 'train' || !step.diagnostics) return;
    this.saturation?.encode(encoder);
    this.spectral.encode(encoder);
    this.histograms.encode(encoder);
  }

  metricColumns(): readonly MetricColumn[] {
    const columns: MetricColumn[] = [];
    const sat = this.saturation;
    if (sat) {
      columns.push({
        name: 'gate saturation', source: sat.view(), width: sat.perRun, diagnosticOnly: true,
        decode: (v, m) => {
          m.gateSaturation = sat.decode(v);
        },
      });
    }
    columns.push({
      name: 'spectral norm', source: this.spectral.view(), width: this.spectral.perRun, diagnosticOnly: true,
      decode: (v, m) => {
        m.spectralNorm = Array.from(v);
      },
    });
    const hist = this.histograms;
    columns.push({
      name: 'histograms', source: hist.view(), width: hist.perRun, diagnosticOnly: true,
      decode: (v, m) => {
        m.histograms = hist.decode(v);
      },
    });
    const example = this.example;
    if (example) {
      columns.push({
        name: 'validation example', source: example.view(), width: example.perRun, diagnosticOnly: true, evalOnly: true,
        decode: (v, m) => example.decode(v, m),
      });
    }
    const confusion = this.confusion;
    if (confusion) {
      columns.push({
        name: 'confusion', source: confusion.view(), width: confusion.perRun, diagnosticOnly: true, evalOnly: true,
        decode: (v, m) => {
          m.confusion = confusion.decode(v);
        },
      });
    }
    return columns;
  }

  /** A run that starts again starts its power iteration again too (its old vector fits old weights). */
  reset(): void {
    this.spectral.restartRuns(Array.from({ length: this.spectral.net.shape.runs }, (_, r) => r));
  }

  restartRuns(runs: readonly number[]): void {
    this.spectral.restartRuns(runs);
  }

  destroy(): void {
    this.saturation?.destroy();
    this.spectral.destroy();
    this.histograms.destroy();
    this.example?.destroy();
    this.confusion?.destroy();
  }
}
