/**
 * An arena: one labelled GPU buffer carved into named f32 views by a layout table.
 * Kernels bind the whole buffer and address views by their float offset, so one
 * binding serves every view a kernel reads or writes.
 */
import type { Engine } from './engine';

export interface ViewSpec {
  name: string;
  /** Shape in floats, outermost first, e.g. [R, L, T + 1, B, H]. */
  shape: readonly number[];
}

export interface View {
  name: string;
  shape: readonly number[];
  /** Offset in floats from the start of the arena's buffer. */
  offset: number;
  /** Length in floats. */
  length: number;
}

/** Views start on 256-byte boundaries so any view can also be bound on its own. */
const ALIGN_FLOATS = 64;

export class Arena {
  readonly buffer: GPUBuffer;
  private readonly views = new Map<string, View>();

  constructor(
    private readonly engine: Engine,
    readonly label: string,
    specs: readonly ViewSpec[],
  ) {
    let offset = 0;
    for (const spec of specs) {
      if (this.views.has(spec.name)) throw new Error(`arena "${label}" has two views named "${spec.name}"`);
      const length = spec.shape.reduce((a, b) => a * b, 1);
      this.views.set(spec.name, { name: spec.name, shape: spec.shape, offset, length });
      offset += Math.ceil(Math.max(length, 1) / ALIGN_FLOATS) * ALIGN_FLOATS;
    }
    this.buffer = engine.createBuffer(
      label,
      offset * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    );
  }

  view(name: string): View {
    const v = this.views.get(name);
    if (!v) throw new Error(`arena "${this.label}" has no view "${name}"`);
    return v;
  }

  has(name: string): boolean {
    return this.views.has(name);
  }

  /** Binding of one view alone (for kernels that take a view rather than the arena). */
  binding(name: string): GPUBufferBinding {
    const v = this.view(name);
    return { buffer: this.buffer, offset: v.offset * 4, size: Math.max(v.length, 1) * 4 };
  }

  /** Writes `data` into the view, starting `at` floats into it. */
  write(name: string, data: Float32Array, at = 0): void {
    const v = this.view(name);
    if (at + data.length > v.length) {
      throw new Error(`write of ${data.length} floats at ${at} overflows view "${name}" (${v.length}) in "${this.label}"`);
    }
    this.engine.device.queue.writeBuffer(this.buffer, (v.offset + at) * 4, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Reads the view back (tests and tools only). */
  async read(name: string): Promise<Float32Array> {
    const v = this.view(name);
    return new Float32Array(await this.engine.readBuffer(this.buffer, v.offset * 4, v.length * 4));
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
