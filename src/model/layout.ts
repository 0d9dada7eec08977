/**
 * Parameter layout of a stacked recurrent network, named and ordered exactly as
 * torch.nn.RNN / LSTM / GRU (bias=True, batch_first=False) name and order them,
 * so a flat parameter vector moves to and from PyTorch without reshuffling.
 * Pure data: no GPU, no DOM.
 */

/** Cell kinds, keyed as in the parity case format. */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

export const CELL_KINDS: readonly CellKind[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'];

/**
 * Gates per cell: the row blocks of weight_ih / weight_hh.
 * LSTM order i, f, g, o; GRU order r, z, n (PyTorch's).
 */
export const GATES: Record<CellKind, number> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

/** The sizes that fix a network's parameter shapes. */
export interface RnnShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
}

/** One run's network inputs in PyTorch's layouts (batch_first=False). */
export interface RnnInputs {
  shape: RnnShape;
  seqLen: number;
  batch: number;
  /** [P] flat, in paramLayout(shape) order. */
  params: Float64Array;
  /** [T][B][I] */
  x: Float64Array;
  /** [L][B][H] */
  h0: Float64Array;
  /** [L][B][H], lstm only. */
  c0?: Float64Array;
}

export type ParamKind = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';

export interface ParamEntry {
  /** PyTorch name, e.g. `weight_ih_l0`. */
  name: string;
  kind: ParamKind;
  layer: number;
  /** PyTorch shape: weight_ih [G*H, I_l], weight_hh [G*H, H], biases [G*H]. */
  shape: number[];
  /** Offset in floats inside one run's flat parameter vector. */
  offset: number;
  size: number;
}

export interface ParamLayout {
  entries: ParamEntry[];
  /** Floats per run (P). */
  total: number;
  byName: Map<string, ParamEntry>;
}

/** Input width of layer l: the data's input size for l = 0, the hidden size above. */
export function layerInputSize(shape: RnnShape, layer: number): number {
  return layer === 0 ? shape.inputSize : shape.hiddenSize;
}

/** Flat layout in torch's `parameters()` order: per layer weight_ih, weight_hh, bias_ih, bias_hh. */
export function paramLayout(shape: RnnShape): ParamLayout {
  const gh = GATES[shape.cell] * shape.hiddenSize;
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (let l = 0; l < shape.numLayers; l++) {
    const blocks: [ParamKind, number[]][] = [
      ['weight_ih', [gh, layerInputSize(shape, l)]],
      ['weight_hh', [gh, shape.hiddenSize]],
      ['bias_ih', [gh]],
      ['bias_hh', [gh]],
    ];
    for (const [kind, dims] of blocks) {
      const size = dims.reduce((a, b) => a * b, 1);
      entries.push({ name: `${kind}_l${l}`, kind, layer: l, shape: dims, offset, size });
      offset += size;
    }
  }
  return { entries, total: offset, byName: new Map(entries.map((e) => [e.name, e])) };
}

/** The entry for (kind, layer); throws if the layout has none. */
export function paramEntry(layout: ParamLayout, kind: ParamKind, layer: number): ParamEntry {
  const e = layout.byName.get(`${kind}_l${layer}`);
  if (!e) throw new Error(`no parameter ${kind}_l${layer} in this layout`);
  return e;
}
