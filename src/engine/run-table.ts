/**
 * The per-run table (DESIGN decisions 1 and 10): one record of named 4-byte fields per run,
 * mirrored by one WGSL struct and read by kernels as `array<Struct>` indexed by the run.
 * Values are set by name; `flush()` writes the whole table with one writeBuffer, and only when
 * something changed since the last flush. Generic: the field list belongs to the caller.
 */
import type { Engine } from './engine';
import { RecordLayout, wordOf } from './record';

export class RunTable<N extends string> {
  readonly buffer: GPUBuffer;
  private readonly data: Uint32Array<ArrayBuffer>;
  private readonly floats: Float32Array;
  private dirty = true;
  /** writeBuffer calls made so far (tests count them). */
  writes = 0;

  constructor(
    private readonly engine: Engine,
    readonly label: string,
    readonly runs: number,
    readonly layout: RecordLayout<N>,
  ) {
    for (const f of layout.fields) {
      if (f.count !== 1) throw new Error(`run table "${label}": field "${f.name}" must be one scalar`);
    }
    this.data = new Uint32Array(runs * layout.words);
    this.floats = new Float32Array(this.data.buffer);
    this.buffer = engine.createBuffer(label, this.data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  }

  private index(run: number, name: N): number {
    if (!Number.isInteger(run) || run < 0 || run >= this.runs) {
      throw new Error(`run table "${this.label}": run must be 0 to ${this.runs - 1}, got ${run}`);
    }
    return run * this.layout.words + this.layout.field(name).offset;
  }

  /** Sets one field of one run (f32 fields are rounded to f32 here, as the GPU will see them). */
  set(run: number, name: N, value: number): void {
    const i = this.index(run, name);
    const word = wordOf(this.layout.field(name).type, value, name);
    if (this.data[i] !== word) {
      this.data[i] = word;
      this.dirty = true;
    }
  }

  get(run: number, name: N): number {
    const i = this.index(run, name);
    return this.layout.field(name).type === 'f32' ? this.floats[i] : this.data[i];
  }

  /** Writes the table if anything changed since the last flush; true if it wrote. Never waits. */
  flush(): boolean {
    if (!this.dirty) return false;
    this.engine.device.queue.writeBuffer(this.buffer, 0, this.data);
    this.dirty = false;
    this.writes++;
    return true;
  }

  binding(): GPUBufferBinding {
    return { buffer: this.buffer, offset: 0, size: this.data.byteLength };
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
