/**
 * Confusion counts over the validation set on the GPU (shaders/confusion.wgsl), for tasks scored
 * by accuracy: one dispatch after each validation batch's head, adding every weighted row at
 * [actual][predicted]; the counts are zeroed before batch 0. Read back as a diagnostics-only,
 * evaluation-only metric column (u32 counts, reinterpreted from the float copy).
 */
import { Arena } from '../engine/arena';
import type { Engine } from '../engine/engine';
import { ProgramBuilder, type Program } from '../engine/program';
import { RecordLayout } from '../engine/record';

/** `struct Confusion` in shaders/confusion.wgsl. */
export const CONFUSION_RECORD = new RecordLayout(['rows', 'classes', 'y_off', 'y_run', 't_off', 'mw_off', 'out_off']);

/** Most classes a confusion matrix is kept for (a bigger one is neither readable nor cheap). */
export const MAX_CONFUSION_CLASSES = 16;

export interface ConfusionSpec {
  label: string;
  runs: number;
  rows: number;
  classes: number;
  /** Head outputs [R][rows][C]. */
  y: { buffer: GPUBuffer; offset: number };
  /** The batch arena holding the current validation batch's targets and metric weights. */
  batch: { buffer: GPUBuffer; target: number; metricWeight: number };
}

export class ConfusionGpu {
  readonly perRun: number;
  private readonly out: Arena;
  private program!: Program;

  private constructor(engine: Engine, private readonly s: ConfusionSpec) {
    this.perRun = s.classes * s.classes;
    this.out = new Arena(engine, `${s.label} confusion`, [{ name: 'counts', shape: [s.runs, this.perRun] }]);
  }

  static async create(engine: Engine, s: ConfusionSpec): Promise<ConfusionGpu> {
    const kernel = await engine.kernel({ label: 'confusion', file: 'confusion.wgsl', entryPoint: 'confusion' });
    const c = new ConfusionGpu(engine, s);
    const builder = new ProgramBuilder(engine, `${s.label} confusion`);
    builder.add('count', kernel, `${s.label} confusion`, CONFUSION_RECORD.pack({
      rows: s.rows, classes: s.classes, y_off: s.y.offset, y_run: s.rows * s.classes,
      t_off: s.batch.target, mw_off: s.batch.metricWeight, out_off: c.out.view('counts').offset,
    }), { 1: s.y.buffer, 2: s.batch.buffer, 3: c.out.buffer }, [Math.ceil(s.rows / 64), 1, s.runs]);
    c.program = builder.finish();
    return c;
  }

  /** Adds the current validation batch; batch 0 starts the counts again. */
  encode(encoder: GPUCommandEncoder, batch: number): void {
    if (batch === 0) {
      const v = this.out.view('counts');
      encoder.clearBuffer(this.out.buffer, v.offset * 4, v.length * 4);
    }
    this.program.encode(encoder, 'count');
  }

  view(): { buffer: GPUBuffer; offset: number } {
    return { buffer: this.out.buffer, offset: this.out.view('counts').offset };
  }

  /** One run's counts [actual][predicted] from its floats as copied (the bits are u32). */
  decode(values: Float32Array): number[][] {
    const counts = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const C = this.s.classes;
    return Array.from({ length: C }, (_, a) => Array.from(counts.subarray(a * C, (a + 1) * C)));
  }

  async read(): Promise<number[][][]> {
    const all = await this.out.read('counts');
    return Array.from({ length: this.s.runs }, (_, r) => this.decode(all.subarray(r * this.perRun, (r + 1) * this.perRun)));
  }

  destroy(): void {
    this.out.destroy();
    this.program?.destroy();
  }
}
