/**
 * Lesson 7, layer normalization against batch normalization on the adding problem (both norms
 * train on either backend).
 */
import type { Lesson } from './lesson';

const tanh = { cell: 'rnn_tanh', hiddenSize: 32, head: 'last', seqLen: 20, batch: 16, optimizer: { kind: 'adam', lr: 0.003 }, clip: { maxNorm: 1 } };

export const NORMALIZATION: Lesson = {
  id: 'normalization',
  title: 'Layer normalization and batch normalization',
  text:
    'Three tanh RNNs learn the adding problem over 20 steps with the same weights, optimizer and data; the plain one ' +
    'is the one that failed in the initialization lesson. Layer norm normalises each step\'s pre-activations over the ' +
    'units of every example; batch norm over the examples of the batch, keeping running statistics for validation. ' +
    'The plain RNN stays near the baseline (MSE 1/6); with layer norm the same network learns the sum. Batch norm ' +
    'learns too, but its validation loss jumps about: it validates with running averages of statistics that training ' +
    'computes batch by batch. Watch the validation loss.',
  chart: 'val-loss',
  chartName: 'Validation loss',
  paper: 'Ba, Kiros and Hinton, Layer normalization (2016); Ioffe and Szegedy, Batch normalization (2015); Cooijmans et al., Recurrent batch normalization (2017)',
  json: {
    version: 1, name: 'Lesson: layer and batch normalization (adding problem, length 20)', budget: 800, evalEvery: 50,
    task: { kind: 'adding', seed: 1, length: 20 },
    runs: [
      { id: 'plain', label: 'tanh RNN', ...tanh },
      { id: 'layer', label: 'tanh RNN, layer norm', ...tanh, norm: 'layer' },
      { id: 'batch', label: 'tanh RNN, batch norm', ...tanh, norm: 'batch' },
    ],
  },
  ci: { steps: 800, size: 'as on the page' },
};
