/**
 * The CPU backend's entry points: CpuBackend trains its groups in this thread (Node: tests and
 * the headless runner), createCpuBackend({ worker: true }) puts them in a module worker behind
 * proxies (the page), both behind TrainerBackend. Choosing between CPU and WebGPU is not here.
 */
import { validateGroupSpec, type GroupSpec } from '../training/group-spec';
import type { RecordSink, TrainerBackend, TrainerGroup } from '../training/trainer';
import { CpuGroup } from './cpu-group';
import { WorkerCpuBackend, type WorkerBackendOptions } from './worker-backend';

/** CPU groups in the calling thread: a step runs synchronously inside trainStep(). */
export class CpuBackend implements TrainerBackend {
  readonly kind = 'cpu' as const;
  private readonly groups = new Set<CpuGroup>();

  validate(spec: GroupSpec): string[] {
    return validateGroupSpec(spec);
  }

  async createGroup(spec: GroupSpec, onRecords: RecordSink): Promise<TrainerGroup> {
    const group = new CpuGroup(spec, onRecords);
    this.groups.add(group);
    return group;
  }

  destroy(): void {
    for (const g of this.groups) g.destroy();
    this.groups.clear();
  }
}

export interface CpuBackendOptions extends Omit<WorkerBackendOptions, 'close'> {
  /** Train in a module worker (the page) or in this thread (Node). */
  worker: boolean;
}

/** The CPU backend: `{ worker: true }` in the browser, `{ worker: false }` in Node. */
export function createCpuBackend(options: CpuBackendOptions): TrainerBackend {
  if (!options.worker) return new CpuBackend();
  if (typeof Worker === 'undefined') throw new Error('cpu backend: no Worker in this environment; use { worker: false }');
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'cpu trainer' });
  const backend = new WorkerCpuBackend(worker, { ...options, close: () => worker.terminate() });
  worker.onerror = (e) => backend.fail(new Error(`cpu worker failed: ${e.message || 'the script did not load'}`));
  worker.onmessageerror = () => backend.fail(new Error('cpu worker: a message could not be read'));
  return backend;
}
