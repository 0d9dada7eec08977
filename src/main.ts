/**
 * Entry point of the playground page: chooses the backend (WebGPU when an adapter comes up, the
 * CPU in a worker otherwise or when `?backend=cpu` asks), opens the saved experiments and the
 * keeper, and hands the workspace to <rnn-playground>, which opens what the keeper says and plays
 * it. An uncaught GPU error stops the experiment and shows in the banner; a lost GPU device stops
 * it at once, then it comes back from its last checkpoint on a new device (experiments/recovery.ts).
 */
import { createCpuBackend } from './cpu/backend';
import { browserSourceCorpus } from './data/corpus/source-corpus-browser';
import { browserPresetFile } from './data/presets/preset-files-browser';
import { createEngine, type Engine } from './engine/engine';
import { GpuError, NoAdapterError } from './engine/errors';
import { browserShaderSource } from './engine/shader-source-browser';
import { Keeper } from './experiments/keeper';
import { ExperimentStore } from './experiments/persistence';
import { WebGpuBackend } from './training/webgpu-backend';
import type { BackendKind, TrainerBackend } from './training/trainer';
import { Workspace, messageOf, type BackendChoice } from './ui/workspace';
import './ui/error-banner';
import './ui/rnn-playground';

/** What the page reports about itself, for the end-to-end tests. */
export interface PlaygroundState {
  /** An experiment is open and was told to play. */
  ready?: boolean;
  backend?: BackendKind;
  adapter?: string;
  error?: string;
  /** Destroys the GPU device under the page, as a driver reset would (end-to-end fault tests). */
  loseDevice?: () => void;
  /** GPU buffers alive on the engine training now (the soak watches it). */
  gpuBuffers?: () => number | undefined;
}

declare global {
  interface Window {
    __rnnPlayground?: PlaygroundState;
    /** The workspace, for the end-to-end tests' reads. */
    __rnnWorkspace?: Workspace;
  }
}

const app = document.querySelector<HTMLElement>('#app')!;
const banner = document.querySelector('error-banner')!;
banner.addEventListener('dismiss', () => {
  banner.messages = [];
});

let workspace: Workspace | undefined;

function reportError(error: unknown): void {
  const message = messageOf(error);
  banner.messages = [...banner.messages, message];
  window.__rnnPlayground = { ...window.__rnnPlayground, error: window.__rnnPlayground?.error ?? message };
}

/** A GPU that fails stops training at once: the experiment turns to its error state. */
function gpuFailed(error: unknown): void {
  reportError(error);
  workspace?.fail(error);
}

/** A lost device stops training at once, then the experiment comes back from its last checkpoint. */
function deviceLost(error: unknown): void {
  if (!workspace) return reportError(error);
  workspace.recover(error).catch((e: unknown) => {
    reportError(error);
    reportError(`could not recover from the lost device: ${messageOf(e)}`);
  });
}

/** The engine training now, for the end-to-end tests' fault injection (loseDevice). */
let currentEngine: Engine | undefined;

/** GPU errors that escaped their caller still reach the user. */
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof GpuError) gpuFailed(event.reason);
});

function describeAdapter(info: Engine['adapterInfo']): string {
  if (info.description) return info.description;
  return [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter';
}

async function makeBackend(kind: BackendKind): Promise<{ backend: TrainerBackend; adapter?: string }> {
  if (kind === 'cpu') return { backend: createCpuBackend({ worker: true }) };
  const engine = await createEngine(navigator.gpu, { shaders: browserShaderSource, onLost: deviceLost, onError: gpuFailed });
  currentEngine = engine;
  return { backend: new WebGpuBackend(engine), adapter: describeAdapter(engine.adapterInfo) };
}

/** WebGPU unless asked for the CPU or it does not come up (then the CPU, saying why). */
async function chooseBackend(): Promise<{ backend: TrainerBackend; choice: BackendChoice }> {
  const cpu = async (choice: BackendChoice) => ({ backend: (await makeBackend('cpu')).backend, choice });
  if (new URLSearchParams(location.search).get('backend') === 'cpu') return cpu({ kind: 'cpu', reason: 'forced' });
  if (!navigator.gpu) return cpu({ kind: 'cpu', reason: 'no-api', detail: 'navigator.gpu is missing' });
  try {
    const { backend, adapter } = await makeBackend('webgpu');
    return { backend, choice: { kind: 'webgpu', reason: 'webgpu', adapter } };
  } catch (e) {
    return cpu({ kind: 'cpu', reason: e instanceof NoAdapterError ? 'no-adapter' : 'failed', detail: messageOf(e) });
  }
}

async function start(): Promise<void> {
  const { backend, choice } = await chooseBackend();
  const store = await ExperimentStore.open();
  const keeper = await Keeper.open({
    store,
    location,
    replaceHash: (hash) => history.replaceState(history.state, '', `#${hash}`),
    events: window,
    hidden: () => document.visibilityState === 'hidden',
  });
  workspace = new Workspace({ keeper, makeBackend, sources: { source: browserSourceCorpus }, presetFile: browserPresetFile }, backend, choice);
  window.__rnnWorkspace = workspace;
  window.__rnnPlayground = { backend: choice.kind, adapter: choice.adapter, loseDevice: () => currentEngine?.device.destroy(),
    gpuBuffers: () => currentEngine?.liveBuffers,
  };

  const playground = document.createElement('rnn-playground');
  playground.workspace = workspace;
  app.replaceChildren(playground);
  await workspace.start();
  window.__rnnPlayground = { ...window.__rnnPlayground, ready: workspace.experiment !== undefined };
}

start().catch((e) => {
  reportError(e);
  const note = document.createElement('p');
  note.className = 'starting';
  note.textContent = 'The playground could not start; the error is shown above.';
  app.replaceChildren(note);
});
