/**
 * planLayers: one description of a stacked network's layers, read alike by the parameter layout
 * (layout.ts), the GPU recording (rnn-gpu.ts), the CPU backend (src/cpu/network.ts) and the
 * float64 reference (src/reference/rnn.ts). Per layer and direction it says what the input is
 * (column ranges of weight_ih, each fed by the data or by a direction below), which parameter
 * tensors it owns (PyTorch names and shapes), which directions read its output, and per layer
 * whether its output adds its input (residual). Pure data: no GPU, no numerics.
 *
 *  - bidirectional: a second DirectionPlan per layer (`direction: 'reverse'`, names with the
 *    suffix `_reverse`, outputColumn H), so the layer above gets two input parts of width H each
 *    and the head reads 2H columns, as torch.nn.LSTM(bidirectional=True) concatenates them;
 *  - residual: a layer whose input is as wide as its output returns h plus its input;
 *  - norm ('layer' or 'batch'): each direction normalizes its input and recurrent pre-activations
 *    (and, for cells with a cell state, c_t before its tanh); the gains and biases of those norms
 *    follow the four tensors in `params` (`ln_ih_l0.weight`, `ln_ih_l0.bias`, `ln_hh_l0.*`,
 *    `ln_c_l0.*`; `bn_*` for batch norm), so torch's own names keep their order.
 * Call sites loop over `layers`, `directions`, `input` parts, `params` and `readers`, so these
 * additions change what the loops see, not the loops.
 */
import { GATES, hasState } from './cells';
import type { RnnShape } from './layout';

/** The tensors of one direction of a layer, in PyTorch's order. */
export type ParamKind = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';

/**
 * Normalization inside the cell (src/reference/norm.ts): none, layer norm (Ba et al. 2016) or
 * recurrent batch norm (Cooijmans et al. 2016).
 */
export type NormKind = 'none' | 'layer' | 'batch';
export const NORM_KINDS: readonly NormKind[] = ['none', 'layer', 'batch'];

/**
 * Where a direction normalizes: 'ih' the input pre-activations W_ih x_t, 'hh' the recurrent ones
 * W_hh h_{t-1} (both [G*H] per batch row, before their biases), 'c' the cell state before its tanh.
 */
export type NormSite = 'ih' | 'hh' | 'c';

/** The gain (`weight`) and bias of a norm site, as torch names a LayerNorm / BatchNorm1d's tensors. */
export type NormParamKind = `norm_${NormSite}_${'weight' | 'bias'}`;

export interface ParamSpec {
  kind: ParamKind | NormParamKind;
  /** PyTorch name, e.g. `weight_ih_l0` or `weight_ih_l0_reverse`. */
  name: string;
  /** PyTorch shape: weight_ih [G*H, I_l], weight_hh [G*H, H], biases [G*H]; norm gains and biases [G*H] or [H] (c). */
  shape: readonly number[];
  /**
   * A norm's gain or bias starts at this constant instead of a random draw: gains 1 for layer
   * norm (torch.nn.LayerNorm), 0.1 for batch norm (Cooijmans et al. 2016 recommend it), biases 0.
   */
  fill?: number;
}

/** One column range of a direction's weight_ih and what feeds it. */
export interface InputPart {
  /** 'data': the network's input x [T][B][I]; a number: the outputs of that direction (its layer's output columns). */
  source: 'data' | number;
  /** Columns [column, column + width) of weight_ih (and of the layer's input). */
  column: number;
  width: number;
}

/** Who reads a direction's outputs: the head (top layer), or an input part of a direction above. */
export type Reader = { kind: 'head' } | { kind: 'direction'; index: number; column: number };

export interface DirectionPlan {
  /** Position among all directions, bottom first: the layer axis of the activations (torch's h0 order). */
  index: number;
  layer: number;
  /**
   * Time order of its recurrence. A forward direction keeps h_{t} of timestep t in state slot
   * t + 1 (slot 0: the initial state); a reverse one keeps it in slot t (slot T: the initial
   * state, which enters at timestep T - 1). Either way its outputs are T consecutive slots.
   */
  direction: 'forward' | 'reverse';
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
  /** Forward first, then reverse when bidirectional. */
  directions: readonly DirectionPlan[];
  /** Width of the layer's input (every direction reads all of it). */
  inputSize: number;
  /** Width of the layer's output: H per direction. */
  outputSize: number;
  /** Its output is h plus its input (residual was asked for and the widths are equal). */
  residual: boolean;
}

export interface NetworkPlan {
  shape: RnnShape;
  /** Gates of the cell (G): weight_ih and weight_hh have G*H rows. */
  gates: number;
  /** 1, or 2 when bidirectional. */
  directionsPerLayer: number;
  layers: readonly LayerPlan[];
  /** Every direction, bottom first: the order of parameters and of the activations' layer axis. */
  directions: readonly DirectionPlan[];
  /** Width of the top layer's output: what a head reads. */
  outputSize: number;
}

/** The norm sites of a network: none without norm; ih and hh, and c for cells with a cell state. */
export function normSites(shape: Pick<RnnShape, 'cell' | 'norm'>): NormSite[] {
  if (!shape.norm || shape.norm === 'none') return [];
  return hasState(shape.cell, 'c') ? ['ih', 'hh', 'c'] : ['ih', 'hh'];
}

/** RunCheckpoint.extra key of batch norm's running statistics (both backends: a backend switch keeps them). */
export const NORM_RUNNING_KEY = 'norm.running';

/** Floats of one run's batch norm running statistics ([direction][site][t], mean and variance), 0 without batch norm. */
export function normRunningSize(plan: NetworkPlan, seqLen: number): number {
  if (plan.shape.norm !== 'batch') return 0;
  const H = plan.shape.hiddenSize;
  const widths = normSites(plan.shape).map((s) => (s === 'c' ? H : plan.gates * H));
  return plan.directions.length * seqLen * widths.reduce((a, n) => a + 2 * n, 0);
}

/** Initial gain of recurrent batch norm (Cooijmans et al. 2016, section 4: 0.1 avoids saturating the tanh). */
export const BATCH_NORM_GAIN = 0.1;

/** Whether a parameter is a norm's gain or bias (no weight matrix: never pruned, not randomly initialized). */
export function isNormParam(kind: ParamSpec['kind']): kind is NormParamKind {
  return kind.startsWith('norm_');
}

/** The parameter named `kind` of a direction; throws if it has none. */
export function paramSpec(dir: DirectionPlan, kind: ParamSpec['kind']): ParamSpec {
  const p = dir.params.find((x) => x.kind === kind);
  if (!p) throw new Error(`layer ${dir.layer} has no ${kind}`);
  return p;
}

/** The first state slot of a direction's outputs h_0..h_{T-1}, and the slot of its initial state. */
export function outputSlot(dir: Pick<DirectionPlan, 'direction'>): number {
  return dir.direction === 'forward' ? 1 : 0;
}

export function initialSlot(dir: Pick<DirectionPlan, 'direction'>, seqLen: number): number {
  return dir.direction === 'forward' ? 0 : seqLen;
}

/**
 * Why `residual` cannot apply to a shape (null if it can, or was not asked for): with one layer
 * whose input width differs from its output width, no layer has an input to add.
 */
export function residualProblem(shape: RnnShape): string | null {
  if (!shape.residual) return null;
  const plan = planLayers(shape);
  if (plan.layers.some((l) => l.residual)) return null;
  const D = plan.outputSize;
  return `residual needs a layer whose input is as wide as its output: the only layer takes ${shape.inputSize} inputs ` +
    `(the task's) and gives ${D}; use 2 or more layers (layers 1 and up get it), or turn residual off`;
}

export function planLayers(shape: RnnShape): NetworkPlan {
  const H = shape.hiddenSize;
  const gates = GATES[shape.cell];
  const GH = gates * H;
  const kinds: DirectionPlan['direction'][] = shape.bidirectional ? ['forward', 'reverse'] : ['forward'];
  const per = kinds.length;
  const D = per * H;
  const sites = normSites(shape);
  const normPrefix = shape.norm === 'batch' ? 'bn' : 'ln';
  // Inputs first: layer l reads the data (l = 0) or every direction of layer l - 1, side by side.
  const inputs: InputPart[][] = [];
  for (let l = 0; l < shape.numLayers; l++) {
    inputs.push(l === 0
      ? [{ source: 'data', column: 0, width: shape.inputSize }]
      : kinds.map((_, k) => ({ source: (l - 1) * per + k, column: k * H, width: H })));
  }
  const directions: DirectionPlan[] = [];
  const layers: LayerPlan[] = inputs.map((input, l) => {
    const inputSize = input.reduce((a, p) => a + p.width, 0);
    const own = kinds.map((direction, k): DirectionPlan => {
      const index = l * per + k;
      const suffix = direction === 'reverse' ? '_reverse' : '';
      // Readers follow from the input parts above; the top layer feeds the head.
      const readers: Reader[] = inputs.flatMap((parts, above) =>
        parts.filter((p) => p.source === index).flatMap((p): Reader[] =>
          kinds.map((_, j) => ({ kind: 'direction', index: above * per + j, column: p.column }))));
      if (l === shape.numLayers - 1) readers.push({ kind: 'head' });
      return {
        index,
        layer: l,
        direction,
        params: [
          { kind: 'weight_ih', name: `weight_ih_l${l}${suffix}`, shape: [GH, inputSize] },
          { kind: 'weight_hh', name: `weight_hh_l${l}${suffix}`, shape: [GH, H] },
          { kind: 'bias_ih', name: `bias_ih_l${l}${suffix}`, shape: [GH] },
          { kind: 'bias_hh', name: `bias_hh_l${l}${suffix}`, shape: [GH] },
          ...sites.flatMap((site): ParamSpec[] => (['weight', 'bias'] as const).map((part) => ({
            kind: `norm_${site}_${part}`, name: `${normPrefix}_${site}_l${l}${suffix}.${part}`, shape: [site === 'c' ? H : GH],
            fill: part === 'bias' ? 0 : shape.norm === 'batch' ? BATCH_NORM_GAIN : 1,
          }))),
        ],
        inputSize,
        input,
        outputColumn: k * H,
        readers,
      };
    });
    directions.push(...own);
    return { layer: l, directions: own, inputSize, outputSize: D, residual: !!shape.residual && inputSize === D };
  });
  return { shape, gates, directionsPerLayer: per, layers, directions, outputSize: shape.numLayers > 0 ? D : 0 };
}
