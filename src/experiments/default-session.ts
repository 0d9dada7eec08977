/**
 * The experiment the playground opens with: an LSTM learning next-value prediction of a noisy
 * sine wave, Adam (lr 1e-2) against plain SGD (lr 1e-1), both from the same initial weights,
 * the same data, and full BPTT over 32 timesteps. It starts training at once.
 */
import type { Engine } from '../engine/engine';
import { SineTask } from '../data/tasks/sine';
import type { GroupSpec } from '../training/group-spec';
import { CONSTANT } from '../training/schedules';
import { GroupSession } from './group-session';
import type { RunInfo, TrainingSession } from './session';

export const DEFAULT_SPEC: GroupSpec = {
  label: 'default lstm',
  cell: 'lstm',
  hiddenSize: 32,
  numLayers: 1,
  batch: 16,
  seqLen: 32,
  head: 'every',
  bptt: { kind: 'full' },
  task: new SineTask({ seed: 1 }),
  runs: [
    { id: 'adam', label: 'Adam lr 0.01', seed: 7, optimizer: { kind: 'adam', lr: 1e-2 }, clip: {}, schedule: CONSTANT },
    { id: 'sgd', label: 'SGD lr 0.1', seed: 7, optimizer: { kind: 'sgd', lr: 1e-1 }, clip: {}, schedule: CONSTANT },
  ],
  metricsEvery: 4,
};

export const DEFAULT_RUNS: RunInfo[] = [
  { id: 'adam', label: 'Adam lr 0.01', color: '#d9480f' },
  { id: 'sgd', label: 'SGD lr 0.1', color: '#1971c2' },
];

export async function createDefaultSession(engine: Engine): Promise<TrainingSession> {
  const session = await GroupSession.create(engine, DEFAULT_SPEC, DEFAULT_RUNS);
  session.play();
  return session;
}
