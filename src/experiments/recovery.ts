/**
 * Recovery after the GPU device is lost (a driver reset, device.destroy(), a GPU process crash):
 * a new backend, the experiment rebuilt from its last checkpoint (the state the keeper saved last:
 * weights, optimizer state, step and metric history), and a sentence for the person saying how
 * many steps were redone. The lost experiment must already be in its error state (its device is
 * gone: nothing of it can be read); this only builds the replacement.
 */
import type { ExperimentDoc } from '../config/experiment';
import type { TaskSources } from '../data/tasks';
import type { BackendKind, TrainerBackend } from '../training/trainer';
import { Experiment, type ExperimentState } from './experiment';

export interface RecoveryInput {
  /** The experiment's document when the device went (used when no checkpoint exists yet). */
  doc: ExperimentDoc;
  /** Its lockstep step when the device went. */
  lostAtStep: number;
  /** The last checkpoint, if one was made. */
  checkpoint?: ExperimentState;
  sources: TaskSources;
  /** A fresh backend: WebGPU first; the CPU when no GPU comes back. */
  makeBackend(kind: BackendKind): Promise<{ backend: TrainerBackend; adapter?: string }>;
}

export interface Recovered {
  experiment: Experiment;
  backend: TrainerBackend;
  kind: BackendKind;
  adapter?: string;
  /** The step training goes on from, and how many steps after it had been trained and are redone. */
  fromStep: number;
  redone: number;
  notice: string;
}

/** Builds the replacement experiment; throws (with the reason) if no backend comes up or nothing can be built. */
export async function recoverExperiment(input: RecoveryInput): Promise<Recovered> {
  let made: { backend: TrainerBackend; adapter?: string };
  let kind: BackendKind = 'webgpu';
  try {
    made = await input.makeBackend('webgpu');
  } catch {
    kind = 'cpu';
    made = await input.makeBackend('cpu');
  }
  try {
    let experiment: Experiment;
    let fromStep = 0;
    if (input.checkpoint) {
      try {
        experiment = await Experiment.restore(input.checkpoint, made.backend, input.sources);
        fromStep = input.checkpoint.tick;
      } catch {
        // A checkpoint that no longer builds (the data changed since) is no worse than none.
        experiment = await Experiment.create(input.doc, made.backend, input.sources);
      }
    } else {
      experiment = await Experiment.create(input.doc, made.backend, input.sources);
    }
    const redone = Math.max(0, input.lostAtStep - fromStep);
    const where = kind === 'cpu' ? ' on the cpu (no gpu came back)' : ' on a new gpu device';
    const from = fromStep > 0 ? `its last checkpoint at step ${fromStep}` : 'step 0 (no checkpoint had been saved yet)';
    const notice = `the gpu device was lost at step ${input.lostAtStep}; training goes on from ${from}${where}: ` +
      `${redone} step${redone === 1 ? '' : 's'} redone`;
    return { experiment, backend: made.backend, kind, adapter: made.adapter, fromStep, redone, notice };
  } catch (e) {
    made.backend.destroy();
    throw e;
  }
}
