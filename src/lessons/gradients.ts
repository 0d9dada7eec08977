/**
 * Lessons on gradients through time: vanishing gradients (a vanilla RNN against gated cells on
 * the adding problem), exploding gradients and clipping by norm, and how far back truncated BPTT
 * lets the gradient reach. Data only; the figures each test saw are in the README.
 */
import type { Lesson } from './lesson';

const adam = (lr: number) => ({ kind: 'adam', lr });

export const VANISHING_GRADIENTS: Lesson = {
  id: 'vanishing-gradients',
  title: 'Vanishing gradients: RNN against LSTM against GRU',
  text:
    'Three networks of the same width learn the adding problem: 50 numbers go in, two of them marked, and the answer is ' +
    'their sum at the last step. The vanilla RNN\'s gradient shrinks by a factor at every step it travels back, so it ' +
    'cannot learn which numbers were marked and its validation loss stays near the baseline of always answering 1.0 ' +
    '(MSE 1/6). The LSTM and the GRU carry the numbers in gated, additive state and drop far below it. Watch the ' +
    'validation loss; the recurrent layer\'s gradient norm shows how little reaches the vanilla RNN.',
  chart: 'val-loss',
  chartName: 'Validation loss',
  paper: 'Hochreiter and Schmidhuber, Long short-term memory (1997); Cho et al., GRU (2014); Bengio, Simard and Frasconi (1994)',
  json: {
    version: 1, name: 'Lesson: vanishing gradients (adding problem, length 50)', budget: 1500, evalEvery: 50,
    task: { kind: 'adding', seed: 1, length: 50 },
    runs: [
      { id: 'rnn', label: 'vanilla RNN (tanh)', cell: 'rnn_tanh', hiddenSize: 32, head: 'last', seqLen: 50, batch: 16, optimizer: adam(0.01), clip: { maxNorm: 1 } },
      { id: 'lstm', label: 'LSTM', cell: 'lstm', hiddenSize: 32, head: 'last', seqLen: 50, batch: 16, optimizer: adam(0.01), clip: { maxNorm: 1 } },
      { id: 'gru', label: 'GRU', cell: 'gru', hiddenSize: 32, head: 'last', seqLen: 50, batch: 16, optimizer: adam(0.01), clip: { maxNorm: 1 } },
    ],
  },
  ci: { steps: 1000, task: { length: 30 }, run: { seqLen: 30, hiddenSize: 16 }, size: 'length 30, 16 units, 1000 steps' },
};

const relu = { cell: 'rnn_relu', hiddenSize: 32, seqLen: 50, batch: 16, init: { weightHh: 'identity' }, optimizer: { kind: 'sgd', lr: 0.05 } };

export const EXPLODING_GRADIENTS: Lesson = {
  id: 'exploding-gradients',
  title: 'Exploding gradients and clipping by norm',
  text:
    'Two identical ReLU RNNs (recurrent weights started at the identity, plain SGD at 0.05) predict a noisy sine over ' +
    '50 steps. Without clipping, the gradient grows with every step back through time, one update throws the weights ' +
    'far away and the loss turns to infinity within a few steps: the run is marked diverged. Clipping the gradient\'s ' +
    'norm at 1 keeps each update\'s length bounded but its direction intact, and the same network trains. Watch the ' +
    'gradient norm (the clip threshold is drawn on it) and the training loss.',
  chart: 'grad-norm',
  chartName: 'Gradient norm (global L2, before clipping)',
  paper: 'Pascanu, Mikolov and Bengio, On the difficulty of training recurrent neural networks (2013)',
  json: {
    version: 1, name: 'Lesson: exploding gradients and clipping', budget: 300, evalEvery: 50,
    task: { kind: 'sine', seed: 1 },
    runs: [
      { id: 'plain', label: 'no clipping', ...relu },
      { id: 'clipped', label: 'clip norm 1', ...relu, clip: { maxNorm: 1 } },
    ],
  },
  ci: { steps: 100, size: 'as on the page, 100 steps' },
};

const windowed = (id: string, label: string, seqLen: number) => ({
  id, label, cell: 'lstm', hiddenSize: 32, batch: 16, seqLen, bptt: { kind: 'truncated', k1: 5, episodeLength: 40 },
  optimizer: adam(0.01), clip: { maxNorm: 1 },
});

export const TRUNCATED_BPTT: Lesson = {
  id: 'truncated-bptt',
  title: 'Truncated BPTT: the window against the dependency',
  text:
    'Three LSTMs learn the adding problem over 40 steps; the two marked numbers can sit anywhere in the sequence, the ' +
    'sum is asked at the end. Two runs train with truncated BPTT, advancing 5 steps at a time: the gradient of the ' +
    'answer flows back only 5 (or 20) steps, while the state still flows forward over all 40. The full-BPTT run learns ' +
    'the sum. The 5-step window never sees the gradient reach a marked number before the last 5 steps, so its loss ' +
    'stays near the baseline (MSE 1/6) however long it trains; 20 steps reach the second marked number (always in the ' +
    'second half) but not the first, which helps it little. Watch the training loss (windows without the answer score ' +
    'nothing and draw as 0). Validation here runs each network over its own window from a zero state, so it does not ' +
    'compare the runs.',
  chart: 'loss',
  chartName: 'Training loss',
  paper: 'Williams and Peng, An efficient gradient-based algorithm for on-line training of recurrent network trajectories (1990)',
  json: {
    version: 1, name: 'Lesson: truncated BPTT against a 40-step dependency', budget: 1000, evalEvery: 0,
    task: { kind: 'adding', seed: 1, length: 40 },
    runs: [
      windowed('window-5', 'window 5', 5),
      windowed('window-20', 'window 20', 20),
      { id: 'full', label: 'full BPTT (40)', cell: 'lstm', hiddenSize: 32, batch: 16, seqLen: 40, head: 'last', optimizer: adam(0.01), clip: { maxNorm: 1 } },
    ],
  },
  ci: { steps: 1000, size: 'as on the page' },
};
