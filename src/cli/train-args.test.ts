// The headless trainer's options: defaults, each flag, --run strings and schedules, and the exact
// wording of every kind of error (flag or run string first, then what is allowed).
import { describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import { DEFAULT_SPEC } from '../experiments/default-session';
import { ArgsError, parseTrainArgs, type TrainArgs } from './train-args';

function parse(...argv: string[]): TrainArgs {
  const r = parseTrainArgs(argv);
  if ('help' in r) throw new Error('expected options, got help');
  return r;
}

function errors(...argv: string[]): string[] {
  try {
    parseTrainArgs(argv);
  } catch (e) {
    if (e instanceof ArgsError) return e.messages;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

const run = (text: string) => parse('--run', text).spec.runs[0];

describe('parseTrainArgs', () => {
  it('defaults to the playground experiment, 200 steps, a row every 20, a table', () => {
    const { spec, steps, every, json } = parse();
    expect({ steps, every, json }).toEqual({ steps: 200, every: 20, json: false });
    const { label: _, ...rest } = spec;
    const { label: __, ...defaults } = DEFAULT_SPEC;
    expect(rest).toEqual(defaults);
    expect(spec.runs.map((r) => r.label)).toEqual(['Adam lr 0.01', 'SGD lr 0.1']);
  });

  it('reads every shape and loop option, as "--flag value" or "--flag=value"', () => {
    const a = parse('--cell', 'gru', '--hidden', '8', '--layers=2', '--batch', '4', '--seq', '16', '--head', 'last',
      '--steps', '30', '--every=10', '--tbptt', '4', '--episode', '64', '--seed', '9', '--json');
    expect(a.spec).toMatchObject({ cell: 'gru', hiddenSize: 8, numLayers: 2, batch: 4, seqLen: 16, head: 'last' });
    expect(a.spec.bptt).toEqual({ kind: 'truncated', k1: 4, episodeLength: 64 });
    expect((a.spec.task as SineTask).options.seed).toBe(9);
    expect({ steps: a.steps, every: a.every, json: a.json }).toEqual({ steps: 30, every: 10, json: true });
  });

  it('returns the usage for --help and -h, whatever else is given', () => {
    for (const argv of [['--help'], ['-h'], ['--hidden', '0', '--help']]) {
      const r = parseTrainArgs(argv);
      expect('help' in r && r.help).toMatch(/^usage: npm run train -- \[options\]/);
    }
  });
});

describe('--run strings', () => {
  it('takes the optimizer and every key, with the init seed shared by default', () => {
    const r = run('sgd lr=0.1 momentum=0.9 dampening=0 nesterov=true wd=1e-4');
    expect(r).toMatchObject({ id: 'sgd', label: 'sgd lr=0.1 momentum=0.9 dampening=0 nesterov=true wd=1e-4', seed: 7 });
    expect(r.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-4 });
    expect(run('rmsprop lr=0.01 alpha=0.9 eps=1e-6 centered=false').optimizer)
      .toEqual({ kind: 'rmsprop', lr: 0.01, alpha: 0.9, eps: 1e-6, centered: false });
    expect(run('adamw lr=3e-3 beta1=0.8 beta2=0.99 clip=1 clipvalue=0.5 seed=3')).toMatchObject({
      optimizer: { kind: 'adamw', lr: 3e-3, beta1: 0.8, beta2: 0.99 }, clip: { maxNorm: 1, value: 0.5 }, seed: 3,
    });
  });

  it("uses torch's default learning rate where there is one", () => {
    expect(run('adam').optimizer.lr).toBe(1e-3);
    expect(run('rmsprop').optimizer.lr).toBe(1e-2);
  });

  it('parses each schedule form and the warmup', () => {
    const schedule = (s: string) => run(`adam schedule=${s}`).schedule.schedule;
    expect(schedule('constant')).toEqual({ kind: 'constant' });
    expect(schedule('step:10:0.5')).toEqual({ kind: 'step', stepSize: 10, gamma: 0.5 });
    expect(schedule('exp:0.99')).toEqual({ kind: 'exponential', gamma: 0.99 });
    expect(schedule('cos:100')).toEqual({ kind: 'cosine', tMax: 100, etaMin: 0 });
    expect(schedule('cos:100:1e-4')).toEqual({ kind: 'cosine', tMax: 100, etaMin: 1e-4 });
    expect(run('adam warmup=5').schedule).toEqual({ schedule: { kind: 'constant' }, warmup: 5 });
  });

  it('keeps runs in order with distinct ids', () => {
    const { spec } = parse('--run', 'adam lr=0.01', '--run', 'adam lr=0.01 clip=1', '--run', '  sgd   lr=0.1 ');
    expect(spec.runs.map((r) => [r.id, r.label])).toEqual([
      ['adam', 'adam lr=0.01'], ['adam-2', 'adam lr=0.01 clip=1'], ['sgd', 'sgd lr=0.1'],
    ]);
  });
});

describe('errors name the flag and what is allowed', () => {
  it('refuses unknown, repeated, valueless and stray arguments', () => {
    expect(errors('--foo')).toEqual(['unknown option --foo; see --help']);
    expect(errors('--hidden', '8', '--hidden', '9')).toEqual(['--hidden given twice']);
    expect(errors('--hidden')).toEqual(['--hidden needs a value; see --help']);
    expect(errors('--hidden', '--json')).toEqual(['--hidden needs a value; see --help']);
    expect(errors('--hidden=')).toEqual(['--hidden needs a value; see --help']);
    expect(errors('--json=1')).toEqual(['--json takes no value']);
    expect(errors('lstm')).toEqual(['unexpected argument "lstm"; options start with -- (see --help)']);
  });

  it('words the schema checks in flags, reporting every problem at once', () => {
    expect(errors('--hidden', '0', '--layers', '9', '--batch', 'x', '--seq', '2.5', '--cell', 'tcn', '--head', 'first')).toEqual([
      '--cell must be one of rnn_tanh, rnn_relu, lstm, gru, got tcn',
      '--hidden must be an integer from 1 to 4096, got 0',
      '--layers must be an integer from 1 to 8, got 9',
      '--batch must be an integer from 1 to 4096, got x',
      '--seq must be an integer from 1 to 4096, got 2.5',
      '--head must be "every" or "last", got first',
    ]);
  });

  it('checks the loop options and the data seed', () => {
    expect(errors('--steps', '0', '--every', 'ten', '--seed', '-1')).toEqual([
      '--steps must be an integer >= 1, got 0',
      '--every must be an integer >= 1, got ten',
      '--seed must be an integer from 0 to 4294967295, got -1',
    ]);
  });

  it('checks truncated BPTT against the window', () => {
    expect(errors('--tbptt', '4')).toEqual(['--tbptt and --episode go together: give both for truncated BPTT, neither for full BPTT']);
    expect(errors('--seq', '8', '--tbptt', '9', '--episode', '4')).toEqual([
      '--tbptt must be an integer from 1 to the window length 8, got 9',
      '--episode must be an integer >= the window length 8, got 4',
    ]);
  });

  it('refuses malformed run strings', () => {
    expect(errors('--run', '  ')).toEqual(['--run needs an optimizer and settings, e.g. --run "adam lr=0.01"']);
    expect(errors('--run', 'lamb lr=1')).toEqual(['--run "lamb lr=1": the first word must be an optimizer, one of sgd, rmsprop, adam, adamw, got lamb']);
    expect(errors('--run', 'adam lr', '--run', 'sgd lr=1 lr=2')).toEqual([
      '--run "adam lr": "lr" is not key=value',
      '--run "sgd lr=1 lr=2": lr given twice',
    ]);
    expect(errors('--run', 'adam foo=1')[0]).toMatch(/^--run "adam foo=1": unknown key foo; use lr, momentum, .*, schedule$/);
    expect(errors('--run', 'adam schedule=linear')).toEqual([
      '--run "adam schedule=linear": schedule must be constant, step:SIZE:GAMMA, exp:GAMMA or cos:TMAX[:ETAMIN], got linear',
    ]);
  });

  it("words the optimizer's checks with the run string and its keys", () => {
    expect(errors('--run', 'adam lr=x')).toEqual(['--run "adam lr=x": lr must be a number > 0, got x']);
    expect(errors('--run', 'sgd momentum=0.9')).toEqual(['--run "sgd momentum=0.9": lr is required, a number > 0']);
    const sgd = 'sgd lr=0.1 beta1=0.9 wd=-1 nesterov=yes';
    expect(errors('--run', sgd)).toEqual([
      `--run "${sgd}": beta1 does not apply to sgd, which takes lr, momentum, dampening, nesterov, wd`,
      `--run "${sgd}": wd must be a number >= 0, got -1`,
      `--run "${sgd}": nesterov must be true or false, got yes`,
    ]);
    expect(errors('--run', 'sgd lr=0.1 nesterov=true')).toEqual([
      '--run "sgd lr=0.1 nesterov=true": nesterov needs momentum > 0 and dampening 0 (as torch.optim.SGD), got momentum 0 and dampening 0',
    ]);
  });

  it('words the clip, seed and schedule checks, naming the right run', () => {
    const bad = 'adam clip=0 clipvalue=x seed=1.5 warmup=-2 schedule=step:0:2';
    expect(errors('--run', 'adam', '--run', bad, '--run', 'sgd lr=1 schedule=cos:x:y')).toEqual([
      `--run "${bad}": seed must be an integer from 0 to 4294967295, got 1.5`,
      `--run "${bad}": clip must be a number > 0 (leave it out for no clipping), got 0`,
      `--run "${bad}": clipvalue must be a number > 0 (leave it out for no clipping), got x`,
      `--run "${bad}": warmup must be an integer >= 0, got -2`,
      `--run "${bad}": schedule stepSize must be an integer >= 1, got 0`,
      `--run "${bad}": schedule gamma must be in (0, 1], got 2`,
      '--run "sgd lr=1 schedule=cos:x:y": schedule tMax must be an integer >= 1, got x',
      '--run "sgd lr=1 schedule=cos:x:y": schedule etaMin must be >= 0, got y',
    ]);
    expect(errors('--run', 'adam schedule=exp:1e999')).toEqual(['--run "adam schedule=exp:1e999": schedule gamma must be in (0, 1], got 1e999']);
  });

  it('caps the number of runs', () => {
    const argv = Array.from({ length: 65 }, () => ['--run', 'adam']).flat();
    expect(errors(...argv)).toEqual(['the number of --run options must be an integer from 1 to 64, got 65']);
  });
});
