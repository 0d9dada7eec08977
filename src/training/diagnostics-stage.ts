/**
 * The diagnostics beyond the per-timestep gradient norms, as a stage present only in groups built
 * with diagnostics (GroupSpec.diagnosticsEvery > 0), so a group without them records the plain
 * step. At diagnostic steps it encodes, in 'after-update' of the training pass (after the forward
 * saved its gates, before an evaluation pass overwrites them): gate saturation (LSTM, GRU). Its
 * metric columns are copied at those steps only (MetricColumn.diagnosticOnly).
 */
import type { Engine } from '../engine/engine';
import { GateSaturationGpu } from '../model/gate-saturation-gpu';
import type { RnnGpu } from '../model/rnn-gpu';
import type { MetricColumn } from './metrics';
import type { Pass, Phase, Stage, StepInfo } from './stage';

export class DiagnosticsStage implements Stage {
  readonly name = 'diagnostics';

  private constructor(private readonly saturation: GateSaturationGpu | undefined) {}

  static async create(engine: Engine, net: RnnGpu, label: string): Promise<DiagnosticsStage> {
    return new DiagnosticsStage(await GateSaturationGpu.create(engine, net, label));
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass, step: StepInfo): void {
    if (phase !== 'after-update' || pass.mode !== 'train' || !step.diagnostics) return;
    this.saturation?.encode(encoder);
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
    return columns;
  }

  destroy(): void {
    this.saturation?.destroy();
  }
}
