/**
 * A program is a set of named dispatch lists recorded once (when a run group is built)
 * and replayed every step. Each dispatch gets its own uniform record at binding 0;
 * records and bind groups are made once, so a step only encodes. A program also owns the
 * scratch buffers its dispatches asked for (split-K partials) and destroys them with itself.
 */
import { encodeDispatches, type BindingResource, type Dispatch, type Engine, type Kernel } from './engine';
import { UniformTable, type UniformRecord } from './uniforms';

/**
 * A scratch buffer of the program, known by name until `finish()` creates it. Every request
 * under one name shares one buffer, sized to the largest request: dispatches run in list order,
 * so a producer and its consumer finish before the next pair reuses the space.
 */
export class Scratch {
  constructor(
    readonly name: string,
    public bytes: number,
  ) {}
}

/** What a dispatch binds: a buffer, a range of one, or a scratch buffer of the program. */
export type ProgramResource = BindingResource | Scratch;

interface Pending {
  kernel: Kernel;
  label: string;
  record: UniformRecord;
  resources: Readonly<Record<number, ProgramResource>>;
  groups: readonly [number, number, number];
}

export class ProgramBuilder {
  private readonly uniforms: UniformTable;
  private readonly pending = new Map<string, Pending[]>();
  private readonly scratches = new Map<string, Scratch>();

  constructor(
    private readonly engine: Engine,
    readonly label: string,
  ) {
    this.uniforms = new UniformTable(engine, `${label} uniforms`);
  }

  /**
   * Appends a dispatch to list `list`. `record` is the kernel's uniform struct as u32 words
   * (binding 0); `resources` are the other bindings by number.
   */
  add(
    list: string,
    kernel: Kernel,
    label: string,
    record: readonly number[],
    resources: Readonly<Record<number, ProgramResource>>,
    groups: readonly [number, number, number],
  ): void {
    this.engine.checkDispatch(label, groups);
    let entries = this.pending.get(list);
    if (!entries) this.pending.set(list, (entries = []));
    entries.push({ kernel, label, record: this.uniforms.add(record), resources, groups });
  }

  /** A storage buffer of at least `bytes` that the program owns, shared with every request named `name`. */
  scratch(name: string, bytes: number): Scratch {
    let s = this.scratches.get(name);
    if (!s) this.scratches.set(name, (s = new Scratch(name, bytes)));
    s.bytes = Math.max(s.bytes, bytes);
    return s;
  }

  /** Creates the scratch buffers, uploads the uniform records and makes every bind group. */
  finish(): Program {
    const buffers = new Map<Scratch, GPUBuffer>();
    for (const s of this.scratches.values()) {
      buffers.set(s, this.engine.createBuffer(`${this.label} ${s.name}`, s.bytes, GPUBufferUsage.STORAGE));
    }
    const resolve = (r: ProgramResource): BindingResource => (r instanceof Scratch ? buffers.get(r)! : r);
    this.uniforms.upload();
    const lists = new Map<string, Dispatch[]>();
    for (const [name, entries] of this.pending) {
      lists.set(
        name,
        entries.map((p) => {
          const resources: Record<number, BindingResource> = { 0: p.record.binding() };
          for (const [binding, r] of Object.entries(p.resources)) resources[Number(binding)] = resolve(r);
          return { kernel: p.kernel, groups: p.groups, bindGroup: this.engine.bindGroup(p.kernel, p.label, resources) };
        }),
      );
    }
    return new Program(this.label, lists, this.uniforms, [...buffers.values()]);
  }
}

export class Program {
  constructor(
    readonly label: string,
    private readonly lists: Map<string, Dispatch[]>,
    private readonly uniforms: UniformTable,
    /** Scratch buffers the program owns. */
    readonly scratch: readonly GPUBuffer[] = [],
  ) {}

  list(name: string): readonly Dispatch[] {
    return this.lists.get(name) ?? [];
  }

  /** Encodes list `name` as one compute pass. */
  encode(encoder: GPUCommandEncoder, name: string): void {
    const list = this.list(name);
    if (list.length > 0) encodeDispatches(encoder, `${this.label} ${name}`, list);
  }

  destroy(): void {
    this.uniforms.destroy();
    for (const b of this.scratch) b.destroy();
  }
}
