/**
 * Moving whole tensors in and out of an RnnGpu, one run at a time, in PyTorch's layouts.
 * For the parity tool and tests: it reads back with one-off staging buffers, which is
 * fine for a check and never used inside a training step.
 */
import { hasState } from './cells';
import type { RnnGpu } from './rnn-gpu';

type Floats = ArrayLike<number>;

/** One run's inputs, flat, PyTorch layouts: params in paramLayout order, x [T][B][I], h0/c0 [L][B][H]. */
export interface RunTensors {
  params: Floats;
  x: Floats;
  h0: Floats;
  c0?: Floats;
  /** Upstream gradient of the top layer's output, [T][B][H]. */
  gradOutput: Floats;
}

export interface RunResults {
  output: Float32Array; // [T][B][H]
  hN: Float32Array; // [L][B][H]
  cN?: Float32Array; // [L][B][H]
  grads: { params: Float32Array; x: Float32Array; h0: Float32Array; c0?: Float32Array };
}

function expectLength(what: string, data: Floats, length: number): void {
  if (data.length !== length) throw new Error(`${what} has ${data.length} numbers, expected ${length}`);
}

/** Writes every run's tensors. With a shared input only run 0's x is used. */
export function uploadRuns(net: RnnGpu, runs: readonly RunTensors[]): void {
  const { runs: R, numLayers: L, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = net.shape;
  if (runs.length !== R) throw new Error(`got tensors for ${runs.length} runs, the group has ${R}`);
  const P = net.layout.total;
  const { params, base, runStride } = net.slot;
  runs.forEach((run, r) => {
    expectLength(`run ${r} params`, run.params, P);
    expectLength(`run ${r} x`, run.x, T * B * I);
    expectLength(`run ${r} h0`, run.h0, L * B * H);
    expectLength(`run ${r} grad_output`, run.gradOutput, T * B * H);
    net.engine.device.queue.writeBuffer(params, (r * runStride + base) * 4, Float32Array.from(run.params));
    if (r === 0 || !net.shape.sharedInput) net.acts.write('x', Float32Array.from(run.x), r * T * B * I);
    const h0 = Float32Array.from(run.h0);
    let c0: Float32Array | undefined;
    if (hasState(cell, 'c')) {
      if (!run.c0) throw new Error(`run ${r}: ${cell} needs c0`);
      expectLength(`run ${r} c0`, run.c0, L * B * H);
      c0 = Float32Array.from(run.c0);
    }
    for (let l = 0; l < L; l++) {
      const at = ((r * L + l) * (T + 1)) * B * H; // slot 0 of layer l in [R][L][T+1][B][H]
      net.acts.write('h', h0.subarray(l * B * H, (l + 1) * B * H), at);
      if (c0) net.acts.write('c', c0.subarray(l * B * H, (l + 1) * B * H), at);
    }
    net.dy.write('dy', Float32Array.from(run.gradOutput), r * T * B * H);
  });
}

/** Slices [R][L][T+1][B][H] at slot `slot` into [L][B][H] for run r. */
function slotOf(all: Float32Array, r: number, slot: number, L: number, T: number, BH: number): Float32Array {
  const out = new Float32Array(L * BH);
  for (let l = 0; l < L; l++) {
    const at = ((r * L + l) * (T + 1) + slot) * BH;
    out.set(all.subarray(at, at + BH), l * BH);
  }
  return out;
}

/** Reads every run's outputs and gradients after a forward and backward pass. */
export async function readRuns(net: RnnGpu): Promise<RunResults[]> {
  const { runs: R, numLayers: L, seqLen: T, batch: B, hiddenSize: H, inputSize: I, cell } = net.shape;
  const BH = B * H;
  const P = net.layout.total;
  const engine = net.engine;
  const h = await net.acts.read('h');
  const c = hasState(cell, 'c') ? await net.acts.read('c') : undefined;
  const grads = new Float32Array(await engine.readBuffer(net.slot.grads));
  const dx = await net.dy.read('dx');
  const dh0 = await net.carry.read('dh0');
  const dc0 = await net.carry.read('dc0');
  const results: RunResults[] = [];
  for (let r = 0; r < R; r++) {
    const output = new Float32Array(T * BH);
    for (let t = 0; t < T; t++) {
      const at = ((r * L + (L - 1)) * (T + 1) + t + 1) * BH;
      output.set(h.subarray(at, at + BH), t * BH);
    }
    const g0 = r * net.slot.runStride + net.slot.base;
    results.push({
      output,
      hN: slotOf(h, r, T, L, T, BH),
      cN: c ? slotOf(c, r, T, L, T, BH) : undefined,
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
