/**
 * The TensorFlow.js baselines, in the same page: its WebGPU backend on the same adapter as ours
 * (counts use the same wrappers), and its `cpu` backend for the CPU rows. Both train the same
 * stacked recurrent net (returnSequences + a dense head on every timestep, Adam 1e-3, MSE) with
 * model.trainOnBatch on tensors made once.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BenchConfig } from './configs';
import { countCallsAsync, type CallCounts } from './counters';
import { stepFlops } from './flops';
import { summarize, summarizeCounts, type StepProgress, type StepTiming, type Summary } from './samples';

/** Switches tfjs to WebGPU; returns the backend name, or throws if WebGPU did not come up. */
export async function initTfjs(): Promise<string> {
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu') throw new Error(`tfjs could not use webgpu (backend is ${tf.getBackend()})`);
  return tf.getBackend();
}

function recurrentLayer(cfg: BenchConfig, layer: number): tf.layers.Layer {
  const args = {
    units: cfg.hiddenSize,
    returnSequences: true,
    ...(layer === 0 ? { inputShape: [cfg.seqLen, cfg.inputSize] } : {}),
  };
  switch (cfg.cell) {
    case 'lstm':
      return tf.layers.lstm(args);
    case 'gru':
      return tf.layers.gru(args);
    case 'rnn_tanh':
      return tf.layers.simpleRNN({ ...args, activation: 'tanh' });
    default:
      throw new Error(`no tfjs baseline for cell ${cfg.cell}`);
  }
}

function buildModel(cfg: BenchConfig): tf.Sequential {
  const model = tf.sequential();
  for (let l = 0; l < cfg.numLayers; l++) model.add(recurrentLayer(cfg, l));
  // Dense on a [B, T, H] input maps the last axis: a head on every timestep.
  model.add(tf.layers.dense({ units: cfg.outputSize }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

export async function timeTfjs(
  cfg: BenchConfig, steps: number, warmup: number, onStep: StepProgress = () => {},
): Promise<StepTiming> {
  const model = buildModel(cfg);
  const x = tf.randomUniform([cfg.batch, cfg.seqLen, cfg.inputSize], -1, 1, 'float32', 1);
  const y = tf.randomUniform([cfg.batch, cfg.seqLen, cfg.outputSize], -1, 1, 'float32', 2);
  // trainOnBatch resolves after reading the loss back; waiting on the queue as well makes the
  // end point the same as ours (all of the step's GPU work done).
  const queue = (tf.backend() as WebGPUBackend).device.queue;
  const step = async () => {
    await model.trainOnBatch(x, y);
    await queue.onSubmittedWorkDone();
  };
  try {
    for (let i = 0; i < warmup; i++) {
      const t0 = performance.now();
      await step();
      onStep('warmup', i, performance.now() - t0);
    }
    const times: number[] = [];
    const perStep: CallCounts[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const { counts } = await countCallsAsync(step);
      times.push(performance.now() - t0);
      perStep.push(counts);
      onStep('timed', i, times[i]);
    }
    const ms = summarize(times);
    const counts = summarizeCounts(perStep);
    return {
      steps, ms, counts,
      // trainOnBatch awaits loss.data(), so every map it makes is awaited inside the step.
      mapsAwaited: counts.maps.median,
      gflops: stepFlops(cfg) / (ms.median * 1e6),
    };
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
  }
}

/**
 * TensorFlow.js on its pure-JavaScript `cpu` backend: ms per trainOnBatch (which reads the loss
 * back, so the step is done when it resolves). Leaves tfjs on the cpu backend.
 */
export async function timeTfjsCpu(
  cfg: BenchConfig, steps: number, warmup: number, onStep: StepProgress = () => {},
): Promise<{ ms: Summary; gflops: number }> {
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'cpu') throw new Error(`tfjs could not use its cpu backend (backend is ${tf.getBackend()})`);
  const model = buildModel(cfg);
  const x = tf.randomUniform([cfg.batch, cfg.seqLen, cfg.inputSize], -1, 1, 'float32', 1);
  const y = tf.randomUniform([cfg.batch, cfg.seqLen, cfg.outputSize], -1, 1, 'float32', 2);
  try {
    for (let i = 0; i < warmup; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      onStep('warmup', i, performance.now() - t0);
    }
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      times.push(performance.now() - t0);
      onStep('timed', i, times[i]);
    }
    const ms = summarize(times);
    return { ms, gflops: stepFlops(cfg) / (ms.median * 1e6) };
  } finally {
    model.dispose();
    x.dispose();
    y.dispose();
  }
}
