// The field table and the experiment file: defaults pass, every bound is refused with its path,
// unknown and inapplicable fields are refused, old/new versions, the URL codec round-trips random
// documents, and the parser never throws on mutated input (a fuzz test over 1000 mutations).
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT_JSON, defaultExperiment } from './default-experiment';
import type { FieldDef } from './field';
import { parseExperiment } from './parse';
import { randomExperiment, testRandom } from './random-doc';
import { FIELDS } from './table';
import { compactExperiment, experimentFromHash, experimentToHash } from './url';

type Json = Record<string, any>;

const base = (): Json => structuredClone(DEFAULT_EXPERIMENT_JSON) as unknown as Json;

/** Sets `path` (dotted) in the object of `def`'s scope inside a document. */
function put(doc: Json, def: FieldDef, value: unknown): void {
  const obj = def.scope === 'run' ? doc.runs[0] : def.scope === 'task' ? doc.task : doc;
  const keys = def.path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  cur[keys[keys.length - 1]] = value;
}

const fullPath = (def: FieldDef) => (def.scope === 'run' ? `runs[0].${def.path}` : def.scope === 'task' ? `task.${def.path}` : def.path);
/** A test title: the path, and the condition under which the field applies. */
const title = (def: FieldDef) => `${fullPath(def)}${def.when ? ` (${def.when.path} ${def.when.is[0]})` : ''}`;

/** A document in which `def` applies: its condition's field set to the first value it needs. */
function docWhere(def: FieldDef): Json {
  const doc = base();
  if (def.scope === 'run') doc.runs[0].bptt = { kind: 'full' };
  if (def.when) {
    const on = FIELDS.find((f) => f.scope === def.scope && f.path === def.when!.path)!;
    put(doc, on, def.when.is[0]);
  }
  for (const p of def.path.split('.').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('.'))) {
    const group = FIELDS.find((f) => f.scope === def.scope && f.path === p && f.type === 'group');
    if (group) put(doc, group, {});
  }
  if (def.scope === 'run' && def.path.startsWith('bptt.')) doc.runs[0].seqLen = 4096;
  // Windows long enough for any fixed-length task's episode.
  if (def.scope === 'task') for (const run of doc.runs) run.seqLen = 4096;
  return doc;
}

function issuesOf(doc: Json): { path: string; message: string }[] {
  const parsed = parseExperiment(doc);
  expect(parsed.doc === undefined).toBe(parsed.issues.length > 0);
  return parsed.issues;
}

describe('the default experiment', () => {
  it('parses, fills every default, and keeps its runs', () => {
    const doc = defaultExperiment();
    expect(doc.version).toBe(1);
    expect(doc.runs.map((r) => r.id)).toEqual(['adam', 'sgd']);
    expect(doc.runs[0]).toMatchObject({ cell: 'lstm', hiddenSize: 32, batch: 16, seqLen: 32, head: 'every', bptt: { kind: 'full' } });
    expect(doc.runs[1].optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    expect(doc.runs[0].optimizer).toEqual({ kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    expect(doc.runs[0].clip).toEqual({});
  });
});

describe('every field', () => {
  it.each(FIELDS.map((f) => [title(f), f] as const))('%s: its default passes', (_, def) => {
    const doc = docWhere(def);
    expect(issuesOf(doc)).toEqual([]);
    if (def.default !== undefined && typeof def.default !== 'function') {
      put(doc, def, def.default);
      expect(issuesOf(doc)).toEqual([]);
    }
  });

  const bounded = FIELDS.flatMap((def) => {
    const cases: [string, FieldDef, unknown][] = [];
    if (def.type === 'int' || def.type === 'number') {
      if (def.min !== undefined) cases.push([`${title(def)} below ${def.min}`, def, def.type === 'int' ? def.min - 1 : def.exclusiveMin ? def.min : def.min - 1e-3 * Math.max(1, Math.abs(def.min))]);
      if (def.max !== undefined) cases.push([`${title(def)} above ${def.max}`, def, def.type === 'int' ? def.max + 1 : def.exclusiveMax ? def.max : def.max * 1.5 + 1]);
      cases.push([`${title(def)} as text`, def, '3']);
    }
    if (def.type === 'int') cases.push([`${fullPath(def)} fractional`, def, (def.min ?? 0) + 0.5]);
    if (def.type === 'enum') cases.push([`${fullPath(def)} unknown choice`, def, 'nope']);
    if (def.type === 'boolean') cases.push([`${fullPath(def)} as text`, def, 'true']);
    if (def.type === 'string') cases.push([`${fullPath(def)} too long`, def, 'x'.repeat((def.maxLength ?? 200) + 1)]);
    if (def.type === 'color') cases.push([`${fullPath(def)} not #rrggbb`, def, 'red']);
    return cases;
  });
  it.each(bounded)('%s is refused, naming the path', (_, def, value) => {
    const doc = docWhere(def);
    put(doc, def, value);
    const issues = issuesOf(doc);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0].path).toBe(fullPath(def));
    expect(issues[0].message.startsWith(`${fullPath(def)} must be`)).toBe(true);
  });
});

describe('refusals', () => {
  it('names the run and field, and what is allowed', () => {
    const doc = base();
    doc.runs[1].optimizer.lr = -1;
    expect(issuesOf(doc)).toEqual([
      { path: 'runs[1].optimizer.lr', message: 'runs[1].optimizer.lr must be a number > 0 and <= 100, got -1' },
    ]);
  });

  it('an unknown field, and a field that does not apply to the optimizer', () => {
    const doc = base();
    doc.runs[0].optimizer.momentum = 0.9;
    doc.runs[1].hiddenSzie = 64;
    const messages = issuesOf(doc).map((i) => i.message);
    expect(messages).toContain('runs[0].optimizer.momentum does not apply when optimizer.kind is "adam" (only for sgd, rmsprop)');
    expect(messages.find((m) => m.startsWith('runs[1].hiddenSzie is not a setting; known here: id, label'))).toBeDefined();
  });

  it('values that overflow float32 or round to zero in it', () => {
    const doc = base();
    doc.runs[0].clip = { maxNorm: 1e-46 };
    doc.runs[1].optimizer.weightDecay = 1e39;
    doc.runs[2] = { ...structuredClone(doc.runs[1]), id: 'third' };
    doc.runs[2].optimizer = { kind: 'sgd', lr: 0.1, weightDecay: 1e-40 };
    const messages = issuesOf(doc).map((i) => i.message);
    // clip.maxNorm is off when absent and refuses 0, so the message does not offer 0.
    expect(messages).toContain('runs[0].clip.maxNorm must be at least 1.2e-38 in size (smaller values round to 0 in float32), got 1e-46');
    expect(messages[1]).toMatch(/^runs\[1\]\.optimizer\.weightDecay must be a number from 0 to 10, got 1e\+39$/);
    expect(messages).toContain('runs[2].optimizer.weightDecay must be 0 or at least 1.2e-38 in size (smaller values round to 0 in float32), got 1e-40');
  });

  it('cross-field checks: k1 within the window, Nesterov needs momentum', () => {
    const doc = base();
    doc.runs[0].bptt = { kind: 'truncated', k1: 40, episodeLength: 128 };
    doc.runs[1].optimizer = { kind: 'sgd', lr: 0.1, nesterov: true };
    expect(issuesOf(doc).map((i) => i.path)).toEqual(['runs[0].bptt.k1', 'runs[1].optimizer.nesterov']);
  });

  it('runs: a list of 1 to 16 with distinct ids', () => {
    expect(issuesOf({ ...base(), runs: [] })[0].message).toBe('runs must be a list of 1 to 16 runs, got a list of 0');
    expect(issuesOf({ ...base(), runs: {} })[0].path).toBe('runs');
    const doc = base();
    doc.runs[1].id = 'adam';
    expect(issuesOf(doc)[0].message).toBe('runs[1].id "adam" is already the id of runs[0]; ids must differ');
  });

  it('sections of the wrong type', () => {
    const doc = base();
    doc.runs[0].optimizer = 'adam';
    expect(issuesOf(doc)[0]).toEqual({ path: 'runs[0].optimizer', message: 'runs[0].optimizer must be an object, got "adam"' });
    expect(issuesOf({ ...base(), task: 3 })[0].message).toBe('task must be an object, got 3');
  });
});

describe('versions', () => {
  it('a file without a version is version 1; newer and nonsense versions are refused', () => {
    const { version: _, ...rest } = base();
    expect(parseExperiment(rest).doc?.version).toBe(1);
    expect(issuesOf({ ...base(), version: 2 })[0].message).toBe(
      'version 2 was written by a newer RNN Playground; this one reads versions 1 to 1',
    );
    expect(issuesOf({ ...base(), version: '1' })[0].path).toBe('version');
    expect(issuesOf([])[0].message).toBe('an experiment must be a JSON object, got a list of 0');
  });
});

describe('URL codec', () => {
  it('the default experiment: short, and back unchanged', () => {
    const doc = defaultExperiment();
    const hash = experimentToHash(doc);
    expect(hash.startsWith('e=')).toBe(true);
    expect(hash.length).toBeLessThan(300);
    expect(experimentFromHash(`#${hash}`).doc).toEqual(doc);
  });

  it.each(Array.from({ length: 60 }, (_, i) => i + 1))('random experiment %i round-trips exactly', (seed) => {
    const doc = randomExperiment(seed);
    expect(experimentFromHash(experimentToHash(doc)).doc).toEqual(doc);
    expect(parseExperiment(compactExperiment(doc)).doc).toEqual(doc);
  });

  it('an empty hash is no experiment; junk and truncated hashes say why', () => {
    expect(experimentFromHash('')).toEqual({ empty: true, issues: [] });
    expect(experimentFromHash('#hello').issues[0].message).toMatch(/holds no experiment/);
    const hash = experimentToHash(defaultExperiment());
    expect(experimentFromHash(hash.slice(0, hash.length / 2)).doc).toBeUndefined();
    expect(experimentFromHash('#e=%%%').doc).toBeUndefined();
  });
});

describe('fuzz: 1000 seeded mutations', () => {
  const JUNK: unknown[] = [null, true, -1, 0, 1e308, -1e-320, NaN, '', 'x', '\u0000\u202e💥', [], [1], {}, { a: 1 }, 'x'.repeat(5000), 2 ** 53];

  function mutate(value: unknown, rnd: () => number, depth = 0): unknown {
    if (typeof value !== 'object' || value === null) return JUNK[Math.floor(rnd() * JUNK.length)];
    const obj = structuredClone(value) as Json;
    const keys = Object.keys(obj);
    const op = rnd();
    if (keys.length === 0 || op < 0.15) {
      obj[rnd() < 0.5 ? `extra${Math.floor(rnd() * 9)}` : '__proto__'] = JUNK[Math.floor(rnd() * JUNK.length)];
    } else {
      const key = keys[Math.floor(rnd() * keys.length)];
      if (op < 0.3) delete obj[key];
      else if (depth < 4 && typeof obj[key] === 'object' && obj[key] !== null && rnd() < 0.7) obj[key] = mutate(obj[key], rnd, depth + 1);
      else obj[key] = JUNK[Math.floor(rnd() * JUNK.length)];
    }
    return obj;
  }

  it('every mutation is accepted and valid, or refused with messages that name a path; nothing throws', () => {
    const rnd = testRandom(2024);
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const source = structuredClone(randomExperiment(1 + (i % 50))) as unknown as Json;
      let doc: unknown = source;
      for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) doc = mutate(doc, rnd);
      const parsed = parseExperiment(doc);
      if (parsed.doc) {
        expect(parseExperiment(parsed.doc).doc).toEqual(parsed.doc);
      } else {
        refused++;
        expect(parsed.issues.length).toBeGreaterThan(0);
        for (const issue of parsed.issues) {
          expect(typeof issue.message).toBe('string');
          if (issue.path) expect(issue.message.startsWith(issue.path)).toBe(true);
          else expect(issue.message.length).toBeGreaterThan(10);
        }
      }
    }
    expect(refused).toBeGreaterThan(500);
  }, 60_000); // 1000 parses plus URL round trips: about 5 s on an idle core, more on a loaded CI machine
});
