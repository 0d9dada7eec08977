/**
 * The experiment the playground opens with (and the runner trains without a file): an LSTM
 * learning next-value prediction of a noisy sine wave, Adam (lr 0.01) against plain SGD (lr 0.1),
 * both from the same initial weights and data. Written compactly: every other field is a default.
 */
import { readExperiment } from './parse';

export const DEFAULT_EXPERIMENT_JSON = {
  version: 1,
  name: 'Adam against SGD on a noisy sine',
  task: { kind: 'sine', seed: 1 },
  runs: [
    { id: 'adam', label: 'Adam lr 0.01', optimizer: { kind: 'adam', lr: 0.01 } },
    { id: 'sgd', label: 'SGD lr 0.1', optimizer: { kind: 'sgd', lr: 0.1 } },
  ],
} as const;

export function defaultExperiment() {
  return readExperiment(structuredClone(DEFAULT_EXPERIMENT_JSON), 'the default experiment');
}
