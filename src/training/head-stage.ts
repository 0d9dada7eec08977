/**
 * The linear head and the loss (shaders/loss.wgsl) on every timestep's top-layer output.
 * Training: y = h W^T + b, the loss and dy, then dW, db and the gradient on h that BPTT starts
 * from. Evaluation batch i: y and the loss kernel's evaluation mode, which sums the loss and the
 * task's metric over the validation batches and writes valLoss and metric at the last one.
 * The head reads the network's output parts (one per top direction), so a wider top layer
 * changes the loops' contents, not the loops. When the network's top layer forms the gradient on
 * h itself from dY and W (net.foldsHead, FOLD_HEAD), the head records no input gradient GEMM; so
 * that the network can bind dY, the run group makes the head's gradient arena before the network.
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { addGemm, type GemmSpec } from '../engine/gemm';
import { DeferredReductions } from '../engine/gemm-defer';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';
import type { ModelLayout } from '../model/model-layout';
import type { HeadGradient, RnnGpu } from '../model/rnn-gpu';
import type { BatchStage } from './batch-stage';
import type { GroupSpec } from './group-spec';
import type { MetricColumn } from './metrics';
import type { Pass, Phase, Stage } from './stage';

/** `struct Loss` in shaders/loss.wgsl. */
export const LOSS_RECORD = new RecordLayout([
  'rows', 'outputs', 'kind', 'y_off', 'y_run', 't_off', 'w_off', 'dy_off', 'dy_run', 'loss_off',
  'mode', 'metric', 'mw_off', 'batch_index', 'batches', 'acc_off', 'out_off',
]);

const LOSS_KINDS = { mse: 0, cross_entropy: 1 } as const;
const METRIC_KINDS = { mse: 0, accuracy: 1, bpc: 2 } as const;

export interface HeadStageSpec {
  label: string;
  spec: GroupSpec;
  net: RnnGpu;
  layout: ModelLayout;
  params: GPUBuffer;
  grads: GPUBuffer;
  batch: BatchStage;
  /** Validation batches per evaluation pass; 0 when the group never evaluates. */
  evalBatches: number;
  /** Split-K weight gradients leave their partials in `deferred` for the update's norm pass (as RnnGroupShape.deferReductions). */
  deferReductions?: boolean;
  /** The head's gradient arena (createHeadGradients), made before the network; the run group owns it. */
  gradients: Arena;
}

/** The head's gradient arena: dY [R][T][B][O], loss [R], evaluation sums [R][3] and results [R][2]. */
export function createHeadGradients(engine: Engine, label: string, spec: GroupSpec): Arena {
  const { batch: B, seqLen: T, task } = spec;
  return new Arena(engine, `${label} head gradients`, [
    { name: 'dy', shape: [spec.runs.length, T, B, task.outputSize] },
    { name: 'loss', shape: [spec.runs.length] },
    { name: 'evalSums', shape: [spec.runs.length, 3] },
    { name: 'evalResult', shape: [spec.runs.length, 2] },
  ]);
}

/** What a network's top layer needs to form the head's input gradient itself: dY in `gradients` and W's offset. */
export function headGradientOf(gradients: Arena, layout: ModelLayout, spec: GroupSpec): HeadGradient {
  const dy = gradients.view('dy');
  return {
    dY: { buffer: gradients.buffer, off: dy.offset, run: dy.length / spec.runs.length },
    outputs: layout.head.outputs,
    weight: layout.head.weight,
  };
}

export class HeadStage implements Stage {
  readonly name = 'head';
  private readonly logits: Arena;
  /** dy [R][rows][O], loss [R], evaluation sums [R][3] and results [R][2] (createHeadGradients; not owned). */
  private readonly out: Arena;
  private program!: Program;
  /** With deferReductions: the weight gradient's partials and the blocks of grads still to add up. */
  deferred: DeferredReductions | undefined;

  private constructor(engine: Engine, private readonly s: HeadStageSpec) {
    const { batch: B, seqLen: T, task } = s.spec;
    const R = s.spec.runs.length;
    const O = task.outputSize;
    this.logits = new Arena(engine, `${s.label} head outputs`, [{ name: 'y', shape: [R, T, B, O] }]);
    this.out = s.gradients;
  }

  /** The head's outputs y [R][T][B][O] (of the last pass run): buffer and offset in floats. */
  get outputs(): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.logits.buffer, offset: this.logits.view('y').offset };
  }

  /** Where each step's training loss [R] and each evaluation's results [R][2] (valLoss, metric) live. */
  get results(): { buffer: GPUBuffer; loss: number; evaluation: number } {
    return { buffer: this.out.buffer, loss: this.out.view('loss').offset, evaluation: this.out.view('evalResult').offset };
  }

  static async create(engine: Engine, s: HeadStageSpec): Promise<HeadStage> {
    const stage = new HeadStage(engine, s);
    const builder = new ProgramBuilder(engine, `${s.label} head`);
    await stage.record(engine, builder);
    stage.program = builder.finish();
    return stage;
  }

  private async record(engine: Engine, builder: ProgramBuilder): Promise<void> {
    const { spec, net, layout, params, grads, batch } = this.s;
    const { head, paramCount: P } = layout;
    const { batch: B, seqLen: T, task } = spec;
    const R = spec.runs.length;
    const O = head.outputs;
    const D = head.inputs;
    const rows = T * B;
    const parts = net.outputParts();
    const yOff = this.logits.view('y').offset;
    const dyOff = this.out.view('dy').offset;
    const lossKernel = await engine.kernel({ label: 'loss', file: 'loss.wgsl', entryPoint: 'loss' });
    const lossRecord = (mode: 0 | 1, batchIndex: number) => LOSS_RECORD.pack({
      rows, outputs: O, kind: LOSS_KINDS[task.loss], y_off: yOff, y_run: rows * O,
      t_off: batch.arena.view('target').offset, w_off: batch.arena.view('weight').offset,
      dy_off: dyOff, dy_run: rows * O, loss_off: this.out.view('loss').offset,
      mode, metric: METRIC_KINDS[task.metric], mw_off: batch.arena.view('metricWeight').offset,
      batch_index: batchIndex, batches: this.s.evalBatches,
      acc_off: this.out.view('evalSums').offset, out_off: this.out.view('evalResult').offset,
    });
    const lossResources = { 1: this.logits.buffer, 2: batch.arena.buffer, 3: this.out.buffer };

    const lists = ['train', ...Array.from({ length: this.s.evalBatches }, (_, i) => `eval ${i}`)];
    for (const [i, list] of lists.entries()) {
      // y (rows x O) = sum over parts of h_part (rows x width) W[:, part]^T, + b; W [O][D]
      for (const [k, part] of parts.entries()) {
        await addGemm(engine, builder, list, {
          label: 'head forward', runs: R, m: rows, n: O, k: part.width, a: part.value,
          b: { buffer: params, off: head.weight + part.column, run: P, rs: 1, cs: D },
          bias: k === 0 ? { buffer: params, off: head.bias, run: P, rs: 0, cs: 0 } : undefined,
          accumulate: k > 0,
          c: { buffer: this.logits.buffer, off: yOff, run: rows * O, rs: O, cs: 1 },
        });
      }
      const train = list === 'train';
      builder.add(list, lossKernel, `${task.loss} loss${train ? '' : ` (evaluation ${i - 1})`}`,
        lossRecord(train ? 0 : 1, train ? 0 : i - 1), lossResources, [1, 1, R]);
    }

    const dY = { buffer: this.out.buffer, off: dyOff, run: rows * O };
    // dW[:, part] (O x width) = dY^T (O x rows) h_part (rows x width); with the first part the
    // row sums of dY^T, db = column sums of dY
    const weightGradients: GemmSpec[] = parts.map((part, k) => ({
      label: `head weight gradient${k > 0 ? ` part ${k}` : ''}`, runs: R, m: O, n: part.width, k: rows,
      a: { ...dY, rs: 1, cs: O }, b: part.value,
      c: { buffer: grads, off: head.weight + part.column, run: P, rs: D, cs: 1 },
      rowSums: k === 0 ? { buffer: grads, off: head.bias, run: P, rs: 0, cs: 1 } : undefined,
    }));
    if (this.s.deferReductions) this.deferred = await DeferredReductions.plan(engine, `${this.s.label} head`, weightGradients);
    for (const g of weightGradients) await addGemm(engine, builder, 'train', g, this.deferred);
    // dh_part (rows x width) = dY (rows x O) W[:, part] (O x width): the gradient BPTT starts from,
    // unless the top layer's backward forms it itself
    for (const part of net.foldsHead ? [] : parts) {
      await addGemm(engine, builder, 'train', {
        label: 'head input gradient', runs: R, m: rows, n: part.width, k: O,
        a: { ...dY, rs: O, cs: 1 },
        b: { buffer: params, off: head.weight + part.column, run: P, rs: D, cs: 1 },
        c: part.gradient,
      });
    }
  }

  encode(encoder: GPUCommandEncoder, phase: Phase, pass: Pass): void {
    if (phase === 'head') this.program.encode(encoder, pass.mode === 'train' ? 'train' : `eval ${pass.batch}`);
  }

  metricColumns(): readonly MetricColumn[] {
    return [
      {
        name: 'loss',
        source: { buffer: this.out.buffer, offset: this.out.view('loss').offset },
        width: 1,
        decode: (v, m) => {
          m.loss = v[0];
        },
      },
      {
        name: 'evaluation',
        source: { buffer: this.out.buffer, offset: this.out.view('evalResult').offset },
        width: 2,
        evalOnly: true,
        decode: (v, m) => {
          m.valLoss = v[0];
          m.metric = v[1];
        },
      },
    ];
  }

  destroy(): void {
    this.logits.destroy();
    this.deferred?.destroy();
    this.program?.destroy();
  }
}
