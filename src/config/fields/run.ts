/**
 * The fields of one run that exist since the training loop landed: identity, model shape,
 * batching and BPTT, optimizer, learning-rate schedule and clipping. Defaults follow torch
 * where torch has one (optimizer settings come from src/training/optimizers.ts's registry).
 * Tricks and tasks add their fields in their own files; src/config/table.ts joins them.
 */
import { CELL_KINDS } from '../../model/layout';
import { OPTIMIZERS, OPTIMIZER_KINDS, type OptimizerKind } from '../../training/optimizers';
import type { FieldCheck, FieldDef, FieldIssue, FieldParent, FieldValue } from '../field';

/** Tableau 10: distinct on light and dark backgrounds, the colours people know from matplotlib. */
export const RUN_COLORS = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
] as const;

const SGD_LR = 0.1;

/** torch's default for an optimizer setting, by the optimizer object's kind. */
function optimizerDefault(key: string) {
  return (parent: FieldParent): FieldValue => {
    const info = OPTIMIZERS[parent.kind as OptimizerKind];
    if (key === 'lr') return info.defaultLr ?? SGD_LR;
    return (info.defaults as Record<string, FieldValue>)[key];
  };
}

/** Kinds that take an optimizer setting (from the registry, so the two cannot disagree). */
function kindsTaking(key: string): OptimizerKind[] {
  return OPTIMIZER_KINDS.filter((k) => key in OPTIMIZERS[k].defaults);
}

const whenOptimizer = (key: string) => ({ path: 'optimizer.kind', is: kindsTaking(key) });

export const RUN_FIELDS: readonly FieldDef[] = [
  // identity
  {
    path: 'id', scope: 'run', type: 'string', label: 'id', maxLength: 40, apply: 'live',
    pattern: { re: /^[A-Za-z0-9_-]+$/, doc: 'letters, digits, _ and -' },
    default: (_, { index }) => `run${index + 1}`,
    doc: 'Stable key of the run: its saved weights and the runner\'s output are named by it.',
  },
  {
    path: 'label', scope: 'run', type: 'string', label: 'label', maxLength: 60, apply: 'live',
    default: (_, { index }) => `run ${index + 1}`, doc: 'Name shown in legends and tables.',
  },
  {
    path: 'color', scope: 'run', type: 'color', label: 'colour', apply: 'live',
    default: (_, { index }) => RUN_COLORS[index % RUN_COLORS.length], doc: 'Colour of the run\'s lines, #rrggbb.',
  },
  {
    path: 'hidden', scope: 'run', type: 'boolean', label: 'hidden', default: false, apply: 'live',
    doc: 'Hide the run\'s lines from the charts; it keeps training.',
  },
  {
    path: 'seed', scope: 'run', type: 'int', label: 'seed', min: 0, max: 0xffffffff, default: 7, apply: 'restart',
    flag: 'init-seed', doc: 'Seeds the initial weights; runs with the same seed start from the same weights.',
  },
  // model
  {
    path: 'cell', scope: 'run', type: 'enum', label: 'cell', choices: CELL_KINDS, default: 'lstm', apply: 'rebuild',
    flag: 'cell', doc: 'Recurrent cell: vanilla RNN (tanh or ReLU), LSTM or GRU, as torch.nn.RNN / LSTM / GRU.',
  },
  {
    path: 'hiddenSize', scope: 'run', type: 'int', label: 'hidden size', min: 1, max: 4096, default: 32,
    apply: 'rebuild', flag: 'hidden', doc: 'Units per layer (H).',
  },
  {
    path: 'numLayers', scope: 'run', type: 'int', label: 'layers', min: 1, max: 8, default: 1, apply: 'rebuild',
    flag: 'layers', doc: 'Stacked recurrent layers; each takes the hidden states of the one below.',
  },
  {
    path: 'head', scope: 'run', type: 'enum', label: 'loss on', choices: ['every', 'last'], default: 'every',
    apply: 'rebuild', flag: 'head', doc: 'Linear head and loss on every timestep, or on the last one only.',
  },
  // batching and BPTT
  {
    path: 'batch', scope: 'run', type: 'int', label: 'batch', min: 1, max: 4096, default: 16, apply: 'rebuild',
    flag: 'batch', doc: 'Sequences per training step.',
  },
  {
    path: 'seqLen', scope: 'run', type: 'int', label: 'window', min: 1, max: 4096, default: 32, apply: 'rebuild',
    flag: 'seq', doc: 'Timesteps per training window (T; k2 of truncated BPTT).',
  },
  {
    path: 'bptt.kind', scope: 'run', type: 'enum', label: 'BPTT', choices: ['full', 'truncated'], default: 'full',
    apply: 'rebuild', flag: 'bptt',
    doc: 'Full: every step is a fresh episode of one window. Truncated (Williams and Peng): windows advance k1 steps through longer episodes, carrying the state detached.',
  },
  {
    path: 'bptt.k1', scope: 'run', type: 'int', label: 'advance (k1)', min: 1, max: 4096, apply: 'rebuild',
    when: { path: 'bptt.kind', is: ['truncated'] }, default: (_, { root }) => root.seqLen as number, flag: 'tbptt',
    doc: 'Timesteps a truncated window advances per step (at most the window); the state after them is carried.',
  },
  {
    path: 'bptt.episodeLength', scope: 'run', type: 'int', label: 'episode', min: 1, max: 1_000_000, apply: 'rebuild',
    when: { path: 'bptt.kind', is: ['truncated'] }, default: (_, { root }) => 4 * (root.seqLen as number),
    flag: 'episode', doc: 'Timesteps of one episode; the state is reset to zero when a new one starts.',
  },
  // optimizer
  {
    path: 'optimizer.kind', scope: 'run', type: 'enum', label: 'optimizer', choices: OPTIMIZER_KINDS, default: 'adam',
    apply: 'live', flag: 'optimizer',
    doc: 'torch.optim.SGD, RMSprop, Adam or AdamW; changing it while training starts the new optimizer with fresh state.',
  },
  {
    path: 'optimizer.lr', scope: 'run', type: 'number', label: 'learning rate', min: 0, exclusiveMin: true, max: 100,
    default: optimizerDefault('lr'), apply: 'live', ui: { log: true }, flag: 'lr',
    doc: 'Base learning rate (torch\'s default per optimizer; 0.1 for SGD, which has none); the schedule scales it.',
  },
  {
    path: 'optimizer.momentum', scope: 'run', type: 'number', label: 'momentum', min: 0, max: 1, apply: 'live',
    when: whenOptimizer('momentum'), default: optimizerDefault('momentum'), flag: 'momentum',
    doc: 'Momentum factor (0: none).',
  },
  {
    path: 'optimizer.dampening', scope: 'run', type: 'number', label: 'dampening', min: 0, max: 1, apply: 'live',
    when: whenOptimizer('dampening'), default: optimizerDefault('dampening'), ui: { advanced: true }, flag: 'dampening',
    doc: 'SGD: the gradient enters the momentum buffer scaled by 1 - dampening.',
  },
  {
    path: 'optimizer.nesterov', scope: 'run', type: 'boolean', label: 'Nesterov', apply: 'live',
    when: whenOptimizer('nesterov'), default: optimizerDefault('nesterov'), flag: 'nesterov',
    doc: 'SGD: Nesterov momentum (needs momentum > 0 and dampening 0).',
  },
  {
    path: 'optimizer.weightDecay', scope: 'run', type: 'number', label: 'weight decay', min: 0, max: 10, apply: 'live',
    when: whenOptimizer('weightDecay'), default: optimizerDefault('weightDecay'), ui: { log: true }, flag: 'wd',
    doc: 'L2 penalty added to the gradient; AdamW decays the weights directly (decoupled).',
  },
  {
    path: 'optimizer.alpha', scope: 'run', type: 'number', label: 'alpha', min: 0, max: 1, apply: 'live',
    when: whenOptimizer('alpha'), default: optimizerDefault('alpha'), ui: { advanced: true }, flag: 'alpha',
    doc: 'RMSprop: smoothing constant of the squared-gradient average.',
  },
  {
    path: 'optimizer.eps', scope: 'run', type: 'number', label: 'epsilon', min: 0, max: 1, apply: 'live',
    when: whenOptimizer('eps'), default: optimizerDefault('eps'), ui: { log: true, advanced: true }, flag: 'eps',
    doc: 'Added to the denominator for numerical stability.',
  },
  {
    path: 'optimizer.centered', scope: 'run', type: 'boolean', label: 'centered', apply: 'live',
    when: whenOptimizer('centered'), default: optimizerDefault('centered'), ui: { advanced: true }, flag: 'centered',
    doc: 'RMSprop: divide by the estimated variance of the gradient rather than its raw second moment.',
  },
  {
    path: 'optimizer.beta1', scope: 'run', type: 'number', label: 'beta1', min: 0, max: 1, exclusiveMax: true,
    apply: 'live', when: whenOptimizer('beta1'), default: optimizerDefault('beta1'), ui: { advanced: true }, flag: 'beta1',
    doc: 'Adam: decay rate of the first-moment (mean) estimate.',
  },
  {
    path: 'optimizer.beta2', scope: 'run', type: 'number', label: 'beta2', min: 0, max: 1, exclusiveMax: true,
    apply: 'live', when: whenOptimizer('beta2'), default: optimizerDefault('beta2'), ui: { advanced: true }, flag: 'beta2',
    doc: 'Adam: decay rate of the second-moment estimate.',
  },
  // learning-rate schedule
  {
    path: 'schedule.kind', scope: 'run', type: 'enum', label: 'LR schedule',
    choices: ['constant', 'step', 'exponential', 'cosine'], default: 'constant', apply: 'live', flag: 'schedule',
    doc: 'torch.optim.lr_scheduler semantics: StepLR, ExponentialLR, CosineAnnealingLR, or none.',
  },
  {
    path: 'schedule.warmup', scope: 'run', type: 'int', label: 'warmup steps', min: 0, max: 1_000_000, default: 0,
    apply: 'live', flag: 'warmup', doc: 'Steps of linear warmup from lr / warmup up to lr before the schedule starts.',
  },
  {
    path: 'schedule.stepSize', scope: 'run', type: 'int', label: 'step size', min: 1, max: 1_000_000, default: 100,
    apply: 'live', when: { path: 'schedule.kind', is: ['step'] }, flag: 'step-size',
    doc: 'StepLR: multiply the rate by gamma every this many steps.',
  },
  {
    path: 'schedule.gamma', scope: 'run', type: 'number', label: 'gamma', min: 0, exclusiveMin: true, max: 1,
    apply: 'live', when: { path: 'schedule.kind', is: ['step', 'exponential'] }, flag: 'gamma',
    default: (parent) => (parent.kind === 'step' ? 0.1 : 0.99),
    doc: 'StepLR / ExponentialLR: the factor applied per period (StepLR) or per step (ExponentialLR).',
  },
  {
    path: 'schedule.tMax', scope: 'run', type: 'int', label: 'period (T_max)', min: 1, max: 1_000_000, default: 1000,
    apply: 'live', when: { path: 'schedule.kind', is: ['cosine'] }, flag: 'tmax',
    doc: 'CosineAnnealingLR: steps from lr down to etaMin, held there after.',
  },
  {
    path: 'schedule.etaMin', scope: 'run', type: 'number', label: 'eta min', min: 0, max: 100, default: 0,
    apply: 'live', when: { path: 'schedule.kind', is: ['cosine'] }, flag: 'eta-min',
    doc: 'CosineAnnealingLR: the lowest learning rate.',
  },
  // clipping
  {
    path: 'clip.maxNorm', scope: 'run', type: 'number', label: 'clip norm', min: 0, exclusiveMin: true, max: 1e6,
    optional: true, apply: 'live', ui: { log: true }, flag: 'clip',
    doc: 'torch.nn.utils.clip_grad_norm_: scale all gradients down so their global L2 norm is at most this; off when absent.',
  },
  {
    path: 'clip.value', scope: 'run', type: 'number', label: 'clip value', min: 0, exclusiveMin: true, max: 1e6,
    optional: true, apply: 'live', ui: { log: true }, flag: 'clip-value',
    doc: 'torch.nn.utils.clip_grad_value_: clamp every gradient to [-value, value] (after norm clipping); off when absent.',
  },
];

export const RUN_CHECKS: readonly FieldCheck[] = [
  {
    scope: 'run',
    check(run, at) {
      const issues: FieldIssue[] = [];
      const bptt = run.bptt as { kind: string; k1?: number; episodeLength?: number };
      const seqLen = run.seqLen as number;
      if (bptt.kind === 'truncated') {
        if ((bptt.k1 as number) > seqLen) {
          issues.push({ path: `${at}.bptt.k1`, message: `${at}.bptt.k1 must be at most the window (seqLen ${seqLen}), got ${bptt.k1}` });
        }
        if ((bptt.episodeLength as number) < seqLen) {
          issues.push({
            path: `${at}.bptt.episodeLength`,
            message: `${at}.bptt.episodeLength must be at least the window (seqLen ${seqLen}), got ${bptt.episodeLength}`,
          });
        }
      }
      const opt = run.optimizer as { nesterov?: boolean; momentum?: number; dampening?: number };
      if (opt.nesterov && (!(opt.momentum! > 0) || opt.dampening !== 0)) {
        issues.push({
          path: `${at}.optimizer.nesterov`,
          message: `${at}.optimizer.nesterov needs momentum > 0 and dampening 0 (as torch.optim.SGD), got momentum ${opt.momentum} and dampening ${opt.dampening}`,
        });
      }
      return issues;
    },
  },
];
