/**
 * Parameter layout of a stacked recurrent network, named and ordered exactly as
 * torch.nn.RNN / LSTM / GRU (bias=True, batch_first=False) name and order them,
 * so a flat parameter vector moves to and from PyTorch without reshuffling. The tensors come
 * from planLayers (plan.ts); the cells from the registry (cells.ts). Pure data: no GPU, no DOM.
 */
import { planLayers, type NormKind, type ParamSpec } from './plan';

export { CELL_KINDS, GATES, type CellKind } from './cells';
import type { CellKind } from './cells';
import type { NormStats } from '../reference/norm';
export type { NormKind, ParamKind } from './plan';

/** The sizes that fix a network's parameter shapes, and how its layers connect (src/model/plan.ts). */
export interface RnnShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  /** A reverse direction per layer (torch's bidirectional=True): parameters `*_reverse`, outputs 2H wide. */
  bidirectional?: boolean;
  /** Layers whose input is as wide as their output return h plus their input (no parameters of its own). */
  residual?: boolean;
  /** Normalization inside every cell (plan.ts NormKind); absent or 'none': none. */
  norm?: NormKind;
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
  /** [L][B][H], L counting every direction (torch's num_layers * num_directions). */
  h0: Float64Array;
  /** [L][B][H], lstm only. */
  c0?: Float64Array;
  /** Dropout masks of a training step (src/training/dropout.ts); absent: none. */
  masks?: DropoutMasks;
  /**
   * Batch norm in evaluation: the running statistics [direction][site][step] (sites as normSites,
   * steps in the direction's processing order; steps past the last use the last). Absent: a
   * training pass, with each step's batch statistics.
   */
  normStats?: readonly (readonly (readonly NormStats[])[])[];
}

/**
 * Dropout masks, each value 0 (dropped) or the scale 1 / (1 - p). `output[l]` ([T][B][D], D the
 * layer's output width) multiplies layer l's output before the layer above or the head reads it;
 * `recurrent[d]` ([B][H]) multiplies h_{t-1} of direction d as it enters W_hh h_{t-1}, the same
 * mask at every timestep (variational). An absent entry is no dropout there.
 */
export interface DropoutMasks {
  output?: readonly (Float64Array | undefined)[];
  recurrent?: readonly (Float64Array | undefined)[];
}

export interface ParamEntry {
  /** PyTorch name, e.g. `weight_ih_l0`. */
  name: string;
  kind: ParamSpec['kind'];
  layer: number;
  /** Index of its direction in the plan (plan.directions). */
  direction: number;
  /** PyTorch shape: weight_ih [G*H, I_l], weight_hh [G*H, H], biases [G*H]. */
  shape: number[];
  /** Offset in floats inside one run's flat parameter vector. */
  offset: number;
  size: number;
  /** Norm gains and biases: their constant initial value (plan.ts ParamSpec.fill). */
  fill?: number;
}

export interface ParamLayout {
  entries: ParamEntry[];
  /** Floats per run (P). */
  total: number;
  byName: Map<string, ParamEntry>;
}

/**
 * Flat layout in torch's `parameters()` order: per layer and direction weight_ih, weight_hh,
 * bias_ih, bias_hh, then its norms' gains and biases when the shape has a norm.
 */
export function paramLayout(shape: RnnShape): ParamLayout {
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const dir of planLayers(shape).directions) {
    for (const p of dir.params) {
      const size = p.shape.reduce((a, b) => a * b, 1);
      entries.push({
        name: p.name, kind: p.kind, layer: dir.layer, direction: dir.index, shape: [...p.shape], offset, size,
        ...(p.fill !== undefined ? { fill: p.fill } : {}),
      });
      offset += size;
    }
  }
  return { entries, total: offset, byName: new Map(entries.map((e) => [e.name, e])) };
}

/** The entry named `name`; throws if the layout has none. */
export function paramByName(layout: ParamLayout, name: string): ParamEntry {
  const e = layout.byName.get(name);
  if (!e) throw new Error(`no parameter ${name} in this layout`);
  return e;
}
