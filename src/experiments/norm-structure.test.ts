// The `norm` field from the experiment file to run groups and weights files: a structural field
// (its own group, its tensors in the layout and the safetensors file under torch's submodule
// names, constant initial values); both backends take both norms (batch norm needs 2 rows).
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { CpuBackend } from '../cpu/backend';
import { initParams } from '../model/init';
import { createTask, partitionRuns, structureKey, toGroupSpec } from './structure';
import { readSafetensors } from './safetensors';
import { runLayout, runWeightsFile, tensorSlots } from './weights';

const read = (runs: Record<string, unknown>[]) => readExperiment({ version: 1, task: { kind: 'sine' }, runs });

describe('norm in the experiment file', () => {
  it('defaults to none; layer and batch runs form groups of their own', () => {
    const doc = read([{ id: 'a' }, { id: 'b', norm: 'layer' }, { id: 'c', norm: 'batch' }, { id: 'd', norm: 'layer' }]);
    expect(doc.runs.map((r) => r.norm)).toEqual(['none', 'layer', 'batch', 'layer']);
    expect(new Set(doc.runs.map(structureKey)).size).toBe(3);
    expect(partitionRuns(doc.runs).map((g) => g.map((r) => r.id))).toEqual([['a'], ['b', 'd'], ['c']]);
  });

  it('a bad value is refused naming the path and the choices', () => {
    expect(() => read([{ id: 'a', norm: 'group' }])).toThrow(/runs\[0\]\.norm.*none, layer, batch/);
  });

  it('the CPU backend takes both norms (batch norm needs 2 rows)', async () => {
    const doc = read([
      { id: 'ln-run', norm: 'layer' }, { id: 'bn-one', norm: 'batch', batch: 1 }, { id: 'bn-a', norm: 'batch', batch: 4 }, { id: 'bn-b', norm: 'batch', batch: 4 },
    ]);
    const task = await createTask(doc);
    const backend = new CpuBackend();
    const [layer, batchOne, batch] = partitionRuns(doc.runs).map((runs) => toGroupSpec(doc, task, runs));
    expect(backend.validate(layer)).toEqual([]);
    expect(backend.validate(batch)).toEqual([]);
    expect(backend.validate(batchOne)).toEqual(['norm "batch" needs a batch of 2 or more (its statistics are over the batch), got batch 1']);
    expect(layer.label).toMatch(/ layer norm$/);
    backend.destroy();
  });
});

describe('norm tensors in the weights', () => {
  it('LSTM layer norm: ln_ih / ln_hh [4H] and ln_c [H] after each layer\'s four tensors, gains 1, biases 0', async () => {
    const doc = read([{ id: 'r', cell: 'lstm', hiddenSize: 3, numLayers: 2, norm: 'layer' }]);
    const run = doc.runs[0];
    const task = await createTask(doc);
    const layout = runLayout(run, task);
    const slots = tensorSlots(layout);
    expect(slots.map((s) => `${s.name} [${s.shape.join(',')}]`).slice(0, 10)).toEqual([
      'weight_ih_l0 [12,1]', 'weight_hh_l0 [12,3]', 'bias_ih_l0 [12]', 'bias_hh_l0 [12]',
      'ln_ih_l0.weight [12]', 'ln_ih_l0.bias [12]', 'ln_hh_l0.weight [12]', 'ln_hh_l0.bias [12]', 'ln_c_l0.weight [3]', 'ln_c_l0.bias [3]',
    ]);
    expect(slots.filter((s) => s.name.startsWith('ln_')).length).toBe(12);
    const params = new Float32Array(layout.paramCount);
    initParams(params, layout.rnn, run.hiddenSize, layout.head, 5);
    const of = (name: string) => { const s = slots.find((x) => x.name === name)!; return [...params.subarray(s.offset, s.offset + s.size)]; };
    expect(of('ln_hh_l1.weight')).toEqual(new Array(12).fill(1));
    expect(of('ln_c_l1.bias')).toEqual([0, 0, 0]);
    // the weights draw as without the norm, so a norm / no-norm comparison starts from the same weights
    const plainDoc = read([{ id: 'r', cell: 'lstm', hiddenSize: 3, numLayers: 2 }]);
    const plain = runLayout(plainDoc.runs[0], task);
    const plainParams = new Float32Array(plain.paramCount);
    initParams(plainParams, plain.rnn, 3, plain.head, 5);
    for (const s of tensorSlots(plain)) expect(of(s.name)).toEqual([...plainParams.subarray(s.offset, s.offset + s.size)]);
    expect(readSafetensors(runWeightsFile(doc, run, task, params, 0)).metadata).toMatchObject({ norm: 'layer' });
  });

  it('GRU batch norm: bn_ih / bn_hh only (no cell state), gains 0.1', async () => {
    const doc = read([{ id: 'r', cell: 'gru', hiddenSize: 2, norm: 'batch' }]);
    const layout = runLayout(doc.runs[0], await createTask(doc));
    const norms = tensorSlots(layout).filter((s) => s.name.startsWith('bn_'));
    expect(norms.map((s) => s.name)).toEqual(['bn_ih_l0.weight', 'bn_ih_l0.bias', 'bn_hh_l0.weight', 'bn_hh_l0.bias']);
    const params = new Float32Array(layout.paramCount);
    initParams(params, layout.rnn, 2, layout.head, 1);
    expect([...params.subarray(norms[0].offset, norms[0].offset + 6)]).toEqual(new Array(6).fill(Math.fround(0.1)));
  });
});
