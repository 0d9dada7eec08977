/**
 * Entry point of the playground page: brings up WebGPU, builds the default experiment and hands
 * it to <rnn-playground>. Missing WebGPU gets an explanation instead of a blank page; GPU errors
 * (device lost, uncaptured validation errors) go to the visible error banner.
 */
import { createEngine, type Engine } from './engine/engine';
import { GpuError, NoAdapterError } from './engine/errors';
import { browserShaderSource } from './engine/shader-source-browser';
import { createDefaultSession } from './experiments/default-session';
import './ui/error-banner';
import './ui/rnn-playground';
import './ui/webgpu-missing';

/** What the page reports about itself, for the end-to-end tests. */
export interface PlaygroundState {
  adapter?: Engine['adapterInfo'];
  ready?: boolean;
  error?: string;
}

declare global {
  interface Window {
    __rnnPlayground?: PlaygroundState;
  }
}

const DESCRIPTION =
  'An LSTM learns to predict the next value of a noisy sine wave. Two runs train side by side: Adam (lr 0.01) and plain SGD (lr 0.1).';

const app = document.querySelector<HTMLElement>('#app')!;
const banner = document.querySelector('error-banner')!;
banner.addEventListener('dismiss', () => {
  banner.messages = [];
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function reportError(error: unknown): void {
  const message = messageOf(error);
  banner.messages = [...banner.messages, message];
  window.__rnnPlayground = { ...window.__rnnPlayground, error: window.__rnnPlayground?.error ?? message };
}

/** GPU errors that escaped their caller still reach the user. */
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof GpuError) reportError(event.reason);
});

function describeAdapter(info: Engine['adapterInfo']): string {
  if (info.description) return info.description;
  return [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter';
}

function showWebGpuMissing(reason: 'no-api' | 'no-adapter', detail: string): void {
  const missing = document.createElement('webgpu-missing');
  missing.reason = reason;
  missing.detail = detail;
  missing.secureContext = window.isSecureContext;
  app.replaceChildren(missing);
  window.__rnnPlayground = { error: detail };
}

async function start(): Promise<void> {
  if (!navigator.gpu) {
    showWebGpuMissing('no-api', 'navigator.gpu is missing');
    return;
  }
  let engine: Engine;
  try {
    engine = await createEngine(navigator.gpu, {
      shaders: browserShaderSource,
      onLost: reportError,
      onError: reportError,
    });
  } catch (e) {
    if (e instanceof NoAdapterError) showWebGpuMissing('no-adapter', e.message);
    else reportError(e);
    return;
  }

  const playground = document.createElement('rnn-playground');
  playground.description = DESCRIPTION;
  playground.adapter = describeAdapter(engine.adapterInfo);
  app.replaceChildren(playground);
  window.__rnnPlayground = { adapter: engine.adapterInfo };

  try {
    const session = await createDefaultSession(engine);
    playground.session = session;
    // The default experiment trains as soon as the page opens.
    if (session.snapshot().status === 'paused') session.play();
    window.__rnnPlayground = { ...window.__rnnPlayground, ready: true };
  } catch (e) {
    reportError(e);
    const note = document.createElement('p');
    note.className = 'starting';
    note.textContent = 'The experiment could not start; the error is shown above.';
    app.replaceChildren(note);
  }
}

void start();
