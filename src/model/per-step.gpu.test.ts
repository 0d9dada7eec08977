// The per-step kernel path (one dispatch per layer, direction and timestep, and a separate dh0/dc0
// pass), forced: every cell against the float64 reference on the shapes of the looping suite that
// matter for it, the training cases without norms where `auto` would not run them per-step (on a
// GPU adapter; on a software adapter run-group.gpu.test.ts already does), the head's input gradient
// folded into the top layer's backward_step (FOLD_HEAD) and not, layer 0's input projection folded
// into forward_step (FOLD_INPUT, I < 16: every case below but the I 16 one) and not, backward_step
// with 1, 2 and 4 hidden units a thread (UNITS), and a dispatch count that does grow with T.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { TRAINING_CASES, trainAgainstReference } from '../testing/training-cases';
import { RunGroup } from '../training/run-group';
import { checkAgainstReference, countDispatches, expectInputFold, HEAD_FOLD_CASES, trainHeadFoldCase } from './kernel-path-check';
import { backwardStepUnits, chooseKernelPath, FOLD_INPUT_BELOW, setBackwardStepUnits, setKernelPolicy } from './kernel-path';
import { RnnGpu } from './rnn-gpu';
import { CELL_KINDS, type CellKind } from './layout';

const gpu = useEngine();
/** What the other suites run on this adapter, decided before the policy is forced. */
let autoOnThisAdapter: string;
beforeAll(() => {
  autoOnThisAdapter = chooseKernelPath(gpu.engine, { hiddenSize: 8 }).path;
  setKernelPolicy(gpu.engine, 'per-step');
});

const CASES = [
  { name: 'H 70 over two workgroups of units', layers: 2, I: 4, H: 70, T: 3, B: 3, R: 2 },
  { name: 'B 5: a full and a partial batch tile', layers: 1, I: 3, H: 9, T: 4, B: 5, R: 2 },
  { name: 'T 1', layers: 2, I: 4, H: 6, T: 1, B: 2, R: 2 },
  { name: 'bidirectional 2 layers, residual', layers: 2, I: 3, H: 5, T: 4, B: 5, R: 2, bidirectional: true, residual: true },
  { name: 'I 15, input folded: B 5', layers: 1, I: FOLD_INPUT_BELOW - 1, H: 7, T: 3, B: 5, R: 2 },
  { name: 'I 16, no input fold: bidirectional 2 layers', layers: 2, I: FOLD_INPUT_BELOW, H: 6, T: 3, B: 5, R: 2, bidirectional: true },
];

describe.each(CELL_KINDS)('%s per-step kernels vs float64 reference', (cell: CellKind) => {
  it.each(CASES)('$name: L=$layers I=$I H=$H T=$T B=$B R=$R', async (c) => {
    expect(chooseKernelPath(gpu.engine, { hiddenSize: c.H }).path).toBe('per-step');
    const worst = await checkAgainstReference(gpu.engine, {
      shape: { cell, inputSize: c.I, hiddenSize: c.H, numLayers: c.layers, bidirectional: c.bidirectional, residual: c.residual },
      seqLen: c.T, batch: c.B, runs: c.R, seed: 31 * c.H + c.T,
    });
    for (const w of worst) expect(w.ratio, `${w.name}: max abs ${w.maxAbs}`).toBeLessThanOrEqual(1);
  });
});

describe.each([1, 2, 4])('backward_step with %i hidden units a thread vs float64 reference', (units) => {
  afterEach(() => setBackwardStepUnits(gpu.engine, undefined));
  // the adapter's own choice already ran every case above
  const cases = CASES.filter((c) => c.H % 4 !== 0 || c.bidirectional);
  it.for(CELL_KINDS.flatMap((cell) => cases.map((c) => [cell, c.name, c] as const)))('%s, %s', async ([cell, , c], ctx) => {
    if (units === backwardStepUnits(gpu.engine)) ctx.skip(`${units} is this adapter's own choice: the cases above ran it`);
    setBackwardStepUnits(gpu.engine, units);
    const worst = await checkAgainstReference(gpu.engine, {
      shape: { cell, inputSize: c.I, hiddenSize: c.H, numLayers: c.layers, bidirectional: c.bidirectional, residual: c.residual },
      seqLen: c.T, batch: c.B, runs: c.R, seed: 7 * c.H + c.T + units,
    });
    for (const w of worst) expect(w.ratio, `${w.name}: max abs ${w.maxAbs}`).toBeLessThanOrEqual(1);
  });
});

describe('training steps on the per-step path vs float64 reference (where auto picks looping)', () => {
  // skipped (visibly) where auto runs per-step: src/training/run-group.gpu.test.ts covers the same cases there
  it.for(TRAINING_CASES.filter((c) => !c.spec.norm).map((c) => [c.name, c] as const))('%s', async ([, c], ctx) => {
    if (autoOnThisAdapter === 'per-step') ctx.skip(`auto runs per-step on this adapter: run-group.gpu.test.ts covers "${c.name}"`);
    await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
  });
});

describe('the head\'s input gradient folded into the top layer\'s backward_step (FOLD_HEAD) vs float64 reference', () => {
  it.each(HEAD_FOLD_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await trainHeadFoldCase(gpu.engine, c);
  });
});

describe('per-step dispatches', () => {
  it('fold layer 0\'s input projection into forward_step when I < 16, and only then', async () => {
    for (const I of [3, FOLD_INPUT_BELOW - 1, FOLD_INPUT_BELOW]) {
      const net = await RnnGpu.create(gpu.engine, {
        cell: 'lstm', inputSize: I, hiddenSize: 8, numLayers: 2, seqLen: 3, batch: 5, runs: 1, bidirectional: true, evalForward: true,
      });
      try {
        const steps = expectInputFold(net, I < FOLD_INPUT_BELOW, 'forward_step');
        for (const list of ['forward', 'forward-eval']) expect(steps[list], list).toBe(2 * 2 * 3);
      } finally {
        net.destroy();
      }
    }
  });

  it('one cell dispatch per direction and timestep forward, and one more per direction backward (the dh0/dc0 pass)', async () => {
    const shape = (T: number) => ({ cell: 'gru' as const, inputSize: 3, hiddenSize: 8, numLayers: 2, seqLen: T, batch: 5, runs: 1 });
    for (const T of [4, 9]) {
      const counts = await countDispatches(gpu.engine, shape(T), ['forward', 'backward']);
      expect(counts.forward.cell).toBe(2 * T);
      expect(counts.backward.cell).toBe(2 * (T + 1));
    }
  });
});
