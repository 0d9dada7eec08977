/**
 * A ring of staging buffers for asynchronous readback. A step copies a small region
 * (its metrics) into a free slot inside its own command encoder; after the submit the
 * slot is mapped in the background and the data delivered by promise. If every slot is
 * still in flight the capture is skipped rather than waited for: the step never stalls. A map
 * that fails (a lost device, a destroyed ring) rejects the capture's promise.
 */
import type { Engine } from './engine';

interface Slot {
  buffer: GPUBuffer;
  busy: boolean;
  pending?: { resolve: (data: ArrayBuffer) => void; reject: (error: Error) => void };
}

export class ReadbackRing {
  private readonly slots: Slot[];
  private captured: Slot[] = [];
  /** Captures dropped because every slot was busy. */
  dropped = 0;

  constructor(
    engine: Engine,
    readonly label: string,
    readonly bytes: number,
    slotCount = 4,
  ) {
    this.slots = Array.from({ length: slotCount }, (_, i) => ({
      buffer: engine.createBuffer(`${label} slot ${i}`, bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
      busy: false,
    }));
  }

  /**
   * Records a copy of `bytes` from `src` into a free slot. Returns a promise of the data,
   * or null when no slot is free. Call `afterSubmit()` once the encoder is submitted.
   */
  capture(encoder: GPUCommandEncoder, src: GPUBuffer, srcOffset = 0): Promise<ArrayBuffer> | null {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) {
      this.dropped++;
      return null;
    }
    slot.busy = true;
    encoder.copyBufferToBuffer(src, srcOffset, slot.buffer, 0, this.bytes);
    this.captured.push(slot);
    return new Promise((resolve, reject) => {
      slot.pending = { resolve, reject };
    });
  }

  /** Starts mapping the slots captured since the last call. Never awaits. */
  afterSubmit(): void {
    for (const slot of this.captured) {
      const pending = slot.pending;
      slot.pending = undefined;
      slot.buffer.mapAsync(GPUMapMode.READ).then(
        () => {
          const data = slot.buffer.getMappedRange(0, this.bytes).slice(0);
          slot.buffer.unmap();
          slot.busy = false;
          pending?.resolve(data);
        },
        (e: unknown) => {
          slot.busy = false;
          pending?.reject(new Error(`readback "${slot.buffer.label}" failed: ${e instanceof Error ? e.message : String(e)}`));
        },
      );
    }
    this.captured = [];
  }

  /** Slots currently waiting on the GPU. */
  get inFlight(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Frees the slots; captures not yet mapped reject, maps in flight fail and reject. */
  destroy(): void {
    for (const slot of this.captured) slot.pending?.reject(new Error(`readback "${slot.buffer.label}" destroyed before it was mapped`));
    this.captured = [];
    for (const s of this.slots) s.buffer.destroy();
  }
}
