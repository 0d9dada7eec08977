/**
 * Reduce-on-plateau as a stage (present only in groups where some run uses it, see GroupTricks):
 * one small dispatch in 'metrics', after the training pass and any evaluation pass, that records
 * the rate each run trained at and, at steps that decide, updates the run's plateau state from the
 * watched loss on the GPU (shaders/plateau.wgsl). The optimizer reads that state for the next step,
 * so the trajectory never depends on when metrics are read back: no lag. Its settings are fields
 * of the per-run table; its state lives in the update stage's `plateauState` and in checkpoints.
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { RunTable } from '../engine/run-table';
import type { GroupSpec, RunSpec } from './group-spec';
import type { MetricColumn } from './metrics';
import {
  freshPlateauState, plateauDecides, plateauMonitor, plateauStateKey, plateauStateToArray, plateauThreshold, PLATEAU_STATE_KEY,
} from './plateau';
import { withRunTable, type RunField } from './run-fields';
import type { Pass, Phase, Stage, StepInfo } from './stage';
import type { RunCheckpoint } from './trainer';

/** `struct Plateau` in shaders/plateau.wgsl. */
export const PLATEAU_RECORD = new RecordLayout(['runs', 'loss_off', 'val_off', 'monitor_val']);

/** Flags of `plateau_flags` (shaders/lib/plateau.wgsl). */
const ON = 1;
const MAX = 2;
const ABS = 4;
const DECIDE = 8;
const WG = 64;

export interface PlateauStageSpec {
  label: string;
  spec: GroupSpec;
  table: RunTable<RunField>;
  /** The head stage's losses: training loss [R] at `loss`, evaluation results [R][2] at `evaluation` (floats). */
  head: { buffer: GPUBuffer; loss: number; evaluation: number };
  /** The update stage's plateau state [R][4]. */
  state: Arena;
}

export class PlateauStage implements Stage {
  readonly name = 'plateau';
  /** [R]: the rate each run trained at this step (the record's learningRate). */
  private readonly rates: Arena;
  private program!: Program;
  private runs: readonly RunSpec[] = [];

  private constructor(
    engine: Engine,
    private readonly s: PlateauStageSpec,
  ) {
    this.rates = new Arena(engine, `${s.label} plateau rates`, [{ name: 'rates', shape: [s.spec.runs.length] }]);
  }

  static async create(engine: Engine, s: PlateauStageSpec): Promise<PlateauStage> {
    const kernel = await engine.kernel({ label: 'plateau step', file: 'plateau.wgsl', entryPoint: 'plateau_step', lib: ['run', 'plateau'] });
    const stage = new PlateauStage(engine, s);
    const R = s.spec.runs.length;
    const builder = new ProgramBuilder(engine, `${s.label} plateau`);
    const record = PLATEAU_RECORD.pack({
      runs: R, loss_off: s.head.loss, val_off: s.head.evaluation, monitor_val: plateauMonitor(s.spec) === 'validation' ? 1 : 0,
    });
    const resources = withRunTable(s.table, { 1: s.head.buffer, 2: s.state.buffer, 3: stage.rates.buffer });
    builder.add('step', kernel, `${s.label} plateau step`, record, resources, [Math.ceil(R / WG), 1, 1]);
    stage.program = builder.finish();
    return stage;
  }

  /** Each run's settings into the table; a run whose plateau changes meaning (on, off, mode) starts its state afresh. */
  configure(runs: readonly RunSpec[]): void {
    const before = this.runs;
    this.runs = runs;
    runs.forEach((run, r) => {
      const p = run.plateau;
      const t = this.s.table;
      t.set(r, 'plateau_factor', p?.factor ?? 0);
      t.set(r, 'plateau_threshold', p ? plateauThreshold(p) : 0);
      t.set(r, 'plateau_patience', p?.patience ?? 0);
      t.set(r, 'plateau_cooldown', p?.cooldown ?? 0);
      t.set(r, 'plateau_min_lr', p?.minLr ?? 0);
      if (before.length > 0 && plateauStateKey(before[r].plateau) !== plateauStateKey(p)) this.restartRuns([r]);
    });
  }

  prepareStep(step: StepInfo): void {
    const decide = plateauDecides(this.s.spec, step.step);
    this.runs.forEach((run, r) => {
      const p = run.plateau;
      const flags = p ? ON | (p.mode === 'max' ? MAX : 0) | (p.thresholdMode === 'abs' ? ABS : 0) | (decide ? DECIDE : 0) : 0;
      this.s.table.set(r, 'plateau_flags', flags);
    });
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase === 'metrics' && pass.mode === 'train') this.program.encode(encoder, 'step');
  }

  metricColumns(): readonly MetricColumn[] {
    return [{
      name: 'learning rate',
      source: { buffer: this.rates.buffer, offset: this.rates.view('rates').offset },
      width: 1,
      decode: (v, m) => {
        m.learningRate = v[0];
      },
    }];
  }

  reset(): void {
    this.restartRuns(this.s.spec.runs.map((_, r) => r));
  }

  /** A fresh scheduler for each run given (its mode's worst best, no bad evaluations, scale 1). */
  restartRuns(runs: readonly number[]): void {
    for (const r of runs) this.s.state.write('state', plateauStateToArray(freshPlateauState(this.runs[r]?.plateau?.mode ?? 'min')), 4 * r);
  }

  checkpointProblems(c: RunCheckpoint, at: string): string[] {
    const v = c.extra[PLATEAU_STATE_KEY];
    return v && v.length !== 4 ? [`${at}.extra["${PLATEAU_STATE_KEY}"] must hold 4 numbers (best, bad, cooldown, scale), got ${v.length}`] : [];
  }

  async readCheckpoints(into: RunCheckpoint[]): Promise<void> {
    const all = await this.s.state.read('state');
    into.forEach((c, r) => {
      if (this.runs[r]?.plateau) c.extra[PLATEAU_STATE_KEY] = all.slice(4 * r, 4 * r + 4);
    });
  }

  /** A checkpoint without plateau state gives the run a fresh one. */
  writeCheckpoint(run: number, c: RunCheckpoint): void {
    const v = c.extra[PLATEAU_STATE_KEY];
    if (v) this.s.state.write('state', v, 4 * run);
    else this.restartRuns([run]);
  }

  destroy(): void {
    this.rates.destroy();
    this.program?.destroy();
  }
}
