/**
 * Split-K products whose reductions a later pass makes instead of their own reduce dispatch (the
 * gradient-norm pass adds the weight gradients' partials as it reads them, shaders/norms.wgsl).
 * Planned before recording: each product's variant is chosen up front, so the partials of every
 * product that can defer (gemm-record.ts canDefer) get their own place in one buffer that lives as
 * long as the plan, not the program's scratch, which the next product reuses. Products that cannot
 * defer (no split won, or C not one block written outright) record as usual.
 */
import type { Engine } from './engine';
import { variantFor, type GemmSpec } from './gemm';
import { canDefer, deferredSums, scratchFloats, type DeferredSum, type GemmProblem, type GemmVariant, type PartialsHome } from './gemm-record';

/** The most partials one owner keeps (the tuner's cap for one product's scratch is 32 MiB). */
const MAX_BYTES = 64 << 20;

interface Place {
  variant: GemmVariant;
  home: PartialsHome;
  sums: DeferredSum[];
  /** What the recording must match: sizes, runs and the blocks of C. */
  key: string;
}

function keyOf(p: GemmProblem, sums: DeferredSum[]): string {
  return JSON.stringify([p.runs, p.m, p.n, p.k, sums]);
}

export class DeferredReductions {
  private constructor(
    /** Every deferred product's partials; absent when none defers. */
    readonly buffer: GPUBuffer | undefined,
    private readonly places: ReadonlyMap<string, Place>,
  ) {}

  /** Chooses each product's variant and places the partials of those that can defer; labels must be distinct. */
  static async plan(engine: Engine, label: string, specs: readonly GemmSpec[]): Promise<DeferredReductions> {
    const chosen: { p: GemmProblem; variant: GemmVariant; floats: number }[] = [];
    // One buffer holds them all and one binding reads it: past its limits a product keeps its reduction.
    const most = Math.min(MAX_BYTES, engine.limits.maxStorageBufferBindingSize, engine.limits.maxBufferSize) / 4;
    let total = 0;
    for (const { variant: given, ...p } of specs) {
      const variant = await variantFor(engine, p, given);
      const floats = scratchFloats(p, variant);
      if (canDefer(p, variant) && total + floats <= most) {
        chosen.push({ p, variant, floats });
        total += floats;
      }
    }
    const buffer = total > 0 ? engine.createBuffer(`${label} deferred gemm partials`, total * 4, GPUBufferUsage.STORAGE) : undefined;
    const places = new Map<string, Place>();
    let off = 0;
    for (const { p, variant, floats } of chosen) {
      if (places.has(p.label)) throw new Error(`deferred gemm "${p.label}": two products with one label`);
      const sums = deferredSums(p, variant, off);
      places.set(p.label, { variant, home: { buffer: buffer!, off }, sums, key: keyOf(p, sums) });
      off += floats;
    }
    return new DeferredReductions(buffer, places);
  }

  /**
   * Where `p`'s partials go and with which variant, when the plan defers it; throws when a product
   * of a planned label writes other blocks than planned (the recording and the plan disagree).
   */
  placeOf(p: GemmProblem): Place | undefined {
    const place = this.places.get(p.label);
    if (place && keyOf(p, deferredSums(p, place.variant, place.home.off)) !== place.key) {
      throw new Error(`deferred gemm "${p.label}": recorded with other blocks of C than planned`);
    }
    return place;
  }

  /** The blocks left as partials, for the pass that adds them up, in ascending order of start. */
  get sums(): DeferredSum[] {
    return [...this.places.values()].flatMap((p) => p.sums).sort((a, b) => a.start - b.start);
  }

  /** The buffer and its blocks for the pass that adds them up; absent when nothing defers. */
  get source(): { partials: GPUBuffer; sums: DeferredSum[] } | undefined {
    return this.buffer ? { partials: this.buffer, sums: this.sums } : undefined;
  }

  destroy(): void {
    this.buffer?.destroy();
  }
}
