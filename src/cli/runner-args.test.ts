// The runner's command line: the default experiment, an experiment file, flags from the field
// table over either, --run strings (today's syntax), and the wording of each kind of error.
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../config/default-experiment';
import { ArgsError, parseRunnerArgs, type RunnerArgs } from './runner-args';

const files: Record<string, string> = {
  'exp.json': JSON.stringify({ version: 1, name: 'two cells', task: { kind: 'sine', noise: 0.3 }, runs: [{ id: 'l', cell: 'lstm' }, { id: 'g', cell: 'gru' }] }),
  'bad.json': JSON.stringify({ version: 1, runs: [{ hiddenSize: 0 }] }),
  'junk.json': '{ nope',
};
const read = (p: string) => {
  if (!(p in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return files[p];
};

function parse(...argv: string[]): RunnerArgs {
  const r = parseRunnerArgs(argv, read);
  if ('help' in r) throw new Error('expected options, got help');
  return r;
}

function errors(...argv: string[]): string[] {
  try {
    parseRunnerArgs(argv, read);
  } catch (e) {
    if (e instanceof ArgsError) return e.messages;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseRunnerArgs', () => {
  it('a --run string longer than a label may be is shortened for its label, not refused', () => {
    const text = 'adam lr=0.01 norm=batch clip=1 dropout=0.1 recurrent-dropout=0.1 seed=3';
    const run = parse('--run', text).doc.runs[0];
    expect(run.label).toBe(`${text.slice(0, 59)}…`);
    expect(run.label).toHaveLength(60);
    expect(run).toMatchObject({ norm: 'batch', dropout: 0.1, recurrentDropout: 0.1 });
    expect(parse('--run', 'sgd lr=0.5').doc.runs[0].label).toBe('sgd lr=0.5');
  });

  it('refuses values float32 cannot hold or that round to 0 where 0 means off (issue 10 row 6)', () => {
    expect(errors('--run', 'sgd lr=0.1 clip=1e-46')).toEqual(['--run "sgd lr=0.1 clip=1e-46": clip must be at least 1.2e-38 in size (smaller values round to 0 in float32), got 1e-46']);
    expect(errors('--run', 'sgd lr=1e39')[0]).toMatch(/^--run "sgd lr=1e39": lr must be a number > 0 and <= 100, got 1e\+39$/);
    expect(errors('--run', 'sgd lr=0.1 wd=1e39')[0]).toMatch(/^--run "sgd lr=0.1 wd=1e39": wd must be a number from 0 to 10, got 1e\+39$/);
  });

  it('defaults: the playground\'s experiment, 200 steps, a table row every 20', () => {
    const a = parse();
    expect(a.doc).toEqual(defaultExperiment());
    expect(a).toMatchObject({ steps: 200, every: 20, json: false, keepGoing: false, backend: 'webgpu', kernels: 'auto', source: 'the default experiment', diagnostics: 0 });
    expect(parse('--json').every).toBe(1);
    expect(parse('--kernels', 'per-step').kernels).toBe('per-step');
    expect(parse('--kernels', 'looping').kernels).toBe('looping');
  });

  it('the tricks\' flags: dropout rates, residual, bidirectional, and --diagnostics', () => {
    const a = parse('--layers', '2', '--dropout', '0.3', '--residual', 'true', '--bidirectional', 'true', '--diagnostics', '5',
      '--run', 'adam lr=0.01 recurrent-dropout=0.2', '--run', 'sgd lr=0.1');
    expect(a.diagnostics).toBe(5);
    expect(a.doc.runs.map((r) => [r.dropout, r.recurrentDropout, r.residual, r.bidirectional])).toEqual([[0.3, 0.2, true, true], [0.3, 0, true, true]]);
  });

  it('trains a file, with flags over it', () => {
    const a = parse('exp.json', '--hidden', '8', '--noise=0.5', '--steps', '30', '--lr', '0.02', '--save-weights', 'out');
    expect(a.doc.name).toBe('two cells');
    expect(a.doc.runs.map((r) => [r.id, r.cell, r.hiddenSize, r.optimizer.lr])).toEqual([['l', 'lstm', 8, 0.02], ['g', 'gru', 8, 0.02]]);
    expect(a.doc.task.noise).toBe(0.5);
    expect(a).toMatchObject({ steps: 30, saveWeights: 'out', source: 'exp.json' });
  });

  it('today\'s flags: shape, truncated BPTT, data seed, --run strings', () => {
    const a = parse('--cell', 'gru', '--hidden', '8', '--layers=2', '--batch', '4', '--seq', '16', '--head', 'last',
      '--tbptt', '4', '--episode', '64', '--seed', '9', '--run', 'sgd lr=0.1 momentum=0.9 clip=1 clipvalue=0.5 seed=3',
      '--run', 'adam lr=3e-3 schedule=step:10:0.5 warmup=5');
    expect(a.doc.task.seed).toBe(9);
    const [sgd, adam] = a.doc.runs;
    expect(sgd).toMatchObject({ id: 'sgd', label: 'sgd lr=0.1 momentum=0.9 clip=1 clipvalue=0.5 seed=3', seed: 3, cell: 'gru', hiddenSize: 8, numLayers: 2, batch: 4, seqLen: 16, head: 'last' });
    expect(sgd.bptt).toEqual({ kind: 'truncated', k1: 4, episodeLength: 64 });
    expect(sgd.clip).toEqual({ maxNorm: 1, value: 0.5 });
    expect(sgd.optimizer).toMatchObject({ kind: 'sgd', lr: 0.1, momentum: 0.9 });
    expect(adam).toMatchObject({ id: 'adam', seed: 7, schedule: { kind: 'step', stepSize: 10, gamma: 0.5, warmup: 5 } });
  });

  it('help', () => {
    const r = parseRunnerArgs(['--hidden', '0', '--help'], read);
    expect('help' in r && r.help).toMatch(/^usage: npm run train -- \[EXPERIMENT.json\] \[options\]/);
    expect('help' in r && r.help).toContain('--hidden');
  });
});

describe('errors name the flag, the --run text or the file', () => {
  it('flags', () => {
    expect(errors('--hidden', '0')).toEqual(['--hidden must be an integer from 1 to 4096, got 0']);
    expect(errors('--lr', 'fast')).toEqual(['--lr must be a number > 0 and <= 100, got "fast"']);
    expect(errors('--bogus', '1')).toEqual(['unknown option --bogus; see --help']);
    expect(errors('--hidden')).toEqual(['--hidden needs a value; see --help']);
    expect(errors('--json=1')).toEqual(['--json takes no value']);
    expect(errors('--backend', 'tpu')).toEqual(['--backend must be webgpu or cpu, got tpu']);
    expect(errors('--kernels', 'fused')).toEqual(['--kernels must be auto, per-step, looping, got fused']);
    expect(errors('--every', '0')).toEqual(['--every must be an integer >= 1, got 0']);
    expect(errors('--diagnostics', '0')).toEqual(['--diagnostics must be an integer >= 1, got 0']);
    expect(errors('--dropout', '1')).toEqual(['--dropout must be a number >= 0 and < 1, got 1']);
  });

  it('--run strings', () => {
    expect(errors('--run', 'adam lr=-1')).toEqual(['--run "adam lr=-1": lr must be a number > 0 and <= 100, got -1']);
    expect(errors('--run', 'lion lr=1')[0]).toBe('--run "lion lr=1": the first word must be an optimizer, one of sgd, rmsprop, adam, adamw');
    expect(errors('--run', 'sgd lr')).toEqual(['--run "sgd lr": "lr" is not key=value']);
    expect(errors('--run', 'sgd schedule=weekly')[0]).toMatch(/^--run "sgd schedule=weekly": schedule must be constant/);
    expect(errors('--run', 'adam momentum=0.9')[0]).toBe(
      '--run "adam momentum=0.9": momentum does not apply when optimizer.kind is "adam" (only for sgd, rmsprop)',
    );
  });

  it('files', () => {
    expect(errors('bad.json')).toEqual(['bad.json: runs[0].hiddenSize must be an integer from 1 to 4096, got 0']);
    expect(errors('junk.json')[0]).toMatch(/^junk.json: the file is not JSON/);
    expect(errors('none.json')).toEqual(['none.json: cannot read it (ENOENT)']);
    expect(errors('exp.json', 'bad.json')).toEqual(['one experiment file at a time, got exp.json, bad.json']);
  });
});
