/**
 * Lessons on a network's size and what keeps it honest: dropout and weight decay against
 * overfitting a small text, pruning (sparsity against loss) and the hidden size and depth of a
 * character model. Data only; the figures each test saw are in the README.
 */
import type { Lesson } from './lesson';

const clip = { maxNorm: 1 };
const brackets = (corpusLength: number) => ({ kind: 'charlm', seed: 1, corpus: 'brackets', corpusLength });
const big = { cell: 'lstm', hiddenSize: 128, seqLen: 32, batch: 16, clip };

export const OVERFITTING: Lesson = {
  id: 'overfitting',
  title: 'Dropout and weight decay against overfitting',
  text:
    'A large LSTM (128 units) learns a character model of a tiny text: 1000 characters of the nested-brackets language, ' +
    'whose validation part is held out. Without regularisation the training loss keeps falling while the validation ' +
    'loss reaches its lowest early and then climbs: the network memorises the text. Dropout of half the LSTM\'s ' +
    'outputs, and decoupled weight decay (AdamW), fight the memorising: their validation loss ends below the ' +
    'unregularised run\'s. Watch the validation loss against the training loss.',
  chart: 'val-loss',
  chartName: 'Validation loss',
  paper: 'Srivastava et al., Dropout (2014); Zaremba, Sutskever and Vinyals, Recurrent neural network regularization (2014); Loshchilov and Hutter, AdamW (2019)',
  json: {
    version: 1, name: 'Lesson: overfitting a small text', budget: 800, evalEvery: 50,
    task: brackets(1000),
    runs: [
      { id: 'plain', label: 'no regularisation', ...big, optimizer: { kind: 'adam', lr: 0.01 } },
      { id: 'dropout', label: 'dropout 0.5', ...big, dropout: 0.5, optimizer: { kind: 'adam', lr: 0.01 } },
      { id: 'decay', label: 'AdamW weight decay 0.5', ...big, optimizer: { kind: 'adamw', lr: 0.01, weightDecay: 0.5 } },
    ],
  },
  ci: { steps: 500, run: { hiddenSize: 64 }, size: '64 units, 500 steps' },
};

const prunable = { cell: 'lstm', hiddenSize: 64, seqLen: 32, batch: 16, optimizer: { kind: 'adam', lr: 0.005 } };
const gradual = (sparsity: number) => ({ kind: 'gradual', start: 100, end: 400, every: 50, sparsity });

export const PRUNING: Lesson = {
  id: 'pruning',
  title: 'Pruning: sparsity against loss',
  text:
    'Five LSTMs learn a noisy sine; four of them have their smallest weights cut away gradually between steps 100 and ' +
    '400 (magnitude pruning on the cubic schedule), to 50%, 80%, 95% and 99% zeros. Half the weights go at almost no ' +
    'cost; the loss then rises with the sparsity, slowly at first and steeply once few weights are left. Watch the ' +
    'training loss (a bump at each pruning step, then recovery) and the sparsity chart.',
  chart: 'loss',
  chartName: 'Training loss',
  paper: 'Zhu and Gupta, To prune, or not to prune (2018); Han et al., Learning both weights and connections (2015)',
  json: {
    version: 1, name: 'Lesson: pruning, sparsity against loss', budget: 600, evalEvery: 50,
    task: { kind: 'sine', seed: 1 },
    runs: [
      { id: 'dense', label: 'dense', ...prunable },
      { id: 'sparse-50', label: '50% pruned', ...prunable, prune: gradual(0.5) },
      { id: 'sparse-80', label: '80% pruned', ...prunable, prune: gradual(0.8) },
      { id: 'sparse-95', label: '95% pruned', ...prunable, prune: gradual(0.95) },
      { id: 'sparse-99', label: '99% pruned', ...prunable, prune: gradual(0.99) },
    ],
  },
  ci: { steps: 400, run: { hiddenSize: 32, prune: { start: 50, end: 250, every: 50 } }, size: '32 units, pruned from step 50 to 250, 400 steps' },
};

const charModel = { cell: 'lstm', seqLen: 32, batch: 16, optimizer: { kind: 'adam', lr: 0.005 }, clip };

export const HIDDEN_SIZE_DEPTH: Lesson = {
  id: 'hidden-size-depth',
  title: 'Choosing hidden size and depth',
  text:
    'Character models of the nested-brackets language with 4, 16 and 64 LSTM units, and two stacked layers of 16. ' +
    'More units buy a lower loss, at a cost in time per step that grows with the square of ' +
    'the width. Compare the two layers of 16 with one layer of 16: depth adds capacity too, but a stack starts slower ' +
    'and needs longer to pay. Watch the training loss, and the validation loss to check the wider model is not ' +
    'memorising.',
  chart: 'loss',
  chartName: 'Training loss',
  paper: 'Karpathy, Johnson and Fei-Fei, Visualizing and understanding recurrent networks (2015); Pascanu et al., How to construct deep recurrent neural networks (2014)',
  json: {
    version: 1, name: 'Lesson: hidden size and depth of a character model', budget: 1000, evalEvery: 50,
    task: brackets(20000),
    runs: [
      { id: 'units-4', label: '4 units', ...charModel, hiddenSize: 4 },
      { id: 'units-16', label: '16 units', ...charModel, hiddenSize: 16 },
      { id: 'units-64', label: '64 units', ...charModel, hiddenSize: 64 },
      { id: 'layers-2', label: '2 layers of 16', ...charModel, hiddenSize: 16, numLayers: 2 },
    ],
  },
  ci: { steps: 400, size: 'as on the page, 400 steps' },
};
