/**
 * Moving whole tensors in and out of an RnnGpu, one run at a time, in PyTorch's layouts.
 * For the parity tool and tests: it reads back with one-off staging buffers, which is
 * fine for a check and never used inside a training step.
 */
import { hasState } from './cells';
import { initialSlot, outputSlot } from './plan';
import type { RnnGpu } from './rnn-gpu';

type Floats = ArrayLike<number>;

/** One run's inputs, flat, PyTorch layouts: params in paramLayout order, x [T][B][I], h0/c0 [L][B][H] (L counting directions). */
export interface RunTensors {
  params: Floats;
  x: Floats;
  h0: Floats;
  c0?: Floats;
  /** Upstream gradient of the top layer's output, [T][B][D]. */
  gradOutput: Floats;
}

export interface RunResults {
  output: Float32Array; // [T][B][D]
  hN: Float32Array; // [L][B][H]
  cN?: Float32Array; // [L][B][H]
  grads: { params: Float32Array; x: Float32Array; h0: Float32Array; c0?: Float32Array };
}

function expectLength(what: string, data: Floats, length: number): void {
  if (data.length !== length) throw new Error(`${what} has ${data.length} numbers, expected ${length}`);
}

/** Writes every run's tensors. With a shared input only run 0's x is used. */
export function uploadRuns(net: RnnGpu, runs: readonly RunTensors[]): void {
  const { runs: R, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = net.shape;
  if (runs.length !== R) throw new Error(`got tensors for ${runs.length} runs, the group has ${R}`);
  const { plan } = net;
  const L = plan.directions.length;
  const D = plan.outputSize;
  const P = net.layout.total;
  const { params, base, runStride } = net.slot;
  runs.forEach((run, r) => {
    expectLength(`run ${r} params`, run.params, P);
    expectLength(`run ${r} x`, run.x, T * B * I);
    expectLength(`run ${r} h0`, run.h0, L * B * H);
    expectLength(`run ${r} grad_output`, run.gradOutput, T * B * D);
    net.engine.device.queue.writeBuffer(params, (r * runStride + base) * 4, Float32Array.from(run.params));
    if (r === 0 || !net.shape.sharedInput) net.acts.write('x', Float32Array.from(run.x), r * T * B * I);
    const h0 = Float32Array.from(run.h0);
    let c0: Float32Array | undefined;
    if (hasState(cell, 'c')) {
      if (!run.c0) throw new Error(`run ${r}: ${cell} needs c0`);
      expectLength(`run ${r} c0`, run.c0, L * B * H);
      c0 = Float32Array.from(run.c0);
    }
    const gradOutput = Float32Array.from(run.gradOutput);
    for (const dir of plan.directions) {
      const d = dir.index;
      const at = ((r * L + d) * (T + 1) + initialSlot(dir, T)) * B * H; // the initial slot of direction d in [R][L][T+1][B][H]
      net.acts.write('h', h0.subarray(d * B * H, (d + 1) * B * H), at);
      if (c0) net.acts.write('c', c0.subarray(d * B * H, (d + 1) * B * H), at);
    }
    // the top directions' columns of grad_output go to their dy
    for (const part of net.outputParts()) {
      const dy = new Float32Array(T * B * H);
      for (let row = 0; row < T * B; row++) dy.set(gradOutput.subarray(row * D + part.column, row * D + part.column + H), row * H);
      net.engine.device.queue.writeBuffer(net.dy.buffer, (part.gradient.off + r * part.gradient.run) * 4, dy);
    }
  });
}

/** Slices [R][L][T+1][B][H] into [L][B][H] for run r: each direction's state after its last timestep. */
function finalStates(net: RnnGpu, all: Float32Array, r: number): Float32Array {
  const { seqLen: T, batch: B, hiddenSize: H } = net.shape;
  const L = net.plan.directions.length;
  const BH = B * H;
  const out = new Float32Array(L * BH);
  for (const dir of net.plan.directions) {
    const at = ((r * L + dir.index) * (T + 1) + (dir.direction === 'forward' ? T : 0)) * BH;
    out.set(all.subarray(at, at + BH), dir.index * BH);
  }
  return out;
}

/** Reads every run's outputs and gradients after a forward and backward pass. */
export async function readRuns(net: RnnGpu): Promise<RunResults[]> {
  const { runs: R, numLayers, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = net.shape;
  const { plan } = net;
  const L = plan.directions.length;
  const D = plan.outputSize;
  const BH = B * H;
  const P = net.layout.total;
  const engine = net.engine;
  const h = await net.acts.read('h');
  const c = hasState(cell, 'c') ? await net.acts.read('c') : undefined;
  const formed = net.layerOutputs ? await net.acts.read('out') : undefined;
  const grads = new Float32Array(await engine.readBuffer(net.slot.grads));
  const dx = await net.dy.read('dx');
  const dh0 = await net.carry.read('dh0');
  const dc0 = await net.carry.read('dc0');
  const top = plan.layers[numLayers - 1];
  const results: RunResults[] = [];
  for (let r = 0; r < R; r++) {
    let output: Float32Array;
    if (formed) {
      const at = (r * numLayers + numLayers - 1) * T * B * D;
      output = formed.slice(at, at + T * B * D);
    } else {
      output = new Float32Array(T * B * D);
      for (const dir of top.directions) {
        for (let t = 0; t < T; t++) {
          const at = ((r * L + dir.index) * (T + 1) + t + outputSlot(dir)) * BH;
          for (let b = 0; b < B; b++) output.set(h.subarray(at + b * H, at + (b + 1) * H), (t * B + b) * D + dir.outputColumn);
        }
      }
    }
    const g0 = r * net.slot.runStride + net.slot.base;
    results.push({
      output,
      hN: finalStates(net, h, r),
      cN: c ? finalStates(net, c, r) : undefined,
      grads: {
        params: grads.slice(g0, g0 + P),
        x: dx.slice(r * T * B * I, (r + 1) * T * B * I),
        h0: dh0.slice(r * L * BH, (r + 1) * L * BH),
        c0: hasState(cell, 'c') ? dc0.slice(r * L * BH, (r + 1) * L * BH) : undefined,
      },
    });
  }
  return results;
}

/** Uploads, runs forward and backward in one submit, and reads back. */
export async function forwardBackward(net: RnnGpu, runs: readonly RunTensors[]): Promise<RunResults[]> {
  uploadRuns(net, runs);
  await net.engine.validate(`${net.shape.cell} forward and backward`, () => {
    net.engine.submit(`${net.shape.cell} forward and backward`, (encoder) => {
      net.encodeForward(encoder);
      net.encodeBackward(encoder);
    });
  });
  return readRuns(net);
}
