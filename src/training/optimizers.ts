/**
 * Optimizer and gradient-clipping configs as data: the kinds (torch.optim.SGD, RMSprop, Adam,
 * AdamW) with torch's defaults, their validation, and a registry for the UI. The maths lives in
 * shaders/optimizer.wgsl and its float64 mirror src/reference/optim.ts, not here.
 */

export type OptimizerKind = 'sgd' | 'rmsprop' | 'adam' | 'adamw';

export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'rmsprop', 'adam', 'adamw'];

/** One run's optimizer. Fields a kind does not take are refused by validateOptimizer. */
export interface OptimizerConfig {
  kind: OptimizerKind;
  /** Base learning rate; the run's LR schedule scales it per step. */
  lr: number;
  /** SGD, RMSprop: buf = momentum * buf + ... (0 turns momentum off). */
  momentum?: number;
  /** SGD: buf = momentum * buf + (1 - dampening) * g. */
  dampening?: number;
  /** SGD: step along g + momentum * buf instead of buf. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (g += wd * p); AdamW decays the weights instead (p *= 1 - lr * wd). */
  weightDecay?: number;
  /** RMSprop: smoothing of the squared-gradient average. */
  alpha?: number;
  /** RMSprop, Adam, AdamW: added to the denominator. */
  eps?: number;
  /** RMSprop: divide by the estimated variance rather than the raw second moment. */
  centered?: boolean;
  /** Adam, AdamW: decay of the first moment. */
  beta1?: number;
  /** Adam, AdamW: decay of the second moment. */
  beta2?: number;
}

export type ResolvedOptimizer = Required<OptimizerConfig>;

/** Gradient clipping before the optimizer, in this order: by global L2 norm, then by value. */
export interface ClipConfig {
  /** torch.nn.utils.clip_grad_norm_(max_norm) over the whole parameter vector; none if absent. */
  maxNorm?: number;
  /** torch.nn.utils.clip_grad_value_(clip_value): clamp each gradient to [-value, value]; none if absent. */
  value?: number;
}

interface OptimizerInfo {
  label: string;
  summary: string;
  /** torch's default learning rate; SGD has none (torch makes lr a required argument). */
  defaultLr?: number;
  /** Optional fields this kind takes, with torch's defaults. */
  defaults: Partial<Omit<ResolvedOptimizer, 'kind' | 'lr'>>;
}

export const OPTIMIZERS: Record<OptimizerKind, OptimizerInfo> = {
  sgd: {
    label: 'SGD',
    summary: 'Stochastic gradient descent, optionally with (Nesterov) momentum and L2 weight decay.',
    defaults: { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  },
  rmsprop: {
    label: 'RMSprop',
    summary: 'Divides each step by a running RMS of recent gradients; optionally centered and with momentum.',
    defaultLr: 1e-2,
    defaults: { alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
  },
  adam: {
    label: 'Adam',
    summary: 'Bias-corrected running averages of the gradient and its square; weight decay as an L2 term.',
    defaultLr: 1e-3,
    defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  },
  adamw: {
    label: 'AdamW',
    summary: 'Adam with decoupled weight decay: weights shrink by lr * wd each step, outside the gradient.',
    defaultLr: 1e-3,
    defaults: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 },
  },
};

/** Values for fields a kind does not take: they never reach its update rule. */
const UNUSED: Omit<ResolvedOptimizer, 'kind' | 'lr'> = {
  momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, alpha: 0, eps: 0, centered: false, beta1: 0, beta2: 0,
};

/** Fills every field a kind does not set with torch's default (or an inert value if the kind ignores it). */
export function resolveOptimizer(cfg: OptimizerConfig): ResolvedOptimizer {
  const given = Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined));
  return { ...UNUSED, ...OPTIMIZERS[cfg.kind].defaults, ...given } as ResolvedOptimizer;
}

type Check = [ok: (x: number) => boolean, range: string];

const NUMBER_RANGES: Record<string, Check> = {
  lr: [(x) => x > 0, '> 0'],
  momentum: [(x) => x >= 0, '>= 0'],
  dampening: [(x) => x >= 0 && x <= 1, 'in [0, 1]'],
  weightDecay: [(x) => x >= 0, '>= 0'],
  alpha: [(x) => x >= 0 && x <= 1, 'in [0, 1]'],
  eps: [(x) => x >= 0, '>= 0'],
  beta1: [(x) => x >= 0 && x < 1, 'in [0, 1)'],
  beta2: [(x) => x >= 0 && x < 1, 'in [0, 1)'],
};

const BOOLEANS = new Set(['nesterov', 'centered']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Problems with an optimizer config read from a URL or file, each naming `field`.key; [] if none. */
export function validateOptimizer(cfg: unknown, field: string): string[] {
  if (!isRecord(cfg)) return [`${field} must be an object with a "kind", got ${JSON.stringify(cfg)}`];
  const kind = cfg.kind as OptimizerKind;
  if (!OPTIMIZER_KINDS.includes(kind)) {
    return [`${field}.kind must be one of ${OPTIMIZER_KINDS.join(', ')}, got ${JSON.stringify(cfg.kind)}`];
  }
  const allowed = ['kind', 'lr', ...Object.keys(OPTIMIZERS[kind].defaults)];
  const errors: string[] = [];
  if (cfg.lr === undefined) errors.push(`${field}.lr is required, a number > 0`);
  for (const [key, value] of Object.entries(cfg)) {
    if (value === undefined || key === 'kind') continue;
    if (!allowed.includes(key)) {
      errors.push(`${field}.${key} does not apply to ${kind}, which takes ${allowed.slice(1).join(', ')}`);
    } else if (BOOLEANS.has(key)) {
      if (typeof value !== 'boolean') errors.push(`${field}.${key} must be true or false, got ${JSON.stringify(value)}`);
    } else {
      const [ok, range] = NUMBER_RANGES[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
        errors.push(`${field}.${key} must be a number ${range}, got ${JSON.stringify(value)}`);
      }
    }
  }
  if (errors.length === 0 && cfg.nesterov === true) {
    const r = resolveOptimizer(cfg as unknown as OptimizerConfig);
    if (r.momentum <= 0 || r.dampening !== 0) {
      errors.push(`${field}.nesterov needs momentum > 0 and dampening 0 (as torch.optim.SGD), got momentum ${r.momentum} and dampening ${r.dampening}`);
    }
  }
  return errors;
}

/** Problems with a clip config, each naming `field`.key; [] if none. */
export function validateClip(clip: unknown, field: string): string[] {
  if (!isRecord(clip)) return [`${field} must be an object (possibly empty), got ${JSON.stringify(clip)}`];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(clip)) {
    if (value === undefined) continue;
    if (key !== 'maxNorm' && key !== 'value') {
      errors.push(`${field}.${key} is not a clip setting; use maxNorm or value`);
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      errors.push(`${field}.${key} must be a number > 0 (leave it out for no clipping), got ${JSON.stringify(value)}`);
    }
  }
  return errors;
}

/** A named range of one run's parameter vector (a layer, the head) with its own gradient norm. */
export interface ParamSegment {
  name: string;
  /** Offset in floats within a run's vector. */
  offset: number;
  length: number;
}

/**
 * Adam's per-step scalars, computed in float64 the way torch does in Python:
 * stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t), t 1-based.
 */
export function adamBiasCorrection(lr: number, beta1: number, beta2: number, step: number): { stepSize: number; bc2Sqrt: number } {
  return { stepSize: lr / (1 - beta1 ** step), bc2Sqrt: Math.sqrt(1 - beta2 ** step) };
}

/**
 * What gives a run's optimizer state its meaning: the kind, whether momentum is on, RMSprop's
 * centering. When it changes during training, the state starts afresh (as a new torch optimizer's
 * would: zero slots, step 1, SGD's momentum buffer taken from the next gradient).
 */
export function optimizerStateKey(o: ResolvedOptimizer): string {
  return `${o.kind} momentum=${o.momentum > 0} centered=${o.centered}`;
}
