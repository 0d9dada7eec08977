// The runner's presets and sampling: --preset NAME (flags over it, an unknown name answered with
// the known ones, a preset's CSV handed to its task), --list-presets, and --sample N with
// --temperature T after training a charlm run; parsed in this thread, then end to end by
// spawning the runner on the cpu with tiny settings.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeSourceCorpus } from '../data/corpus/source-corpus-node';
import { PRESETS, presetExperiment } from '../data/presets';
import { TASKS } from '../data/tasks';
import type { CharLmTask } from '../data/tasks/charlm';
import { ArgsError, parseRunnerArgs, type RunnerArgs } from './runner-args';

const noFiles = (): string => {
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};

function parse(...argv: string[]): RunnerArgs {
  const r = parseRunnerArgs(argv, noFiles);
  if ('help' in r) throw new Error('expected options, got text');
  return r;
}

function errors(...argv: string[]): string[] {
  try {
    parseRunnerArgs(argv, noFiles);
  } catch (e) {
    if (e instanceof ArgsError) return e.messages;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

function train(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'src/cli/train.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('runner presets and sampling, parsed', () => {
  it('--preset starts from the preset, its budget the steps, flags over it', () => {
    const a = parse('--preset', 'adding');
    expect(a.doc).toEqual(presetExperiment(PRESETS.adding));
    expect(a).toMatchObject({ source: 'preset adding', steps: a.doc.budget, sample: 0 });
    expect(a.preset?.name).toBe('adding');
    const b = parse('--preset', 'adding', '--hidden', '8', '--steps', '30');
    expect(b.doc.runs.map((r) => r.hiddenSize)).toEqual([8, 8]);
    expect(b.steps).toBe(30);
  });

  it('names the known presets for an unknown one, and refuses a preset with a file', () => {
    expect(errors('--preset', 'sinus')).toEqual(['--preset must be one of sine, adding, copy, parity, reber, charlm, classify, series, got sinus']);
    expect(errors('--preset', 'constructor')).toHaveLength(1);
    expect(errors('x.json', '--preset', 'sine')).toEqual(['--preset sine and x.json: give a preset or a file, not both']);
  });

  it('--sample N with --temperature T (default 0.8) for a charlm task only', () => {
    expect(parse('--preset', 'charlm', '--sample', '50')).toMatchObject({ sample: 50, temperature: 0.8 });
    expect(parse('--preset', 'charlm', '--sample', '5', '--temperature', '0')).toMatchObject({ sample: 5, temperature: 0 });
    expect(errors('--preset', 'sine', '--sample', '5')).toEqual(['--sample needs a charlm task, got sine']);
    expect(errors('--preset', 'charlm', '--sample', '-1', '--temperature', 'hot')).toEqual([
      '--sample must be an integer from 0 to 100000, got -1', '--temperature must be a number from 0 to 100, got hot']);
    expect(errors('--preset', 'charlm', '--temperature', '1')).toEqual(['--temperature needs --sample N']);
  });

  it('--list-presets gives every preset with its description', () => {
    const r = parseRunnerArgs(['--list-presets'], noFiles);
    if (!('help' in r)) throw new Error('expected text');
    for (const p of Object.values(PRESETS)) expect(r.help).toContain(`  ${p.name.padEnd(10)}${p.description}`);
  });
});

describe('runner presets and sampling, end to end', () => {
  it('lists the presets and exits 0; an unknown one exits 2 naming the known ones', () => {
    const list = train('--list-presets');
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^presets \(npm run train -- --preset NAME \[options\]\):\n {2}sine {6}\S/);
    const bad = train('--preset', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--preset must be one of sine, adding,');
  }, 60_000);

  it('trains a tiny charlm preset and prints a sample of N characters of its vocabulary before the closing line', async () => {
    const r = train('--preset', 'charlm', '--backend', 'cpu', '--steps', '20', '--hidden', '8', '--seq', '8', '--batch', '4',
      '--eval-every', '10', '--json', '--every', '10', '--sample', '60', '--temperature', '0.5');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((o) => Object.keys(o)[0])).toEqual(['step', 'step', 'sample', 'done']);
    const { sample } = lines[2];
    expect(sample).toMatchObject({ id: 'lstm', temperature: 0.5, seed: 7 });
    expect(Array.from(sample.text as string)).toHaveLength(60);
    const task = TASKS.charlm.create({ kind: 'charlm', corpus: 'source' }, { kind: 'text', text: await nodeSourceCorpus() }) as CharLmTask;
    expect(task.decode(task.encode(sample.text))).toBe(sample.text);
    expect(lines[3]).toMatchObject({ done: true, steps: 20, backend: 'the cpu', task: { kind: 'charlm', metric: 'bits per character' } });
    expect(lines[3].task.baseline).toBeGreaterThan(4);
    expect(lines[3].runs[0].metric).toBeGreaterThan(0);
  }, 60_000);

  it('trains the series preset on its shipped CSV and prints the table', () => {
    const r = train('--preset', 'series', '--backend', 'cpu', '--steps', '10', '--every', '5', '--eval-every', '10');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+LSTM 8 Adam lr 0\.005\s+LSTM 32 Adam lr 0\.005$/);
    expect(lines.slice(2, 4).map((l) => l.trim().split(/\s+/)[0])).toEqual(['5', '10']);
    expect(lines[4]).toMatch(/^LSTM 8 Adam lr 0\.005: validation loss \S+, MSE \S+ \(baseline 0\.5\d+\)$/);
    expect(lines.at(-1)).toMatch(/^10 steps in \S+ s: \S+ steps\/s on the cpu$/);
  }, 60_000);
});
