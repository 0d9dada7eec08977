// How many dispatches a plain training step issues outside the per-timestep cell kernels (issue 12's
// fusions): a tiny input's projection is formed inside the forward steps (FOLD_INPUT: no input
// projection GEMM), the bias gradients come out of the weight-gradient GEMMs (no column-sum products), the
// gradient norms are finished and the weights checked for non-finite values inside the optimizer
// update (no 'grad norm finish', no 'anomaly scan'), and a head of few outputs has its input gradient
// formed inside the top layer's backward steps (FOLD_HEAD: no 'head input gradient' GEMM) while a
// wider one keeps the GEMM. Counted as the dispatches the step encodes, by pipeline label, under the
// GEMM rule so the variants (and split-K reductions) do not depend on timing, on the per-step kernel
// path (forced: a GPU's auto picks looping; src/model/looping.gpu.test.ts counts that path).
import { afterEach, describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import type { Task } from '../data/task';
import { setGemmPolicy } from '../engine/gemm';
import { FOLD_HEAD_MAX_OUTPUTS, FOLD_INPUT_BELOW, setKernelPolicy } from '../model/kernel-path';
import { dispatchLabels } from '../testing/dispatch-labels';
import { useEngine } from '../testing/gpu';
import { ManyClassTask } from '../testing/tasks';
import type { GroupSpec, RunSpec } from './group-spec';
import { RunGroup } from './run-group';
import { CONSTANT } from './schedules';
import { MAX_PARTIALS, partialGroups } from './update-stage';

const gpu = useEngine();

const run = (id: string, seed: number): RunSpec => ({ id, label: id, seed, optimizer: { kind: 'adam', lr: 0.01 }, clip: { maxNorm: 1 }, schedule: CONSTANT });

afterEach(() => {
  setGemmPolicy(gpu.engine, { mode: 'measure' });
  setKernelPolicy(gpu.engine, 'auto');
});

const T = 5;

/** The pipeline labels and the dispatch names of the second training step of a 1-layer group of `cell` on `task`, per-step. */
async function stepDispatches(cell: 'lstm' | 'gru', task: Task): Promise<{ labels: string[]; names: string[] }> {
  setGemmPolicy(gpu.engine, { mode: 'rule' });
  setKernelPolicy(gpu.engine, 'per-step');
  const spec: GroupSpec = {
    cell, hiddenSize: 8, numLayers: 1, batch: 3, seqLen: T, head: 'every', bptt: { kind: 'full' }, task, runs: [run('a', 1), run('b', 2)],
  };
  const group = await RunGroup.create(gpu.engine, spec, () => {});
  try {
    group.trainStep();
    await group.settle();
    const labels = await dispatchLabels(gpu.engine, () => group.trainStep());
    await group.settle();
    const names = await dispatchLabels(gpu.engine, () => group.trainStep(), 'dispatch');
    await group.settle();
    return { labels, names };
  } finally {
    group.destroy();
  }
}

describe('dispatches of a training step', () => {
  it.each(['lstm', 'gru'] as const)('%s, 1 layer, 1 input, 1 output: 2T + 1 cell kernels (input projection and head input gradient folded in), 4 GEMM products, 5 more', async (cell) => {
    const task = new SineTask({ seed: 2 });
    expect(task.inputSize).toBeLessThan(FOLD_INPUT_BELOW);
    const { labels, names } = await stepDispatches(cell, task);
    const count = (f: (l: string) => boolean) => labels.filter(f).length;
    const products = count((l) => l.startsWith('gemm ') && l !== 'gemm reduce');
    const reductions = count((l) => l === 'gemm reduce');
    // Head forward, head weight (+ bias) gradient, weight_ih (+ bias_ih) and weight_hh (+ bias_hh)
    // gradients: before the fusions, the input projection, three column sums and the head input gradient more.
    expect(products).toBe(4);
    expect(names.some((n) => n.startsWith('input projection')), names.join(', ')).toBe(false);
    expect(names.some((n) => n.startsWith('head weight gradient')), names.join(', ')).toBe(true);
    expect(names.some((n) => n.startsWith('head input gradient')), names.join(', ')).toBe(false);
    expect(count((l) => l === `${cell} forward_step (input folded)`)).toBe(T);
    // (with ', N units a thread' where backward_step serves several hidden units a thread)
    expect(count((l) => l.startsWith(`${cell} backward_step (head folded`))).toBe(T + 1);
    const rest = labels.filter((l) => !l.startsWith('gemm ') && !/_step( \(.*\))?$/.test(l)).sort();
    expect(rest).toEqual(['anomaly check', 'grad norm partials', 'loss', 'optimizer update', 'state restore']);
    // Before the fusions 2T + 1 + 9 products + reductions + 8 (the two norm passes and the two anomaly passes among them).
    expect(labels).toHaveLength(2 * T + 1 + 4 + reductions + 5);
  });

  it(`lstm, 1 layer, ${FOLD_HEAD_MAX_OUTPUTS + 1} outputs: the head input gradient stays a GEMM, 5 products`, async () => {
    const { labels, names } = await stepDispatches('lstm', new ManyClassTask(FOLD_HEAD_MAX_OUTPUTS + 1));
    const count = (f: (l: string) => boolean) => labels.filter(f).length;
    expect(count((l) => l.startsWith('gemm ') && l !== 'gemm reduce')).toBe(5);
    expect(names.filter((n) => n === 'head input gradient')).toHaveLength(1);
    expect(count((l) => /^lstm backward_step( \(\d units a thread\))?$/.test(l))).toBe(T + 1);
    expect(count((l) => l.includes('head folded'))).toBe(0);
  });

  it('keeps the partial sums the update adds up per run within MAX_PARTIALS, G >= 1', () => {
    const segs = (lengths: number[]) => {
      let offset = 0;
      return lengths.map((length, i) => ({ name: `s${i}`, offset: (offset += length) - length, length }));
    };
    for (const lengths of [[10], [150001, 149000, 1006], Array(28).fill(1 << 20), [1 << 22, 5]]) {
      const G = partialGroups(segs(lengths));
      expect(G).toBeGreaterThanOrEqual(1);
      expect(G * lengths.length).toBeLessThanOrEqual(MAX_PARTIALS);
    }
    expect(partialGroups(segs([10]))).toBe(1);
  });
});
