// The exported script's task generators (pythonTaskSource: the RNG, the helpers and the task, no
// torch) against `task.fill` for every task kind: the first training batch, the first validation
// batch, a later window inside an episode and one process's share of the rows (torchrun) equal
// ours bit for bit in float32. Runs under any python3; the user's and the bundled texts included.
import { describe, expect, it } from 'vitest';
import type { TaskConfig } from '../config/experiment';
import { normalizeScope } from '../config/normalize-scope';
import { fieldsOf } from '../config/table';
import { nodeSourceCorpus } from '../data/corpus/source-corpus-node';
import { allocateBatch, type TaskBatch, type TaskSplit } from '../data/task';
import { TASKS, type TaskData, type TaskKind } from '../data/tasks';
import { testRandom } from '../config/random-doc';
import { pythonTaskSource } from './task-source';
import { anyPython, PYTHON_TIMEOUT, runPython, tempFile } from './test-support';

interface Window {
  split: TaskSplit;
  episode: number;
  t0: number;
  seqLen: number;
  batch: number;
  /** Rows [lo, hi) of the batch, as one process of a torchrun holds them. */
  rows: [number, number];
}

interface Case {
  name: string;
  task: Record<string, unknown>;
  seqLen: number;
  batch: number;
  data?: () => Promise<TaskData>;
}

const USER_TEXT = 'Ünïcödé "quotes" and \\backslashes\\, tabs\tand emoji 🎲🧠 across lines,\r\nnot only ASCII: ∑ λ → ∞. '.repeat(3);

function csv(): TaskData {
  const rnd = testRandom(11);
  const rows = 60;
  const values = Float64Array.from({ length: rows * 3 }, (_, i) => (i % 3 === 2 ? 5 : Number((rnd() * 200 - 100).toPrecision(7))));
  return { kind: 'series', columns: ['price', 'volume "v"', 'constant'], rows, values };
}

const CASES: Case[] = [
  { name: 'sine, 3 sines, horizon 2', task: { kind: 'sine', seed: 3, sines: 3, noise: 0.2, horizon: 2 }, seqLen: 12, batch: 5 },
  { name: 'adding', task: { kind: 'adding', seed: 5, length: 12 }, seqLen: 14, batch: 6 },
  { name: 'copy (padded)', task: { kind: 'copy', seed: 2, symbols: 4, length: 3, delay: 2 }, seqLen: 11, batch: 6 },
  { name: 'parity, last step, listed space', task: { kind: 'parity', seed: 4, length: 6, targets: 'last' }, seqLen: 6, batch: 6 },
  { name: 'parity, every step, unlisted space', task: { kind: 'parity', seed: 1, length: 14 }, seqLen: 14, batch: 4 },
  { name: 'reber, listed strings', task: { kind: 'reber', seed: 6, maxLength: 14 }, seqLen: 13, batch: 6 },
  { name: 'reber, default length', task: { kind: 'reber', seed: 1 }, seqLen: 29, batch: 4 },
  { name: 'classify, 8 classes', task: { kind: 'classify', seed: 9, classes: 8, minLength: 5, maxLength: 9, noise: 0.3 }, seqLen: 9, batch: 6 },
  { name: 'charlm, brackets', task: { kind: 'charlm', seed: 2, corpus: 'brackets', corpusLength: 1000, depth: 3 }, seqLen: 10, batch: 4 },
  { name: 'charlm, user text', task: { kind: 'charlm', seed: 8, corpus: 'user' }, seqLen: 10, batch: 4, data: async () => ({ kind: 'text', text: USER_TEXT }) },
  { name: 'charlm, the bundled source text', task: { kind: 'charlm', seed: 1, corpus: 'source' }, seqLen: 16, batch: 4, data: async () => ({ kind: 'text', text: await nodeSourceCorpus() }) },
  { name: 'series, user CSV', task: { kind: 'series', seed: 3, horizon: 2 }, seqLen: 8, batch: 4, data: async () => csv() },
];

const DRIVER = String.raw`
import json, sys
options = json.loads(sys.argv[1])
windows = json.loads(sys.argv[2])
task = make_task(options)
dumps = []
for w in windows:
    out = Batch(task, w["seqLen"], range(w["rows"][0], w["rows"][1]))
    task.fill(w["episode"], w["t0"], w["seqLen"], w["batch"], out, w["split"])
    dumps.append({"x": out.x, "target": out.target, "weight": out.weight, "metricWeight": out.metric_weight})
print(json.dumps(dumps))
`;

/** Rows [lo, hi) of a [T][B][width] array, as [T][hi - lo][width]. */
function rowsOf(a: Float32Array, seqLen: number, batch: number, [lo, hi]: [number, number]): Float32Array {
  const width = a.length / (seqLen * batch);
  const out = new Float32Array(seqLen * (hi - lo) * width);
  for (let t = 0; t < seqLen; t++) out.set(a.subarray((t * batch + lo) * width, (t * batch + hi) * width), t * (hi - lo) * width);
  return out;
}

/** The first index where the float32 values differ bit for bit, or -1. */
function firstDifference(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  const a = new Uint32Array(got.buffer);
  const b = new Uint32Array(want.buffer);
  return a.findIndex((v, i) => v !== b[i]);
}

describe('the Python ports of the tasks', () => {
  const python = anyPython();

  it('cover every task kind', () => {
    expect(new Set(CASES.map((c) => c.task.kind))).toEqual(new Set(Object.keys(TASKS)));
  });

  it.skipIf(!python).each(CASES)('$name: batches equal task.fill bit for bit', async (c) => {
    const normalized = normalizeScope(c.task, fieldsOf('task'), 'task');
    expect(normalized.issues).toEqual([]);
    const options = normalized.out as TaskConfig;
    const data = await c.data?.();
    const task = TASKS[c.task.kind as TaskKind].create(options, data);
    const { seqLen: T, batch: B } = c;
    const windows: Window[] = [
      { split: 'train', episode: 0, t0: 0, seqLen: T, batch: B, rows: [0, B] },
      { split: 'val', episode: 0, t0: 0, seqLen: T, batch: B, rows: [0, B] },
      { split: 'train', episode: 3, t0: 2, seqLen: T, batch: B, rows: [0, B] },
      { split: 'val', episode: 1, t0: 0, seqLen: T, batch: B, rows: [1, B - 1] },
    ];
    const file = tempFile(`task-${c.name.replace(/\W+/g, '-')}.py`, `import math\n\n${pythonTaskSource(options, data)}\n${DRIVER}`);
    const dumps = JSON.parse(runPython(python!, [file, JSON.stringify(options), JSON.stringify(windows)]));
    windows.forEach((w, k) => {
      const want: TaskBatch = allocateBatch(task, T, B);
      task.fill(w.episode, w.t0, T, B, want, w.split);
      const fields: ('x' | 'target' | 'weight' | 'metricWeight')[] = ['x', 'target', 'weight', ...(want.metricWeight ? ['metricWeight' as const] : [])];
      for (const field of fields) {
        const got = Float32Array.from(dumps[k][field] as number[]);
        const mine = rowsOf(want[field]!, T, B, w.rows);
        const at = firstDifference(got, mine);
        expect(at, `${w.split} episode ${w.episode} t0 ${w.t0} rows ${w.rows}: ${field}[${at}] python ${got[at]}, ours ${mine[at]}`).toBe(-1);
      }
      expect(dumps[k].metricWeight === null).toBe(!want.metricWeight);
      expect(want.weight.some((v) => v > 0) || w.t0 > 0).toBe(true);
    });
  }, PYTHON_TIMEOUT);
});
