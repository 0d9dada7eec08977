/**
 * The dropout stage (stage.ts): each run's rates, turned every step into the per-run table's
 * dropout fields (src/training/dropout.ts: the mask key from the run's seed and own step, the
 * threshold and the scale), and, when the group records recurrent dropout, the dispatch that draws
 * every direction's variational mask before the forward pass (shaders/recurrent_mask.wgsl). The
 * masks between layers and on the head's input are drawn inside the network's layer-output
 * kernels (src/model/rnn-gpu.ts). Evaluation passes record nothing here and run without dropout.
 * A group builds this stage only when some run uses dropout: without it nothing is recorded.
 */
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { RunTable } from '../engine/run-table';
import type { RnnGpu } from '../model/rnn-gpu';
import { dropoutDraw, dropoutKey, RECURRENT_SITE, validateDropout } from './dropout';
import type { RunSpec } from './group-spec';
import { withRunTable, type RunField } from './run-fields';
import type { Pass, Phase, Stage, StepInfo } from './stage';

/** `struct RecurrentMask` in shaders/recurrent_mask.wgsl. */
export const RECURRENT_MASK_RECORD = new RecordLayout(['units', 'slots', 'layers', 'dirs_per_layer', 'site', 'h_off', 'hm_off', 'vm_off']);

export class DropoutStage implements Stage {
  readonly name = 'dropout';
  private runs: readonly RunSpec[] = [];
  private program?: Program;

  private constructor(private readonly table: RunTable<RunField>) {}

  static async create(engine: Engine, net: RnnGpu, table: RunTable<RunField>, label: string): Promise<DropoutStage> {
    const stage = new DropoutStage(table);
    if (!net.shape.recurrentDropout) return stage;
    const { runs: R, seqLen: T, batch: B, hiddenSize: H } = net.shape;
    const L = net.plan.directions.length;
    const kernel = await engine.kernel({ label: 'recurrent dropout mask', file: 'recurrent_mask.wgsl', entryPoint: 'recurrent_mask', lib: ['rng', 'dropout', 'run'] });
    const builder = new ProgramBuilder(engine, `${label} dropout`);
    builder.add('masks', kernel, 'recurrent dropout masks', RECURRENT_MASK_RECORD.pack({
      units: B * H, slots: T + 1, layers: L, dirs_per_layer: net.plan.directionsPerLayer, site: RECURRENT_SITE,
      h_off: net.acts.view('h').offset, hm_off: net.acts.view('hm').offset, vm_off: net.acts.view('vmask').offset,
    }), withRunTable(table, { 1: net.acts.buffer }), [Math.ceil((B * H) / 64), L, R]);
    stage.program = builder.finish();
    return stage;
  }

  configure(runs: readonly RunSpec[]): void {
    const errors = runs.flatMap((r, i) => validateDropout(r, `runs[${i}]`));
    if (errors.length > 0) throw new Error(`dropout stage: ${errors.join('; ')}`);
    this.runs = runs;
  }

  /** The step's masks of every run: its key (seed, own step), and per kind the threshold and scale. */
  prepareStep(step: StepInfo): void {
    this.runs.forEach((run, r) => {
      const key = dropoutKey(run.seed, step.runSteps[r]);
      const out = dropoutDraw(key, run.dropout ?? 0);
      const rec = dropoutDraw(key, run.recurrentDropout ?? 0);
      this.table.set(r, 'dropout_key', key);
      this.table.set(r, 'dropout_threshold', out.threshold);
      this.table.set(r, 'dropout_scale', out.scale);
      this.table.set(r, 'recurrent_threshold', rec.threshold);
      this.table.set(r, 'recurrent_scale', rec.scale);
    });
  }

  /** After the state stage restored the initial states: the training pass's recurrent masks. */
  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase === 'state' && pass.mode === 'train') this.program?.encode(encoder, 'masks');
  }

  destroy(): void {
    this.program?.destroy();
  }
}
