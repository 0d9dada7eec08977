/**
 * A program is a set of named dispatch lists recorded once (when a run group is built)
 * and replayed every step. Each dispatch gets its own uniform record at binding 0;
 * records and bind groups are made once, so a step only encodes.
 */
import { encodeDispatches, type BindingResource, type Dispatch, type Engine, type Kernel } from './engine';
import { UniformTable, type UniformRecord } from './uniforms';

interface Pending {
  kernel: Kernel;
  label: string;
  record: UniformRecord;
  resources: Readonly<Record<number, BindingResource>>;
  groups: readonly [number, number, number];
}

export class ProgramBuilder {
  private readonly uniforms: UniformTable;
  private readonly pending = new Map<string, Pending[]>();

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
    resources: Readonly<Record<number, BindingResource>>,
    groups: readonly [number, number, number],
  ): void {
    for (const g of groups) {
      if (g > this.engine.limits.maxComputeWorkgroupsPerDimension) {
        throw new Error(`dispatch "${label}" needs ${g} workgroups in one dimension; the device allows ${this.engine.limits.maxComputeWorkgroupsPerDimension}`);
      }
    }
    let entries = this.pending.get(list);
    if (!entries) this.pending.set(list, (entries = []));
    entries.push({ kernel, label, record: this.uniforms.add(record), resources, groups });
  }

  /** Uploads the uniform records and makes every bind group. */
  finish(): Program {
    this.uniforms.upload();
    const lists = new Map<string, Dispatch[]>();
    for (const [name, entries] of this.pending) {
      lists.set(
        name,
        entries.map((p) => ({
          kernel: p.kernel,
          groups: p.groups,
          bindGroup: this.engine.bindGroup(p.kernel, p.label, { ...p.resources, 0: p.record.binding() }),
        })),
      );
    }
    return new Program(this.label, lists, this.uniforms);
  }
}

export class Program {
  constructor(
    readonly label: string,
    private readonly lists: Map<string, Dispatch[]>,
    private readonly uniforms: UniformTable,
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
  }
}

/** Packs a record in the order of a WGSL struct's fields; every field must be given. */
export function packRecord<F extends string>(fields: readonly F[], values: Readonly<Record<F, number>>): number[] {
  return fields.map((f) => {
    const v = values[f];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`record field "${f}" = ${v} is not a u32`);
    return v;
  });
}
