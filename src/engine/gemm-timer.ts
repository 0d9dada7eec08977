/**
 * Times one program list ('gemm') on the device for the GEMM tuner: GPU timestamps around one
 * compute pass where the device has 'timestamp-query', otherwise wall clock from submit to
 * onSubmittedWorkDone. Build-time tooling only: it awaits the GPU, so never call it inside a step.
 */
import type { Engine } from './engine';
import type { Program } from './program';

export type TimingMethod = 'timestamps' | 'wall clock';

/** Encodes the list `reps` times in one compute pass, with optional timestamps around it. */
function encodeRepeated(encoder: GPUCommandEncoder, program: Program, reps: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = encoder.beginComputePass({ label: `${program.label} timing`, timestampWrites });
  for (let i = 0; i < reps; i++) {
    for (const d of program.list('gemm')) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    }
  }
  pass.end();
}

async function wallClock(engine: Engine, program: Program, reps: number): Promise<number> {
  const t0 = performance.now();
  engine.submit(`${program.label} timing`, (encoder) => encodeRepeated(encoder, program, reps));
  await engine.device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function timestamps(engine: Engine, program: Program, reps: number): Promise<number> {
  const label = `${program.label} timing`;
  const querySet = engine.device.createQuerySet({ label: `${label} queries`, type: 'timestamp', count: 2 });
  const resolved = engine.createBuffer(`${label} resolved`, 16, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
  const staging = engine.createBuffer(`${label} staging`, 16, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  try {
    engine.submit(label, (encoder) => {
      encodeRepeated(encoder, program, reps, { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
      encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16);
    });
    await staging.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(staging.getMappedRange(0, 16));
    staging.unmap();
    // Timestamps may be quantised or, across power-state changes, out of order: clamp at zero.
    return Math.max(0, Number(end - begin)) / 1e6;
  } finally {
    querySet.destroy();
    resolved.destroy();
    staging.destroy();
  }
}

/** Milliseconds for `reps` repetitions of the program's 'gemm' list, and how they were measured. */
export async function timeProgram(engine: Engine, program: Program, reps: number): Promise<{ ms: number; method: TimingMethod }> {
  if (engine.device.features.has('timestamp-query')) {
    return { ms: await timestamps(engine, program, reps), method: 'timestamps' };
  }
  return { ms: await wallClock(engine, program, reps), method: 'wall clock' };
}
