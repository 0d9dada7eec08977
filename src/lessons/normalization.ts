/**
 * Lesson 7, layer normalization against batch normalization. NOT in LESSONS yet: it needs the run
 * field `norm` ("none" | "layer" | "batch"), which another branch adds; register it in index.ts
 * (and give it a test in lessons.test.ts) once `norm` validates, adjusting the values if that
 * field's names differ.
 */
import type { Lesson } from './lesson';

const deep = { cell: 'rnn_tanh', hiddenSize: 64, numLayers: 3, seqLen: 32, batch: 16, optimizer: { kind: 'sgd', lr: 0.05 }, clip: { maxNorm: 5 } };

export const NORMALIZATION: Lesson = {
  id: 'normalization',
  title: 'Layer normalization and batch normalization',
  text:
    'Three stacks of three tanh RNN layers predict a noisy sine with plain SGD: one without normalisation, one ' +
    'normalising each layer\'s pre-activations over the units of every example (layer norm) and one over the batch ' +
    '(batch norm, with running statistics for validation). Normalised pre-activations keep the tanh units out of ' +
    'saturation, so the gradient reaches the lower layers and the loss falls sooner. Layer norm does not depend on the ' +
    'batch and treats every timestep alike; batch norm\'s statistics differ between training and validation. Watch the ' +
    'training loss and the gradient norm of layer 0.',
  chart: 'loss',
  chartName: 'Training loss',
  paper: 'Ba, Kiros and Hinton, Layer normalization (2016); Ioffe and Szegedy, Batch normalization (2015); Cooijmans et al., Recurrent batch normalization (2017)',
  json: {
    version: 1, name: 'Lesson: layer and batch normalization', budget: 800, evalEvery: 50,
    task: { kind: 'sine', seed: 1 },
    runs: [
      { id: 'plain', label: 'no normalisation', ...deep },
      { id: 'layer', label: 'layer norm', ...deep, norm: 'layer' },
      { id: 'batch', label: 'batch norm', ...deep, norm: 'batch' },
    ],
  },
  ci: { steps: 400, size: 'as on the page, 400 steps (not measured: the lesson waits for the norm field)' },
};
