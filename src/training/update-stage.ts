/**
 * The parameter-update stage of a training step for R runs side by side: partial gradient norms
 * (shaders/norms.wgsl), then one dispatch (shaders/optimizer.wgsl) that finishes the norms and the
 * `clipped` flag, clips, applies the optimizer rule and notes any non-finite weight it wrote. Each
 * run's optimizer, learning rate (its schedule at the run's own step) and clipping are fields of the
 * per-run table, so every mix of optimizers is the same two dispatches. It owns the optimizer state, each run's optimizer step count and the
 * reduce-on-plateau state the update reads its rate scale from (the plateau stage keeps it; for a
 * run off the plateau it is never read); it does not own params or grads. The norm pass also makes
 * the reductions that split-K weight-gradient GEMMs left undone (UpdateStageSpec.deferred): it adds
 * their partials up in split order, writes the sums into grads and takes their norms on the way.
 */
import { Arena } from '../engine/arena';
import type { DeferredSum } from '../engine/gemm-record';
import type { Engine, KernelDesc } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { RunTable } from '../engine/run-table';
import {
  OPTIMIZER_KINDS,
  adamBiasCorrection,
  optimizerStateKey,
  resolveOptimizer,
  validateClip,
  validateOptimizer,
  type ParamSegment,
  type ResolvedOptimizer,
} from './optimizers';
import type { RunSpec } from './group-spec';
import type { MetricColumn } from './metrics';
import { withRunTable, type RunField } from './run-fields';
import { learningRate } from './schedules';
import type { RunCheckpoint } from './trainer';
import type { Pass, Phase, Stage, StepInfo } from './stage';

export interface UpdateStageSpec {
  label: string;
  runs: number;
  /** P: floats per run in params and grads. */
  paramCount: number;
  /** [R][P] f32, run stride P, starting at byte 0. */
  params: GPUBuffer;
  /**
   * [R][P] f32, same layout; read (clipping happens in registers), except that the norm pass writes
   * the deferred blocks' sums into it.
   */
  grads: GPUBuffer;
  /** Ranges partitioning [0, P) in order, each with its own gradient norm. */
  segments: readonly ParamSegment[];
  /** The group's per-run table; this stage owns the optimizer and clipping fields. */
  table: RunTable<RunField>;
  /**
   * Blocks of grads that split-K GEMMs left as partials (src/engine/gemm-defer.ts), one entry per
   * owner of a partials buffer (the network, the head; at most MAX_DEFERRED_SOURCES): the norm pass
   * adds them up, writes them to grads and takes their norms on the way.
   */
  deferred?: readonly DeferredSource[];
}

/** One partials buffer and the blocks of grads left in it. */
export interface DeferredSource {
  partials: GPUBuffer;
  sums: readonly DeferredSum[];
}

/** Partials buffers the norm pass binds (deferred0, deferred1 in shaders/norms.wgsl). */
export const MAX_DEFERRED_SOURCES = 2;

/** What the stage takes from a run's settings. */
export type RunUpdateConfig = Pick<RunSpec, 'optimizer' | 'clip' | 'schedule'>;

/** Where the norms live: run r's global norm at offset + r * stride, then its S segment norms, then clipped. */
export interface NormsView {
  buffer: GPUBuffer;
  /** In floats. */
  offset: number;
  /** 2 + S. */
  stride: number;
}

/** Bounded by the segment table in the NormPass uniform of norms.wgsl. */
export const MAX_SEGMENTS = 28;
/**
 * Partial sums per run (S x G) that every clipping thread of the update adds up itself: few enough
 * that this costs less than the dispatch it replaces; G shrinks (each partials thread walks more)
 * rather than this grow.
 */
export const MAX_PARTIALS = 64;
const WG = 256;
/** Threads per norm_partials workgroup (WG in shaders/norms.wgsl). */
const NORM_WG = 64;
/**
 * Floats each norm_partials thread walks at least: few workgroups suit a software adapter, where
 * each costs a barrier's switch through its threads, and a GPU still runs them in microseconds.
 */
const NORM_FLOATS_PER_THREAD = 32;
const FLAG_NESTEROV = 1;
const FLAG_CENTERED = 2;
const FLAG_FIRST_STEP = 4;
const SLOTS = [0, 1, 2] as const;
/** RunCheckpoint.extra key of the optimizer's own step count (it differs from the run's after a change of kind). */
export const OPTIMIZER_STEP_KEY = 'update.optimizerStep';

/** `struct NormPass` in shaders/norms.wgsl. */
export const NORM_RECORD = new RecordLayout([
  'p_run', 'segments', 'groups', 'part_off', 'max_off', 'norm_off', 'ranges', '_pad1',
  { name: 'seg', type: 'u32', count: 2 * MAX_SEGMENTS },
]);

/** `struct DeferredRange` in shaders/norms.wgsl: a DeferredSum less its run stride (which is P), and which buffer holds it. */
export const DEFERRED_RANGE_RECORD = new RecordLayout(['source', 'start', 'length', 'off', 'run', 'split', 'splits', 'nc', 'width', 'column']);

/** `struct Update` in shaders/optimizer.wgsl. */
export const UPDATE_RECORD = new RecordLayout([
  'p_run', 'norm_stride', 'slot0', 'slot1', 'slot2', 'segments', 'groups', 'part_off', 'max_off', 'norm_off',
]);

const KERNELS: Record<'partials' | 'update', KernelDesc> = {
  partials: { label: 'grad norm partials', file: 'norms.wgsl', entryPoint: 'norm_partials' },
  update: { label: 'optimizer update', file: 'optimizer.wgsl', entryPoint: 'update', lib: ['run', 'plateau'] },
};

export class UpdateStage implements Stage {
  readonly name = 'update';
  readonly normsView: NormsView;
  /**
   * u32 [R]: the update sets run r's word when it writes a non-finite weight; the anomaly stage
   * reads and clears it after the step.
   */
  readonly nonfinite: GPUBuffer;
  /** Each run's learning rate at the step prepared last. */
  readonly learningRates: number[];
  /** Each run's optimizer step count (1-based at the step prepared last; 0 after a reset). */
  readonly optimizerSteps: number[];
  /** Slots 0..2, each [R][P]; their meaning depends on the run's kind (see optimizer.wgsl). */
  private readonly state: Arena;
  /** partials and maxes [R][S][G], norms [R][2 + S]. */
  private readonly control: Arena;
  /** DEFERRED_RANGE_RECORD per deferred block, in ascending order of start. */
  private readonly deferredRanges: GPUBuffer;
  /** How many blocks deferredRanges holds. */
  private readonly rangeCount: number;
  /** [R][4] reduce-on-plateau state (lib/plateau.wgsl): best, bad, cooldown, scale; the plateau stage writes it. */
  readonly plateauState: Arena;
  private program!: Program;
  private runConfigs: { spec: RunUpdateConfig; optimizer: ResolvedOptimizer }[] | undefined;

  static async create(engine: Engine, spec: UpdateStageSpec): Promise<UpdateStage> {
    const problems = checkSpec(spec);
    if (problems.length > 0) throw new Error(`update stage "${spec.label}": ${problems.join('; ')}`);
    const [partials, update] = await Promise.all([engine.kernel(KERNELS.partials), engine.kernel(KERNELS.update)]);
    const stage = new UpdateStage(engine, spec);
    const { runs: R, paramCount: P, segments, table } = spec;
    const S = segments.length;
    const groups = partialGroups(segments);
    const control = stage.control;
    const offsets = { part_off: control.view('partials').offset, max_off: control.view('maxes').offset, norm_off: control.view('norms').offset };
    const normPass = NORM_RECORD.pack({
      p_run: P, segments: S, groups, ...offsets, ranges: stage.rangeCount, seg: segments.flatMap((s) => [s.offset, s.length]),
    });
    const builder = new ProgramBuilder(engine, spec.label);
    // A partials binding without a source takes the (unread) table, which needs a buffer all the same.
    const ranges = stage.deferredRanges;
    const source = (k: number) => spec.deferred?.[k]?.partials ?? ranges;
    builder.add('update', partials, `${spec.label} grad norm partials`, normPass,
      { 1: spec.grads, 2: control.buffer, 3: ranges, 4: source(0), 5: source(1) }, [groups, S, R]);
    const slot = (k: number) => stage.state.view(`slot${k}`).offset;
    const updateRecord = UPDATE_RECORD.pack({
      p_run: P, norm_stride: 2 + S, slot0: slot(0), slot1: slot(1), slot2: slot(2), segments: S, groups, ...offsets,
    });
    const resources = withRunTable(table, {
      1: spec.params,
      2: spec.grads,
      4: control.buffer,
      5: stage.state.buffer,
      6: stage.plateauState.buffer,
      7: stage.nonfinite,
    });
    builder.add('update', update, `${spec.label} optimizer update`, updateRecord, resources, [Math.ceil(P / WG), 1, R]);
    stage.program = builder.finish();
    return stage;
  }

  private constructor(
    private readonly engine: Engine,
    readonly spec: UpdateStageSpec,
  ) {
    const { runs: R, paramCount: P, segments } = spec;
    const S = segments.length;
    const G = partialGroups(segments);
    this.state = new Arena(engine, `${spec.label} optimizer state`, SLOTS.map((k) => ({ name: `slot${k}`, shape: [R, P] })));
    this.control = new Arena(engine, `${spec.label} optimizer control`, [
      { name: 'partials', shape: [R, S, G] },
      { name: 'maxes', shape: [R, S, G] },
      { name: 'norms', shape: [R, 2 + S] },
    ]);
    this.normsView = { buffer: this.control.buffer, offset: this.control.view('norms').offset, stride: 2 + S };
    this.plateauState = new Arena(engine, `${spec.label} plateau state`, [{ name: 'state', shape: [R, 4] }]);
    this.nonfinite = engine.createBuffer(`${spec.label} non-finite weights`, 4 * R,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const sums = deferredRanges(spec);
    this.rangeCount = sums.length;
    const table = Uint32Array.from(sums.flatMap((d) => DEFERRED_RANGE_RECORD.pack(d)));
    this.deferredRanges = engine.createBuffer(`${spec.label} deferred ranges`, Math.max(table.byteLength, 4 * DEFERRED_RANGE_RECORD.words),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    if (table.length > 0) engine.device.queue.writeBuffer(this.deferredRanges, 0, table);
    this.learningRates = new Array<number>(R).fill(NaN);
    this.optimizerSteps = new Array<number>(R).fill(0);
  }

  /**
   * Sets every run's optimizer, clipping and schedule; throws one Error listing every problem.
   * A run whose optimizer changes the meaning of its state (another kind, momentum switched on
   * or off, centered toggled) starts that state afresh, as a new torch optimizer would.
   */
  configure(runs: readonly RunUpdateConfig[]): void {
    const R = this.spec.runs;
    if (runs.length !== R) throw new Error(`update stage "${this.spec.label}" has ${R} runs but got ${runs.length} configs`);
    const errors = runs.flatMap((run, r) => [
      ...validateOptimizer(run.optimizer, `runs[${r}].optimizer`),
      ...validateClip(run.clip ?? {}, `runs[${r}].clip`),
    ]);
    if (errors.length > 0) throw new Error(`update stage "${this.spec.label}": ${errors.join('; ')}`);
    const next = runs.map((spec) => ({ spec, optimizer: resolveOptimizer(spec.optimizer) }));
    const before = this.runConfigs;
    this.runConfigs = next;
    if (before) {
      const changed = next.flatMap((c, r) => (optimizerStateKey(c.optimizer) !== optimizerStateKey(before[r].optimizer) ? [r] : []));
      if (changed.length > 0) this.clearRuns(changed);
    }
  }

  /** Each run's learning rate from its schedule at its own step, and its optimizer fields for this step. */
  prepareStep(step: StepInfo): void {
    const configs = this.runConfigs;
    if (!configs) throw new Error(`update stage "${this.spec.label}": call configure() before prepareStep()`);
    const table = this.spec.table;
    configs.forEach(({ spec, optimizer: o }, r) => {
      const lr = learningRate(spec.optimizer.lr, spec.schedule, step.runSteps[r]);
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`learning rate of run ${r} must be a number >= 0, got ${lr}`);
      const t = ++this.optimizerSteps[r];
      this.learningRates[r] = lr;
      const adam = o.kind === 'adam' || o.kind === 'adamw';
      const { stepSize, bc2Sqrt } = adam ? adamBiasCorrection(lr, o.beta1, o.beta2, t) : { stepSize: 0, bc2Sqrt: 1 };
      const bc1Inv = adam ? adamBiasCorrection(1, o.beta1, o.beta2, t).stepSize : 0;
      const values: Partial<Record<RunField, number>> = {
        optimizer: OPTIMIZER_KINDS.indexOf(o.kind),
        optimizer_flags: (o.nesterov ? FLAG_NESTEROV : 0) | (o.centered ? FLAG_CENTERED : 0) | (t === 1 ? FLAG_FIRST_STEP : 0),
        lr, weight_decay: o.weightDecay, momentum: o.momentum, one_minus_dampening: 1 - o.dampening,
        alpha: o.alpha, one_minus_alpha: 1 - o.alpha, eps: o.eps, beta1: o.beta1, one_minus_beta1: 1 - o.beta1,
        beta2: o.beta2, one_minus_beta2: 1 - o.beta2, step_size: stepSize, bc2_sqrt: bc2Sqrt,
        decay_factor: 1 - lr * o.weightDecay, max_norm: spec.clip.maxNorm ?? 0, clip_value: spec.clip.value ?? 0,
        bc1_inv: bc1Inv,
      };
      for (const [name, value] of Object.entries(values)) table.set(r, name as RunField, value!);
    });
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase === 'update' && pass.mode === 'train') this.program.encode(encoder, 'update');
  }

  metricColumns(): readonly MetricColumn[] {
    const S = this.spec.segments.length;
    return [{
      name: 'gradient norms',
      source: { buffer: this.normsView.buffer, offset: this.normsView.offset },
      width: 2 + S,
      decode: (v, m) => {
        m.gradNorm = v[0];
        m.layerGradNorms = Array.from(v.subarray(1, 1 + S));
        m.clipped = v[1 + S] > 0.5;
      },
    }];
  }

  /** Zeroes every optimizer slot; the next step is every run's first. */
  reset(): void {
    this.engine.submit(`${this.spec.label} optimizer reset`, (enc) => enc.clearBuffer(this.state.buffer));
    this.optimizerSteps.fill(0);
  }

  restartRuns(runs: readonly number[]): void {
    this.clearRuns(runs);
  }

  private clearRuns(runs: readonly number[]): void {
    const zeros = new Float32Array(this.spec.paramCount);
    for (const r of runs) {
      for (const k of SLOTS) this.state.write(`slot${k}`, zeros, r * this.spec.paramCount);
      this.optimizerSteps[r] = 0;
    }
  }

  checkpointProblems(c: RunCheckpoint, at: string): string[] {
    const P = this.spec.paramCount;
    const problems: string[] = [];
    if (c.optimizer.length > SLOTS.length) problems.push(`${at}.optimizer has ${c.optimizer.length} slots, at most ${SLOTS.length} allowed`);
    c.optimizer.forEach((s, k) => {
      if (s.length !== P) problems.push(`${at}.optimizer[${k}] has ${s.length} numbers, expected ${P}`);
    });
    const t = c.extra[OPTIMIZER_STEP_KEY];
    if (t && (t.length !== 1 || !Number.isInteger(t[0]) || t[0] < 0)) problems.push(`${at}.extra["${OPTIMIZER_STEP_KEY}"] must hold one integer >= 0`);
    return problems;
  }

  async readCheckpoints(into: RunCheckpoint[]): Promise<void> {
    const P = this.spec.paramCount;
    const slots = await Promise.all(SLOTS.map((k) => this.state.read(`slot${k}`)));
    into.forEach((c, r) => {
      c.optimizer = slots.map((s) => s.slice(r * P, (r + 1) * P));
      c.extra[OPTIMIZER_STEP_KEY] = Float32Array.of(this.optimizerSteps[r]);
    });
  }

  /** Slots missing from the checkpoint are zeroed; the optimizer step defaults to the run's. */
  writeCheckpoint(run: number, c: RunCheckpoint): void {
    const zeros = new Float32Array(this.spec.paramCount);
    for (const k of SLOTS) this.state.write(`slot${k}`, c.optimizer[k] ?? zeros, run * this.spec.paramCount);
    this.optimizerSteps[run] = c.extra[OPTIMIZER_STEP_KEY]?.[0] ?? c.step;
  }

  /** One slot [R][P] read back, for tests and tools. */
  readSlot(k: 0 | 1 | 2): Promise<Float32Array> {
    return this.state.read(`slot${k}`);
  }

  destroy(): void {
    this.state.destroy();
    this.control.destroy();
    this.plateauState.destroy();
    this.nonfinite.destroy();
    this.deferredRanges.destroy();
    this.program?.destroy();
  }
}

/** Workgroups per segment in norm_partials: at least NORM_FLOATS_PER_THREAD floats per thread, at most MAX_PARTIALS partials per run. */
export function partialGroups(segments: readonly ParamSegment[]): number {
  const longest = Math.max(...segments.map((s) => s.length));
  return Math.min(Math.floor(MAX_PARTIALS / segments.length), Math.max(1, Math.ceil(longest / (NORM_WG * NORM_FLOATS_PER_THREAD))));
}

function checkSpec(spec: UpdateStageSpec): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(spec.runs) || spec.runs < 1) problems.push(`runs must be an integer >= 1, got ${spec.runs}`);
  if (spec.table.runs !== spec.runs) problems.push(`the run table has ${spec.table.runs} runs, expected ${spec.runs}`);
  if (!Number.isInteger(spec.paramCount) || spec.paramCount < 1) {
    problems.push(`paramCount must be an integer >= 1, got ${spec.paramCount}`);
  }
  const segs = spec.segments;
  if (segs.length < 1 || segs.length > MAX_SEGMENTS) {
    problems.push(`segments must number 1 to ${MAX_SEGMENTS}, got ${segs.length}`);
  }
  let next = 0;
  for (const s of segs) {
    if (s.offset !== next || !Number.isInteger(s.length) || s.length < 1) {
      problems.push(`segment "${s.name}" must start at ${next} with a length >= 1, got offset ${s.offset} length ${s.length}`);
    }
    next = s.offset + s.length;
  }
  if (next !== spec.paramCount) problems.push(`segments cover [0, ${next}) but paramCount is ${spec.paramCount}`);
  if ((spec.deferred?.length ?? 0) > MAX_DEFERRED_SOURCES) {
    problems.push(`at most ${MAX_DEFERRED_SOURCES} deferred partials buffers, got ${spec.deferred!.length}`);
  }
  let end = 0;
  for (const d of deferredRanges(spec)) {
    const at = `deferred block [${d.start}, ${d.start + d.length})`;
    const seg = segs.find((s) => s.offset <= d.start && d.start < s.offset + s.length);
    if (d.runStride !== spec.paramCount) problems.push(`${at} has run stride ${d.runStride}, expected paramCount ${spec.paramCount}`);
    if (d.start < end) problems.push(`${at} overlaps the block before it`);
    if (d.length < 1 || !seg || d.start + d.length > seg.offset + seg.length) problems.push(`${at} must lie inside one segment`);
    end = d.start + d.length;
  }
  return problems;
}

/** The spec's deferred blocks with their source, in ascending order of start (the norm pass walks them so). */
function deferredRanges(spec: UpdateStageSpec): (DeferredSum & { source: number })[] {
  return (spec.deferred ?? []).flatMap((d, source) => d.sums.map((sum) => ({ ...sum, source }))).sort((a, b) => a.start - b.start);
}
