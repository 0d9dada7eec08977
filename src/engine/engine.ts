/**
 * The compute layer: a device, a shader source, labelled buffers, a pipeline cache and
 * a way to encode one unit of work into one command encoder and one submit. It is not a
 * tensor library: it knows nothing of cells, layers or optimizers.
 */
import { destroyDevice, requestDevice, type DeviceHandle, type DeviceOptions } from './device';
import { GpuValidationError, LimitError, ShaderCompileError } from './errors';
import { assembleShader, sourceLocation, type AssembledShader, type ShaderSource } from './shader-source';

/** What a kernel is, as data. The cache key holds structure only (file, entry, lib, constants). */
export interface KernelDesc {
  /** Label on the pipeline; error messages quote it. */
  label: string;
  /** File under shaders/. */
  file: string;
  entryPoint: string;
  /** Snippets from shaders/lib/ to prepend, without extension. */
  lib?: readonly string[];
  /** Values for the shader's `override` constants. */
  constants?: Record<string, number>;
}

export interface Kernel {
  desc: KernelDesc;
  pipeline: GPUComputePipeline;
}

/** One recorded dispatch: replayed unchanged every step. */
export interface Dispatch {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  groups: readonly [number, number, number];
}

export type BindingResource = GPUBuffer | GPUBufferBinding;

export interface EngineOptions extends DeviceOptions {
  shaders: ShaderSource;
}

export class Engine {
  readonly device: GPUDevice;
  readonly adapterInfo: DeviceHandle['adapterInfo'];
  private readonly shaders: ShaderSource;
  private readonly modules = new Map<string, Promise<GPUShaderModule>>();
  private readonly kernels = new Map<string, Promise<Kernel>>();
  private buffersAlive = 0;

  constructor(handle: DeviceHandle, shaders: ShaderSource) {
    this.device = handle.device;
    this.adapterInfo = handle.adapterInfo;
    this.shaders = shaders;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** True for a DryRunEngine (dry-run.ts), which checks sizes and creates nothing. */
  get dryRun(): boolean {
    return false;
  }

  /** A labelled buffer; refuses sizes over the device's limits with a message naming the label. */
  createBuffer(label: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (size > this.limits.maxBufferSize) {
      throw new LimitError(
        `buffer "${label}" needs ${size} bytes but this device allows ${this.limits.maxBufferSize}; use smaller sizes`,
      );
    }
    const buffer = this.device.createBuffer({ label, size, usage });
    // Counted until destroyed, once: the soak (scripts/soak.ts) watches this for leaks.
    this.buffersAlive++;
    const destroy = buffer.destroy.bind(buffer);
    let alive = true;
    buffer.destroy = () => {
      if (alive) this.buffersAlive--;
      alive = false;
      destroy();
    };
    return buffer;
  }

  /** GPU buffers made through createBuffer and not yet destroyed. */
  get liveBuffers(): number {
    return this.buffersAlive;
  }

  /** Throws a LimitError naming `label` if a dispatch of `groups` workgroups exceeds the device. */
  checkDispatch(label: string, groups: readonly [number, number, number]): void {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    const most = Math.max(...groups);
    if (most > max) throw new LimitError(`dispatch "${label}" needs ${most} workgroups in one dimension; the device allows ${max}`);
  }

  /** Compiled pipeline for `desc`, built once per distinct structure. */
  kernel(desc: KernelDesc): Promise<Kernel> {
    const key = JSON.stringify([desc.file, desc.entryPoint, desc.lib ?? [], desc.constants ?? {}]);
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.buildKernel(desc);
      this.kernels.set(key, kernel);
      kernel.catch(() => this.kernels.delete(key));
    }
    return kernel;
  }

  private module(desc: KernelDesc): Promise<GPUShaderModule> {
    const key = JSON.stringify([desc.file, desc.lib ?? []]);
    let module = this.modules.get(key);
    if (!module) {
      module = this.compile(desc.file, assembleShader(this.shaders, desc.file, desc.lib));
      this.modules.set(key, module);
      module.catch(() => this.modules.delete(key));
    }
    return module;
  }

  private async compile(label: string, shader: AssembledShader): Promise<GPUShaderModule> {
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label, code: shader.code });
    const info = await module.getCompilationInfo();
    const scoped = await this.device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new ShaderCompileError(label, errors.map((m) => `${sourceLocation(shader, m.lineNum)}:${m.linePos} ${m.message}`));
    }
    if (scoped) throw new ShaderCompileError(label, [scoped.message]);
    return module;
  }

  private async buildKernel(desc: KernelDesc): Promise<Kernel> {
    const module = await this.module(desc);
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label: desc.label,
        layout: 'auto',
        compute: { module, entryPoint: desc.entryPoint, constants: desc.constants },
      });
      return { desc, pipeline };
    } catch (e) {
      throw new GpuValidationError(`pipeline "${desc.label}"`, e instanceof Error ? e.message : String(e));
    }
  }

  /** Bind group 0 of `kernel`: binding number -> buffer or buffer range. */
  bindGroup(kernel: Kernel, label: string, resources: Readonly<Record<number, BindingResource>>): GPUBindGroup {
    return this.device.createBindGroup({
      label,
      layout: kernel.pipeline.getBindGroupLayout(0),
      entries: Object.entries(resources).map(([binding, r]) => ({
        binding: Number(binding),
        resource: isBuffer(r) ? { buffer: r } : r,
      })),
    });
  }

  /** Runs `fn` inside a validation error scope; a caught error becomes a GpuValidationError naming `what`. */
  async validate<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.device.pushErrorScope('validation');
    let result: T;
    try {
      result = await fn();
    } finally {
      const error = await this.device.popErrorScope();
      if (error) throw new GpuValidationError(what, error.message);
    }
    return result;
  }

  /** One unit of work: one command encoder, one submit. */
  submit(label: string, encode: (encoder: GPUCommandEncoder) => void): void {
    const encoder = this.device.createCommandEncoder({ label });
    encode(encoder);
    this.device.queue.submit([encoder.finish({ label })]);
  }

  /** Reads bytes back with a one-off staging buffer. For tools and tests, never inside a step. */
  async readBuffer(buffer: GPUBuffer, byteOffset = 0, bytes = buffer.size - byteOffset): Promise<ArrayBuffer> {
    const staging = this.createBuffer(`${buffer.label} readback`, bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.submit(`read ${buffer.label}`, (enc) => enc.copyBufferToBuffer(buffer, byteOffset, staging, 0, bytes));
    await staging.mapAsync(GPUMapMode.READ);
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.destroy();
    return copy;
  }

  destroy(): void {
    destroyDevice(this.device);
  }
}

function isBuffer(r: BindingResource): r is GPUBuffer {
  return 'usage' in r && 'mapState' in r;
}

/** Replays recorded dispatches in one compute pass. */
export function encodeDispatches(encoder: GPUCommandEncoder, label: string, list: readonly Dispatch[]): void {
  const pass = encoder.beginComputePass({ label });
  let current: GPUComputePipeline | undefined;
  for (const d of list) {
    if (d.kernel.pipeline !== current) {
      pass.setPipeline(d.kernel.pipeline);
      current = d.kernel.pipeline;
    }
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
  }
  pass.end();
}

/** Device + engine in one call. */
export async function createEngine(gpu: GPU | undefined, opts: EngineOptions): Promise<Engine> {
  return new Engine(await requestDevice(gpu, opts), opts.shaders);
}
