/**
 * The data of a step. Training: each step fills its BPTT window of the task's stream on the CPU
 * (the scoring of truncated windows and of a last-step head applied to the weights) and writes it
 * with queue writes. Evaluation: the task's fixed validation batches are made and uploaded once,
 * at build, into their own buffer; an evaluation pass copies batch i into place inside the encoder.
 * Inputs go to the network's `x` view; targets and weights to this stage's batch arena.
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { allocateBatch, type TaskBatch } from '../data/task';
import type { RnnGpu } from '../model/rnn-gpu';
import { scoreWindow } from './bptt';
import { evalBatches } from './eval-batches';
import type { GroupSpec } from './group-spec';
import type { Pass, Phase, Stage, StepInfo } from './stage';

const FIELDS = ['x', 'target', 'weight', 'metricWeight'] as const;

export class BatchStage implements Stage {
  readonly name = 'batch';
  /** target [T*B*O] or [T*B], weight [T][B], metricWeight [T][B] (evaluation only). */
  readonly arena: Arena;
  /** The validation batches, [n][...] per field; absent when the group never evaluates. */
  private readonly val?: Arena;
  private readonly data: TaskBatch;

  constructor(
    engine: Engine,
    private readonly spec: GroupSpec,
    private readonly net: RnnGpu,
    label: string,
    evaluated: boolean,
  ) {
    const { batch: B, seqLen: T, task } = spec;
    this.data = allocateBatch(task, T, B);
    this.arena = new Arena(engine, `${label} batch`, [
      { name: 'target', shape: [this.data.target.length] },
      { name: 'weight', shape: [T, B] },
      { name: 'metricWeight', shape: [T, B] },
    ]);
    if (!evaluated) return;
    const batches = evalBatches(task, T, B, spec.head);
    const n = batches.length;
    this.val = new Arena(engine, `${label} validation batches`, FIELDS.map((f) => ({ name: f, shape: [n, batches[0][f].length] })));
    batches.forEach((b, i) => {
      for (const f of FIELDS) this.val!.write(f, b[f], i * b[f].length);
    });
  }

  prepareStep(step: StepInfo): void {
    const { spec, data, net } = this;
    const { batch: B, seqLen: T } = spec;
    const plan = step.window;
    spec.task.fill(plan.episode, plan.t0, T, B, data);
    scoreWindow(data.weight, T, B, plan.scoreFrom, spec.head === 'last');
    net.acts.write('x', data.x);
    this.arena.write('target', data.target);
    this.arena.write('weight', data.weight);
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase !== 'input' || pass.mode !== 'eval' || !this.val) return;
    const val = this.val;
    for (const f of FIELDS) {
      const from = val.view(f);
      const to = f === 'x' ? this.net.acts.view('x') : this.arena.view(f);
      const floats = from.length / from.shape[0];
      const target = f === 'x' ? this.net.acts.buffer : this.arena.buffer;
      encoder.copyBufferToBuffer(val.buffer, (from.offset + pass.batch * floats) * 4, target, to.offset * 4, floats * 4);
    }
  }

  destroy(): void {
    this.arena.destroy();
    this.val?.destroy();
  }
}
