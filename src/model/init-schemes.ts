/**
 * Initialisation schemes for the recurrent layers' tensors, after torch.nn.init: what each
 * scheme is (the config a run's `init` holds), the scale it draws at (fans and gains computed as
 * torch computes them for the tensor the scheme is applied to) and how one tensor is filled from
 * the counter RNG. init.ts decides which tensor gets which scheme; the head is never touched here.
 */
import { rngNormal, rngUniform, STREAM } from '../training/rng';
import { orthonormalColumns } from './qr';

/** Schemes for weight_ih (and weight_hh). */
export const WEIGHT_SCHEMES = [
  'default', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal',
] as const;
/** weight_hh also takes the identity (IRNN, Le et al. 2015). */
export const RECURRENT_SCHEMES = [...WEIGHT_SCHEMES, 'identity'] as const;
export const BIAS_SCHEMES = ['default', 'zeros'] as const;

export type WeightScheme = (typeof WEIGHT_SCHEMES)[number];
export type RecurrentScheme = (typeof RECURRENT_SCHEMES)[number];
export type BiasScheme = (typeof BIAS_SCHEMES)[number];

/** One run's initialisation of its recurrent layers (the head always takes nn.Linear's default). */
export interface InitConfig {
  weightIh: WeightScheme;
  weightHh: RecurrentScheme;
  bias: BiasScheme;
  /** LSTM only: the forget-gate block of every bias_ih is set to this and bias_hh's to 0; absent: the bias scheme's values. */
  forgetBias?: number;
  /** weightHh identity: each gate block is this times the identity (1 when absent). */
  identityGain?: number;
}

export const DEFAULT_INIT: InitConfig = { weightIh: 'default', weightHh: 'default', bias: 'default' };

/** torch.nn.init.calculate_gain('leaky_relu', 0): the gain kaiming_*_ uses with its defaults. */
export const KAIMING_GAIN = Math.sqrt(2 / (1 + 0 ** 2));

/** torch.nn.init._calculate_fan_in_and_fan_out for a 2-D tensor [rows][cols]. */
export function fans(rows: number, cols: number): { fanIn: number; fanOut: number } {
  return { fanIn: cols, fanOut: rows };
}

/**
 * The scale one scheme draws a [rows][cols] tensor at: `bound` of a uniform U(-bound, bound) or
 * `std` of a zero-mean normal, with torch's own arithmetic (std first, bound = sqrt(3) std).
 * `hidden` is H, which torch's RNN default (U(-1/sqrt(H), 1/sqrt(H))) uses instead of the fans.
 */
export function schemeScale(scheme: Exclude<WeightScheme, 'orthogonal'>, rows: number, cols: number, hidden: number):
  { kind: 'uniform'; bound: number } | { kind: 'normal'; std: number } {
  const { fanIn, fanOut } = fans(rows, cols);
  switch (scheme) {
    case 'default':
      return { kind: 'uniform', bound: 1 / Math.sqrt(hidden) };
    case 'xavier_uniform':
      return { kind: 'uniform', bound: Math.sqrt(3) * (1 * Math.sqrt(2 / (fanIn + fanOut))) };
    case 'xavier_normal':
      return { kind: 'normal', std: 1 * Math.sqrt(2 / (fanIn + fanOut)) };
    case 'kaiming_uniform':
      return { kind: 'uniform', bound: Math.sqrt(3) * (KAIMING_GAIN / Math.sqrt(fanIn)) };
    case 'kaiming_normal':
      return { kind: 'normal', std: KAIMING_GAIN / Math.sqrt(fanIn) };
  }
}

/** Where one tensor goes and which RNG key draws it. */
export interface TensorTarget {
  out: Float32Array | Float64Array;
  offset: number;
  rows: number;
  cols: number;
  /** Counter-RNG key of this tensor (one per tensor, so a scheme change elsewhere leaves it alone). */
  key: number;
}

/**
 * Fills a [rows][cols] weight tensor whose rows are `gates` blocks of H = rows / gates:
 * default, xavier_* and kaiming_* over the whole tensor (the fans of [rows][cols]); orthogonal
 * per gate block [H][cols] (torch.nn.init.orthogonal_ on the block: orthonormal rows when
 * H <= cols, orthonormal columns otherwise); identity per gate block, `gain` times I (H = cols).
 */
export function fillWeight(t: TensorTarget, scheme: RecurrentScheme, gates: number, hidden: number, gain = 1): void {
  const { out, offset, rows, cols, key } = t;
  const size = rows * cols;
  if (scheme === 'identity') {
    if (rows !== gates * cols) throw new Error(`identity init needs square gate blocks, got [${rows}][${cols}] with ${gates} gates`);
    for (let i = 0; i < size; i++) out[offset + i] = 0;
    for (let g = 0; g < gates; g++) for (let j = 0; j < cols; j++) out[offset + (g * cols + j) * cols + j] = gain;
    return;
  }
  if (scheme === 'orthogonal') {
    const H = rows / gates;
    for (let g = 0; g < gates; g++) fillOrthogonalBlock(out, offset + g * H * cols, H, cols, key, g * H * cols);
    return;
  }
  const scale = schemeScale(scheme, rows, cols, hidden);
  if (scale.kind === 'uniform') {
    for (let i = 0; i < size; i++) out[offset + i] = (2 * rngUniform(key, STREAM.init, i) - 1) * scale.bound;
  } else {
    for (let i = 0; i < size; i++) out[offset + i] = rngNormal(key, STREAM.init, i) * scale.std;
  }
}

/**
 * torch.nn.init.orthogonal_ on one [rows][cols] block: a standard normal matrix (counters
 * first.. of `key`), transposed when rows < cols, its float64 QR's Q with the sign fix, transposed back.
 */
function fillOrthogonalBlock(out: Float32Array | Float64Array, at: number, rows: number, cols: number, key: number, first: number): void {
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const draw = rngNormal(key, STREAM.init, first + i * cols + j);
      a[tall ? i * n + j : j * n + i] = draw;
    }
  }
  const q = orthonormalColumns(a, m, n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[at + i * cols + j] = tall ? q[i * n + j] : q[j * n + i];
  }
}

/** Fills a bias [rows]: U(-1/sqrt(H), 1/sqrt(H)) (torch's RNN default) or zeros. */
export function fillBias(t: Omit<TensorTarget, 'cols'>, scheme: BiasScheme, hidden: number): void {
  const bound = 1 / Math.sqrt(hidden);
  for (let i = 0; i < t.rows; i++) {
    t.out[t.offset + i] = scheme === 'zeros' ? 0 : (2 * rngUniform(t.key, STREAM.init, i) - 1) * bound;
  }
}

/** Problems with an init config for a `cell` with these gate names, each naming `field`.key; [] if none. */
export function validateInit(init: InitConfig, gateNames: readonly string[], field: string): string[] {
  const errors: string[] = [];
  if (!WEIGHT_SCHEMES.includes(init.weightIh)) errors.push(`${field}.weightIh must be one of ${WEIGHT_SCHEMES.join(', ')}, got ${String(init.weightIh)}`);
  if (!RECURRENT_SCHEMES.includes(init.weightHh)) errors.push(`${field}.weightHh must be one of ${RECURRENT_SCHEMES.join(', ')}, got ${String(init.weightHh)}`);
  if (!BIAS_SCHEMES.includes(init.bias)) errors.push(`${field}.bias must be one of ${BIAS_SCHEMES.join(', ')}, got ${String(init.bias)}`);
  if (init.forgetBias !== undefined) {
    if (!gateNames.includes('f')) errors.push(`${field}.forgetBias applies to lstm only (a cell with a forget gate)`);
    else if (!Number.isFinite(init.forgetBias)) errors.push(`${field}.forgetBias must be a finite number, got ${init.forgetBias}`);
  }
  if (init.identityGain !== undefined && !(Number.isFinite(init.identityGain) && init.identityGain > 0)) {
    errors.push(`${field}.identityGain must be a number > 0, got ${init.identityGain}`);
  }
  return errors;
}
