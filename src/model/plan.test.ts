// planLayers: the one description of a stack's layers that the parameter layout, the GPU
// recording and the float64 reference all walk.
import { describe, expect, it } from 'vitest';
import { CELL_KINDS, GATES } from './cells';
import { paramLayout } from './layout';
import { modelLayout } from './model-layout';
import { planLayers, residualProblem } from './plan';

describe('planLayers', () => {
  it('a 3-layer LSTM: inputs, PyTorch names and shapes, readers', () => {
    const plan = planLayers({ cell: 'lstm', inputSize: 5, hiddenSize: 7, numLayers: 3 });
    expect(plan.gates).toBe(4);
    expect(plan.outputSize).toBe(7);
    expect(plan.layers.map((l) => l.directions.map((d) => d.index))).toEqual([[0], [1], [2]]);
    const [d0, d1, d2] = plan.directions;
    expect(d0.input).toEqual([{ source: 'data', column: 0, width: 5 }]);
    expect(d1.input).toEqual([{ source: 0, column: 0, width: 7 }]);
    expect([d0.inputSize, d1.inputSize, d2.inputSize]).toEqual([5, 7, 7]);
    expect(d1.params).toEqual([
      { kind: 'weight_ih', name: 'weight_ih_l1', shape: [28, 7] },
      { kind: 'weight_hh', name: 'weight_hh_l1', shape: [28, 7] },
      { kind: 'bias_ih', name: 'bias_ih_l1', shape: [28] },
      { kind: 'bias_hh', name: 'bias_hh_l1', shape: [28] },
    ]);
    expect(d0.params[0]).toEqual({ kind: 'weight_ih', name: 'weight_ih_l0', shape: [28, 5] });
    expect(d0.readers).toEqual([{ kind: 'direction', index: 1, column: 0 }]);
    expect(d2.readers).toEqual([{ kind: 'head' }]);
    expect(plan.directions.every((d) => d.direction === 'forward' && d.outputColumn === 0)).toBe(true);
  });

  it.each(CELL_KINDS)('%s: the parameter layout is the plan\'s tensors in order, as torch lists them', (cell) => {
    const shape = { cell, inputSize: 3, hiddenSize: 4, numLayers: 2 };
    const layout = paramLayout(shape);
    const names = planLayers(shape).directions.flatMap((d) => d.params.map((p) => p.name));
    expect(layout.entries.map((e) => e.name)).toEqual(names);
    expect(names).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
    const G = GATES[cell];
    expect(layout.total).toBe(G * 4 * (3 + 4 + 2) + G * 4 * (4 + 4 + 2));
    layout.entries.forEach((e, i) => expect(e.offset).toBe(i === 0 ? 0 : layout.entries[i - 1].offset + layout.entries[i - 1].size));
  });

  it('the model layout: head on the plan\'s output width, one gradient-norm segment per layer', () => {
    const m = modelLayout({ cell: 'gru', inputSize: 2, hiddenSize: 5, numLayers: 2 }, 3);
    expect(m.head).toEqual({ weight: m.rnn.total, bias: m.rnn.total + 15, outputs: 3, inputs: 5 });
    expect(m.paramCount).toBe(m.rnn.total + 18);
    expect(m.segments.map((s) => s.name)).toEqual(['layer 0', 'layer 1', 'head']);
    const l1 = m.rnn.entries.filter((e) => e.layer === 1);
    expect(m.segments[1]).toEqual({ name: 'layer 1', offset: l1[0].offset, length: l1.reduce((a, e) => a + e.size, 0) });
  });

  it('bidirectional: a reverse direction per layer, torch\'s names and order, 2H-wide inputs above', () => {
    const shape = { cell: 'gru' as const, inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true };
    const plan = planLayers(shape);
    expect(plan.directionsPerLayer).toBe(2);
    expect(plan.outputSize).toBe(8);
    expect(plan.directions.map((d) => [d.index, d.layer, d.direction, d.outputColumn])).toEqual([
      [0, 0, 'forward', 0], [1, 0, 'reverse', 4], [2, 1, 'forward', 0], [3, 1, 'reverse', 4],
    ]);
    expect(plan.directions[3].input).toEqual([{ source: 0, column: 0, width: 4 }, { source: 1, column: 4, width: 4 }]);
    expect(plan.directions[1].readers).toEqual([{ kind: 'direction', index: 2, column: 4 }, { kind: 'direction', index: 3, column: 4 }]);
    expect(plan.directions[3].readers).toEqual([{ kind: 'head' }]);
    // torch.nn.GRU(3, 4, 2, bidirectional=True).named_parameters()
    expect(paramLayout(shape).entries.map((e) => `${e.name} [${e.shape.join(',')}]`)).toEqual([
      'weight_ih_l0 [12,3]', 'weight_hh_l0 [12,4]', 'bias_ih_l0 [12]', 'bias_hh_l0 [12]',
      'weight_ih_l0_reverse [12,3]', 'weight_hh_l0_reverse [12,4]', 'bias_ih_l0_reverse [12]', 'bias_hh_l0_reverse [12]',
      'weight_ih_l1 [12,8]', 'weight_hh_l1 [12,4]', 'bias_ih_l1 [12]', 'bias_hh_l1 [12]',
      'weight_ih_l1_reverse [12,8]', 'weight_hh_l1_reverse [12,4]', 'bias_ih_l1_reverse [12]', 'bias_hh_l1_reverse [12]',
    ]);
    const m = modelLayout(shape, 2);
    expect(m.head.inputs).toBe(8);
    expect(m.segments.map((s) => s.name)).toEqual(['layer 0', 'layer 1', 'head']);
  });

  it('residual: layers whose input is as wide as their output; refused where no layer is', () => {
    const layers = (inputSize: number, numLayers: number, bidirectional = false) =>
      planLayers({ cell: 'lstm', inputSize, hiddenSize: 4, numLayers, residual: true, bidirectional }).layers.map((l) => l.residual);
    expect(layers(3, 3)).toEqual([false, true, true]);
    expect(layers(4, 2)).toEqual([true, true]);
    expect(layers(4, 2, true)).toEqual([false, true]);
    expect(layers(8, 1, true)).toEqual([true]);
    expect(planLayers({ cell: 'lstm', inputSize: 4, hiddenSize: 4, numLayers: 2 }).layers.map((l) => l.residual)).toEqual([false, false]);
    expect(residualProblem({ cell: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2, residual: true })).toBeNull();
    expect(residualProblem({ cell: 'lstm', inputSize: 1, hiddenSize: 4, numLayers: 1, residual: true })).toBe(
      'residual needs a layer whose input is as wide as its output: the only layer takes 1 inputs (the task\'s) and gives 4; ' +
      'use 2 or more layers (layers 1 and up get it), or turn residual off',
    );
  });
});
