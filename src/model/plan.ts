/**
 * planLayers: one description of a stacked network's layers, read alike by the parameter layout
 * (layout.ts), the GPU recording (rnn-gpu.ts) and the float64 reference (src/reference/rnn.ts).
 * Per layer and direction it says what the input is (column ranges of weight_ih, each fed by the
 * data or by a direction below), which parameter tensors it owns (PyTorch names and shapes), and
 * which directions read its output. Pure data: no GPU, no numerics.
 *
 * Only forward directions exist today. The three architecture tricks are meant to land here:
 *  - bidirectional: a second DirectionPlan per layer (`direction: 'reverse'`, names with the
 *    suffix `_reverse`, outputColumn H), so the layer above gets two input parts of width H each;
 *  - residual: a LayerPlan property saying the layer's output is h plus its input (equal widths);
 *  - a per-layer norm: a DirectionPlan property, with its gain and bias appended to `params`.
 * Call sites loop over `directions`, `input` parts, `params` and `readers`, so those additions
 * change what the loops see, not the loops.
 */
import { GATES } from './cells';
import type { RnnShape } from './layout';

/** The tensors of one direction of a layer, in PyTorch's order. */
export type ParamKind = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';

export interface ParamSpec {
  kind: ParamKind;
  /** PyTorch name, e.g. `weight_ih_l0`. */
  name: string;
  /** PyTorch shape: weight_ih [G*H, I_l], weight_hh [G*H, H], biases [G*H]. */
  shape: readonly number[];
}

/** One column range of a direction's weight_ih and what feeds it. */
export interface InputPart {
  /** 'data': the network's input x [T][B][I]; a number: the outputs h_1..h_T of that direction. */
  source: 'data' | number;
  /** Columns [column, column + width) of weight_ih. */
  column: number;
  width: number;
}

/** Who reads a direction's outputs: the head (top layer), or an input part of a direction above. */
export type Reader = { kind: 'head' } | { kind: 'direction'; index: number; column: number };

export interface DirectionPlan {
  /** Position among all directions, bottom first: the layer axis of the activations. */
  index: number;
  layer: number;
  /** Time order of its recurrence. */
  direction: 'forward';
  /** Its parameter tensors, in PyTorch's `parameters()` order. */
  params: readonly ParamSpec[];
  /** Width of weight_ih's rows: the parts' widths summed. */
  inputSize: number;
  input: readonly InputPart[];
  /** Columns [outputColumn, outputColumn + H) of its layer's output. */
  outputColumn: number;
  readers: readonly Reader[];
}

export interface LayerPlan {
  layer: number;
  directions: readonly DirectionPlan[];
  /** Width of the layer's output: H per direction. */
  outputSize: number;
}

export interface NetworkPlan {
  shape: RnnShape;
  /** Gates of the cell (G): weight_ih and weight_hh have G*H rows. */
  gates: number;
  layers: readonly LayerPlan[];
  /** Every direction, bottom first: the order of parameters and of the activations' layer axis. */
  directions: readonly DirectionPlan[];
  /** Width of the top layer's output: what a head reads. */
  outputSize: number;
}

/** The parameter named `kind` of a direction; throws if it has none. */
export function paramSpec(dir: DirectionPlan, kind: ParamKind): ParamSpec {
  const p = dir.params.find((x) => x.kind === kind);
  if (!p) throw new Error(`layer ${dir.layer} has no ${kind}`);
  return p;
}

export function planLayers(shape: RnnShape): NetworkPlan {
  const H = shape.hiddenSize;
  const gates = GATES[shape.cell];
  const GH = gates * H;
  // Inputs first: direction l reads the data (l = 0) or every direction of layer l - 1.
  const inputs: InputPart[][] = [];
  for (let l = 0; l < shape.numLayers; l++) {
    inputs.push(l === 0
      ? [{ source: 'data', column: 0, width: shape.inputSize }]
      : [{ source: l - 1, column: 0, width: H }]);
  }
  const directions: DirectionPlan[] = inputs.map((input, l) => {
    const inputSize = input.reduce((a, p) => a + p.width, 0);
    // Readers follow from the input parts above; the top layer feeds the head.
    const readers: Reader[] = inputs.flatMap((parts, above) =>
      parts.filter((p) => p.source === l).map((p): Reader => ({ kind: 'direction', index: above, column: p.column })));
    if (l === shape.numLayers - 1) readers.push({ kind: 'head' });
    return {
      index: l,
      layer: l,
      direction: 'forward',
      params: [
        { kind: 'weight_ih', name: `weight_ih_l${l}`, shape: [GH, inputSize] },
        { kind: 'weight_hh', name: `weight_hh_l${l}`, shape: [GH, H] },
        { kind: 'bias_ih', name: `bias_ih_l${l}`, shape: [GH] },
        { kind: 'bias_hh', name: `bias_hh_l${l}`, shape: [GH] },
      ],
      inputSize,
      input,
      outputColumn: 0,
      readers,
    };
  });
  const layers: LayerPlan[] = directions.map((d) => ({ layer: d.layer, directions: [d], outputSize: H }));
  return { shape, gates, layers, directions, outputSize: shape.numLayers > 0 ? H : 0 };
}
