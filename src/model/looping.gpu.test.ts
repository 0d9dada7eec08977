// The looping kernel path (one dispatch per layer and direction walks every timestep, backward
// with the dh0/dc0 pass folded in) against the float64 reference for every cell: H at the looping
// limit, H above one workgroup's 64 threads, workgroups of 256, 128 and 4 threads, B not a multiple of the 4-row batch tile, T = 1, a
// sequence split into chunks, bidirectional stacks; then every shared training case without a norm
// (on a software adapter `auto` runs per-step, so the other suites do not reach this path), among
// them recurrent dropout, per-timestep gradient norms (DIAGNOSTICS) and truncated BPTT's kept
// state, also with the kept step in a later chunk; full BPTT with garbage in the state views (forward_loop
// zeroes the initial state, no restore runs); layer 0's input projection folded in (I < 16) and not (I 16);
// the head's input gradient folded into the top layer's backward (FOLD_HEAD) and not;
// and a dispatch count that does not grow with T.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADAM_RUN } from '../../bench/ours';
import { RandomRegressionTask } from '../../bench/bench-task';
import { setGemmPolicy, type GemmProblem, type GemmVariant } from '../engine/gemm';
import { ruleVariant } from '../engine/gemm-tune';
import { dispatchLabels } from '../testing/dispatch-labels';
import { useEngine } from '../testing/gpu';
import { TRAINING_CASES, trainAgainstReference } from '../testing/training-cases';
import { RunGroup } from '../training/run-group';
import { checkAgainstReference, countDispatches, expectInputFold, HEAD_FOLD_CASES, trainHeadFoldCase, type CheckCase } from './kernel-path-check';
import { chooseKernelPath, FOLD_INPUT_BELOW, LOOPING_MAX_HIDDEN, setKernelPolicy, setLoopingChunk, setLoopingWorkgroup } from './kernel-path';
import { CELL_KINDS, type CellKind } from './layout';
import { RnnGpu } from './rnn-gpu';

const gpu = useEngine();

/** The GEMM policy's pick with split-K on the weight gradients (network and head) and on nothing else. */
function splitWeightGradients(p: GemmProblem): GemmVariant {
  if (p.label.startsWith('head weight gradient')) return { kernel: 'direct', splits: 4 };
  if (p.label.startsWith('weight_hh')) return { kernel: 'blocked', splits: 5 };
  if (p.label.startsWith('weight_ih')) return { kernel: 'direct', splits: 3 };
  return { ...ruleVariant(gpu.engine, p), splits: 1 };
}
beforeAll(() => setKernelPolicy(gpu.engine, 'looping'));
afterEach(() => {
  setGemmPolicy(gpu.engine, { mode: 'measure' });
  setLoopingChunk(gpu.engine, undefined);
  setLoopingWorkgroup(gpu.engine, undefined);
});

interface Case {
  name: string;
  layers: number;
  I: number;
  H: number;
  T: number;
  B: number;
  R: number;
  bidirectional?: boolean;
  residual?: boolean;
  chunk?: number;
  /** Threads per workgroup (a GPU's choice, or fewer threads than units); default: this adapter's. */
  workgroup?: number;
}

const CASES: Case[] = [
  { name: 'H at the looping limit', layers: 1, I: 3, H: LOOPING_MAX_HIDDEN, T: 2, B: 2, R: 1 },
  { name: 'H 70: two units per thread for some threads', layers: 2, I: 4, H: 70, T: 3, B: 3, R: 2 },
  { name: 'B 5: a full and a partial batch tile', layers: 1, I: 3, H: 9, T: 4, B: 5, R: 2 },
  { name: 'T 1', layers: 2, I: 4, H: 6, T: 1, B: 2, R: 2 },
  { name: 'T 7 in chunks of 3', layers: 2, I: 3, H: 7, T: 7, B: 5, R: 2, chunk: 3 },
  { name: 'T 5 in chunks of 1', layers: 1, I: 2, H: 5, T: 5, B: 2, R: 1, chunk: 1 },
  { name: 'bidirectional 2 layers', layers: 2, I: 3, H: 6, T: 4, B: 3, R: 2, bidirectional: true },
  { name: 'H at the limit, 256 threads (a GPU\'s workgroup)', layers: 1, I: 2, H: LOOPING_MAX_HIDDEN, T: 2, B: 5, R: 1, workgroup: 256 },
  { name: 'H 70, 128 threads', layers: 1, I: 3, H: 70, T: 3, B: 2, R: 2, workgroup: 128 },
  { name: 'H 9, 4 threads: three units per thread', layers: 2, I: 3, H: 9, T: 3, B: 5, R: 2, workgroup: 4 },
  { name: 'bidirectional 2 layers in chunks of 2, residual', layers: 2, I: 3, H: 5, T: 5, B: 5, R: 2, bidirectional: true, residual: true, chunk: 2 },
  // I >= FOLD_INPUT_BELOW: layer 0 reads a GEMM's gx like the layers above (the cases above fold it)
  { name: 'I 16, no fold: bidirectional 2 layers in chunks of 2', layers: 2, I: FOLD_INPUT_BELOW, H: 6, T: 5, B: 5, R: 2, bidirectional: true, chunk: 2 },
  { name: 'I 16, no fold: T 1', layers: 1, I: FOLD_INPUT_BELOW, H: 7, T: 1, B: 3, R: 2 },
  { name: 'I 15, folded: B 5 in chunks of 3', layers: 1, I: FOLD_INPUT_BELOW - 1, H: 7, T: 4, B: 5, R: 2, chunk: 3 },
];

describe.each(CELL_KINDS)('%s looping kernels vs float64 reference', (cell: CellKind) => {
  it.each(CASES)('$name: L=$layers I=$I H=$H T=$T B=$B R=$R', async (c) => {
    const check: CheckCase = {
      shape: { cell, inputSize: c.I, hiddenSize: c.H, numLayers: c.layers, bidirectional: c.bidirectional, residual: c.residual },
      seqLen: c.T, batch: c.B, runs: c.R, seed: 17 * c.H + c.T,
    };
    expect(chooseKernelPath(gpu.engine, { hiddenSize: c.H }).path).toBe('looping');
    if (c.chunk) setLoopingChunk(gpu.engine, c.chunk);
    if (c.workgroup) setLoopingWorkgroup(gpu.engine, c.workgroup);
    for (const w of await checkAgainstReference(gpu.engine, check)) {
      expect(w.ratio, `${w.name}: max abs ${w.maxAbs}`).toBeLessThanOrEqual(1);
    }
  });
});

// Recurrent dropout, per-timestep gradient norms and truncated BPTT, without norms in the cell
// (those run per-step whatever the policy).
const TRICK_CASES = TRAINING_CASES.filter((c) => !c.spec.norm && /recurrent|truncated|norms every/.test(c.name));

describe('training steps on the looping path vs float64 reference', () => {
  it('covers recurrent dropout, gradient norms through time and truncated BPTT', () => {
    expect(TRICK_CASES.some((c) => c.spec.bptt.kind === 'truncated')).toBe(true);
    expect(TRICK_CASES.some((c) => c.spec.diagnosticsEvery)).toBe(true);
    expect(TRICK_CASES.some((c) => c.spec.runs.some((r) => r.recurrentDropout))).toBe(true);
  });
  it.each(TRAINING_CASES.filter((c) => !c.spec.norm).map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
  });
  // Full BPTT: no state restore runs, forward_loop zeroes the initial h, c (and the masked copy) itself.
  // Garbage left in every state view before the first step must not reach the result.
  it.each(TRAINING_CASES.filter((c) => !c.spec.norm && c.spec.bptt.kind === 'full').map((c) => [c.name, c] as const))('initial state zeroed by forward_loop over garbage in the state views: %s', async (_, c) => {
    await trainAgainstReference(async (spec, onRecords) => {
      const group = await RunGroup.create(gpu.engine, spec, onRecords);
      expect(group.net.zeroesInitialState).toBe(true);
      for (const view of ['h', 'c', 'hm']) {
        if (group.net.acts.has(view)) group.net.acts.write(view, new Float32Array(group.net.acts.view(view).length).fill(0.75));
      }
      return group;
    }, c);
  });
  it.each(TRICK_CASES.filter((c) => c.spec.bptt.kind === 'truncated').map((c) => [c.name, c] as const))('truncated BPTT keeps the state restore: %s', async (_, c) => {
    const group = await RunGroup.create(gpu.engine, c.spec, () => {});
    try {
      expect(group.net.zeroesInitialState).toBe(false);
    } finally {
      group.destroy();
    }
  });
  // The norm pass adds up the weight gradients' partials on this path too (backward-diagnostics included).
  it.each(TRICK_CASES.filter((c) => c.spec.diagnosticsEvery).map((c) => [c.name, c] as const))('split-K weight gradients, reduced in the norm pass: %s', async (_, c) => {
    setGemmPolicy(gpu.engine, { mode: 'rule', force: splitWeightGradients });
    await trainAgainstReference(async (spec, onRecords) => {
      const group = await RunGroup.create(gpu.engine, spec, onRecords);
      expect(group.net.deferred?.sums.length).toBeGreaterThan(0);
      return group;
    }, c);
  });
  it.each(TRICK_CASES.filter((c) => c.spec.bptt.kind === 'truncated').map((c) => [c.name, c] as const))('one timestep per dispatch (the kept step in a later chunk): %s', async (_, c) => {
    setLoopingChunk(gpu.engine, 1);
    await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
  });
});

describe('the head\'s input gradient folded into the top layer\'s backward_loop (FOLD_HEAD) vs float64 reference', () => {
  it.each(HEAD_FOLD_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    if (c.chunk) setLoopingChunk(gpu.engine, c.chunk);
    await trainHeadFoldCase(gpu.engine, c);
  });
});

describe('looping dispatches', () => {
  const LISTS = ['forward', 'forward-eval', 'backward', 'backward-diagnostics'];
  const shape = (T: number) => ({
    cell: 'lstm' as const, inputSize: 3, hiddenSize: 8, numLayers: 2, bidirectional: true,
    seqLen: T, batch: 5, runs: 2, evalForward: true, diagnostics: true,
  });

  it('do not grow with T: one cell dispatch per direction in each forward and backward list', async () => {
    const short = await countDispatches(gpu.engine, shape(4), LISTS);
    const long = await countDispatches(gpu.engine, shape(16), LISTS);
    expect(long).toEqual(short);
    for (const list of LISTS) expect(short[list].cell, list).toBe(4); // 2 layers x 2 directions
  });

  it('split a sequence into ceil(T / chunk) forward and ceil((T + 1) / chunk) backward dispatches', async () => {
    setLoopingChunk(gpu.engine, 3);
    const counts = await countDispatches(gpu.engine, shape(7), LISTS);
    expect(counts.forward.cell).toBe(4 * 3);
    expect(counts.backward.cell).toBe(4 * 3);
    setLoopingChunk(gpu.engine, 4);
    const four = await countDispatches(gpu.engine, shape(7), LISTS);
    expect(four.forward.cell).toBe(4 * 2);
    expect(four.backward.cell).toBe(4 * 2);
  });

  it('fold layer 0\'s input projection into forward_loop when I < 16, and only then', async () => {
    for (const I of [3, FOLD_INPUT_BELOW - 1, FOLD_INPUT_BELOW]) {
      const net = await RnnGpu.create(gpu.engine, { ...shape(4), inputSize: I });
      try {
        expectInputFold(net, I < FOLD_INPUT_BELOW, 'forward_loop');
      } finally {
        net.destroy();
      }
    }
    // the fold saves exactly layer 0's two input projection GEMMs in each forward list
    const folded = await countDispatches(gpu.engine, { ...shape(4), inputSize: 3 }, LISTS);
    const plain = await countDispatches(gpu.engine, { ...shape(4), inputSize: FOLD_INPUT_BELOW }, LISTS);
    for (const list of ['forward', 'forward-eval']) expect(plain[list].all - folded[list].all, list).toBe(2);
    for (const list of ['backward', 'backward-diagnostics']) expect(plain[list].all, list).toBe(folded[list].all);
  });

  // The bench's S (lstm I8 H64 L1 B16, Adam, mse on every step) at two sequence lengths, under the
  // GEMM rule so the variants (and split-K reductions) do not depend on timing: forward_loop (input
  // projection and state reset folded in), head forward, loss, head weight+bias gradient, backward_loop
  // (the head's input gradient folded in), W_ih(+b) and W_hh(+b) gradients, norm partials, optimizer
  // update, anomaly check. Before FOLD_HEAD: 11, with a 'head input gradient' GEMM.
  it('a training step of S is 10 dispatches (+ split-K reductions) whatever T: no state restore, no layer-0 input projection, no head input gradient', async () => {
    setGemmPolicy(gpu.engine, { mode: 'rule' });
    const counts: number[] = [];
    for (const seqLen of [8, 32]) {
      const group = await RunGroup.create(gpu.engine, {
        label: 'S', cell: 'lstm', hiddenSize: 64, numLayers: 1, batch: 16, seqLen, head: 'every',
        bptt: { kind: 'full' }, task: new RandomRegressionTask(8), runs: [ADAM_RUN],
      }, () => {});
      try {
        group.trainStep();
        await group.settle();
        const labels = await dispatchLabels(gpu.engine, () => group.trainStep());
        await group.settle();
        const count = (f: (l: string) => boolean) => labels.filter(f).length;
        expect(count((l) => l === 'state restore'), labels.join(', ')).toBe(0);
        expect(count((l) => l === 'lstm forward_loop (input folded)')).toBe(1);
        expect(count((l) => l === 'lstm backward_loop (head folded)')).toBe(1);
        expect(count((l) => l.startsWith('gemm ') && l !== 'gemm reduce'), labels.join(', ')).toBe(4);
        const rest = labels.filter((l) => !l.startsWith('gemm ') && !l.includes('_loop')).sort();
        expect(rest).toEqual(['anomaly check', 'grad norm partials', 'loss', 'optimizer update']);
        counts.push(labels.length - count((l) => l === 'gemm reduce'));
        const names = await dispatchLabels(gpu.engine, () => group.trainStep(), 'dispatch');
        await group.settle();
        // (a GEMM's dispatches are named after it, split-K ones with ' partials' and ' reduce' added)
        expect(names.some((n) => n.startsWith('head weight gradient')), names.join(', ')).toBe(true);
        expect(names.some((n) => n.startsWith('head input gradient')), names.join(', ')).toBe(false);
      } finally {
        group.destroy();
      }
    }
    expect(counts).toEqual([10, 10]);
  });

  // Split-K forced on the weight gradients, the head's too (everything else unsplit): their partials
  // are added up by the gradient-norm pass, so a step of S has no reduce dispatch and the same count
  // at T 32 and 128.
  it('a training step of S is 10 dispatches at T 32 and 128 with split-K weight gradients: their reductions run in the norm pass', async () => {
    setGemmPolicy(gpu.engine, { mode: 'rule', force: splitWeightGradients });
    const counts: number[] = [];
    for (const seqLen of [32, 128]) {
      const group = await RunGroup.create(gpu.engine, {
        label: 'S', cell: 'lstm', hiddenSize: 64, numLayers: 1, batch: 16, seqLen, head: 'every',
        bptt: { kind: 'full' }, task: new RandomRegressionTask(8), runs: [ADAM_RUN],
      }, () => {});
      try {
        const recorded = group.net.program.list('backward').map((d) => d.bindGroup.label);
        expect(recorded.filter((l) => l.startsWith('weight_')).sort()).toEqual(['weight_hh gradient l0 partials', 'weight_ih gradient l0 partials']);
        group.trainStep();
        await group.settle();
        const labels = await dispatchLabels(gpu.engine, () => group.trainStep());
        await group.settle();
        expect(labels.filter((l) => l === 'gemm reduce'), labels.join(', ')).toEqual([]);
        counts.push(labels.length);
      } finally {
        group.destroy();
      }
    }
    expect(counts).toEqual([10, 10]);
  });

  it('run with the workgroup size the rule (or a test) sets: LOOP_WG in every looping kernel', async () => {
    setLoopingWorkgroup(gpu.engine, 128);
    const net = await RnnGpu.create(gpu.engine, shape(4));
    try {
      const loops = ['forward', 'backward'].flatMap((l) => net.program.list(l)).filter((d) => d.kernel.desc.entryPoint.endsWith('_loop'));
      expect(loops.length).toBe(8);
      for (const d of loops) expect(d.kernel.desc.constants?.LOOP_WG, d.kernel.desc.label).toBe(128);
    } finally {
      net.destroy();
    }
  });
});
