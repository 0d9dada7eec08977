// The update stage (norms, the clipped flag, clipping, four optimizers) against the float64
// reference: R = 6 runs with six different optimizer/clip configs in one set of dispatches, fresh
// random gradients and a learning rate that changes each step (exponential schedules). P = 1000 in
// 3 odd segments, and P ~ 300k for the multi-workgroup norm reduction. The update's non-finite
// weight words: clear on healthy runs, and over ~1200 workgroups per run they let the anomaly check
// name the loss, a segment's gradient or a weight the update made non-finite.
import { describe, expect, it } from 'vitest';
import { RunTable } from '../engine/run-table';
import { ReferenceOptimizer, clipChanges, referenceClip, referenceGradNorms } from '../reference/optim';
import { Rng } from '../reference/random';
import { compare } from '../testing/compare';
import { useEngine } from '../testing/gpu';
import type { ParamSegment } from './optimizers';
import { RUN_RECORD } from './run-fields';
import { learningRate, type ScheduleConfig } from './schedules';
import { TRAIN, type StepInfo } from './stage';
import { UpdateStage, type RunUpdateConfig } from './update-stage';
import { AnomalyStage, anomalyWhere } from './anomaly-stage';

const ATOL = 1e-5;
const RTOL = 1e-4;
const STEPS = 5;

// Runs 2 and 4 use eps 1e-6, not torch's 1e-8, because of f32 itself: their L2 term makes g + wd * p,
// which cancels to ~1e-10 at about one element in 1e5, with an f32 rounding error near its own size;
// RMSprop and Adam divide by ~|g| + eps, so with eps 1e-8 that element steps ~lr * 1e-2 away from the
// float64 reference (torch in f32 does the same). Runs 3 and 5 keep the default eps: no cancellation there.
const DECAY: ScheduleConfig = { schedule: { kind: 'exponential', gamma: 0.9 }, warmup: 0 };
const RUNS: RunUpdateConfig[] = [
  { optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }, clip: { maxNorm: 1 }, schedule: DECAY },
  { optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.5, dampening: 0.3, weightDecay: 0.01 }, clip: { value: 0.5 }, schedule: DECAY },
  {
    optimizer: { kind: 'rmsprop', lr: 0.01, alpha: 0.9, eps: 1e-6, centered: true, momentum: 0.8, weightDecay: 1e-3 },
    clip: {}, schedule: DECAY,
  },
  { optimizer: { kind: 'rmsprop', lr: 0.01 }, clip: { maxNorm: 1e6 }, schedule: DECAY },
  { optimizer: { kind: 'adam', lr: 1e-3, eps: 1e-6, weightDecay: 0.01 }, clip: { maxNorm: 5, value: 0.1 }, schedule: DECAY },
  // lr 0.03 makes AdamW's decay (lr * 1e-2 per step, torch's default wd) larger than the tolerance.
  { optimizer: { kind: 'adamw', lr: 0.03 }, clip: {}, schedule: DECAY },
];

/** Step `step` of every run (the stage reads only the run steps). */
function stepInfo(step: number, runs = R): StepInfo {
  return { step, runSteps: new Array<number>(runs).fill(step), window: { episode: 0, t0: 0, carry: false, carrySlot: 0, scoreFrom: 0 }, evaluate: false };
}
const R = RUNS.length;

const gpu = useEngine();

function storage(label: string, floats: number): GPUBuffer {
  return gpu.engine.createBuffer(label, floats * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
}

/** Random f32 values, widened back to float64 so the reference sees exactly what the GPU sees. */
function randomF32(rng: Rng, n: number, scale: number): Float64Array {
  return Float64Array.from(Float32Array.from(rng.uniform(n, scale)));
}

/** A training loss [R] for the anomaly check. */
function lossBuffer(losses: Float32Array<ArrayBuffer>): GPUBuffer {
  const buffer = storage('test losses', losses.length);
  gpu.engine.device.queue.writeBuffer(buffer, 0, losses);
  return buffer;
}

async function readFloats(buffer: GPUBuffer, offsetFloats: number, count: number): Promise<Float32Array> {
  return new Float32Array(await gpu.engine.readBuffer(buffer, offsetFloats * 4, count * 4));
}

/** `everyClipCase`: the gradient scales make each clip kind both act and not act at some step. */
async function checkTrajectory(segments: ParamSegment[], seed: number, everyClipCase: boolean): Promise<void> {
  const P = segments.reduce((a, s) => a + s.length, 0);
  const rng = new Rng(seed);
  const params = storage('test params', R * P);
  const grads = storage('test grads', R * P);
  const table = new RunTable(gpu.engine, 'test run table', R, RUN_RECORD);
  const stage = await UpdateStage.create(gpu.engine, { label: 'test', runs: R, paramCount: P, params, grads, segments, table });
  const clipSeen = new Set<string>();
  try {
    stage.configure(RUNS);
    const ref = RUNS.map((run) => ({ opt: new ReferenceOptimizer(run.optimizer, P), params: randomF32(rng, P, 1) }));
    gpu.engine.device.queue.writeBuffer(params, 0, Float32Array.from(ref.flatMap((x) => [...x.params])));
    for (let step = 1; step <= STEPS; step++) {
      // Gradient scales differ per run and per step so that norm clipping is on in some steps and off in others.
      const g = RUNS.map((_, r) => randomF32(rng, P, ((0.05 + 0.5 * ((r + step) % 3)) * 30) / Math.sqrt(P)));
      const lrs = RUNS.map((run) => learningRate(run.optimizer.lr, run.schedule, step));
      gpu.engine.device.queue.writeBuffer(grads, 0, Float32Array.from(g.flatMap((x) => [...x])));
      stage.prepareStep(stepInfo(step));
      expect(stage.learningRates).toEqual(lrs);
      table.flush();
      gpu.engine.submit('update step', (enc) => stage.encode(enc, 'update', TRAIN));
      const gotParams = await readFloats(params, 0, R * P);
      // Healthy runs: no non-finite weight noted.
      expect([...new Uint32Array(await gpu.engine.readBuffer(stage.nonfinite, 0, R * 4))]).toEqual(new Array(R).fill(0));
      const { buffer, offset, stride } = stage.normsView;
      const gotNorms = await readFloats(buffer, offset, R * stride);
      const before = ref.map((x) => x.params.slice());
      for (let r = 0; r < R; r++) {
        const norms = referenceGradNorms(g[r], segments);
        ref[r].opt.step(ref[r].params, referenceClip(g[r], RUNS[r].clip, norms[0]), lrs[r]);
        const n = compare(gotNorms.subarray(r * stride, r * stride + norms.length), norms, ATOL, RTOL);
        expect(n.worstRatio, `step ${step} run ${r} norms: max abs ${n.maxAbs} at ${n.at}`).toBeLessThanOrEqual(1);
        const clipped = clipChanges(g[r], RUNS[r].clip, norms[0]);
        expect(gotNorms[r * stride + norms.length], `step ${step} run ${r} clipped`).toBe(clipped ? 1 : 0);
        clipSeen.add(`${Object.keys(RUNS[r].clip).join('+') || 'none'} ${clipped}`);
        const p = compare(gotParams.subarray(r * P, (r + 1) * P), ref[r].params, ATOL, RTOL);
        expect(p.worstRatio, `step ${step} run ${r} (${RUNS[r].optimizer.kind}) params: max abs ${p.maxAbs} at ${p.at}`)
          .toBeLessThanOrEqual(1);
        // The step must move the reference by more than the tolerance, or a no-op kernel would pass.
        expect(compare(before[r], ref[r].params, ATOL, RTOL).worstRatio, `run ${r} barely moves`).toBeGreaterThan(10);
      }
    }
    // Each kind of clipping both changed the gradient at some step and left it alone at another.
    if (everyClipCase) {
      for (const kind of ['maxNorm', 'value']) for (const did of [true, false]) expect(clipSeen).toContain(`${kind} ${did}`);
    }
    expect(clipSeen).not.toContain('none true');
    // reset() empties the slots: the next step behaves as a first step again.
    stage.reset();
    expect(stage.optimizerSteps).toEqual(new Array(R).fill(0));
    for (const k of [0, 1, 2] as const) expect((await stage.readSlot(k)).every((x) => x === 0)).toBe(true);
  } finally {
    table.destroy();
    stage.destroy();
    params.destroy();
    grads.destroy();
  }
}

describe('update stage vs float64 reference, R = 6 mixed optimizers', () => {
  it('P = 1000 in segments 301 + 599 + 100', async () => {
    await checkTrajectory(
      [
        { name: 'rnn.l0', offset: 0, length: 301 },
        { name: 'rnn.l1', offset: 301, length: 599 },
        { name: 'head', offset: 900, length: 100 },
      ],
      7,
      true,
    );
  });

  it('P = 300007 in segments 150001 + 149000 + 1006 (multi-workgroup norms)', async () => {
    await checkTrajectory(
      [
        { name: 'rnn.l0', offset: 0, length: 150001 },
        { name: 'rnn.l1', offset: 150001, length: 149000 },
        { name: 'head', offset: 299001, length: 1006 },
      ],
      11,
      false,
    );
  });

  it('notes a weight the update overflows in any of many workgroups; the check names it, the loss or a segment\'s gradient', async () => {
    const segments = [
      { name: 'rnn.l0', offset: 0, length: 150001 },
      { name: 'rnn.l1', offset: 150001, length: 149000 },
      { name: 'head', offset: 299001, length: 1006 },
    ];
    const P = 300007;
    const runs = 4;
    const rng = new Rng(3);
    const p0 = Float32Array.from(rng.uniform(runs * P, 1));
    const g0 = Float32Array.from(rng.uniform(runs * P, 1e-3));
    // Run 1: a non-finite loss. Run 2: an infinite gradient in segment rnn.l1. Run 3: finite loss and
    // gradients, but weight decay 10 on a weight of 1e38 early in the vector (far from the last workgroup) overflows.
    g0[2 * P + 200000] = Infinity;
    p0[3 * P + 1000] = 1e38;
    const params = storage('anomaly params', runs * P);
    const grads = storage('anomaly grads', runs * P);
    gpu.engine.device.queue.writeBuffer(params, 0, p0);
    gpu.engine.device.queue.writeBuffer(grads, 0, g0);
    const table = new RunTable(gpu.engine, 'anomaly run table', runs, RUN_RECORD);
    const losses = lossBuffer(Float32Array.of(0.5, NaN, 0.5, 0.5));
    const stage = await UpdateStage.create(gpu.engine, { label: 'anomaly', runs, paramCount: P, params, grads, segments, table });
    const anomaly = await AnomalyStage.create(gpu.engine, {
      label: 'anomaly', runs, norms: stage.normsView, nonfinite: stage.nonfinite, losses: { buffer: losses, loss: 0 }, segments,
    });
    try {
      const sgd: RunUpdateConfig = { optimizer: { kind: 'sgd', lr: 1, weightDecay: 10 }, clip: {}, schedule: DECAY };
      stage.configure(new Array(runs).fill(sgd));
      const flags = async () => {
        // The check clears the update's words for the next step.
        expect([...new Uint32Array(await gpu.engine.readBuffer(stage.nonfinite, 0, runs * 4))]).toEqual(new Array(runs).fill(0));
        const w = new Uint32Array(await gpu.engine.readBuffer(anomaly.metricColumns()[0].source.buffer, 0, 2 * runs * 4));
        return Array.from({ length: runs }, (_, r) => [anomalyWhere(w[2 * r], segments), w[2 * r + 1]]);
      };
      for (const step of [7, 8]) {
        const info = { ...stepInfo(step, runs), runSteps: [step, step + 10, step + 20, step + 30] };
        stage.prepareStep(info);
        anomaly.prepareStep(info);
        table.flush();
        gpu.engine.submit('anomaly step', (enc) => {
          stage.encode(enc, 'update', TRAIN);
          anomaly.encode(enc, 'metrics', TRAIN);
        });
        // Step 8 keeps step 7's places and steps: the first anomaly stays.
        expect(await flags()).toEqual([[undefined, 0], ['loss', 17], ['gradient of rnn.l1', 27], ['update', 37]]);
      }
      anomaly.restartRuns([3]);
      expect((await flags())[3]).toEqual([undefined, 0]);
    } finally {
      table.destroy();
      stage.destroy();
      anomaly.destroy();
      losses.destroy();
      params.destroy();
      grads.destroy();
    }
  });

  it('refuses bad configs and bad segments with messages naming the field', async () => {
    const params = storage('p', 3 * 10);
    const table = new RunTable(gpu.engine, 'refusals run table', 3, RUN_RECORD);
    const segments = [{ name: 'all', offset: 0, length: 10 }];
    const stage = await UpdateStage.create(gpu.engine, { label: 'x', runs: 3, paramCount: 10, params, grads: params, segments, table });
    try {
      const good: RunUpdateConfig = { optimizer: { kind: 'adam', lr: 1e-3 }, clip: {}, schedule: DECAY };
      const bad: RunUpdateConfig = { optimizer: { kind: 'sgd', lr: -1 }, clip: { maxNorm: 0 }, schedule: DECAY };
      expect(() => stage.configure([good, bad, good])).toThrow(/runs\[1\]\.optimizer\.lr must be a number > 0, got -1; runs\[1\]\.clip\.maxNorm/);
      expect(() => stage.prepareStep(stepInfo(1, 3))).toThrow(/configure\(\) before prepareStep/);
      await expect(
        UpdateStage.create(gpu.engine, { label: 'y', runs: 3, paramCount: 10, params, grads: params, segments: [{ name: 'a', offset: 0, length: 9 }], table }),
      ).rejects.toThrow(/segments cover \[0, 9\) but paramCount is 10/);
      await expect(
        UpdateStage.create(gpu.engine, { label: 'z', runs: 2, paramCount: 10, params, grads: params, segments, table }),
      ).rejects.toThrow(/the run table has 3 runs, expected 2/);
    } finally {
      stage.destroy();
      table.destroy();
      params.destroy();
    }
  });
});
