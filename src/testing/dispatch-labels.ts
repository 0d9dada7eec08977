/**
 * Test support: the pipeline label of every dispatch a synchronous call encodes (a training step,
 * say), in order, by wrapping the compute pass encoder's prototype for the call's duration.
 * The step-dispatch tests count a step's kernels with it; `by: 'dispatch'` gives each dispatch's
 * own name (its bind group's label, 'head input gradient' say) instead of its pipeline's.
 */
import type { Engine } from '../engine/engine';

export async function dispatchLabels(engine: Engine, fn: () => void, by: 'pipeline' | 'dispatch' = 'pipeline'): Promise<string[]> {
  const proto = GPUComputePassEncoder.prototype;
  const { setPipeline, setBindGroup, dispatchWorkgroups } = proto;
  const labels: string[] = [];
  let pipeline = '';
  let bindGroup = '';
  proto.setPipeline = function (this: GPUComputePassEncoder, p: GPUComputePipeline) {
    pipeline = p.label;
    return setPipeline.call(this, p);
  };
  proto.setBindGroup = function (this: GPUComputePassEncoder, index: number, group: GPUBindGroup | null | undefined, ...rest: unknown[]) {
    bindGroup = group?.label ?? '';
    return (setBindGroup as (...a: unknown[]) => undefined).call(this, index, group, ...rest);
  } as GPUComputePassEncoder['setBindGroup'];
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
    labels.push(by === 'pipeline' ? pipeline : bindGroup);
    return dispatchWorkgroups.apply(this, args);
  };
  try {
    fn();
  } finally {
    proto.setPipeline = setPipeline;
    proto.setBindGroup = setBindGroup;
    proto.dispatchWorkgroups = dispatchWorkgroups;
  }
  await engine.device.queue.onSubmittedWorkDone();
  return labels;
}
