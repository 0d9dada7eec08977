/**
 * Per-dispatch scalars (timestep, layer, offsets) as records in one uniform buffer,
 * each on its own 256-byte slot. Records are written once when a group is built; the
 * training step only replays bind groups that point at them.
 */
import type { Engine } from './engine';

export interface UniformRecord {
  binding(): GPUBufferBinding;
}

export class UniformTable {
  private readonly records: Uint32Array[] = [];
  private buffer: GPUBuffer | undefined;
  private readonly stride: number;

  constructor(
    private readonly engine: Engine,
    readonly label: string,
  ) {
    this.stride = Math.max(256, engine.limits.minUniformBufferOffsetAlignment);
  }

  /** Adds a record of u32 words (f32 values go in as their bit patterns via `f32bits`). */
  add(words: readonly number[]): UniformRecord {
    if (this.buffer) throw new Error(`uniform table "${this.label}" is already uploaded`);
    if (words.length * 4 > this.stride) throw new Error(`uniform record of ${words.length} words is too long`);
    const index = this.records.length;
    this.records.push(Uint32Array.from(words));
    return {
      binding: () => {
        if (!this.buffer) throw new Error(`uniform table "${this.label}" is not uploaded yet`);
        return { buffer: this.buffer, offset: index * this.stride, size: this.records[index].length * 4 };
      },
    };
  }

  /** Creates the buffer and writes every record; call once, before making bind groups. */
  upload(): void {
    const bytes = Math.max(1, this.records.length) * this.stride;
    this.buffer = this.engine.createBuffer(this.label, bytes, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    const data = new Uint32Array(bytes / 4);
    this.records.forEach((r, i) => data.set(r, (i * this.stride) / 4));
    this.engine.device.queue.writeBuffer(this.buffer, 0, data);
  }

  destroy(): void {
    this.buffer?.destroy();
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bit pattern of `x` as an f32, for f32 fields in a u32 record. */
export function f32bits(x: number): number {
  f32[0] = x;
  return u32[0];
}
