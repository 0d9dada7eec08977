/**
 * The parameter-update stage of a training step for R runs side by side: gradient norms
 * (shaders/norms.wgsl), then clipping and the optimizer rule fused in one dispatch
 * (shaders/optimizer.wgsl). Each run's optimizer kind and hyperparameters are data in a per-run
 * struct array, so every mix of optimizers is the same three dispatches. It owns the optimizer
 * state; it does not own params or grads, and it knows nothing of LR schedules (the caller passes lr).
 */
import { Arena } from '../engine/arena';
import type { Engine, KernelDesc } from '../engine/engine';
import { packRecord, type ProgramBuilder } from '../engine/program';
import {
  OPTIMIZER_KINDS,
  adamBiasCorrection,
  resolveOptimizer,
  validateClip,
  validateOptimizer,
  type ClipConfig,
  type OptimizerConfig,
  type ParamSegment,
  type ResolvedOptimizer,
} from './optimizers';

export interface UpdateStageSpec {
  label: string;
  runs: number;
  /** P: floats per run in params and grads. */
  paramCount: number;
  /** [R][P] f32, run stride P, starting at byte 0. */
  params: GPUBuffer;
  /** [R][P] f32, same layout; only read (clipping happens in registers). */
  grads: GPUBuffer;
  /** Ranges partitioning [0, P) in order, each with its own gradient norm. */
  segments: readonly ParamSegment[];
}

export interface RunUpdateConfig {
  optimizer: OptimizerConfig;
  clip: ClipConfig;
}

/** Where the norms live: run r's global norm at offset + r * stride, then its S segment norms. */
export interface NormsView {
  buffer: GPUBuffer;
  /** In floats. */
  offset: number;
  /** 1 + S. */
  stride: number;
}

/** Bounded by the segment table in the NormPass uniform of norms.wgsl. */
export const MAX_SEGMENTS = 28;
const WG = 256;
/** Words per Hyper struct in optimizer.wgsl (20 four-byte fields). */
const HYPER_WORDS = 20;
const FLAG_NESTEROV = 1;
const FLAG_CENTERED = 2;
const FLAG_FIRST_STEP = 4;

const KERNELS: Record<'partials' | 'finish' | 'update', KernelDesc> = {
  partials: { label: 'grad norm partials', file: 'norms.wgsl', entryPoint: 'norm_partials' },
  finish: { label: 'grad norm finish', file: 'norms.wgsl', entryPoint: 'norm_finish' },
  update: { label: 'optimizer update', file: 'optimizer.wgsl', entryPoint: 'update' },
};

export class UpdateStage {
  readonly normsView: NormsView;
  /** Slots 0..2, each [R][P]; their meaning depends on the run's kind (see optimizer.wgsl). */
  private readonly state: Arena;
  /** hyper [R][HYPER_WORDS], partials [R][S][G], norms [R][1 + S]. */
  private readonly control: Arena;
  private readonly hyperWords: Uint32Array;
  private readonly hyperFloats: Float32Array;
  private runConfigs: { optimizer: ResolvedOptimizer; clip: ClipConfig }[] | undefined;

  static async create(engine: Engine, builder: ProgramBuilder, list: string, spec: UpdateStageSpec): Promise<UpdateStage> {
    const problems = checkSpec(spec);
    if (problems.length > 0) throw new Error(`update stage "${spec.label}": ${problems.join('; ')}`);
    const [partials, finish, update] = await Promise.all([
      engine.kernel(KERNELS.partials),
      engine.kernel(KERNELS.finish),
      engine.kernel(KERNELS.update),
    ]);
    const stage = new UpdateStage(engine, spec);
    const { runs: R, paramCount: P, segments } = spec;
    const S = segments.length;
    const groups = partialGroups(segments);
    const segWords = new Array<number>(2 * MAX_SEGMENTS).fill(0);
    segments.forEach((s, k) => segWords.splice(2 * k, 2, s.offset, s.length));
    const normPass = [
      P, S, groups, stage.control.view('partials').offset, stage.control.view('norms').offset, 0, 0, 0, ...segWords,
    ];
    const control = stage.control.buffer;
    builder.add(list, partials, `${spec.label} grad norm partials`, normPass, { 1: spec.grads, 2: control }, [groups, S, R]);
    builder.add(list, finish, `${spec.label} grad norm finish`, normPass, { 2: control }, [1, 1, R]);
    const slot = (k: number) => stage.state.view(`slot${k}`).offset;
    const updateRecord = packRecord(['p_run', 'norm_stride', 'slot0', 'slot1', 'slot2'] as const, {
      p_run: P, norm_stride: 1 + S, slot0: slot(0), slot1: slot(1), slot2: slot(2),
    });
    const resources = {
      1: spec.params,
      2: spec.grads,
      3: stage.control.binding('hyper'),
      4: stage.control.binding('norms'),
      5: stage.state.buffer,
    };
    builder.add(list, update, `${spec.label} optimizer update`, updateRecord, resources, [Math.ceil(P / WG), 1, R]);
    return stage;
  }

  private constructor(
    private readonly engine: Engine,
    readonly spec: UpdateStageSpec,
  ) {
    const { runs: R, paramCount: P, segments } = spec;
    const S = segments.length;
    this.state = new Arena(engine, `${spec.label} optimizer state`, [0, 1, 2].map((k) => ({ name: `slot${k}`, shape: [R, P] })));
    this.control = new Arena(engine, `${spec.label} optimizer control`, [
      { name: 'hyper', shape: [R, HYPER_WORDS] },
      { name: 'partials', shape: [R, S, partialGroups(segments)] },
      { name: 'norms', shape: [R, 1 + S] },
    ]);
    this.hyperFloats = new Float32Array(R * HYPER_WORDS);
    this.hyperWords = new Uint32Array(this.hyperFloats.buffer);
    this.normsView = { buffer: this.control.buffer, offset: this.control.view('norms').offset, stride: 1 + S };
  }

  /** Sets every run's optimizer and clipping; throws one Error listing every problem. */
  configure(runs: readonly RunUpdateConfig[]): void {
    const R = this.spec.runs;
    if (runs.length !== R) throw new Error(`update stage "${this.spec.label}" has ${R} runs but got ${runs.length} configs`);
    const errors = runs.flatMap((run, r) => [
      ...validateOptimizer(run.optimizer, `runs[${r}].optimizer`),
      ...validateClip(run.clip ?? {}, `runs[${r}].clip`),
    ]);
    if (errors.length > 0) throw new Error(`update stage "${this.spec.label}": ${errors.join('; ')}`);
    this.runConfigs = runs.map((run) => ({ optimizer: resolveOptimizer(run.optimizer), clip: { ...run.clip } }));
  }

  /**
   * Writes the per-run hyperparameters for step `step` (1-based; 1 right after create or reset)
   * with each run's learning rate for this step. Queue writes only: nothing waits on the GPU.
   */
  prepareStep(step: number, learningRates: readonly number[]): void {
    const configs = this.runConfigs;
    if (!configs) throw new Error(`update stage "${this.spec.label}": call configure() before prepareStep()`);
    if (!Number.isInteger(step) || step < 1) throw new Error(`step must be an integer >= 1, got ${step}`);
    if (learningRates.length !== configs.length) {
      throw new Error(`update stage "${this.spec.label}" has ${configs.length} runs but got ${learningRates.length} learning rates`);
    }
    configs.forEach(({ optimizer: o, clip }, r) => {
      const lr = learningRates[r];
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`learning rate of run ${r} must be a number >= 0, got ${lr}`);
      const adam = o.kind === 'adam' || o.kind === 'adamw';
      const { stepSize, bc2Sqrt } = adam ? adamBiasCorrection(lr, o.beta1, o.beta2, step) : { stepSize: 0, bc2Sqrt: 1 };
      const base = r * HYPER_WORDS;
      this.hyperWords[base] = OPTIMIZER_KINDS.indexOf(o.kind);
      this.hyperWords[base + 1] =
        (o.nesterov ? FLAG_NESTEROV : 0) | (o.centered ? FLAG_CENTERED : 0) | (step === 1 ? FLAG_FIRST_STEP : 0);
      this.hyperFloats.set(
        [
          lr, o.weightDecay, o.momentum, 1 - o.dampening, o.alpha, 1 - o.alpha, o.eps, o.beta1, 1 - o.beta1,
          o.beta2, 1 - o.beta2, stepSize, bc2Sqrt, 1 - lr * o.weightDecay, clip.maxNorm ?? 0, clip.value ?? 0, 0, 0,
        ],
        base + 2,
      );
    });
    this.control.write('hyper', this.hyperFloats);
  }

  /** Zeroes every optimizer slot (the next prepareStep should be step 1). */
  reset(): void {
    this.engine.submit(`${this.spec.label} optimizer reset`, (enc) => enc.clearBuffer(this.state.buffer));
  }

  /** One slot [R][P] read back, for tests and tools. */
  readSlot(k: 0 | 1 | 2): Promise<Float32Array> {
    return this.state.read(`slot${k}`);
  }

  destroy(): void {
    this.state.destroy();
    this.control.destroy();
  }
}

/** Workgroups per segment in norm_partials: at least 8 floats per thread, at most WG partials to finish. */
function partialGroups(segments: readonly ParamSegment[]): number {
  const longest = Math.max(...segments.map((s) => s.length));
  return Math.min(WG, Math.max(1, Math.ceil(longest / (WG * 8))));
}

function checkSpec(spec: UpdateStageSpec): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(spec.runs) || spec.runs < 1) problems.push(`runs must be an integer >= 1, got ${spec.runs}`);
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
  return problems;
}
