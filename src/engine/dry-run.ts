/**
 * A dry run of building GPU work (DESIGN decision 8, validate before allocating): an Engine whose
 * device makes nothing. The same code that builds a run group runs against it, and every buffer
 * it would create, every range it would bind and every dispatch it would record is checked
 * against the real device's limits and kept as a list of problems instead of thrown, so a
 * configuration is refused whole before its first real buffer exists. Nothing here touches a GPU.
 */
import { Engine, type BindingResource, type Kernel, type KernelDesc } from './engine';

/** One limit a dry run found exceeded. `key` is stable across shapes (labels minus the owner's prefix). */
export interface DryRunProblem {
  key: string;
  /** How much was asked for (bytes or workgroups) and the device's limit. */
  amount: number;
  limit: number;
  message: string;
}

const MIB = 2 ** 20;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0)} MiB`;

/** A stand-in for every GPU object: any method call does nothing and returns another stand-in. */
function inert(extra: Record<string, unknown> = {}): object {
  const target = { ...extra };
  return new Proxy(target, {
    get: (t, name) => (name in t ? (t as Record<PropertyKey, unknown>)[name] : name === 'then' ? undefined : () => inert()),
  });
}

export class DryRunEngine extends Engine {
  readonly problems: DryRunProblem[] = [];
  /** Bytes of every buffer the build would create. */
  totalBytes = 0;

  /** `prefix` is stripped from labels in problem keys (the group's label). */
  constructor(
    private readonly realLimits: GPUSupportedLimits,
    private readonly prefix = '',
  ) {
    const device = inert({
      limits: realLimits,
      queue: inert({ onSubmittedWorkDone: () => Promise.resolve() }),
      popErrorScope: () => Promise.resolve(null),
    }) as unknown as GPUDevice;
    super({ device, adapterInfo: { vendor: 'dry run', architecture: '', device: '', description: 'dry run' } as never }, () => '');
  }

  override get limits(): GPUSupportedLimits {
    return this.realLimits;
  }

  override get dryRun(): boolean {
    return true;
  }

  override createBuffer(label: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    this.totalBytes += size;
    const max = this.limits.maxBufferSize;
    if (size > max) this.add(`buffer ${label}`, size, max, `buffer "${label}" needs ${mib(size)}; the device allows ${mib(max)} per buffer`);
    return inert({ label, size, usage, mapState: 'unmapped' }) as GPUBuffer;
  }

  override checkDispatch(label: string, groups: readonly [number, number, number]): void {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    const most = Math.max(...groups);
    if (most > max) this.add(`dispatch ${label}`, most, max, `dispatch "${label}" needs ${most} workgroups in one dimension; the device allows ${max}`);
  }

  override kernel(desc: KernelDesc): Promise<Kernel> {
    return Promise.resolve({ desc, pipeline: inert() as GPUComputePipeline });
  }

  override bindGroup(kernel: Kernel, _label: string, resources: Readonly<Record<number, BindingResource>>): GPUBindGroup {
    const max = this.limits.maxStorageBufferBindingSize;
    for (const r of Object.values(resources)) {
      const buffer = 'buffer' in r ? r.buffer : r;
      if (!(buffer.usage & GPUBufferUsage.STORAGE)) continue;
      const offset = 'buffer' in r ? (r.offset ?? 0) : 0;
      const size = 'buffer' in r ? (r.size ?? buffer.size - offset) : buffer.size;
      if (size > max) {
        this.add(`binding ${buffer.label}`, size, max, `"${kernel.desc.label}" binds ${mib(size)} of buffer "${buffer.label}"; the device binds at most ${mib(max)}`);
      }
    }
    return inert() as GPUBindGroup;
  }

  override submit(): void {}

  override destroy(): void {}

  private add(rawKey: string, amount: number, limit: number, message: string): void {
    const key = this.prefix ? rawKey.split(this.prefix).join('') : rawKey;
    if (this.problems.some((p) => p.key === key)) return;
    this.problems.push({ key, amount, limit, message });
  }
}
