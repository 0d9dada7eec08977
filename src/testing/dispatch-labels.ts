/**
 * Test support: the pipeline label of every dispatch a synchronous call encodes (a training step,
 * say), in order, by wrapping the compute pass encoder's prototype for the call's duration.
 * The step-dispatch tests count a step's kernels with it.
 */
import type { Engine } from '../engine/engine';

export async function dispatchLabels(engine: Engine, fn: () => void): Promise<string[]> {
  const proto = GPUComputePassEncoder.prototype;
  const { setPipeline, dispatchWorkgroups } = proto;
  const labels: string[] = [];
  let current = '';
  proto.setPipeline = function (this: GPUComputePassEncoder, p: GPUComputePipeline) {
    current = p.label;
    return setPipeline.call(this, p);
  };
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
    labels.push(current);
    return dispatchWorkgroups.apply(this, args);
  };
  try {
    fn();
  } finally {
    proto.setPipeline = setPipeline;
    proto.dispatchWorkgroups = dispatchWorkgroups;
  }
  await engine.device.queue.onSubmittedWorkDone();
  return labels;
}
