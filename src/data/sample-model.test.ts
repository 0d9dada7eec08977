// Sampling from a character model: one step at a time with the state carried gives the logits of
// the whole sequence run at once (temperature 0 takes their arg-max), draws follow
// softmax(logits / T) and are the counter RNG's, the seed reproduces a sample, and the text is
// decoded through the task's vocabulary.
import { describe, expect, it } from 'vitest';
import { modelLayout } from '../model/model-layout';
import type { CellKind } from '../model/cells';
import { rnnForward } from '../reference/rnn';
import { rngUniform } from '../training/rng';
import { argMax } from './metric';
import { CharModelStepper, sampleModel, type SampleNetwork } from './sample-model';
import { sampleText } from './sample-text';
import { TASKS } from './tasks';
import type { CharLmTask } from './tasks/charlm';

const VOCAB = [...'\nabcde '];

function randomParams(net: SampleNetwork, V: number, seed: number): Float32Array {
  const n = modelLayout({ ...net, inputSize: V }, V).paramCount;
  return Float32Array.from({ length: n }, (_, i) => 2 * (rngUniform(seed, 0, i) - 0.5));
}

/** The head's logits [T][V] of the whole sequence `inputs` run at once from a zero state. */
function logitsOfSequence(net: SampleNetwork, V: number, params: Float32Array, inputs: number[]): Float64Array {
  const layout = modelLayout({ ...net, inputSize: V }, V);
  const T = inputs.length;
  const x = new Float64Array(T * V);
  inputs.forEach((c, t) => (x[t * V + c] = 1));
  const state = () => new Float64Array(net.numLayers * net.hiddenSize);
  const all = Float64Array.from(params);
  const shape = { ...net, inputSize: V };
  const fwd = rnnForward({ shape, seqLen: T, batch: 1, params: all.subarray(0, layout.rnn.total), x, h0: state(), c0: net.cell === 'lstm' ? state() : undefined });
  const { head } = layout;
  const out = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < V; o++) {
      let s = all[head.bias + o];
      for (let k = 0; k < head.inputs; k++) s += all[head.weight + o * head.inputs + k] * fwd.output[t * head.inputs + k];
      out[t * V + o] = s;
    }
  }
  return out;
}

/** A model whose logits are `bias` whatever it reads: every weight 0 but the head's bias. */
function constantModel(net: SampleNetwork, bias: number[]): Float32Array {
  const V = bias.length;
  const layout = modelLayout({ ...net, inputSize: V }, V);
  const params = new Float32Array(layout.paramCount);
  params.set(bias, layout.head.bias);
  return params;
}

const NETS: [CellKind, number][] = [['lstm', 2], ['gru', 1], ['rnn_tanh', 1]];

describe('sampleModel', () => {
  it.each(NETS)('%s x %i layers: stepping with the state carried gives the logits of the whole sequence run at once', (cell, numLayers) => {
    const net = { cell, hiddenSize: 6, numLayers };
    const params = randomParams(net, VOCAB.length, 3);
    const inputs = [...'abba cab\need'].map((c) => VOCAB.indexOf(c));
    const whole = logitsOfSequence(net, VOCAB.length, params, inputs);
    const model = new CharModelStepper(net, VOCAB.length, params);
    const fresh = new CharModelStepper(net, VOCAB.length, params);
    let stateful = 0;
    inputs.forEach((c, t) => {
      const logits = Array.from(model.step(c));
      const expected = Array.from(whole.subarray(t * VOCAB.length, (t + 1) * VOCAB.length));
      logits.forEach((v, o) => expect(Math.abs(v - expected[o]), `step ${t}, class ${o}`).toBeLessThan(1e-12));
      // the state matters: the same input from a zero state gives other logits (after the first step)
      const zeroState = new CharModelStepper(net, VOCAB.length, params).step(c);
      if (t > 0 && logits.some((v, o) => Math.abs(v - zeroState[o]) > 1e-3)) stateful++;
    });
    expect(stateful).toBeGreaterThan(inputs.length / 2);
    expect(Array.from(fresh.step(inputs[0]))).toEqual(Array.from(whole.subarray(0, VOCAB.length)));
  });

  it('a layer norm LSTM samples through its norms (stepping matches the whole sequence); a batch norm run is refused', () => {
    const net: SampleNetwork = { cell: 'lstm', hiddenSize: 4, numLayers: 2, norm: 'layer' };
    const params = randomParams(net, VOCAB.length, 7);
    const inputs = [...'cab e'].map((c) => VOCAB.indexOf(c));
    const whole = logitsOfSequence(net, VOCAB.length, params, inputs);
    const model = new CharModelStepper(net, VOCAB.length, params);
    inputs.forEach((c, t) => {
      const logits = model.step(c);
      logits.forEach((v, o) => expect(Math.abs(v - whole[t * VOCAB.length + o]), `step ${t}, class ${o}`).toBeLessThan(1e-12));
    });
    const plain = { ...net, norm: 'none' as const };
    expect(() => new CharModelStepper(plain, VOCAB.length, params)).toThrow(/the weights hold/);
    expect(() => new CharModelStepper({ ...net, norm: 'batch' }, VOCAB.length, randomParams({ ...net, norm: 'batch' }, VOCAB.length, 7)))
      .toThrow(/batch norm run's running statistics/);
  });

  it.each(NETS)('%s x %i layers: at temperature 0 each character is the arg-max of the logits after the text so far', (cell, numLayers) => {
    const net = { cell, hiddenSize: 6, numLayers };
    const params = randomParams(net, VOCAB.length, 3);
    const text = sampleModel(net, VOCAB, params, { length: 40, temperature: 0, prime: 'ab' });
    expect(text).toHaveLength(40);
    const classes = [...text].map((c) => VOCAB.indexOf(c));
    const inputs = [...[...'ab'].map((c) => VOCAB.indexOf(c)), ...classes.slice(0, -1)];
    const logits = logitsOfSequence(net, VOCAB.length, params, inputs);
    // The first prime character's prediction is not kept; from the last prime character on, step t + 1 predicts text[t].
    classes.forEach((c, t) => expect(argMax(logits, (t + 1) * VOCAB.length, VOCAB.length), `character ${t}`).toBe(c));
  });

  it('draws what the counter RNG draws from softmax(logits / T), step t from counter t', () => {
    const net = { cell: 'gru' as const, hiddenSize: 4, numLayers: 1 };
    const bias = [0.5, -1, 2, 0, 1, -0.5, 0.2];
    const params = constantModel(net, bias);
    const logits = Array.from({ length: 200 }, () => bias).flat();
    for (const temperature of [0.3, 1, 2]) {
      expect(sampleModel(net, VOCAB, params, { length: 200, temperature, seed: 11 })).toBe(sampleText(logits, VOCAB, temperature, 11));
    }
  });

  it('respects the temperature: frequencies follow softmax(logits / T), uniform as T grows, the arg-max at 0', () => {
    const net = { cell: 'rnn_tanh' as const, hiddenSize: 2, numLayers: 1 };
    const bias = [1, 0, -1, 0.5, 0, 0, 0];
    const params = constantModel(net, bias);
    const n = 4000;
    const frequencies = (temperature: number) => {
      const counts = new Array(VOCAB.length).fill(0);
      for (const c of sampleModel(net, VOCAB, params, { length: n, temperature, seed: 5 })) counts[VOCAB.indexOf(c)]++;
      return counts.map((k) => k / n);
    };
    for (const temperature of [0.5, 1, 100]) {
      const z = bias.reduce((s, b) => s + Math.exp(b / temperature), 0);
      const p = bias.map((b) => Math.exp(b / temperature) / z);
      // 4 standard errors of a frequency from n draws
      frequencies(temperature).forEach((f, i) => expect(Math.abs(f - p[i]), `T ${temperature}, class ${i}`).toBeLessThan(4 * Math.sqrt((p[i] * (1 - p[i])) / n) + 1e-9));
    }
    expect(sampleModel(net, VOCAB, params, { length: 20, temperature: 0 })).toBe('\n'.repeat(20)); // class 0 has the largest logit
  });

  it('is reproducible: the same seed gives the same text, another seed another, a longer sample starts with a shorter', () => {
    const net = { cell: 'lstm' as const, hiddenSize: 8, numLayers: 1 };
    const params = randomParams(net, VOCAB.length, 9);
    const a = sampleModel(net, VOCAB, params, { length: 60, seed: 1 });
    expect(sampleModel(net, VOCAB, params, { length: 60, seed: 1 })).toBe(a);
    expect(sampleModel(net, VOCAB, params, { length: 60, seed: 2 })).not.toBe(a);
    expect(sampleModel(net, VOCAB, params, { length: 90, seed: 1 }).slice(0, 60)).toBe(a);
  });

  it('decodes through the task\'s vocabulary', () => {
    const task = TASKS.charlm.create({ kind: 'charlm', corpus: 'user' }, { kind: 'text', text: 'héllo wörld, ünïcode! '.repeat(10) }) as CharLmTask;
    const net = { cell: 'lstm' as const, hiddenSize: 5, numLayers: 1 };
    const params = randomParams(net, task.vocabulary.length, 4);
    const text = sampleModel(net, task.vocabulary, params, { length: 300, temperature: 1.5, prime: 'wö' });
    expect(Array.from(text)).toHaveLength(300);
    expect(task.decode(task.encode(text))).toBe(text);
    expect(new Set(text).size).toBeGreaterThan(task.vocabulary.length / 2);
  });

  it('refuses weights of another shape, a prime outside the vocabulary and a bad temperature or length', () => {
    const net = { cell: 'gru' as const, hiddenSize: 3, numLayers: 1 };
    const params = randomParams(net, VOCAB.length, 1);
    expect(() => sampleModel({ ...net, hiddenSize: 4 }, VOCAB, params, { length: 5 })).toThrow(/^the weights hold \d+ numbers; a gru of 4 units x 1 over 7 characters has \d+$/);
    expect(() => sampleModel(net, VOCAB, params, { length: 5, prime: 'az' })).toThrow('the prime text\'s "z" is not in the model\'s vocabulary');
    expect(() => sampleModel(net, VOCAB, params, { length: 5, prime: '' })).toThrow('the prime text must hold at least one character');
    expect(() => sampleModel(net, VOCAB, params, { length: 5, temperature: -1 })).toThrow('temperature must be a number >= 0, got -1');
    expect(() => sampleModel(net, VOCAB, params, { length: 1.5 })).toThrow('sample length must be an integer >= 0, got 1.5');
    expect(sampleModel(net, VOCAB, params, { length: 0 })).toBe('');
  });
});
