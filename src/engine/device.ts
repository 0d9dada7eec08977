/**
 * Adapter and device: asks for the limits our kernels need (up to what the adapter
 * has), and turns `device.lost` and uncaptured errors into typed errors the app sees.
 * Works with navigator.gpu in the browser and with the `webgpu` package's GPU in Node.
 */
import { DeviceLostError, GpuValidationError, NoAdapterError, type GpuError } from './errors';

export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Called once if the device is lost (not when we destroy it ourselves). */
  onLost?: (error: DeviceLostError) => void;
  /** Called for errors no error scope caught. */
  onError?: (error: GpuError) => void;
}

export interface DeviceHandle {
  device: GPUDevice;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
}

/** Limits raised to the adapter's maximum; everything else stays at the WebGPU default. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;

const destroyedByUs = new WeakSet<GPUDevice>();

/** Destroys `device` on purpose: its loss is not reported to onLost. */
export function destroyDevice(device: GPUDevice): void {
  destroyedByUs.add(device);
  device.destroy();
}

export async function requestDevice(gpu: GPU | undefined, opts: DeviceOptions = {}): Promise<DeviceHandle> {
  if (!gpu) {
    throw new NoAdapterError(
      'webgpu is not available here (navigator.gpu is missing); use a recent Chrome, Edge or Safari 26+, or Firefox 141+ on Windows, served over https or localhost',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new NoAdapterError('no webgpu adapter available; check that the gpu is enabled in this browser');
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ label: 'rnn-playground device', requiredLimits });
  const info = adapter.info;
  // A device destroyed by anyone but destroyDevice() (a test, the browser) is lost like any other.
  device.lost.then((lost) => {
    if (!destroyedByUs.has(device)) opts.onLost?.(new DeviceLostError(lost.reason, lost.message));
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    opts.onError?.(new GpuValidationError('an uncaptured gpu operation', error.message));
  });
  return {
    device,
    adapterInfo: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
    },
  };
}
