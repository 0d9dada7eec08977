// What every task promises whatever its kind: the registry's fields are well formed, episodes are
// seeded and identical bit for bit on a second call, any window reads the same numbers, batches
// have the declared shapes, and the validation split never repeats a training sequence.
import { describe, expect, it } from 'vitest';
import { allocateBatch, type TaskBatch, type TaskSplit } from '../task';
import { parseCsv } from '../user-data';
import { loadTask, TASK_CHECKS, TASK_KIND_FIELD, TASK_KINDS, TASKS, type BuiltinTask, type TaskData, type TaskKind } from '.';

/** A user text and CSV long enough, and without repeats, for the kinds that need data. */
export const USER_TEXT = Array.from({ length: 400 }, (_, i) => ((i * 7919) % 1009).toString(36)).join(' ');
export const USER_CSV = Array.from({ length: 200 }, (_, i) => `${Math.sin(i / 5).toFixed(4)},${(i % 7) - 3}`).join('\n');

export function dataFor(kind: TaskKind): TaskData | undefined {
  if (kind === 'charlm') return { kind: 'text', text: USER_TEXT };
  if (kind === 'series') {
    const parsed = parseCsv(USER_CSV);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    return parsed.data;
  }
  return undefined;
}

export function make(kind: TaskKind, options: Record<string, number | string> = {}): BuiltinTask {
  const corpus: Record<string, string> = kind === 'charlm' ? { corpus: 'user' } : {};
  return TASKS[kind].create({ kind, ...corpus, ...options }, dataFor(kind));
}

const windowOf = (task: BuiltinTask) => task.episodeLength ?? 24;

function filled(task: BuiltinTask, episode: number, t0: number, seqLen: number, batch: number, split: TaskSplit = 'train'): TaskBatch {
  const out = allocateBatch(task, seqLen, batch);
  // Poison the buffers: fill must write every number.
  for (const a of [out.x, out.target, out.weight, out.metricWeight]) a?.fill(NaN);
  task.fill(episode, t0, seqLen, batch, out, split);
  return out;
}

const bits = (a: Float32Array | undefined) => (a ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : []);

/** Row b of a batch as one string per step: what a sequence is, for comparing sequences. */
function rowText(task: BuiltinTask, batch: TaskBatch, seqLen: number, B: number, b: number): string {
  const I = task.inputSize;
  const O = task.loss === 'mse' ? task.outputSize : 1;
  const steps: string[] = [];
  for (let t = 0; t < seqLen; t++) {
    const i = t * B + b;
    steps.push(`${Array.from(batch.x.subarray(i * I, (i + 1) * I))}|${Array.from(batch.target.subarray(i * O, (i + 1) * O))}|${batch.weight[i]}`);
  }
  return steps.join(' ');
}

describe('task registry', () => {
  it('lists every kind once, each with option fields the field table can use', () => {
    expect(Object.keys(TASKS)).toEqual(TASK_KINDS);
    expect(TASK_KIND_FIELD).toMatchObject({ path: 'kind', scope: 'task', type: 'enum', choices: TASK_KINDS, default: 'sine' });
    for (const kind of TASK_KINDS) {
      const def = TASKS[kind];
      expect(def.kind).toBe(kind);
      expect(def.fields.some((f) => f.path === 'seed')).toBe(true);
      for (const f of def.fields) {
        expect(f, `${kind}.${f.path}`).toMatchObject({ scope: 'task', apply: 'rebuild', when: { path: 'kind', is: [kind] } });
        expect(f.flag, `${kind}.${f.path} flag`).toMatch(/^[a-z][a-z-]*$/);
        expect(f.doc.length, `${kind}.${f.path} doc`).toBeGreaterThan(10);
        if (f.type === 'int' || f.type === 'number') {
          expect(f.default as number).toBeGreaterThanOrEqual(f.min!);
          expect(f.default as number).toBeLessThanOrEqual(f.max!);
        }
        if (f.type === 'enum') expect(f.choices).toContain(f.default);
      }
      expect(def.metricName.length).toBeGreaterThan(0);
      expect(def.lowerIsBetter).toBe(def.metric !== 'accuracy');
    }
  });

  it('says how long an episode is, the same as the task it builds', () => {
    for (const kind of TASK_KINDS) {
      const options = { kind, length: 12, maxLength: 20 };
      const task = TASKS[kind].create({ ...options, ...(kind === 'charlm' ? { corpus: 'user' } : {}) }, dataFor(kind));
      expect(TASKS[kind].episodeLength(options), kind).toBe(task.episodeLength ?? null);
    }
    expect(TASKS.copy.episodeLength({ kind: 'copy', length: 5, delay: 10 })).toBe(21);
  });

  it('says what data a kind needs', () => {
    expect(TASKS.charlm.needs({ kind: 'charlm', corpus: 'source' })).toBe('source');
    expect(TASKS.charlm.needs({ kind: 'charlm', corpus: 'user' })).toBe('text');
    expect(TASKS.charlm.needs({ kind: 'charlm' })).toBe('none');
    expect(TASKS.series.needs({ kind: 'series' })).toBe('series');
    expect(() => TASKS.series.create({ kind: 'series' })).toThrow(/needs a CSV file/);
    expect(() => TASKS.charlm.create({ kind: 'charlm', corpus: 'user' })).toThrow(/task.corpus user needs a text/);
  });

  it('loads a task with the data it needs: the source corpus through its loader, the user\'s text or CSV as given', async () => {
    let loads = 0;
    const source = async () => {
      loads++;
      return USER_TEXT;
    };
    expect((await loadTask({ kind: 'charlm', corpus: 'source' }, { source })).vocabulary).toEqual(make('charlm').vocabulary);
    expect(loads).toBe(1);
    expect((await loadTask({ kind: 'charlm', corpus: 'brackets', corpusLength: 1000 }, { source })).key).toBe('charlm');
    expect(loads).toBe(1);
    expect((await loadTask({ kind: 'series', horizon: 3 }, { user: dataFor('series') })).inputSize).toBe(2);
    expect((await loadTask({ kind: 'adding' })).episodeLength).toBe(50);
    await expect(loadTask({ kind: 'charlm', corpus: 'source' })).rejects.toThrow('the source corpus has no loader here');
    await expect(loadTask({ kind: 'charlm', corpus: 'user' }, { user: dataFor('series') })).rejects.toThrow(/needs a text/);
    await expect(loadTask({ kind: 'maze' })).rejects.toThrow('task.kind must be one of sine, adding, copy, parity, reber, charlm, classify, series, got maze');
  });

  it('checks ranges across fields', () => {
    const issues = (obj: Record<string, unknown>) => TASK_CHECKS.flatMap((c) => c.check(obj, 'task'));
    expect(issues({ kind: 'sine', minFrequency: 0.5, maxFrequency: 0.2 })).toEqual([
      { path: 'task.maxFrequency', message: 'task.maxFrequency must be at least task.minFrequency (0.5), got 0.2' },
    ]);
    expect(issues({ kind: 'classify', minLength: 10, maxLength: 9 })[0].path).toBe('task.maxLength');
    expect(issues({ kind: 'classify', minLength: 9, maxLength: 9 })).toEqual([]);
    expect(issues({ kind: 'sine', minLength: 10, maxLength: 9 })).toEqual([]);
  });
});

describe.each(TASK_KINDS)('%s', (kind) => {
  const B = 5;

  it('fills batches of the declared shapes, every number written', () => {
    const task = make(kind);
    const T = windowOf(task);
    for (const split of ['train', 'val'] as const) {
      const batch = filled(task, 0, 0, T, B, split);
      expect(batch.x.every(Number.isFinite)).toBe(true);
      expect(batch.target.every(Number.isFinite)).toBe(true);
      expect(batch.weight.every((w) => w === 0 || w === 1)).toBe(true);
      expect(batch.weight.some((w) => w === 1)).toBe(true);
      if (task.loss === 'cross_entropy') {
        expect(batch.target.every((c) => Number.isInteger(c) && c >= 0 && c < task.outputSize)).toBe(true);
      }
      expect(batch.metricWeight !== undefined).toBe(task.hasMetricWeight === true);
    }
    expect(task.valBatches).toBeGreaterThan(0);
  });

  it('is seeded: the same episode twice is identical bit for bit, another seed differs', () => {
    const T = windowOf(make(kind));
    const a = filled(make(kind, { seed: 3 }), 2, 0, T, B);
    const b = filled(make(kind, { seed: 3 }), 2, 0, T, B);
    for (const key of ['x', 'target', 'weight', 'metricWeight'] as const) expect(bits(b[key])).toEqual(bits(a[key]));
    const c = filled(make(kind, { seed: 4 }), 2, 0, T, B);
    expect(bits(c.x)).not.toEqual(bits(a.x));
  });

  it('reads the same numbers through any window (truncated BPTT sees one stream)', () => {
    const task = make(kind);
    const T = windowOf(task);
    const whole = filled(task, 1, 0, T, B);
    const k = 3;
    const part = filled(task, 1, k, T - k, B);
    const I = task.inputSize;
    const O = task.loss === 'mse' ? task.outputSize : 1;
    expect(Array.from(part.x)).toEqual(Array.from(whole.x.subarray(k * B * I)));
    expect(Array.from(part.target)).toEqual(Array.from(whole.target.subarray(k * B * O)));
    expect(Array.from(part.weight)).toEqual(Array.from(whole.weight.subarray(k * B)));
  });

  it('never repeats a training sequence in the validation split', () => {
    const task = make(kind);
    const T = windowOf(task);
    const train = new Set<string>();
    for (let e = 0; e < 40; e++) {
      const batch = filled(task, e, 0, T, B);
      for (let b = 0; b < B; b++) train.add(rowText(task, batch, T, B, b));
    }
    let val = 0;
    for (let e = 0; e < task.valBatches; e++) {
      const batch = filled(task, e, 0, T, B, 'val');
      for (let b = 0; b < B; b++, val++) expect(train.has(rowText(task, batch, T, B, b)), `val episode ${e} row ${b}`).toBe(false);
    }
    expect(val).toBe(task.valBatches * B);
  });

  it('has a finite baseline', () => {
    const task = make(kind);
    expect(Number.isFinite(task.baseline({ seqLen: windowOf(task), batch: B }))).toBe(true);
  });
});
