/**
 * The run fields of the kernel-side tricks: dropout between layers and on the head's input,
 * recurrent (variational) dropout, residual layers and bidirectional layers. Dropout rates are
 * per-run data (runs with different rates share one group's dispatches) and apply live; residual,
 * bidirectional and norm change the network's shape, so a change rebuilds the run's group.
 */
import { NORM_KINDS } from '../../model/plan';
import type { FieldDef } from '../field';

export const LAYERS_DROPOUT_FIELDS: readonly FieldDef[] = [
  {
    path: 'dropout', scope: 'run', type: 'number', label: 'dropout', min: 0, max: 1, exclusiveMax: true, default: 0,
    apply: 'live', ui: { step: 0.05 }, flag: 'dropout',
    doc: 'Dropout on each layer\'s output (between stacked layers, as torch.nn.LSTM\'s dropout, and on the head\'s input): ' +
      'inverted, kept values scaled by 1 / (1 - p) as torch.nn.functional.dropout; off in evaluation.',
  },
  {
    path: 'recurrentDropout', scope: 'run', type: 'number', label: 'recurrent dropout', min: 0, max: 1, exclusiveMax: true,
    default: 0, apply: 'live', ui: { step: 0.05 }, flag: 'recurrent-dropout',
    doc: 'Variational dropout on h_{t-1} as it enters W_hh h_{t-1}: one mask per sequence and layer for the whole window ' +
      '(Gal and Ghahramani 2016), scaled by 1 / (1 - p); off in evaluation.',
  },
  {
    path: 'residual', scope: 'run', type: 'boolean', label: 'residual', default: false, apply: 'rebuild', flag: 'residual',
    doc: 'Residual connections: a layer whose input is as wide as its output hands on h plus its input (layers 1 and up; ' +
      'layer 0 only when the task\'s input is as wide).',
  },
  {
    path: 'bidirectional', scope: 'run', type: 'boolean', label: 'bidirectional', default: false, apply: 'rebuild',
    flag: 'bidirectional',
    doc: 'A reverse direction per layer, outputs side by side, as torch.nn.LSTM(bidirectional=True) (weights *_reverse); ' +
      'it reads the window backwards from a zero state, so at step t it has seen the inputs after t.',
  },
  {
    path: 'norm', scope: 'run', type: 'enum', label: 'normalization', choices: NORM_KINDS, default: 'none', apply: 'rebuild',
    flag: 'norm',
    doc: 'Normalization inside the cell, learned gain and bias, of W_ih x and W_hh h before their biases and of the ' +
      'LSTM\'s c before its tanh: layer = over each sequence\'s pre-activations (Ba et al. 2016); batch = over the batch ' +
      'per timestep, running averages in evaluation (Cooijmans et al. 2016; CPU backend only so far).',
  },
];
