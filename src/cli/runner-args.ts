/**
 * The headless runner's command line: an experiment file, a preset (`--preset NAME`) or the
 * default experiment, then flags that override its settings. Setting flags come from the field
 * table (`--hidden 64` sets every run's hidden size, `--noise 0.2` the task's, `--steps` the
 * budget), and `--run "KIND key=value ..."` replaces the runs, its keys being the same flag names.
 * Pure: the file is read through the function it is given. Every problem names the flag, the
 * --run text or the file and field.
 */
import { KERNEL_POLICIES, LOOPING_MAX_HIDDEN, type KernelPolicy } from '../model/kernel-path';
import { DEFAULT_EXPERIMENT_JSON } from '../config/default-experiment';
import type { ExperimentDoc } from '../config/experiment';
import type { FieldDef, FieldIssue } from '../config/field';
import { isObject, parseExperiment } from '../config/parse';
import { getPath, setPath } from '../config/normalize-scope';
import { FIELDS } from '../config/table';
import { openExperimentFile } from '../experiments/export-file';
import { PRESETS, PRESET_NAMES, type Preset } from '../data/presets';
import { DEFAULT_TEMPERATURE } from '../data/sample-model';
import type { BackendKind } from '../training/trainer';
import { OPTIMIZER_KINDS } from '../training/optimizers';

export class ArgsError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
    this.name = 'ArgsError';
  }
}

export interface RunnerArgs {
  doc: ExperimentDoc;
  /** The experiment file, "preset NAME", or "the default experiment". */
  source: string;
  /** The preset started from (its data file, if any, is the task's data). */
  preset?: Preset;
  steps: number;
  every: number;
  json: boolean;
  saveWeights?: string;
  /** Write every run's metrics as CSV here at the end. */
  csv?: string;
  /** Write the experiment as a PyTorch script here instead of training. */
  exportTorch?: string;
  keepGoing: boolean;
  backend: BackendKind;
  /** The recurrent kernels on webgpu (src/model/kernel-path.ts): auto, per-step or looping. */
  kernels: KernelPolicy;
  /** Steps between per-timestep gradient norms (gradThroughTime in --json); 0: never. */
  diagnostics: number;
  /** Characters to sample from each run after training (charlm only); 0 none. */
  sample: number;
  temperature: number;
}

type Json = Record<string, unknown>;

/** Runner options that are not settings of the experiment. */
const OPTIONS: Record<string, { value: boolean; doc: string }> = {
  every: { value: true, doc: 'print every N steps (default 20; every step with --json)' },
  json: { value: false, doc: 'one JSON object per printed step, then a closing line' },
  'save-weights': { value: true, doc: 'write <run id>.safetensors per run into DIR at the end' },
  csv: { value: true, doc: 'write every run\'s metrics of every step to FILE as CSV at the end' },
  'export-torch': { value: true, doc: 'write the experiment as a PyTorch script to FILE and exit without training' },
  'keep-going': { value: false, doc: 'when a run diverges, train the others on (exit 3 at the end) instead of stopping' },
  backend: { value: true, doc: 'webgpu (default; falls back to cpu with a notice when no adapter comes up) or cpu' },
  kernels: { value: true, doc: `the recurrent kernels on webgpu: ${KERNEL_POLICIES.join(', ')} (default auto; looping runs all timesteps of a layer in one dispatch, for hidden sizes up to ${LOOPING_MAX_HIDDEN} without a norm inside the cell)` },
  diagnostics: { value: true, doc: 'every N steps, the norm of dLoss/dh_t per layer and timestep (gradThroughTime [layer][t]), gate saturation (gateSaturation, LSTM and GRU), each weight_hh\'s spectral norm (spectralNorm [layer]), weight and gradient histograms per tensor (histograms), and at steps that also evaluate validation example 0 (validationExample) and classification confusion counts (confusion) in --json' },
  run: { value: true, doc: 'a run "KIND key=value ...", repeatable; replaces the experiment\'s runs' },
  preset: { value: true, doc: 'start from a task preset instead of a file (see --list-presets); flags apply over it' },
  'list-presets': { value: false, doc: 'list the presets and what each shows' },
  sample: { value: true, doc: 'after training, print N characters sampled from each run (task charlm)' },
  temperature: { value: true, doc: `softmax temperature of --sample (default ${DEFAULT_TEMPERATURE}; 0 takes the likeliest character)` },
  help: { value: false, doc: 'this text' },
};

/** Keys today's --run strings accept besides the flags, and the flag each means. */
const RUN_KEY_ALIASES: Record<string, string> = { seed: 'init-seed', clipvalue: 'clip-value' };
const SCHEDULE_FORMS = 'constant, step:SIZE:GAMMA, exp:GAMMA or cos:TMAX[:ETAMIN]';
/** Runs made by --run share their initial weights unless one names its own seed (DESIGN decision 5). */
const RUN_DEFAULTS = { seed: 7 };
/** The field table's longest label; a longer --run string is shortened for its label, not refused. */
const LABEL_MAX = FIELDS.find((f) => f.scope === 'run' && f.path === 'label')?.maxLength ?? 60;
const labelOf = (words: string[]) => {
  const text = words.join(' ');
  return text.length <= LABEL_MAX ? text : `${text.slice(0, LABEL_MAX - 1)}…`;
};

const flagged = FIELDS.filter((f) => f.flag);
const flagDefs = (flag: string) => flagged.filter((f) => f.flag === flag);

export function usage(): string {
  const rows = (scope: FieldDef['scope']) =>
    [...new Map(flagged.filter((f) => f.scope === scope).map((f) => [f.flag!, f])).values()]
      .map((f) => `  --${f.flag!.padEnd(13)} ${f.label}: ${f.doc}`);
  return [
    'usage: npm run train -- [EXPERIMENT.json] [options]',
    '',
    'Trains an experiment file (every run group, in lockstep) in Node on the browser\'s engine and prints each',
    'run\'s loss and gradient norm every N steps. Without a file: the playground\'s default experiment.',
    '',
    'options:',
    ...Object.entries(OPTIONS).map(([k, o]) => `  --${(k + (o.value ? ' V' : '')).padEnd(13)} ${o.doc}`),
    '',
    'experiment settings:',
    ...rows('experiment'),
    'task settings:',
    ...rows('task'),
    'run settings (for every run; inside --run "KIND ..." as key=value, KIND one of ' + OPTIMIZER_KINDS.join(', ') + '):',
    ...rows('run'),
    '  (in --run also: seed=N for init-seed, clipvalue=V, schedule=' + SCHEDULE_FORMS + ')',
    '',
    'example: npm run train -- --cell gru --run "adam lr=0.01" --run "adam lr=0.01 clip=1" --steps 300',
    '         npm run train -- --preset charlm --backend cpu --sample 300',
    'exit: 0 done, 2 bad options or experiment, 3 a run diverged, 1 anything else',
  ].join('\n');
}

/** What --list-presets prints: each preset's name and description. */
function presetList(): string {
  const width = Math.max(...PRESET_NAMES.map((n) => n.length)) + 2;
  return [
    'presets (npm run train -- --preset NAME [options]):',
    ...Object.values(PRESETS).map((p) => `  ${p.name.padEnd(width)}${p.description}`),
  ].join('\n');
}

/** --sample N and --temperature T, checked; sampling needs a character model. */
function sampleArgs(values: ReadonlyMap<string, string>, taskKind: string): { sample: number; temperature: number } {
  const sampleText = values.get('sample');
  const temperatureText = values.get('temperature');
  const sample = sampleText === undefined ? 0 : Number(sampleText);
  const temperature = temperatureText === undefined ? DEFAULT_TEMPERATURE : Number(temperatureText);
  const errors: string[] = [];
  if (!Number.isSafeInteger(sample) || sample < 0 || sample > 100_000) errors.push(`--sample must be an integer from 0 to 100000, got ${sampleText}`);
  if (!(temperature >= 0 && temperature <= 100)) errors.push(`--temperature must be a number from 0 to 100, got ${temperatureText}`);
  else if (temperatureText !== undefined && sample === 0) errors.push('--temperature needs --sample N');
  if (sample > 0 && taskKind !== 'charlm') errors.push(`--sample needs a charlm task, got ${taskKind}`);
  if (errors.length > 0) throw new ArgsError(errors);
  return { sample, temperature };
}

/** Text as the value a field wants; text that is not one stays text, so the message quotes it. */
function typed(def: FieldDef, text: string): unknown {
  if (def.type === 'int' || def.type === 'number') {
    return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : text;
  }
  if (def.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** The def a flag sets in `obj` (several task kinds share `--seed`: the one of the current kind). */
function defFor(flag: string, scope: FieldDef['scope'], obj: Json): FieldDef | undefined {
  const defs = flagDefs(flag).filter((d) => d.scope === scope);
  return defs.find((d) => !d.when || d.when.is.includes(getPath(obj, d.when.path) as never)) ?? defs[0];
}

interface Origin {
  /** Where a path's value came from, for messages: `--hidden`, or `--run "..."` and its key. */
  flag?: string;
  run?: { text: string; key: string };
}

function parseSchedule(text: string): Json | null {
  const [kind, ...a] = text.split(':');
  const n = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : s);
  if (kind === 'constant' && a.length === 0) return { kind: 'constant' };
  if (kind === 'step' && a.length === 2) return { kind: 'step', stepSize: n(a[0]), gamma: n(a[1]) };
  if (kind === 'exp' && a.length === 1) return { kind: 'exponential', gamma: n(a[0]) };
  if (kind === 'cos' && (a.length === 1 || a.length === 2)) return { kind: 'cosine', tMax: n(a[0]), ...(a[1] ? { etaMin: n(a[1]) } : {}) };
  return null;
}

/** One --run string as a run object; shape errors go to `errors`, ranges are checked later. */
function runFromText(text: string, id: string, errors: string[], origins: Map<string, Origin>, index: number): Json | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const where = `--run "${text}"`;
  if (words.length === 0 || !OPTIMIZER_KINDS.includes(words[0] as never)) {
    errors.push(`${where}: the first word must be an optimizer, one of ${OPTIMIZER_KINDS.join(', ')}`);
    return null;
  }
  const run: Json = { id, label: labelOf(words), ...RUN_DEFAULTS, optimizer: { kind: words[0] } };
  const seen = new Set<string>();
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    const key = eq > 0 ? word.slice(0, eq) : '';
    const value = word.slice(eq + 1);
    if (eq <= 0 || value === '') {
      errors.push(`${where}: "${word}" is not key=value`);
    } else if (seen.has(key)) {
      errors.push(`${where}: ${key} given twice`);
    } else if (key === 'schedule') {
      const s = parseSchedule(value);
      if (s) run.schedule = { ...(run.schedule as Json), ...s };
      else errors.push(`${where}: schedule must be ${SCHEDULE_FORMS}, got ${value}`);
    } else {
      const def = defFor(RUN_KEY_ALIASES[key] ?? key, 'run', run);
      if (!def) {
        const keys = [...new Set(flagged.filter((f) => f.scope === 'run').map((f) => f.flag))].join(', ');
        errors.push(`${where}: unknown key ${key}; use ${keys}, seed, clipvalue or schedule`);
      } else {
        setPath(run, def.path, typed(def, value));
        origins.set(`runs[${index}].${def.path}`, { run: { text, key } });
      }
    }
    seen.add(key);
  }
  return run;
}

/** A field problem in the words of the command line. */
function inFlags(issue: FieldIssue, origins: Map<string, Origin>, source: string): string {
  const origin = origins.get(issue.path);
  const rest = issue.message.slice(issue.path.length);
  if (origin?.flag) return `${origin.flag}${rest}`;
  if (origin?.run) return `--run "${origin.run.text}": ${origin.run.key}${rest}`;
  return `${source}: ${issue.message}`;
}

export function parseRunnerArgs(argv: readonly string[], readFile: (path: string) => string): RunnerArgs | { help: string } {
  const values = new Map<string, string>();
  const runTexts: string[] = [];
  const switches = new Set<string>();
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      switches.add('help');
      continue;
    }
    if (!arg.startsWith('--')) {
      files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const option = OPTIONS[name];
    if (option && !option.value) {
      if (eq >= 0) throw new ArgsError([`--${name} takes no value`]);
      switches.add(name);
      continue;
    }
    if (!option && flagDefs(name).length === 0) throw new ArgsError([`unknown option --${name}; see --help`]);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new ArgsError([`--${name} needs a value; see --help`]);
    if (name === 'run') runTexts.push(value);
    else if (values.has(name)) throw new ArgsError([`--${name} given twice`]);
    else values.set(name, value);
  }
  if (switches.has('help')) return { help: usage() };
  if (switches.has('list-presets')) return { help: presetList() }; // text to print instead of training, like --help
  if (files.length > 1) throw new ArgsError([`one experiment file at a time, got ${files.join(', ')}`]);
  const presetName = values.get('preset');
  if (presetName !== undefined && files[0]) throw new ArgsError([`--preset ${presetName} and ${files[0]}: give a preset or a file, not both`]);
  const preset = presetName !== undefined && Object.hasOwn(PRESETS, presetName) ? PRESETS[presetName] : undefined;
  if (presetName !== undefined && !preset) throw new ArgsError([`--preset must be one of ${PRESET_NAMES.join(', ')}, got ${presetName}`]);

  const errors: string[] = [];
  const source = files[0] ?? (preset ? `preset ${preset.name}` : 'the default experiment');
  let json: Json = structuredClone((preset?.json ?? DEFAULT_EXPERIMENT_JSON) as Json);
  if (files[0]) {
    let text: string;
    try {
      text = readFile(files[0]);
    } catch (e) {
      throw new ArgsError([`${files[0]}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
    }
    const opened = openExperimentFile(text, Buffer.byteLength(text));
    if (!opened.doc) throw new ArgsError(opened.issues.map((i) => `${files[0]}: ${i.message}`));
    json = opened.doc as unknown as Json;
  }

  const origins = new Map<string, Origin>();
  const set = (obj: Json, def: FieldDef, text: string, at: string) => {
    setPath(obj, def.path, typed(def, text));
    origins.set(`${at}${def.path}`, { flag: `--${def.flag}` });
  };
  const task: Json = isObject(json.task) ? { ...json.task } : {};
  if (values.has('task') && values.get('task') !== task.kind) {
    for (const key of Object.keys(task)) delete task[key]; // another task: its own defaults
    set(task, flagDefs('task')[0], values.get('task')!, 'task.');
  }
  for (const [flag, text] of values) {
    const def = defFor(flag, 'task', task);
    if (def && flag !== 'task') set(task, def, text, 'task.');
    const top = defFor(flag, 'experiment', json);
    if (top) set(json, top, text, '');
  }
  json.task = task;
  if (runTexts.length > 0) {
    const ids = new Map<string, number>();
    json.runs = runTexts.flatMap((text, index) => {
      const kind = text.trim().split(/\s+/)[0] || 'run';
      const n = (ids.get(kind) ?? 0) + 1;
      ids.set(kind, n);
      const run = runFromText(text, n === 1 ? kind : `${kind}-${n}`, errors, origins, index);
      return run ? [run] : [];
    });
  }
  const runs = (json.runs as Json[]).map((r) => structuredClone(r));
  runs.forEach((run, index) => {
    for (const [flag, text] of values) {
      const def = defFor(flag, 'run', run);
      if (def) set(run, def, text, `runs[${index}].`);
    }
    // Today's --tbptt K1 --episode LEN mean truncated BPTT without saying so.
    if ((values.has('tbptt') || values.has('episode')) && !values.has('bptt')) (run.bptt as Json).kind = 'truncated';
  });
  json.runs = runs;
  if (errors.length > 0) throw new ArgsError(errors);

  const parsed = parseExperiment(json);
  // A flag set on every run fails once per run with the same words: say it once.
  if (!parsed.doc) throw new ArgsError([...new Set(parsed.issues.map((i) => inFlags(i, origins, source)))]);
  // --json prints every step unless told otherwise; the table every 20.
  const every = values.has('every') ? Number(values.get('every')) : switches.has('json') ? 1 : 20;
  if (!Number.isSafeInteger(every) || every < 1) throw new ArgsError([`--every must be an integer >= 1, got ${values.get('every')}`]);
  const backend = values.get('backend') ?? 'webgpu';
  if (backend !== 'webgpu' && backend !== 'cpu') throw new ArgsError([`--backend must be webgpu or cpu, got ${backend}`]);
  const kernels = values.get('kernels') ?? 'auto';
  if (!KERNEL_POLICIES.includes(kernels as KernelPolicy)) {
    throw new ArgsError([`--kernels must be ${KERNEL_POLICIES.join(', ')}, got ${kernels}`]);
  }
  const diagnostics = values.has('diagnostics') ? Number(values.get('diagnostics')) : 0;
  if (values.has('diagnostics') && (!Number.isSafeInteger(diagnostics) || diagnostics < 1)) {
    throw new ArgsError([`--diagnostics must be an integer >= 1, got ${values.get('diagnostics')}`]);
  }
  const { sample, temperature } = sampleArgs(values, parsed.doc.task.kind);
  return {
    doc: parsed.doc,
    source,
    preset,
    steps: parsed.doc.budget > 0 ? parsed.doc.budget : 200,
    every,
    json: switches.has('json'),
    saveWeights: values.get('save-weights'),
    exportTorch: values.get('export-torch'),
    csv: values.get('csv'),
    keepGoing: switches.has('keep-going'),
    backend,
    kernels: kernels as KernelPolicy,
    diagnostics,
    sample,
    temperature,
  };
}
