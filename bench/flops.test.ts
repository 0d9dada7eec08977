// bench/flops.ts on shapes small enough to count by hand.
import { describe, expect, it } from 'vitest';
import { forwardFlops, stepFlops } from './flops';

describe('step FLOPs', () => {
  it('counts a 2-layer LSTM with T = B = 1 term by term', () => {
    // G = 4, I = 2, H = 3, O = 1:
    //   layer 0: 2*4*3*2 = 48 (input) + 2*4*3*3 = 72 (recurrent)
    //   layer 1: 2*4*3*3 = 72 (input from layer 0) + 72 (recurrent)
    //   head:    2*3*1 = 6                                 -> forward 270, step 3 * 270 = 810
    const shape = { cell: 'lstm' as const, inputSize: 2, hiddenSize: 3, numLayers: 2, batch: 1, seqLen: 1, outputSize: 1 };
    expect(forwardFlops(shape)).toBe(270);
    expect(stepFlops(shape)).toBe(810);
  });

  it('scales with T, B and runs, and uses the cell gate count', () => {
    // rnn_tanh, G = 1, I = 1, H = 2, O = 1, one layer: 2*2*1 + 2*2*2 + 2*2*1 = 16 per (t, b)
    const rnn = { cell: 'rnn_tanh' as const, inputSize: 1, hiddenSize: 2, numLayers: 1, batch: 3, seqLen: 5, outputSize: 1 };
    expect(forwardFlops(rnn)).toBe(16 * 15);
    expect(stepFlops({ ...rnn, runs: 4 })).toBe(3 * 16 * 15 * 4);
    // GRU: G = 3, so 2*3*2*1 + 2*3*2*2 + 4 = 40 per (t, b)
    expect(forwardFlops({ ...rnn, cell: 'gru', batch: 1, seqLen: 1 })).toBe(40);
  });
});
