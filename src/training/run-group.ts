/**
 * A run group: R runs of one shape that train in lockstep (DESIGN decision 1), each with its
 * own seed, weights, optimizer, clipping and learning-rate schedule. One training step is one
 * command encoder and one submit (decision 3):
 *   state carry/reset; forward; head and loss; head backward; BPTT; grad norms, clip, update;
 *   metrics into the history ring.
 * Nothing in a step awaits the GPU; metrics arrive later through MetricsHistory.
 */
import type { Engine } from '../engine/engine';
import { Arena } from '../engine/arena';
import { addColumnSum, addGemm } from '../engine/gemm';
import { packRecord, ProgramBuilder, type Program } from '../engine/program';
import { initParams } from '../model/init';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import { RnnGpu } from '../model/rnn-gpu';
import { allocateBatch, type TaskBatch } from '../data/task';
import { scoreWindow, windowPlan } from './bptt';
import { MetricsHistory, type StepRecord } from './metrics';
import { learningRate } from './schedules';
import { UpdateStage } from './update-stage';
import { validateGroupSpec, type GroupSpec } from './group-spec';

export class ConfigError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
    this.name = 'ConfigError';
  }
}

export class RunGroup {
  /** Training steps submitted so far. */
  step = 0;
  /** The parameter vector of one run: network, head, gradient-norm segments. */
  readonly layout: ModelLayout;
  private readonly batchData: TaskBatch;
  private program!: Program;
  private update!: UpdateStage;
  private metrics!: MetricsHistory;
  private readonly params: Arena;
  private readonly grads: Arena;
  private readonly batchArena: Arena;
  private readonly logits: Arena;
  private readonly headGrad: Arena;

  private constructor(
    readonly engine: Engine,
    readonly spec: GroupSpec,
    readonly net: RnnGpu,
    layout: ModelLayout,
    params: Arena,
    grads: Arena,
  ) {
    const { batch: B, seqLen: T, task } = spec;
    const R = spec.runs.length;
    const O = task.outputSize;
    this.layout = layout;
    this.params = params;
    this.grads = grads;
    this.batchData = allocateBatch(task, T, B);
    const label = spec.label ?? `${spec.cell} group`;
    this.batchArena = new Arena(engine, `${label} batch`, [
      { name: 'target', shape: [this.batchData.target.length] },
      { name: 'weight', shape: [T, B] },
    ]);
    this.logits = new Arena(engine, `${label} head outputs`, [{ name: 'y', shape: [R, T, B, O] }]);
    this.headGrad = new Arena(engine, `${label} head gradients`, [
      { name: 'dy', shape: [R, T, B, O] },
      { name: 'loss', shape: [R] },
    ]);
  }

  /** Validates `spec` against the schema and the device, then builds every buffer and dispatch. */
  static async create(engine: Engine, spec: GroupSpec, onRecords: (records: StepRecord[]) => void): Promise<RunGroup> {
    const errors = validateGroupSpec(spec, engine.limits);
    if (errors.length > 0) throw new ConfigError(errors);
    const R = spec.runs.length;
    const layout = modelLayout({ ...spec, inputSize: spec.task.inputSize }, spec.task.outputSize);
    const P = layout.paramCount;
    const label = spec.label ?? `${spec.cell} group`;
    const params = new Arena(engine, `${label} params`, [{ name: 'params', shape: [R, P] }]);
    const grads = new Arena(engine, `${label} grads`, [{ name: 'grads', shape: [R, P] }]);
    const net = await RnnGpu.create(
      engine,
      { ...spec, inputSize: spec.task.inputSize, runs: R, sharedInput: true, inputGradient: false },
      { params: params.buffer, grads: grads.buffer, base: 0, runStride: P },
    );
    const group = new RunGroup(engine, spec, net, layout, params, grads);
    await group.record(label, onRecords);
    group.reset();
    return group;
  }

  private async record(label: string, onRecords: (records: StepRecord[]) => void): Promise<void> {
    const { engine, spec, net } = this;
    const { head, paramCount: P } = this.layout;
    const { batch: B, seqLen: T, hiddenSize: H, numLayers: L } = spec;
    const R = spec.runs.length;
    const O = head.outputs;
    const rows = T * B;
    const builder = new ProgramBuilder(engine, label);

    const state = await engine.kernel({ label: 'state carry', file: 'state.wgsl', entryPoint: 'carry' });
    for (const [list, zero, src] of [['reset', 1, 0], ['carry', 0, spec.bptt.kind === 'truncated' ? spec.bptt.k1 : 0]] as const) {
      builder.add(list, state, `state ${list}`, packRecord(
        ['units', 'slots', 'layers', 'src', 'zero', 'h_off', 'c_off', 'has_c'],
        {
          units: B * H, slots: T + 1, layers: L, src, zero,
          h_off: net.acts.view('h').offset,
          c_off: net.acts.has('c') ? net.acts.view('c').offset : 0,
          has_c: net.acts.has('c') ? 1 : 0,
        }), { 1: net.acts.buffer }, [Math.ceil((B * H) / 64), L, R]);
    }

    const top = net.topOutput();
    const yOff = this.logits.view('y').offset;
    const dyOff = this.headGrad.view('dy').offset;
    const params = this.params.buffer;
    const grads = this.grads.buffer;
    // y (rows x O) = h_top (rows x H) W^T + b, W [O][H]
    await addGemm(engine, builder, 'head', {
      label: 'head forward', runs: R, m: rows, n: O, k: H, a: top,
      b: { buffer: params, off: head.weight, run: P, rs: 1, cs: H },
      bias: { buffer: params, off: head.bias, run: P, rs: 0, cs: 0 },
      c: { buffer: this.logits.buffer, off: yOff, run: rows * O, rs: O, cs: 1 },
    });
    const lossKernel = await engine.kernel({ label: 'loss', file: 'loss.wgsl', entryPoint: 'loss' });
    builder.add('head', lossKernel, `${spec.task.loss} loss`, packRecord(
      ['rows', 'outputs', 'kind', 'y_off', 'y_run', 't_off', 'w_off', 'dy_off', 'dy_run', 'loss_off'],
      {
        rows, outputs: O, kind: spec.task.loss === 'mse' ? 0 : 1, y_off: yOff, y_run: rows * O,
        t_off: this.batchArena.view('target').offset, w_off: this.batchArena.view('weight').offset,
        dy_off: dyOff, dy_run: rows * O, loss_off: this.headGrad.view('loss').offset,
      }), { 1: this.logits.buffer, 2: this.batchArena.buffer, 3: this.headGrad.buffer }, [1, 1, R]);
    const dY = { buffer: this.headGrad.buffer, off: dyOff, run: rows * O };
    // dW (O x H) = dY^T (O x rows) h_top (rows x H); db = column sums of dY
    await addGemm(engine, builder, 'head', {
      label: 'head weight gradient', runs: R, m: O, n: H, k: rows,
      a: { ...dY, rs: 1, cs: O }, b: top,
      c: { buffer: grads, off: head.weight, run: P, rs: H, cs: 1 },
    });
    await addColumnSum(engine, builder, 'head', {
      label: 'head bias gradient', runs: R, m: rows, n: O,
      a: { ...dY, rs: O, cs: 1 }, c: { buffer: grads, off: head.bias, run: P, rs: 0, cs: 1 },
    });
    // dh_top (rows x H) = dY (rows x O) W (O x H): the upstream gradient BPTT starts from
    await addGemm(engine, builder, 'head', {
      label: 'head input gradient', runs: R, m: rows, n: H, k: O,
      a: { ...dY, rs: O, cs: 1 },
      b: { buffer: params, off: head.weight, run: P, rs: H, cs: 1 },
      c: { buffer: net.dy.buffer, off: net.dy.view('dy').offset, run: rows * H, rs: H, cs: 1 },
    });

    this.update = await UpdateStage.create(engine, builder, 'update', {
      label: `${label} update`, runs: R, paramCount: P, params, grads,
      segments: this.layout.segments,
    });
    this.update.configure(spec.runs.map((r) => ({ optimizer: r.optimizer, clip: r.clip })));
    this.program = builder.finish();
    this.metrics = new MetricsHistory(engine, label, R, L + 1, onRecords);
  }

  /** Encodes and submits one training step. Never awaits. */
  trainStep(): void {
    const { spec, net } = this;
    const { batch: B, seqLen: T } = spec;
    const plan = windowPlan(spec.bptt, T, this.step);
    spec.task.fill(plan.episode, plan.t0, T, B, this.batchData);
    scoreWindow(this.batchData.weight, T, B, plan.scoreFrom, spec.head === 'last');
    net.acts.write('x', this.batchData.x);
    this.batchArena.write('target', this.batchData.target);
    this.batchArena.write('weight', this.batchData.weight);
    const step = this.step + 1;
    const rates = spec.runs.map((r) => learningRate(r.optimizer.lr, r.schedule, step));
    this.update.prepareStep(step, rates);
    const norms = this.update.normsView;
    this.engine.submit(`${spec.label ?? spec.cell} step ${step}`, (encoder) => {
      this.program.encode(encoder, plan.carry ? 'carry' : 'reset');
      net.encodeForward(encoder);
      this.program.encode(encoder, 'head');
      net.encodeBackward(encoder);
      this.program.encode(encoder, 'update');
      this.metrics.encodeStep(encoder, step,
        { buffer: this.headGrad.buffer, offset: this.headGrad.view('loss').offset },
        { buffer: norms.buffer, offset: norms.offset }, rates);
      if (step % (spec.metricsEvery ?? 4) === 0) this.metrics.capture(encoder, step);
    });
    this.metrics.afterSubmit();
    this.step = step;
  }

  /** Reads back the metrics of every step submitted so far; resolves once they are delivered. */
  async flushMetrics(): Promise<void> {
    let done: Promise<void> | null = null;
    while (!done) {
      this.engine.submit('metrics flush', (encoder) => {
        done = this.metrics.capture(encoder, this.step);
      });
      this.metrics.afterSubmit();
      if (!done) await this.engine.device.queue.onSubmittedWorkDone();
    }
    await done;
  }

  /** Back to step 0: weights re-drawn from each run's seed, optimizer state zeroed. */
  reset(): void {
    const { rnn, head, paramCount } = this.layout;
    const one = new Float32Array(paramCount);
    this.spec.runs.forEach((run, r) => {
      initParams(one, rnn, this.spec.hiddenSize, head, run.seed);
      this.params.write('params', one, r * paramCount);
    });
    this.update.reset();
    this.metrics.clear();
    this.step = 0;
  }

  /** Every run's parameter vector (tests and export; not for the training loop). */
  async readParams(): Promise<Float32Array[]> {
    const all = await this.params.read('params');
    const P = this.layout.paramCount;
    return this.spec.runs.map((_, r) => all.slice(r * P, (r + 1) * P));
  }

  destroy(): void {
    this.net.destroy();
    for (const a of [this.params, this.grads, this.batchArena, this.logits, this.headGrad]) a.destroy();
    this.program?.destroy();
    this.update?.destroy();
    this.metrics?.destroy();
  }
}
