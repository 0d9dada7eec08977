/**
 * A run's weights as named tensors, PyTorch's names and shapes: the recurrent network exactly as
 * torch.nn.RNN / LSTM / GRU name it, bidirectional ones included (`weight_ih_l0_reverse`...), so
 * `rnn.load_state_dict` takes those tensors as they are, and the linear head as `head.weight`
 * [O, D] and `head.bias` [O] (a torch.nn.Linear on the top layer's D = H or 2H outputs). Export to
 * and import from safetensors; an import must match the run's shape tensor for tensor. Residual
 * layers and dropout have no weights: the metadata says they were on. A norm's gains and biases
 * are named as torch names a LayerNorm / BatchNorm1d submodule's (`ln_ih_l0.weight`, `bn_c_l1.bias`).
 */
import type { ExperimentDoc, RunConfig } from '../config/experiment';
import { modelLayout, type ModelLayout } from '../model/model-layout';
import type { Task } from '../data/task';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

/** Prefix of the head's tensors; the rest are the recurrent network's own names. */
export const HEAD_PREFIX = 'head.';

export function runLayout(run: RunConfig, task: Task): ModelLayout {
  return modelLayout(
    {
      cell: run.cell, inputSize: task.inputSize, hiddenSize: run.hiddenSize, numLayers: run.numLayers,
      bidirectional: run.bidirectional, norm: run.norm,
    },
    task.outputSize,
  );
}

/** Every tensor of a run's parameter vector, in the vector's order. */
export function tensorSlots(layout: ModelLayout): { name: string; shape: number[]; offset: number; size: number }[] {
  const { rnn, head } = layout;
  return [
    ...rnn.entries.map((e) => ({ name: e.name, shape: [...e.shape], offset: e.offset, size: e.size })),
    { name: `${HEAD_PREFIX}weight`, shape: [head.outputs, head.inputs], offset: head.weight, size: head.outputs * head.inputs },
    { name: `${HEAD_PREFIX}bias`, shape: [head.outputs], offset: head.bias, size: head.outputs },
  ];
}

export function paramsToTensors(layout: ModelLayout, params: Float32Array): NamedTensor[] {
  return tensorSlots(layout).map((s) => ({ name: s.name, shape: s.shape, data: params.slice(s.offset, s.offset + s.size) }));
}

/** The safetensors file of one run, with what it is in the metadata. */
export function runWeightsFile(doc: ExperimentDoc, run: RunConfig, task: Task, params: Float32Array, step: number): Uint8Array {
  const layout = runLayout(run, task);
  return writeSafetensors(paramsToTensors(layout, params), {
    format: 'pt',
    experiment: doc.name,
    run: run.label,
    id: run.id,
    step: String(step),
    cell: run.cell,
    input_size: String(task.inputSize),
    hidden_size: String(run.hiddenSize),
    num_layers: String(run.numLayers),
    bidirectional: String(run.bidirectional),
    residual: String(run.residual),
    norm: run.norm,
    output_size: String(task.outputSize),
  });
}

/** A run's parameter vector from a safetensors file; throws naming the first tensor that does not fit. */
export function paramsFromFile(bytes: Uint8Array, layout: ModelLayout): Float32Array {
  const { tensors } = readSafetensors(bytes);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const params = new Float32Array(layout.paramCount);
  const slots = tensorSlots(layout);
  for (const s of slots) {
    const t = byName.get(s.name);
    if (!t) throw new Error(`the file has no tensor "${s.name}" ([${s.shape.join(', ')}]), which this run needs`);
    if (t.shape.join() !== s.shape.join()) {
      throw new Error(`tensor "${s.name}" is [${t.shape.join(', ')}] in the file but [${s.shape.join(', ')}] in this run`);
    }
    params.set(t.data, s.offset);
  }
  const extra = tensors.find((t) => !slots.some((s) => s.name === t.name));
  if (extra) throw new Error(`the file has a tensor "${extra.name}" that this run does not have`);
  return params;
}
