/**
 * Command-line options of the headless trainer (`npm run train`), parsed into the same GroupSpec
 * the browser trains. Pure: no GPU, no process. A bad option becomes an ArgsError whose messages
 * name the flag (or the --run string) and what is allowed; checks the schema already makes are
 * left to validateGroupSpec, whose field names are swapped for the flags the user typed.
 */
import { SineTask } from '../data/tasks/sine';
import { DEFAULT_SPEC } from '../experiments/default-session';
import type { CellKind } from '../model/layout';
import type { BpttConfig } from '../training/bptt';
import { validateGroupSpec, type GroupSpec, type RunSpec } from '../training/group-spec';
import { OPTIMIZER_KINDS, OPTIMIZERS, type OptimizerConfig, type OptimizerKind } from '../training/optimizers';
import type { Schedule } from '../training/schedules';

export class ArgsError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
    this.name = 'ArgsError';
  }
}

export interface TrainArgs {
  spec: GroupSpec;
  steps: number;
  every: number;
  json: boolean;
}

export const USAGE = `usage: npm run train -- [options]

Trains one run group on the GPU in Node (SwiftShader when there is none) with the browser's code,
printing loss and gradient norm per run every N steps. Defaults are the playground's experiment:
an LSTM on the noisy sine task, Adam lr 0.01 against SGD lr 0.1, full BPTT.

  --cell rnn_tanh|rnn_relu|lstm|gru   cell kind (lstm)
  --hidden N        hidden size, 1 to 4096 (32)
  --layers N        stacked layers, 1 to 8 (1)
  --batch N         sequences per batch, 1 to 4096 (16)
  --seq N           timesteps per window, 1 to 4096 (32)
  --head every|last loss on every timestep or the last only (every)
  --tbptt K1 --episode LEN
                    truncated BPTT: windows of --seq steps advancing K1 through episodes of LEN
  --seed N          data seed, 0 to 4294967295 (1)
  --steps N         training steps (200)
  --every N         print every N steps (20)
  --run "KIND key=value ..."
                    one run, repeatable (default: "adam lr=0.01" and "sgd lr=0.1")
                    KIND: sgd, rmsprop, adam, adamw
                    keys: lr, momentum, dampening, nesterov=true|false, wd, alpha, eps,
                          centered=true|false, beta1, beta2, clip (max grad norm),
                          clipvalue, seed (init, default 7), warmup (steps),
                          schedule=constant|step:SIZE:GAMMA|exp:GAMMA|cos:TMAX[:ETAMIN]
  --json            one JSON object per printed step instead of a table
  --help            this text

example: npm run train -- --cell gru --run "adam lr=0.01" --run "adam lr=0.01 clip=1"`;

const VALUE_FLAGS = new Set(['cell', 'hidden', 'layers', 'batch', 'seq', 'head', 'steps', 'every', 'tbptt', 'episode', 'seed', 'run']);
const SWITCHES = new Set(['json', 'help']);

/** --run keys that are optimizer fields, with the field each sets. */
const OPTIMIZER_KEYS: Record<string, keyof OptimizerConfig> = {
  lr: 'lr', momentum: 'momentum', dampening: 'dampening', nesterov: 'nesterov', wd: 'weightDecay',
  alpha: 'alpha', eps: 'eps', centered: 'centered', beta1: 'beta1', beta2: 'beta2',
};
const RUN_KEYS = [...Object.keys(OPTIMIZER_KEYS), 'clip', 'clipvalue', 'seed', 'warmup', 'schedule'];
const SCHEDULE_FORMS = 'constant, step:SIZE:GAMMA, exp:GAMMA or cos:TMAX[:ETAMIN]';
/** Runs share their initial weights unless a run names its own seed (DESIGN decision 5). */
const DEFAULT_INIT_SEED = 7;

/** Spec fields validateGroupSpec names, and the flags that set them. */
const FLAG_OF_FIELD: [string, string][] = [
  ['hiddenSize', '--hidden'], ['numLayers', '--layers'], ['batch', '--batch'], ['seqLen', '--seq'],
  ['cell', '--cell'], ['head', '--head'], ['bptt.k1', '--tbptt'], ['bptt.episodeLength', '--episode'],
  ['runs.length', 'the number of --run options'],
];

/**
 * A number where the text is one; otherwise the text itself, typed as a number so it can ride in
 * the spec as far as the validators, whose messages then quote what the user typed.
 */
function num(text: string): number {
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  return (Number.isFinite(n) ? n : text) as number;
}

function bool(text: string): boolean {
  return (text === 'true' ? true : text === 'false' ? false : text) as boolean;
}

function checkInt(errors: string[], flag: string, text: string, lo: number, hi: number): number {
  const n = num(text);
  if (!Number.isSafeInteger(n) || n < lo || n > hi) {
    errors.push(`${flag} must be an integer ${hi === Number.MAX_SAFE_INTEGER ? `>= ${lo}` : `from ${lo} to ${hi}`}, got ${text}`);
  }
  return n;
}

function parseSchedule(text: string): Schedule | null {
  const [kind, ...args] = text.split(':');
  if (kind === 'constant' && args.length === 0) return { kind: 'constant' };
  if (kind === 'step' && args.length === 2) return { kind: 'step', stepSize: num(args[0]), gamma: num(args[1]) };
  if (kind === 'exp' && args.length === 1) return { kind: 'exponential', gamma: num(args[0]) };
  if (kind === 'cos' && (args.length === 1 || args.length === 2)) {
    return { kind: 'cosine', tMax: num(args[0]), etaMin: args.length === 2 ? num(args[1]) : 0 };
  }
  return null;
}

/** One `--run` string as a RunSpec; its shape errors go to `errors`, ranges are checked later. */
function parseRun(text: string, id: string, errors: string[]): RunSpec | null {
  const where = `--run "${text}"`;
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) {
    errors.push(`--run needs an optimizer and settings, e.g. --run "adam lr=0.01"`);
    return null;
  }
  const kind = words[0] as OptimizerKind;
  if (!OPTIMIZER_KINDS.includes(kind)) {
    errors.push(`${where}: the first word must be an optimizer, one of ${OPTIMIZER_KINDS.join(', ')}, got ${words[0]}`);
    return null;
  }
  const optimizer: Record<string, unknown> = { kind };
  const run: RunSpec = {
    id, label: words.join(' '), seed: DEFAULT_INIT_SEED, optimizer: optimizer as unknown as OptimizerConfig,
    clip: {}, schedule: { schedule: { kind: 'constant' }, warmup: 0 },
  };
  const seen = new Set<string>();
  let ok = true;
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    const key = eq > 0 ? word.slice(0, eq) : '';
    const value = word.slice(eq + 1);
    if (eq <= 0 || value === '') {
      errors.push(`${where}: "${word}" is not key=value`);
      ok = false;
    } else if (seen.has(key)) {
      errors.push(`${where}: ${key} given twice`);
      ok = false;
    } else if (key in OPTIMIZER_KEYS) {
      optimizer[OPTIMIZER_KEYS[key]] = key === 'nesterov' || key === 'centered' ? bool(value) : num(value);
    } else if (key === 'clip') {
      run.clip.maxNorm = num(value);
    } else if (key === 'clipvalue') {
      run.clip.value = num(value);
    } else if (key === 'seed') {
      run.seed = num(value);
    } else if (key === 'warmup') {
      run.schedule.warmup = num(value);
    } else if (key === 'schedule') {
      const schedule = parseSchedule(value);
      if (schedule) run.schedule.schedule = schedule;
      else {
        errors.push(`${where}: schedule must be ${SCHEDULE_FORMS}, got ${value}`);
        ok = false;
      }
    } else {
      errors.push(`${where}: unknown key ${key}; use ${RUN_KEYS.join(', ')}`);
      ok = false;
    }
    seen.add(key);
  }
  // torch's default learning rate where it has one; SGD has none, so validateOptimizer asks for it
  if (optimizer.lr === undefined && OPTIMIZERS[kind].defaultLr !== undefined) optimizer.lr = OPTIMIZERS[kind].defaultLr;
  return ok ? run : null;
}

/** The --run key a validateGroupSpec field under runs[i] came from. */
function runKey(section: string, key: string | undefined): string {
  if (section === 'optimizer') return Object.keys(OPTIMIZER_KEYS).find((k) => OPTIMIZER_KEYS[k] === key) ?? String(key);
  if (section === 'clip') return key === 'maxNorm' ? 'clip' : 'clipvalue';
  if (section === 'schedule') return key === 'warmup' ? 'warmup' : `schedule ${key}`;
  return section;
}

/** A validateGroupSpec message in the words of the command line. */
function inFlags(message: string, runTexts: string[]): string {
  const run = /^runs\[(\d+)\]\.(\w+)(?:\.(\w+))?(.*)$/s.exec(message);
  if (run) {
    const [, index, section, key, rest] = run;
    const wording = rest.replace(/\bweightDecay\b/g, 'wd').replace(/got "(.*)"$/, 'got $1');
    return `--run "${runTexts[Number(index)]}": ${runKey(section, key)}${wording}`;
  }
  const mapped = FLAG_OF_FIELD.find(([field]) => message.startsWith(`${field} `));
  return mapped ? mapped[1] + message.slice(mapped[0].length) : message;
}

/** Splits argv into flag values; refuses unknown, repeated and valueless options. */
function collect(argv: string[]): { values: Map<string, string>; runs: string[]; switches: Set<string> } {
  const values = new Map<string, string>();
  const runs: string[] = [];
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      switches.add('help');
      continue;
    }
    if (!arg.startsWith('--')) throw new ArgsError([`unexpected argument "${arg}"; options start with -- (see --help)`]);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (SWITCHES.has(name)) {
      if (eq >= 0) throw new ArgsError([`--${name} takes no value`]);
      switches.add(name);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new ArgsError([`unknown option --${name}; see --help`]);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new ArgsError([`--${name} needs a value; see --help`]);
    if (name === 'run') runs.push(value);
    else if (values.has(name)) throw new ArgsError([`--${name} given twice`]);
    else values.set(name, value);
  }
  return { values, runs, switches };
}

export function parseTrainArgs(argv: string[]): TrainArgs | { help: string } {
  const { values, runs: runTexts, switches } = collect(argv);
  if (switches.has('help')) return { help: USAGE };
  const errors: string[] = [];
  const given = (flag: string, fallback: number) => (values.has(flag) ? num(values.get(flag)!) : fallback);
  const steps = values.has('steps') ? checkInt(errors, '--steps', values.get('steps')!, 1, Number.MAX_SAFE_INTEGER) : 200;
  const every = values.has('every') ? checkInt(errors, '--every', values.get('every')!, 1, Number.MAX_SAFE_INTEGER) : 20;
  const task = values.has('seed') ? new SineTask({ seed: checkInt(errors, '--seed', values.get('seed')!, 0, 0xffffffff) }) : DEFAULT_SPEC.task;

  let bptt: BpttConfig = { kind: 'full' };
  if (values.has('tbptt') !== values.has('episode')) {
    errors.push('--tbptt and --episode go together: give both for truncated BPTT, neither for full BPTT');
  } else if (values.has('tbptt')) {
    bptt = { kind: 'truncated', k1: given('tbptt', 0), episodeLength: given('episode', 0) };
  }

  const runs: RunSpec[] = [];
  const ids = new Map<string, number>();
  for (const text of runTexts) {
    const kind = text.trim().split(/\s+/)[0] || 'run';
    const n = (ids.get(kind) ?? 0) + 1;
    ids.set(kind, n);
    const run = parseRun(text, n === 1 ? kind : `${kind}-${n}`, errors);
    if (run) runs.push(run);
  }
  if (errors.length > 0) throw new ArgsError(errors);

  const spec: GroupSpec = {
    ...DEFAULT_SPEC,
    label: `cli ${values.get('cell') ?? DEFAULT_SPEC.cell}`,
    cell: (values.get('cell') ?? DEFAULT_SPEC.cell) as CellKind,
    hiddenSize: given('hidden', DEFAULT_SPEC.hiddenSize),
    numLayers: given('layers', DEFAULT_SPEC.numLayers),
    batch: given('batch', DEFAULT_SPEC.batch),
    seqLen: given('seq', DEFAULT_SPEC.seqLen),
    head: (values.get('head') ?? DEFAULT_SPEC.head) as GroupSpec['head'],
    bptt,
    task,
    runs: runTexts.length > 0 ? runs : DEFAULT_SPEC.runs,
  };
  const invalid = validateGroupSpec(spec).map((m) => inFlags(m, runTexts));
  if (invalid.length > 0) throw new ArgsError(invalid);
  return { spec, steps, every, json: switches.has('json') };
}
