/**
 * The run fields of three per-run tricks: initialisation schemes (`init`, restart the run),
 * reduce-on-plateau (`plateau`, an optional group: absent is off) and magnitude pruning (`prune`),
 * both live. Defaults are torch's where torch has the thing. The maths lives in
 * src/model/init-schemes.ts, src/training/plateau.ts and src/training/prune.ts, not here.
 */
import { BIAS_SCHEMES, RECURRENT_SCHEMES, WEIGHT_SCHEMES } from '../../model/init-schemes';
import { PLATEAU_DEFAULTS } from '../../training/plateau';
import { PRUNE_KINDS } from '../../training/prune';
import type { FieldCheck, FieldDef, FieldIssue } from '../field';

const whenPrune = (...kinds: string[]) => ({ path: 'prune.kind', is: kinds });

export const UPDATE_TRICK_FIELDS: readonly FieldDef[] = [
  // initialisation
  {
    path: 'init.weightIh', scope: 'run', type: 'enum', label: 'init weight_ih', choices: WEIGHT_SCHEMES, default: 'default',
    apply: 'restart', flag: 'init-ih',
    doc: 'Every weight_ih: default U(-1/sqrt(H), 1/sqrt(H)) as torch.nn.LSTM; torch.nn.init.xavier_uniform_ / xavier_normal_ (gain 1) or kaiming_uniform_ / kaiming_normal_ (fan_in, leaky_relu a=0: gain sqrt(2)) on the whole [G*H, I] tensor, its fans torch\'s; orthogonal_ on each [H, I] gate block (semi-orthogonal).',
  },
  {
    path: 'init.weightHh', scope: 'run', type: 'enum', label: 'init weight_hh', choices: RECURRENT_SCHEMES, default: 'default',
    apply: 'restart', flag: 'init-hh',
    doc: 'Every weight_hh: the weight_ih schemes on the [G*H, H] tensor (orthogonal_: each H x H gate block orthogonal), or identity: each gate block the identity times identityGain (IRNN, Le et al. 2015).',
  },
  {
    path: 'init.identityGain', scope: 'run', type: 'number', label: 'identity gain', min: 0, exclusiveMin: true, max: 10,
    default: 1, apply: 'restart', when: { path: 'init.weightHh', is: ['identity'] }, flag: 'identity-gain',
    doc: 'weightHh identity: each gate block of weight_hh is this times the identity.',
  },
  {
    path: 'init.bias', scope: 'run', type: 'enum', label: 'init bias', choices: BIAS_SCHEMES, default: 'default',
    apply: 'restart', flag: 'init-bias',
    doc: 'Every bias_ih and bias_hh: default U(-1/sqrt(H), 1/sqrt(H)) as torch.nn.LSTM, or zeros (torch.nn.init.zeros_).',
  },
  {
    path: 'init.forgetBias', scope: 'run', type: 'number', label: 'forget bias', min: -100, max: 100, optional: true,
    apply: 'restart', when: { path: 'cell', is: ['lstm'] }, flag: 'forget-bias',
    doc: 'LSTM: the forget-gate block of every bias_ih is set to this and bias_hh\'s to 0 (Jozefowicz et al. 2015 use 1); absent: the bias scheme\'s values.',
  },
  // reduce-on-plateau
  {
    path: 'plateau', scope: 'run', type: 'group', label: 'reduce on plateau', optional: true, apply: 'live',
    doc: 'torch.optim.lr_scheduler.ReduceLROnPlateau on the validation loss at each evaluation (the training loss at every step when the experiment never evaluates), decided on the GPU without lag; the rate used is the schedule\'s times the plateau\'s factor, floored at minLr (never above the schedule); off when absent.',
  },
  {
    path: 'plateau.mode', scope: 'run', type: 'enum', label: 'plateau mode', choices: ['min', 'max'], default: PLATEAU_DEFAULTS.mode,
    apply: 'live', flag: 'plateau-mode', ui: { advanced: true },
    doc: 'ReduceLROnPlateau mode: min, the watched loss should fall; max, it should rise.',
  },
  {
    path: 'plateau.factor', scope: 'run', type: 'number', label: 'plateau factor', min: 0, exclusiveMin: true, max: 1,
    exclusiveMax: true, default: PLATEAU_DEFAULTS.factor, apply: 'live', flag: 'plateau-factor',
    doc: 'ReduceLROnPlateau factor: the learning rate is multiplied by this at each reduction.',
  },
  {
    path: 'plateau.patience', scope: 'run', type: 'int', label: 'plateau patience', min: 0, max: 1_000_000,
    default: PLATEAU_DEFAULTS.patience, apply: 'live', flag: 'plateau-patience',
    doc: 'ReduceLROnPlateau patience: evaluations without improvement tolerated before a reduction.',
  },
  {
    path: 'plateau.threshold', scope: 'run', type: 'number', label: 'plateau threshold', min: 0, max: 1e6,
    default: PLATEAU_DEFAULTS.threshold, apply: 'live', flag: 'plateau-threshold', ui: { log: true, advanced: true },
    doc: 'ReduceLROnPlateau threshold: how much better than the best a value must be to count as an improvement.',
  },
  {
    path: 'plateau.thresholdMode', scope: 'run', type: 'enum', label: 'threshold mode', choices: ['rel', 'abs'],
    default: PLATEAU_DEFAULTS.thresholdMode, apply: 'live', flag: 'plateau-threshold-mode', ui: { advanced: true },
    doc: 'ReduceLROnPlateau threshold_mode: rel, better than best * (1 - threshold) (min) or * (1 + threshold) (max); abs, best -/+ threshold.',
  },
  {
    path: 'plateau.cooldown', scope: 'run', type: 'int', label: 'plateau cooldown', min: 0, max: 1_000_000,
    default: PLATEAU_DEFAULTS.cooldown, apply: 'live', flag: 'plateau-cooldown', ui: { advanced: true },
    doc: 'ReduceLROnPlateau cooldown: evaluations after a reduction during which bad ones are not counted.',
  },
  {
    path: 'plateau.minLr', scope: 'run', type: 'number', label: 'plateau min lr', min: 0, max: 100,
    default: PLATEAU_DEFAULTS.minLr, apply: 'live', flag: 'plateau-min-lr', ui: { log: true },
    doc: 'ReduceLROnPlateau min_lr: the rate a reduction never goes below.',
  },
  // pruning
  {
    path: 'prune.kind', scope: 'run', type: 'enum', label: 'pruning', choices: PRUNE_KINDS, default: 'none', apply: 'live',
    flag: 'prune',
    doc: 'Magnitude pruning of every weight_ih / weight_hh (biases and the head never), the smallest |w| of each matrix as torch.nn.utils.prune.l1_unstructured (ties: the lower index first); masks on the GPU, applied to the gradients and after every update so pruned weights stay 0. none; oneshot at one step; gradual: Zhu and Gupta 2017\'s cubic schedule.',
  },
  {
    path: 'prune.step', scope: 'run', type: 'int', label: 'prune at step', min: 1, max: 10_000_000, default: 100,
    apply: 'live', when: whenPrune('oneshot'), flag: 'prune-step',
    doc: 'One-shot pruning: the run\'s own step after whose update the masks are made.',
  },
  {
    path: 'prune.start', scope: 'run', type: 'int', label: 'prune from', min: 1, max: 10_000_000, default: 100,
    apply: 'live', when: whenPrune('gradual'), flag: 'prune-start',
    doc: 'Gradual pruning: the run\'s step at which the schedule starts (sparsity 0).',
  },
  {
    path: 'prune.end', scope: 'run', type: 'int', label: 'prune until', min: 1, max: 10_000_000, default: 1000,
    apply: 'live', when: whenPrune('gradual'), flag: 'prune-end',
    doc: 'Gradual pruning: the run\'s step at which the target sparsity is reached (at least start).',
  },
  {
    path: 'prune.every', scope: 'run', type: 'int', label: 'prune every', min: 1, max: 1_000_000, default: 100,
    apply: 'live', when: whenPrune('gradual'), flag: 'prune-every',
    doc: 'Gradual pruning: steps between mask updates (and one at the end).',
  },
  {
    path: 'prune.sparsity', scope: 'run', type: 'number', label: 'target sparsity', min: 0, max: 1, exclusiveMax: true,
    default: 0.5, apply: 'live', when: whenPrune('oneshot', 'gradual'), flag: 'sparsity',
    doc: 'Fraction of each weight matrix pruned (round(sparsity * n) weights, as torch\'s amount).',
  },
];

export const UPDATE_TRICK_CHECKS: readonly FieldCheck[] = [
  {
    scope: 'run',
    check(run, at) {
      const issues: FieldIssue[] = [];
      const prune = run.prune as { kind: string; start?: number; end?: number };
      if (prune.kind === 'gradual' && (prune.end as number) < (prune.start as number)) {
        issues.push({ path: `${at}.prune.end`, message: `${at}.prune.end must be at least prune.start (${prune.start}), got ${prune.end}` });
      }
      return issues;
    },
  },
];
