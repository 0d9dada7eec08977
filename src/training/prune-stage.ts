/**
 * Magnitude pruning as a stage (present only in groups where some run prunes, see GroupTricks):
 * the masks live on the GPU; every step the gradients of pruned weights are zeroed at the end of
 * 'backward' and the weights are multiplied by their masks in 'after-update', which also counts
 * each run's zero weights (the `sparsity` metric). At the run steps where a run's masks change
 * (src/training/prune.ts, pruneTarget) a radix select on the GPU picks the k smallest |w| of each
 * matrix first (shaders/prune.wgsl); other steps only multiply. Masks travel in checkpoints.
 */
import { Arena } from '../engine/arena';
import type { Engine, KernelDesc } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { RunTable } from '../engine/run-table';
import type { ModelLayout } from '../model/model-layout';
import type { RunSpec } from './group-spec';
import type { MetricColumn } from './metrics';
import { isPruning, prunedCount, prunedMatrices, pruneTarget, PRUNE_MASK_KEY, type PrunedMatrix } from './prune';
import { withRunTable, type RunField } from './run-fields';
import type { Pass, Phase, Stage, StepInfo } from './stage';
import type { RunCheckpoint } from './trainer';

/** `struct Prune` in shaders/prune.wgsl. */
export const PRUNE_RECORD = new RecordLayout([
  'p_run', 'm_run', 'matrices', 'groups', 'digit', 'table_off', 'select_off', 'hist_off', 'zeros_off',
]);

const WG = 256;
const BINS = 256;
/** Radix passes: four bytes of the |w| bits, then four of the index. */
const DIGITS = 8;
const ON = 1;
const SELECT = 2;

const kernel = (entryPoint: string): KernelDesc => ({ label: `prune ${entryPoint}`, file: 'prune.wgsl', entryPoint, lib: ['run'] });

export interface PruneStageSpec {
  label: string;
  runs: number;
  layout: ModelLayout;
  /** [R][P] params and grads, run stride P. */
  params: GPUBuffer;
  grads: GPUBuffer;
  table: RunTable<RunField>;
}

export class PruneStage implements Stage {
  readonly name = 'prune';
  readonly matrices: readonly PrunedMatrix[];
  /** Floats per run in the masks (Pw). */
  readonly maskSize: number;
  /** [R][Pw] 0 / 1. */
  private readonly masks: Arena;
  /** u32 words: the matrix table [M][4] and each run's selection state [R][M][4]. */
  private readonly control: Arena;
  /** u32 atomics: histograms [R][M][BINS] and zero counts [R]. */
  private readonly counts: Arena;
  private program!: Program;
  private runs: readonly RunSpec[] = [];
  /** Whether the step prepared last changes some run's masks. */
  private selecting = false;

  private constructor(
    engine: Engine,
    readonly spec: PruneStageSpec,
  ) {
    const R = spec.runs;
    this.matrices = prunedMatrices(spec.layout.rnn);
    const M = this.matrices.length;
    this.maskSize = this.matrices.reduce((a, m) => a + m.length, 0);
    this.masks = new Arena(engine, `${spec.label} prune masks`, [{ name: 'masks', shape: [R, this.maskSize] }]);
    this.control = new Arena(engine, `${spec.label} prune control`, [
      { name: 'table', shape: [M, 4] },
      { name: 'select', shape: [R, M, 4] },
    ]);
    this.counts = new Arena(engine, `${spec.label} prune counts`, [
      { name: 'hist', shape: [R, M, BINS] },
      { name: 'zeros', shape: [R] },
    ]);
    this.control.write('table', asFloats(Uint32Array.from(this.matrices.flatMap((m) => [m.offset, m.length, m.maskOffset, 0]))));
  }

  static async create(engine: Engine, spec: PruneStageSpec): Promise<PruneStage> {
    const [grads, apply, histogram, choose, write] = await Promise.all(
      ['mask_grads', 'apply_masks', 'select_histogram', 'select_choose', 'select_write'].map((e) => engine.kernel(kernel(e))),
    );
    const stage = new PruneStage(engine, spec);
    const { runs: R, layout, table } = spec;
    const M = stage.matrices.length;
    const longest = Math.max(...stage.matrices.map((m) => m.length));
    const G = Math.min(WG, Math.max(1, Math.ceil(longest / (WG * 8))));
    const record = (digit: number) => PRUNE_RECORD.pack({
      p_run: layout.paramCount, m_run: stage.maskSize, matrices: M, groups: G, digit,
      table_off: stage.control.view('table').offset, select_off: stage.control.view('select').offset,
      hist_off: stage.counts.view('hist').offset, zeros_off: stage.counts.view('zeros').offset,
    });
    const b = new ProgramBuilder(engine, `${spec.label} prune`);
    const { params } = spec;
    const masks = stage.masks.buffer;
    const control = stage.control.buffer;
    const counts = stage.counts.buffer;
    const label = spec.label;
    b.add('grads', grads, `${label} prune gradients`, record(0), withRunTable(table, { 2: spec.grads, 3: masks, 4: control }), [G, M, R]);
    for (let d = 0; d < DIGITS; d++) {
      b.add('select', histogram, `${label} prune histogram ${d}`, record(d), withRunTable(table, { 1: params, 3: masks, 4: control, 5: counts }), [G, M, R]);
      b.add('select', choose, `${label} prune choose ${d}`, record(d), withRunTable(table, { 4: control, 5: counts }), [1, M, R]);
    }
    b.add('select', write, `${label} prune masks`, record(0), withRunTable(table, { 1: params, 3: masks, 4: control }), [G, M, R]);
    b.add('apply', apply, `${label} prune apply`, record(0), withRunTable(table, { 1: params, 3: masks, 4: control, 5: counts }), [G, M, R]);
    stage.program = b.finish();
    return stage;
  }

  /** A run that stops pruning gets its masks back to all ones (its zeroed weights may grow again). */
  configure(runs: readonly RunSpec[]): void {
    const before = this.runs;
    this.runs = runs;
    if (before.length === 0) return;
    const stopped = runs.flatMap((run, r) => (isPruning(before[r].prune) && !isPruning(run.prune) ? [r] : []));
    this.restartRuns(stopped);
  }

  /** Each run's flags for the step; at a step that changes some run's masks, every run's target counts. */
  prepareStep(step: StepInfo): void {
    const M = this.matrices.length;
    const select = new Uint32Array(this.spec.runs * M * 4);
    this.selecting = false;
    this.runs.forEach((run, r) => {
      const on = isPruning(run.prune);
      const target = on ? pruneTarget(run.prune, step.runSteps[r]) : null;
      if (target !== null) {
        this.selecting = true;
        this.matrices.forEach((m, k) => {
          const at = 4 * (r * M + k);
          select[at + 2] = select[at + 3] = prunedCount(target, m.length);
        });
      }
      this.spec.table.set(r, 'prune_flags', (on ? ON : 0) | (target !== null ? SELECT : 0));
    });
    if (this.selecting) this.control.write('select', asFloats(select));
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (pass.mode !== 'train') return;
    if (phase === 'backward') this.program.encode(encoder, 'grads');
    if (phase !== 'after-update') return;
    if (this.selecting) this.program.encode(encoder, 'select');
    const zeros = this.counts.view('zeros');
    encoder.clearBuffer(this.counts.buffer, zeros.offset * 4, zeros.length * 4);
    this.program.encode(encoder, 'apply');
  }

  metricColumns(): readonly MetricColumn[] {
    const total = this.maskSize;
    return [{
      name: 'sparsity',
      source: { buffer: this.counts.buffer, offset: this.counts.view('zeros').offset },
      width: 1,
      decode: (v, m) => {
        m.sparsity = new Uint32Array(v.buffer, v.byteOffset, 1)[0] / total;
      },
    }];
  }

  reset(): void {
    this.restartRuns(Array.from({ length: this.spec.runs }, (_, r) => r));
  }

  restartRuns(runs: readonly number[]): void {
    const ones = new Float32Array(this.maskSize).fill(1);
    for (const r of runs) this.masks.write('masks', ones, r * this.maskSize);
  }

  checkpointProblems(c: RunCheckpoint, at: string): string[] {
    const v = c.extra[PRUNE_MASK_KEY];
    if (!v) return [];
    if (v.length !== this.maskSize) return [`${at}.extra["${PRUNE_MASK_KEY}"] must hold ${this.maskSize} numbers, got ${v.length}`];
    return v.some((x) => x !== 0 && x !== 1) ? [`${at}.extra["${PRUNE_MASK_KEY}"] must hold only 0 and 1`] : [];
  }

  async readCheckpoints(into: RunCheckpoint[]): Promise<void> {
    const all = await this.masks.read('masks');
    into.forEach((c, r) => {
      if (isPruning(this.runs[r]?.prune)) c.extra[PRUNE_MASK_KEY] = all.slice(r * this.maskSize, (r + 1) * this.maskSize);
    });
  }

  /** A checkpoint without masks gives the run all ones. */
  writeCheckpoint(run: number, c: RunCheckpoint): void {
    const v = c.extra[PRUNE_MASK_KEY];
    if (v) this.masks.write('masks', v, run * this.maskSize);
    else this.restartRuns([run]);
  }

  /** Every run's masks [R][Pw], for tests and tools. */
  readMasks(): Promise<Float32Array> {
    return this.masks.read('masks');
  }

  destroy(): void {
    this.masks.destroy();
    this.control.destroy();
    this.counts.destroy();
    this.program?.destroy();
  }
}

/** The same bytes as float32s, for Arena.write (u32 words travel bit for bit). */
function asFloats(words: Uint32Array): Float32Array {
  return new Float32Array(words.buffer, words.byteOffset, words.length);
}
