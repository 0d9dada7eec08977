/**
 * A run group: R runs of one shape that train in lockstep (DESIGN decision 1), each with its own
 * seed, weights, optimizer, clipping, schedule and step count. One training step is one command
 * encoder (decision 3), built from a list of stages run in order (stage.ts):
 *   batch in; state carry/reset; forward; head and loss; BPTT; norms, clip, update;
 *   [an evaluation pass over the validation batches]; the anomaly check; metrics into the history ring.
 * Pruning and reduce-on-plateau add their stages only when one of the group's runs uses them
 * (GroupTricks, fixed when the group is built), so a group without them records what it did before.
 * Nothing in a step awaits the GPU; metrics arrive later through MetricsHistory, whose
 * back-pressure refuses a step rather than lose one. Tricks record their dispatches only when a run
 * of the group uses them (dropout) or the spec asks for them (diagnostics, bidirectional, residual),
 * so a group without them records exactly the plain step.
 */
import type { Engine } from '../engine/engine';
import { Arena } from '../engine/arena';
import { RunTable } from '../engine/run-table';
import { initParams } from '../model/init';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import { RnnGpu } from '../model/rnn-gpu';
import { AnomalyStage } from './anomaly-stage';
import { BatchStage } from './batch-stage';
import { windowPlan } from './bptt';
import { ConfusionGpu, MAX_CONFUSION_CLASSES } from './confusion-gpu';
import { DiagnosticsStage } from './diagnostics-stage';
import { DropoutStage } from './dropout-stage';
import { evalBatches, evaluates, isEvalStep } from './eval-batches';
import { ExampleCapture } from './example-capture';
import { groupLimitProblems } from './group-limits';
import { groupTricks, isDiagnosticsStep, validateGroupSpec, type GroupSpec, type RunSpec } from './group-spec';
import { createHeadGradients, headGradientOf, HeadStage } from './head-stage';
import { MetricsHistory } from './metrics';
import { NetworkStage } from './network-stage';
import { PlateauStage } from './plateau-stage';
import { PruneStage } from './prune-stage';
import { RUN_RECORD, RUN_TABLE_BINDING, type RunField } from './run-fields';
import { EVAL_PHASES, TRAIN, TRAIN_PHASES, type Stage, type StepInfo } from './stage';
import { StateStage } from './state-stage';
import type { RecordSink, RunCheckpoint, TrainerGroup } from './trainer';
import { UpdateStage } from './update-stage';

export class ConfigError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
    this.name = 'ConfigError';
  }
}

export class RunGroup implements TrainerGroup {
  readonly backend = 'webgpu';
  /** The parameter vector of one run: network, head, gradient-norm segments. */
  readonly layout: ModelLayout;
  private currentSpec: GroupSpec;
  private groupStep = 0;
  private readonly steps: number[];
  /** The step between prepareStep() and encodeStep(). */
  private prepared: StepInfo | undefined;
  private stages: Stage[] = [];
  private update!: UpdateStage;
  private metrics!: MetricsHistory;
  private readonly label: string;
  private isDestroyed = false;

  private constructor(
    readonly engine: Engine,
    spec: GroupSpec,
    readonly net: RnnGpu,
    layout: ModelLayout,
    private readonly params: Arena,
    private readonly grads: Arena,
    private readonly table: RunTable<RunField>,
    /** The head's dY, loss and evaluation results, made before the network so its top layer can read dY (FOLD_HEAD). */
    private readonly headGradients: Arena,
  ) {
    this.currentSpec = spec;
    this.layout = layout;
    this.label = spec.label ?? `${spec.cell} group`;
    this.steps = spec.runs.map(() => 0);
  }

  /**
   * Validates `spec` against the schema and, by a dry run, every buffer and dispatch against the
   * device's limits; only then builds them.
   */
  static async create(engine: Engine, given: GroupSpec, onRecords: RecordSink): Promise<RunGroup> {
    const errors = validateGroupSpec(given);
    // Every buffer and dispatch against the device's limits, built dry first (group-limits.ts).
    if (errors.length === 0 && !engine.dryRun) errors.push(...(await groupLimitProblems(given, engine.limits)));
    if (errors.length > 0) throw new ConfigError(errors);
    const spec: GroupSpec = { ...given, tricks: groupTricks(given) };
    const R = spec.runs.length;
    const layout = modelLayout({ ...spec, inputSize: spec.task.inputSize }, spec.task.outputSize);
    const P = layout.paramCount;
    const label = spec.label ?? `${spec.cell} group`;
    const params = new Arena(engine, `${label} params`, [{ name: 'params', shape: [R, P] }]);
    const grads = new Arena(engine, `${label} grads`, [{ name: 'grads', shape: [R, P] }]);
    const table = new RunTable(engine, `${label} run table`, R, RUN_RECORD);
    const headGradients = createHeadGradients(engine, label, spec);
    const evaluated = evaluates(spec);
    let net: RnnGpu;
    try {
      net = await RnnGpu.create(
        engine,
        {
          ...spec, inputSize: spec.task.inputSize, runs: R, sharedInput: true, inputGradient: false,
          keepAfter: spec.bptt.kind === 'truncated' ? spec.bptt.k1 : undefined, zeroInitial: spec.bptt.kind !== 'truncated', evalForward: evaluated,
          dropout: groupTricks(spec).dropout, recurrentDropout: groupTricks(spec).recurrentDropout,
          diagnostics: (spec.diagnosticsEvery ?? 0) > 0,
          // The update's norm pass adds up split-K weight gradients, unless pruning masks grads before it.
          deferReductions: !groupTricks(spec).prune,
        },
        { params: params.buffer, grads: grads.buffer, base: 0, runStride: P },
        { binding: RUN_TABLE_BINDING, resource: table.binding() },
        headGradientOf(headGradients, layout, spec),
      );
    } catch (e) {
      for (const a of [params, grads, table, headGradients]) a.destroy();
      throw e;
    }
    const group = new RunGroup(engine, spec, net, layout, params, grads, table, headGradients);
    try {
      await group.build(evaluated, onRecords);
    } catch (e) {
      group.destroy();
      throw e;
    }
    // A dry run only counts buffers: drawing the initial weights on the CPU would be wasted work.
    if (!engine.dryRun) group.reset();
    return group;
  }

  private async build(evaluated: boolean, onRecords: RecordSink): Promise<void> {
    const { engine, net, label } = this;
    const spec = this.currentSpec;
    // Stages join the list as they are built, so destroy() frees whatever a failed build made.
    const batch = new BatchStage(engine, spec, net, label, evaluated);
    this.stages.push(batch);
    this.stages.push(await StateStage.create(engine, net, label));
    if (net.shape.dropout || net.shape.recurrentDropout) this.stages.push(await DropoutStage.create(engine, net, this.table, label));
    this.stages.push(new NetworkStage(net));
    const head = await HeadStage.create(engine, {
      label, spec, net, layout: this.layout, params: this.params.buffer, grads: this.grads.buffer, batch,
      evalBatches: evaluated ? spec.task.valBatches : 0, gradients: this.headGradients, deferReductions: net.shape.deferReductions,
    });
    this.stages.push(head);
    this.update = await UpdateStage.create(engine, {
      label: `${label} update`, runs: spec.runs.length, paramCount: this.layout.paramCount,
      params: this.params.buffer, grads: this.grads.buffer, segments: this.layout.segments, table: this.table,
      deferred: [net.deferred?.source, head.deferred?.source].flatMap((d) => (d ? [d] : [])),
    });
    this.stages.push(this.update);
    const tricks = groupTricks(spec);
    if (tricks.prune) {
      this.stages.push(await PruneStage.create(engine, {
        label, runs: spec.runs.length, layout: this.layout, params: this.params.buffer, grads: this.grads.buffer, table: this.table,
      }));
    }
    if (tricks.plateau) {
      this.stages.push(await PlateauStage.create(engine, { label, spec, table: this.table, head: head.results, state: this.update.plateauState }));
    }
    this.stages.push(await AnomalyStage.create(engine, {
      label, runs: spec.runs.length, norms: this.update.normsView, nonfinite: this.update.nonfinite,
      losses: head.results, segments: this.layout.segments,
    }));
    if (net.shape.diagnostics) {
      const classes = spec.task.outputSize;
      const confusion = evaluated && spec.task.metric === 'accuracy' && classes <= MAX_CONFUSION_CLASSES
        ? await ConfusionGpu.create(engine, {
          label, runs: spec.runs.length, rows: spec.seqLen * spec.batch, classes, y: head.outputs,
          batch: { buffer: batch.arena.buffer, target: batch.arena.view('target').offset, metricWeight: batch.arena.view('metricWeight').offset },
        })
        : undefined;
      const example = evaluated
        ? new ExampleCapture(engine, net, head.outputs, spec.task.outputSize, evalBatches(spec.task, spec.seqLen, spec.batch, spec.head)[0], label)
        : undefined;
      this.stages.push(await DiagnosticsStage.create(engine, net, label, { layout: this.layout, params: this.params.buffer, grads: this.grads.buffer }, example, confusion));
    }
    for (const s of this.stages) s.configure?.(spec.runs);
    const columns = this.stages.flatMap((s) => s.metricColumns?.() ?? []);
    this.metrics = new MetricsHistory(engine, label, spec.runs.length, columns, onRecords, spec.metricsEvery ?? 4);
  }

  get spec(): GroupSpec {
    return this.currentSpec;
  }

  /** Group steps queued so far (the data stream's position). */
  get step(): number {
    return this.groupStep;
  }

  get runSteps(): readonly number[] {
    return [...this.steps];
  }

  get lostSteps(): number {
    return this.metrics.lost;
  }

  canStep(): boolean {
    return !this.prepared && this.metrics.canRecord(this.groupStep + 1);
  }

  /** Queues one training step of every run: prepareStep, one submit, afterSubmit. Never waits. */
  trainStep(): void {
    this.prepareStep();
    this.engine.submit(`${this.label} step ${this.prepared!.step}`, (encoder) => this.encodeStep(encoder));
    this.afterSubmit();
  }

  /**
   * The CPU half of the next step: the data window, each run's step count, every stage's per-run
   * fields, and one write of the per-run table if something changed. Throws, changing nothing,
   * if the step would overwrite metrics not yet read back (call settle()).
   */
  prepareStep(): void {
    if (this.prepared) throw new Error(`run group "${this.label}": step ${this.prepared.step} was prepared but not encoded`);
    const next = this.groupStep + 1;
    if (!this.metrics.canRecord(next)) {
      throw new Error(`run group "${this.label}": step ${next} would overwrite metrics not yet read back; await settle() first (canStep() says when)`);
    }
    const spec = this.currentSpec;
    const info: StepInfo = {
      step: next,
      runSteps: this.steps.map((s) => s + 1),
      window: windowPlan(spec.bptt, spec.seqLen, this.groupStep),
      evaluate: isEvalStep(spec, next),
      diagnostics: isDiagnosticsStep(spec, next),
    };
    for (const s of this.stages) s.prepareStep?.(info);
    this.table.flush();
    info.runSteps.forEach((s, r) => (this.steps[r] = s));
    this.prepared = info;
  }

  /** Records the prepared step into `encoder` (which may hold other groups' steps too). */
  encodeStep(encoder: GPUCommandEncoder): void {
    const info = this.prepared;
    if (!info) throw new Error(`run group "${this.label}": call prepareStep() before encodeStep()`);
    for (const phase of TRAIN_PHASES) for (const s of this.stages) s.encode?.(encoder, phase, TRAIN, info);
    if (info.evaluate) {
      for (let batch = 0; batch < this.currentSpec.task.valBatches; batch++) {
        const pass = { mode: 'eval', batch } as const;
        for (const phase of EVAL_PHASES) for (const s of this.stages) s.encode?.(encoder, phase, pass, info);
      }
    }
    for (const s of this.stages) s.encode?.(encoder, 'metrics', TRAIN, info);
    this.metrics.encodeStep(encoder, info.step, {
      runSteps: info.runSteps, learningRates: [...this.update.learningRates], evaluated: info.evaluate, diagnosed: info.diagnostics,
    });
    this.groupStep = info.step;
    this.prepared = undefined;
  }

  /** Call once the encoder holding the step is submitted: starts the metrics readback. */
  afterSubmit(): void {
    this.metrics.afterSubmit();
  }

  /** Resolves once every queued step has run and its metrics are delivered; rejects if a readback failed. */
  settle(): Promise<void> {
    if (this.prepared) return Promise.reject(new Error(`run group "${this.label}": step ${this.prepared.step} was prepared but not encoded`));
    return this.metrics.settle(this.groupStep);
  }

  /** New per-run settings from the next step on: same runs, same order (a new seed applies at the run's next restart). */
  configureRuns(runs: readonly RunSpec[]): void {
    const spec = { ...this.currentSpec, runs: [...runs] };
    const errors = validateGroupSpec(spec);
    if (runs.length !== this.steps.length) errors.unshift(`runs must keep the group's ${this.steps.length} runs, got ${runs.length}`);
    if (errors.length > 0) throw new ConfigError(errors);
    for (const s of this.stages) s.configure?.(spec.runs);
    this.currentSpec = spec;
  }

  /** Re-initialises the given runs from their seeds: weights, optimizer state, kept state, step count 0. */
  restartRuns(indices: readonly number[]): void {
    this.checkRuns(indices);
    for (const r of indices) this.initRun(r);
    for (const s of this.stages) s.restartRuns?.(indices);
    for (const r of indices) this.steps[r] = 0;
  }

  /** Back to step 0: weights re-drawn from each run's seed, optimizer state zeroed, data from its start. */
  reset(): void {
    if (this.prepared) throw new Error(`run group "${this.label}": step ${this.prepared.step} was prepared but not encoded`);
    this.currentSpec.runs.forEach((_, r) => this.initRun(r));
    for (const s of this.stages) s.reset?.();
    this.metrics.clear();
    this.groupStep = 0;
    this.steps.fill(0);
  }

  /** Moves the data stream to group step `step`; the runs' own steps and weights stay as they are. */
  seek(step: number): void {
    if (this.prepared) throw new Error(`run group "${this.label}": step ${this.prepared.step} was prepared but not encoded`);
    if (!Number.isSafeInteger(step) || step < 0) throw new Error(`run group "${this.label}": seek needs a step >= 0, got ${step}`);
    this.metrics.startAt(step);
    this.groupStep = step;
  }

  private initRun(r: number): void {
    const { rnn, head, paramCount } = this.layout;
    const one = new Float32Array(paramCount);
    const run = this.currentSpec.runs[r];
    initParams(one, rnn, this.currentSpec.hiddenSize, head, run.seed, run.init, this.currentSpec.cell);
    this.params.write('params', one, r * paramCount);
  }

  private checkRuns(indices: readonly number[]): void {
    if (this.prepared) throw new Error(`run group "${this.label}": step ${this.prepared.step} was prepared but not encoded`);
    const R = this.steps.length;
    const bad = indices.filter((r) => !Number.isInteger(r) || r < 0 || r >= R);
    if (bad.length > 0) throw new Error(`run indices must be integers from 0 to ${R - 1}, got ${bad.join(', ')}`);
  }

  async readCheckpoints(): Promise<RunCheckpoint[]> {
    const params = await this.readParams();
    const out: RunCheckpoint[] = params.map((p, r) => ({ step: this.steps[r], params: p, optimizer: [], extra: {} }));
    for (const s of this.stages) await s.readCheckpoints?.(out);
    return out;
  }

  /** Puts `checkpoints[i]` into run `indices[i]`; checks every checkpoint before writing any. */
  writeCheckpoints(indices: readonly number[], checkpoints: readonly RunCheckpoint[]): void {
    this.checkRuns(indices);
    const P = this.layout.paramCount;
    const errors: string[] = [];
    if (indices.length !== checkpoints.length) errors.push(`got ${checkpoints.length} checkpoints for ${indices.length} runs`);
    checkpoints.forEach((c, i) => {
      const at = `checkpoints[${i}]`;
      if (!Number.isInteger(c.step) || c.step < 0) errors.push(`${at}.step must be an integer >= 0, got ${c.step}`);
      if (c.params.length !== P) errors.push(`${at}.params has ${c.params.length} numbers, expected ${P}`);
      for (const s of this.stages) errors.push(...(s.checkpointProblems?.(c, at) ?? []));
    });
    if (errors.length > 0) throw new ConfigError(errors);
    indices.forEach((r, i) => {
      const c = checkpoints[i];
      this.params.write('params', c.params, r * P);
      for (const s of this.stages) s.writeCheckpoint?.(r, c);
      this.steps[r] = c.step;
    });
  }

  /** Every run's parameter vector (tests and export; not for the training loop). */
  async readParams(): Promise<Float32Array[]> {
    const all = await this.params.read('params');
    const P = this.layout.paramCount;
    return this.currentSpec.runs.map((_, r) => all.slice(r * P, (r + 1) * P));
  }

  /** True once destroy() ran. */
  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** Frees every buffer the group made; a second call does nothing. */
  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    for (const s of this.stages) s.destroy();
    if (!this.stages.some((s) => s instanceof NetworkStage)) this.net.destroy();
    for (const a of [this.params, this.grads, this.table, this.headGradients]) a.destroy();
    this.metrics?.destroy();
  }
}
