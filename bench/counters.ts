/**
 * Counts the WebGPU calls that matter for step cost (dispatches, queue submits, buffer maps)
 * by wrapping the prototypes once, before any device exists. Counting is off except inside
 * `measure`, so setup work and other code paths never inflate a step's numbers.
 */

export interface CallCounts {
  dispatches: number;
  submits: number;
  maps: number;
}

const counts: CallCounts = { dispatches: 0, submits: 0, maps: 0 };
let active = false;
let installed = false;

function wrap<T extends object>(proto: T, name: keyof T & string, field: keyof CallCounts): void {
  const original = proto[name] as unknown as (...args: unknown[]) => unknown;
  if (typeof original !== 'function') throw new Error(`webgpu prototype has no ${name}(); cannot count calls`);
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]) {
      if (active) counts[field]++;
      return original.apply(this, args);
    },
  });
}

/** Wraps the prototypes; call once, before the first device is requested. */
export function installCounters(): void {
  if (installed) return;
  installed = true;
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatches');
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroupsIndirect', 'dispatches');
  wrap(GPUQueue.prototype, 'submit', 'submits');
  wrap(GPUBuffer.prototype, 'mapAsync', 'maps');
}

function start(): void {
  if (!installed) throw new Error('installCounters() must run before counting');
  counts.dispatches = counts.submits = counts.maps = 0;
  active = true;
}

function stop(): CallCounts {
  active = false;
  return { ...counts };
}

/** Counts the calls made by a synchronous `fn`, over exactly its own body. */
export function countCalls<R>(fn: () => R): { result: R; counts: CallCounts } {
  start();
  try {
    const result = fn();
    return { result, counts: stop() };
  } finally {
    active = false;
  }
}

/** Counts every call until `fn`'s promise settles; the caller keeps other GPU work idle meanwhile. */
export async function countCallsAsync<R>(fn: () => Promise<R>): Promise<{ result: R; counts: CallCounts }> {
  start();
  try {
    const result = await fn();
    return { result, counts: stop() };
  } finally {
    active = false;
  }
}
