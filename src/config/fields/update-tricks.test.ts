// The init, plateau and prune fields of the experiment file: defaults, conditions on the cell and
// the prune kind, the check across prune.start and prune.end, and the runner's flags for them.
import { describe, expect, it } from 'vitest';
import { parseRunnerArgs } from '../../cli/runner-args';
import { parseExperiment } from '../parse';

const parse = (run: Record<string, unknown>) => parseExperiment({ version: 1, task: { kind: 'sine' }, runs: [run] });

describe('init, plateau and prune fields', () => {
  it('default to torch\'s default init, no plateau and no pruning', () => {
    const run = parse({})!.doc!.runs[0];
    expect(run.init).toEqual({ weightIh: 'default', weightHh: 'default', bias: 'default' });
    expect(run.plateau).toBeUndefined();
    expect(run.prune).toEqual({ kind: 'none' });
  });

  it('fill the fields of the kind or group given, with torch\'s defaults', () => {
    const run = parse({ plateau: { patience: 3 }, prune: { kind: 'gradual', end: 500 }, init: { weightHh: 'identity', forgetBias: 1 } }).doc!.runs[0];
    expect(run.plateau).toEqual({ mode: 'min', factor: 0.1, patience: 3, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0 });
    expect(run.prune).toEqual({ kind: 'gradual', start: 100, end: 500, every: 100, sparsity: 0.5 });
    expect(run.init).toEqual({ weightIh: 'default', weightHh: 'identity', identityGain: 1, bias: 'default', forgetBias: 1 });
  });

  it('refuse a forget bias off the LSTM, an end before the start, a step on gradual pruning, naming the path', () => {
    expect(parse({ cell: 'gru', init: { forgetBias: 1 } }).issues.map((i) => i.message)).toEqual([
      'runs[0].init.forgetBias does not apply when cell is "gru" (only for lstm)',
    ]);
    expect(parse({ prune: { kind: 'gradual', start: 50, end: 20 } }).issues.map((i) => i.message)).toEqual([
      'runs[0].prune.end must be at least prune.start (50), got 20',
    ]);
    expect(parse({ prune: { kind: 'gradual', step: 3 } }).issues.map((i) => i.path)).toEqual(['runs[0].prune.step']);
    expect(parse({ plateau: { factor: 1 } }).issues.map((i) => i.message)).toEqual(['runs[0].plateau.factor must be a number > 0 and < 1, got 1']);
  });

  it('are runner flags: a plateau flag turns the plateau on', () => {
    const args = parseRunnerArgs(['--plateau-patience', '2', '--prune', 'oneshot', '--sparsity', '0.3', '--init-hh', 'orthogonal'], () => '');
    if ('help' in args) throw new Error('help');
    for (const run of args.doc.runs) {
      expect(run.plateau?.patience).toBe(2);
      expect(run.prune).toEqual({ kind: 'oneshot', step: 100, sparsity: 0.3 });
      expect(run.init.weightHh).toBe('orthogonal');
    }
  });
});
