// The exported script as text: it compiles (python3 -m py_compile) for every task kind with a run
// of each cell, with embedded weights and with user data; it holds the experiment, says where each
// part is ported from and how to run it; data it needs but lacks, and weights that do not fit
// their run, are refused by name. The scripts' numbers are checked in torch-losses.test.ts.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { TASKS, type TaskData, type TaskKind } from '../data/tasks';
import { runLayout } from '../experiments/weights';
import { initParams } from '../model/init';
import { CELL_KINDS } from '../model/layout';
import { anyPython, PYTHON_TIMEOUT, runPython, tempFile } from './test-support';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportTorchScript, exportTorchScriptFrom, runInstructions, torchScriptFileName } from './torch-script';

const TASK_OPTIONS: Record<TaskKind, Record<string, unknown>> = {
  sine: { kind: 'sine', sines: 2 },
  adding: { kind: 'adding', length: 10 },
  copy: { kind: 'copy', symbols: 3, length: 2, delay: 2 },
  parity: { kind: 'parity', length: 6 },
  reber: { kind: 'reber', maxLength: 14 },
  charlm: { kind: 'charlm', corpus: 'brackets', corpusLength: 1000 },
  classify: { kind: 'classify', minLength: 4, maxLength: 8 },
  series: { kind: 'series', horizon: 1 },
};

const TEXT: TaskData = { kind: 'text', text: 'a "quoted" line\\\n'.repeat(10) };
const CSV: TaskData = { kind: 'series', columns: ['a', 'b'], rows: 30, values: Float64Array.from({ length: 60 }, (_, i) => Math.sin(i) * 3) };

/** An experiment with one run of every cell (a truncated one among them) on the task `kind`. */
function docFor(kind: TaskKind, task: Record<string, unknown> = TASK_OPTIONS[kind]) {
  const T = TASKS[kind].episodeLength(task as never) ?? 8;
  return readExperiment({
    version: 1,
    name: `every cell on ${kind}`,
    task,
    runs: CELL_KINDS.map((cell, i) => ({
      id: cell, label: `${cell} run`, cell, hiddenSize: 3 + i, numLayers: 1 + (i % 2), batch: 4, seqLen: T,
      bptt: i === 1 ? { kind: 'truncated', k1: Math.max(1, T - 2), episodeLength: 2 * T } : { kind: 'full' },
      optimizer: { kind: ['adam', 'sgd', 'rmsprop', 'adamw'][i] },
      schedule: { kind: ['constant', 'step', 'exponential', 'cosine'][i], warmup: i },
      clip: i % 2 === 0 ? { maxNorm: 1 } : { value: 0.5 },
    })),
  });
}

function compiles(python: string, name: string, script: string): void {
  const file = tempFile(name, script);
  runPython(python, ['-m', 'py_compile', file]);
}

it('the README shows the run instructions the script header gives', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  for (const line of runInstructions('experiment-torch.py')) expect(readme, line).toContain(line);
});

describe('exportTorchScript', () => {
  const python = anyPython();

  it.skipIf(!python).each(Object.keys(TASK_OPTIONS) as TaskKind[])('%s, a run of every cell: the script compiles', (kind) => {
    const data = kind === 'series' ? CSV : undefined;
    const doc = docFor(kind);
    const script = exportTorchScript(doc, { data });
    compiles(python!, `${kind}.py`, script);
    expect(script).toContain(`src/data/tasks/${kind}.ts`);
    for (const cell of CELL_KINDS) expect(script).toContain(`"cell": "${cell}"`);
  }, PYTHON_TIMEOUT);

  it.skipIf(!python)('the user\'s text and the source corpus are embedded; the script compiles', () => {
    for (const corpus of ['user', 'source']) {
      const script = exportTorchScript(docFor('charlm', { kind: 'charlm', corpus }), { data: TEXT });
      compiles(python!, `charlm-${corpus}.py`, script);
      expect(script).toContain('"a \\"quoted\\" line\\\\\\n"');
    }
  }, PYTHON_TIMEOUT);

  it.skipIf(!python)('embedded weights: every tensor by name, each float32 written so it reads back exactly', () => {
    const doc = docFor('sine');
    const run = doc.runs.find((r) => r.cell === 'rnn_tanh')!;
    const layout = runLayout(run, TASKS.sine.create(doc.task));
    const params = new Float32Array(layout.paramCount);
    initParams(params, layout.rnn, run.hiddenSize, layout.head, 5);
    const script = exportTorchScript(doc, { weights: { [run.id]: params } });
    compiles(python!, 'weights.py', script);
    const block = script.slice(script.indexOf('WEIGHTS = {'), script.indexOf('\n}\n', script.indexOf('WEIGHTS = {')));
    expect(block).toContain('"rnn_tanh": {');
    expect(block).toContain('"weight_ih_l0": [');
    expect(block).toContain('"head.bias": [');
    const numbers = block.match(/-?\d+\.\d+(e-?\d+)?|-?\d+e-?\d+/g)!.map(Number);
    expect(Float32Array.from(numbers)).toEqual(params);
    expect(script).toContain('embedded for "rnn_tanh"');
  }, PYTHON_TIMEOUT);

  it('holds the experiment and says what is ported from where and how to run it', () => {
    const script = exportTorchScript(docFor('copy'));
    expect(script.startsWith('#!/usr/bin/env python3\n"""every cell on copy: an experiment exported')).toBe(true);
    for (const file of ['src/training/rng.ts', 'src/data/tasks/copy.ts', 'src/data/tasks/split.ts', 'src/model/init.ts',
      'src/training/bptt.ts', 'src/reference/train.ts', 'src/training/schedules.ts']) {
      expect(script).toContain(file);
    }
    expect(script).toContain('torchrun --nproc_per_node 4 every-cell-on-copy-torch.py --device cuda');
    expect(script).toContain('"optimizer": {\n                "kind": "rmsprop"');
    expect(script).not.toContain('class SineTask');
    expect(script).not.toContain('TASK_TEXT');
  });

  it('exportTorchScriptFrom gathers the data as the experiment does: the source text loaded, the user\'s data passed on', async () => {
    const source = async () => 'the bundled text, "quoted"\n'.repeat(8);
    const fromSource = await exportTorchScriptFrom(docFor('charlm', { kind: 'charlm', corpus: 'source' }), { source, user: CSV });
    expect(fromSource).toContain('TASK_TEXT = (\n    "the bundled text, \\"quoted\\"\\n"');
    const series = await exportTorchScriptFrom(docFor('series'), { user: CSV });
    expect(series).toContain(`SERIES_ROWS = [\n    [0.0, ${Math.sin(1) * 3}],`);
    await expect(exportTorchScriptFrom(docFor('charlm', { kind: 'charlm', corpus: 'source' }), {})).rejects.toThrow(/needs the bundled source text/);
  });

  it('names the file so that it cannot shadow a module torch imports', () => {
    const named = (name: string) => torchScriptFileName(readExperiment({ version: 1, name, task: { kind: 'sine' }, runs: [{}] }));
    expect(named('copy')).toBe('copy-torch.py');
    expect(named('Adam against SGD: lr 0.01!')).toBe('adam-against-sgd-lr-0-01-torch.py');
    expect(named('Ünïcödé ✓')).toBe('unicode-torch.py');
    expect(named('✓✓')).toBe('experiment-torch.py');
    expect(named('x'.repeat(80))).toBe(`${'x'.repeat(40)}-torch.py`);
  });

  it('refuses data it needs but lacks, and weights that do not fit', () => {
    expect(() => exportTorchScript(docFor('series'))).toThrow(/task series needs the user's CSV to export/);
    expect(() => exportTorchScript(docFor('charlm', { kind: 'charlm', corpus: 'source' }))).toThrow(/needs the bundled source text/);
    expect(() => exportTorchScript(docFor('charlm', { kind: 'charlm', corpus: 'user' }), { data: CSV })).toThrow(/needs the user's text/);
    const doc = docFor('sine');
    expect(() => exportTorchScript(doc, { weights: { nope: new Float32Array(3) } })).toThrow(/weights for run "nope": the experiment has no run/);
    expect(() => exportTorchScript(doc, { weights: { lstm: new Float32Array(3) } })).toThrow(/weights for run "lstm" have 3 numbers; its lstm of hidden size 5 needs 166/);
  });
});
