/**
 * A tiny deterministic backend for testing the experiment's orchestration without a GPU: each
 * run holds a few weights w, and a step with learning rate lr does w -= lr * w, reporting
 * loss = sum(w^2) (non-finite once lr > 2, a divergence). Records arrive on settle(), in order,
 * like the real groups' readback. Like the WebGPU group, it refuses live settings that need a trick
 * its runs did not use when it was built (GroupSpec.tricks). Test support only; the app never uses it.
 */
import { initParams } from '../model/init';
import { modelLayout } from '../model/model-layout';
import { groupTricks, runTrickErrors, type GroupSpec, type GroupTricks, type RunSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import { learningRate } from '../training/schedules';
import type { RecordSink, RunCheckpoint, TrainerBackend, TrainerGroup } from '../training/trainer';

export const FAKE_QUEUE = 8;

export class FakeGroup implements TrainerGroup {
  readonly backend = 'cpu' as const;
  step = 0;
  runSteps: number[];
  lostSteps = 0;
  destroyed = false;
  /** Data positions this group was moved to by seek(). */
  readonly seeks: number[] = [];
  private params: Float32Array[];
  private pending: StepRecord[] = [];
  private runs: RunSpec[];
  private readonly tricks: GroupTricks;

  constructor(
    readonly spec: GroupSpec,
    private readonly sink: RecordSink,
  ) {
    this.runs = [...spec.runs];
    this.tricks = groupTricks(spec);
    this.runSteps = spec.runs.map(() => 0);
    this.params = spec.runs.map((r) => this.init(r));
  }

  /** The run's first weights of weight_ih_l0, drawn from its seed and init as a real group draws them. */
  private init(run: RunSpec): Float32Array {
    const layout = modelLayout({ ...this.spec, inputSize: this.spec.task.inputSize }, this.spec.task.outputSize);
    const p = new Float32Array(layout.paramCount);
    initParams(p, layout.rnn, this.spec.hiddenSize, layout.head, run.seed, run.init, this.spec.cell);
    return p.subarray(0, 4).slice();
  }

  canStep(): boolean {
    return this.pending.length < FAKE_QUEUE;
  }

  trainStep(): void {
    if (!this.canStep()) throw new Error('fake group: metrics queue full; settle first');
    this.step++;
    this.pending.push({
      step: this.step,
      runs: this.runs.map((run, r) => {
        const s = ++this.runSteps[r];
        const lr = learningRate(run.optimizer.lr, run.schedule, s);
        const w = this.params[r];
        let loss = 0;
        for (let i = 0; i < w.length; i++) {
          w[i] -= lr > 2 ? Infinity : lr * w[i];
          loss += w[i] * w[i];
        }
        return { loss, gradNorm: Math.sqrt(loss), layerGradNorms: [loss], learningRate: lr, runStep: s, clipped: false };
      }),
    });
  }

  async settle(): Promise<void> {
    await Promise.resolve();
    const records = this.pending;
    this.pending = [];
    if (records.length > 0) this.sink(records);
  }

  configureRuns(runs: readonly RunSpec[]): void {
    const spec = { ...this.spec, tricks: this.tricks, runs: [...runs] };
    const errors = runs.flatMap((run, i) => runTrickErrors(spec, run, i));
    if (errors.length > 0) throw new Error(`fake group: ${errors.join('; ')}`);
    this.runs = [...runs];
  }

  restartRuns(indices: readonly number[]): void {
    for (const r of indices) {
      this.params[r] = this.init(this.runs[r]);
      this.runSteps[r] = 0;
    }
  }

  reset(): void {
    this.step = 0;
    this.pending = [];
    this.restartRuns(this.runs.map((_, r) => r));
  }

  seek(step: number): void {
    this.step = step;
    this.seeks.push(step);
  }

  async readCheckpoints(): Promise<RunCheckpoint[]> {
    return this.params.map((p, r) => ({ step: this.runSteps[r], params: p.slice(), optimizer: [new Float32Array(p.length)], extra: {} }));
  }

  writeCheckpoints(indices: readonly number[], checkpoints: readonly RunCheckpoint[]): void {
    indices.forEach((r, i) => {
      this.params[r] = checkpoints[i].params.slice();
      this.runSteps[r] = checkpoints[i].step;
    });
  }

  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeBackend implements TrainerBackend {
  readonly kind = 'cpu' as const;
  readonly groups: FakeGroup[] = [];
  /** Hidden sizes above this are refused by validate(), to test checking before allocating. */
  maxHidden = 1024;

  validate(spec: GroupSpec): string[] {
    return spec.hiddenSize > this.maxHidden ? [`hiddenSize ${spec.hiddenSize} is more than this backend holds (${this.maxHidden})`] : [];
  }

  async createGroup(spec: GroupSpec, onRecords: RecordSink): Promise<TrainerGroup> {
    const g = new FakeGroup(spec, onRecords);
    this.groups.push(g);
    return g;
  }

  destroy(): void {}
}
