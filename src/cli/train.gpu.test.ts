// The headless runner end to end on the GPU (SwiftShader here): the table, the JSON lines, that
// Adam actually lowers the loss, an experiment file of several groups, weights written, and the
// exit codes and messages for bad options, a config the device cannot hold and a divergence.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { readSafetensors } from '../experiments/safetensors';
import { createTask } from '../experiments/structure';
import { paramLayout } from '../model/layout';
import { rnnForward } from '../reference/rnn';
import { evalBatches } from '../training/eval-batches';

function train(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'src/cli/train.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TINY = ['--hidden', '8', '--seq', '8', '--batch', '4', '--steps', '30', '--every', '10', '--run', 'adam lr=0.05', '--run', 'sgd lr=0.1'];

describe('npm run train', () => {
  it('prints a header naming the runs, a row every 10 steps and the speed', () => {
    const r = train(...TINY);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+adam lr=0\.05\s+sgd lr=0\.1$/);
    expect(lines[1]).toMatch(/^step\s+loss\s+grad norm\s+loss\s+grad norm$/);
    const rows = lines.slice(2, -1).map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows.map((row) => row[0])).toEqual([10, 20, 30]);
    for (const row of rows) {
      expect(row).toHaveLength(5);
      for (const x of row) expect(Number.isFinite(x)).toBe(true);
    }
    const adamLoss = (step: number) => rows.find((row) => row[0] === step)![1];
    expect(adamLoss(30)).toBeLessThan(adamLoss(10));
    expect(lines.at(-1)).toMatch(/^30 steps in \d+\.\d+ s: \S+ steps\/s on \S/);
  });

  it('prints one JSON object per row with --json, then a summary object', () => {
    const r = train(...TINY, '--json');
    expect(r.code, r.err).toBe(0);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(objects.slice(0, 3).map((o) => o.step)).toEqual([10, 20, 30]); // --every 10 given
    expect(objects[0].runs.map((run: { id: string }) => run.id)).toEqual(['adam', 'sgd']);
    expect(objects[2].runs[0]).toMatchObject({ label: 'adam lr=0.05', learningRate: 0.05, clipped: false });
    expect(Number.isFinite(objects[2].runs[1].loss)).toBe(true);
    expect(objects[3]).toMatchObject({ done: true, steps: 30, lostSteps: 0, task: { kind: 'sine', metric: 'MSE' } });
    expect(objects[3].runs.map((run: { id: string }) => run.id)).toEqual(['adam', 'sgd']);
  });

  it('--diagnostics N adds gradThroughTime [direction][t] to the JSON lines of every Nth step, with the tricks\' flags', () => {
    const r = train('--hidden', '6', '--seq', '5', '--batch', '3', '--layers', '2', '--bidirectional', 'true', '--residual', 'true',
      '--dropout', '0.3', '--recurrent-dropout', '0.2', '--steps', '6', '--every', '1', '--diagnostics', '3', '--run', 'adam lr=0.05', '--json');
    expect(r.code, r.err).toBe(0);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    const withNorms = objects.filter((o) => o.runs?.[0].gradThroughTime).map((o) => o.step);
    expect(withNorms).toEqual([3, 6]);
    const norms: number[][] = objects[2].runs[0].gradThroughTime;
    expect(norms.map((row) => row.length)).toEqual([5, 5, 5, 5]); // 2 layers x 2 directions, 5 timesteps
    expect(norms.flat().every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(norms.flat().some((v) => v > 0)).toBe(true);
  });

  it('--diagnostics N adds gateSaturation, spectralNorm and histograms for a GRU, alike on both backends', () => {
    const lines = (backend: string) => {
      const r = train('--cell', 'gru', '--hidden', '6', '--seq', '5', '--batch', '3', '--layers', '2', '--steps', '4', '--every', '1',
        '--diagnostics', '2', '--run', 'adam lr=0.05', '--json', '--backend', backend);
      expect(r.code, r.err).toBe(0);
      return r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    };
    const gpu = lines('webgpu');
    const cpu = lines('cpu');
    for (const objects of [gpu, cpu]) {
      expect(objects.filter((o) => o.runs?.[0].gateSaturation).map((o) => o.step)).toEqual([2, 4]);
      expect(objects.filter((o) => o.runs?.[0].spectralNorm).map((o) => o.step)).toEqual([2, 4]);
    }
    for (const at of [1, 3]) {
      const g = gpu[at].runs[0];
      const c = cpu[at].runs[0];
      expect(Object.keys(g.gateSaturation)).toEqual(['r', 'z']);
      for (const gate of ['r', 'z']) {
        for (const side of ['below', 'above']) {
          const got: number[] = g.gateSaturation[gate][side];
          expect(got).toHaveLength(2);
          // 5 x 3 x 6 = 90 activations per gate and direction: the backends may differ by a cell at a threshold.
          got.forEach((f, d) => expect(Math.abs(f - c.gateSaturation[gate][side][d]), `step ${gpu[at].step} ${gate} ${side} ${d}`).toBeLessThanOrEqual(1 / 90 + 1e-6));
        }
      }
      expect(g.spectralNorm).toHaveLength(2);
      g.spectralNorm.forEach((n: number, d: number) => {
        expect(n).toBeGreaterThan(0);
        expect(Math.abs(n - c.spectralNorm[d])).toBeLessThanOrEqual(1e-4 + 1e-3 * c.spectralNorm[d]);
      });
      type H = { name: string; weight: { max: number; counts: number[] }; grad: { max: number; counts: number[] } };
      const names = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1', 'head.weight', 'head.bias'];
      expect(g.histograms.map((t: H) => t.name)).toEqual(names);
      g.histograms.forEach((t: H, k: number) => {
        const other: H = c.histograms[k];
        for (const kind of ['weight', 'grad'] as const) {
          expect(t[kind].counts).toHaveLength(32);
          expect(Math.abs(t[kind].max - other[kind].max), `${t.name} ${kind} max`).toBeLessThanOrEqual(1e-4 + 1e-3 * other[kind].max);
          expect(t[kind].counts.reduce((a, b) => a + b, 0)).toBe(other[kind].counts.reduce((a, b) => a + b, 0));
          // The backends' numbers differ in the last bits: a value may sit on the other side of a bin edge.
          const diff = t[kind].counts.reduce((a, n, b) => a + Math.abs(n - other[kind].counts[b]), 0);
          expect(diff, `${t.name} ${kind}: ${t[kind].counts} vs ${other[kind].counts}`).toBeLessThanOrEqual(4);
        }
      });
    }
  });

  it.each(['webgpu', 'cpu'])('--diagnostics N adds validation example 0 at steps that evaluate: hidden states and outputs equal the float64 reference on the saved weights (%s)', async (backend) => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const file = join(dir, 'example.json');
    const json = {
      version: 1, evalEvery: 3, task: { kind: 'sine' },
      runs: [{ id: 'a', cell: 'gru', hiddenSize: 5, numLayers: 2, seqLen: 6, batch: 3, optimizer: { kind: 'adam', lr: 0.05 } }],
    };
    writeFileSync(file, JSON.stringify(json));
    const r = train(file, '--steps', '3', '--diagnostics', '3', '--json', '--save-weights', join(dir, 'w'), '--backend', backend);
    expect(r.code, r.err).toBe(0);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(objects.filter((o) => o.runs?.[0].validationExample).map((o) => o.step)).toEqual([3]);
    const example: { hidden: number[][]; output: number[][]; input: number[][]; target: number[][]; scored: boolean[] } = objects[2].runs[0].validationExample;
    // The reference: the saved weights (those after step 3, which its evaluation used) on validation batch 0.
    const doc = readExperiment(json);
    const task = await createTask(doc);
    const T = 6;
    const B = 3;
    const batch = evalBatches(task, T, B, 'every')[0];
    const shape = { cell: 'gru' as const, inputSize: task.inputSize, hiddenSize: 5, numLayers: 2 };
    const tensors = new Map(readSafetensors(readFileSync(join(dir, 'w', 'a.safetensors'))).tensors.map((t) => [t.name, t.data]));
    const layout = paramLayout(shape);
    const params = new Float64Array(layout.total);
    for (const e of layout.entries) params.set(tensors.get(e.name)!, e.offset);
    const fwd = rnnForward({ shape, seqLen: T, batch: B, params, x: Float64Array.from(batch.x), h0: new Float64Array(2 * B * 5) });
    const w = tensors.get('head.weight')!;
    const b = tensors.get('head.bias')!;
    let worst = 0;
    const check = (got: number, want: number) => {
      worst = Math.max(worst, Math.abs(got - want) / (1e-4 + 1e-3 * Math.abs(want)));
    };
    for (let t = 0; t < T; t++) {
      expect(example.hidden[t]).toHaveLength(5);
      for (let j = 0; j < 5; j++) check(example.hidden[t][j], fwd.output[t * B * 5 + j]);
      const y = b[0] + Array.from({ length: 5 }, (_, j) => w[j] * fwd.output[t * B * 5 + j]).reduce((a, c) => a + c, 0);
      check(example.output[t][0], y);
      expect(example.input[t]).toEqual(Array.from(batch.x.subarray(t * B * task.inputSize, t * B * task.inputSize + task.inputSize)));
      expect(example.target[t]).toEqual([batch.target[t * B]]);
      expect(example.scored[t]).toBe(batch.weight[t * B] > 0);
    }
    expect(worst, 'largest |gpu - ref| / (1e-4 + 1e-3 |ref|)').toBeLessThanOrEqual(1);
  });

  it.each(['webgpu', 'cpu'])('--diagnostics N adds the validation set\'s confusion counts for a classification task, agreeing with its accuracy (%s)', (backend) => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const file = join(dir, 'parity.json');
    writeFileSync(file, JSON.stringify({ version: 1, evalEvery: 2, task: { kind: 'parity' }, runs: [{ id: 'a', hiddenSize: 6, batch: 4 }] }));
    const r = train(file, '--steps', '4', '--diagnostics', '2', '--json', '--backend', backend);
    expect(r.code, r.err).toBe(0);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    const withCounts = objects.filter((o) => o.runs?.[0].confusion);
    expect(withCounts.map((o) => o.step)).toEqual([2, 4]);
    for (const o of withCounts) {
      const counts: number[][] = o.runs[0].confusion;
      expect(counts).toHaveLength(2);
      const total = counts.flat().reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(0);
      // Parity's metric weights are 0 or 1: accuracy is the diagonal over the total.
      expect((counts[0][0] + counts[1][1]) / total).toBeCloseTo(o.runs[0].metric, 6);
    }
  });

  it('prints sparsity and the plateau\'s rate in the JSON lines of a run that prunes on a plateau, on both backends', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const file = join(dir, 'tricks.json');
    const shape = { hiddenSize: 4, seqLen: 4, batch: 2 };
    writeFileSync(file, JSON.stringify({
      version: 1, evalEvery: 0, task: { kind: 'sine' },
      runs: [
        { id: 'p', ...shape, optimizer: { kind: 'sgd', lr: 0.1 }, prune: { kind: 'gradual', start: 1, end: 4, every: 1, sparsity: 0.5 },
          plateau: { patience: 0, threshold: 0.9 } },
        { id: 'q', ...shape },
      ],
    }));
    for (const backend of ['webgpu', 'cpu']) {
      const r = train(file, '--steps', '6', '--json', '--backend', backend);
      expect(r.code, r.err).toBe(0);
      const steps = r.out.trimEnd().split('\n').slice(0, -1).map((l) => JSON.parse(l));
      const pruned = steps.map((o) => o.runs[0]);
      // Zhu and Gupta from 0 at step 1 to 0.5 at step 4: 0.5 (1 - (1 - (t - 1) / 3)^3), counts rounded per matrix.
      [0, 0.352, 0.481, 0.5, 0.5, 0.5].forEach((want, i) => expect(pruned[i].sparsity, `${backend} step ${i + 1}`).toBeCloseTo(want, 1));
      expect(steps.every((o) => o.runs[1].sparsity === 0), backend).toBe(true);
      // patience 0 and a threshold no step meets: the rate falls tenfold after every step but the first.
      expect(pruned.map((m: { learningRate: number }) => Number(m.learningRate.toPrecision(3))), backend).toEqual([0.1, 0.1, 0.01, 0.001, 0.0001, 0.00001]);
    }
  });

  it.each([
    // issue 10 row 3: each failed after allocating hundreds of MB, exit 1, before the dry run
    [['--hidden', '2048', '--batch', '1', '--seq', '1'], /^lstm H2048 B1 T1: hiddenSize 2048: dispatch "update optimizer update" needs 65641 workgroups in one dimension; the device allows 65535; reduce hiddenSize$/m],
    [['--hidden', '1024', '--layers', '3', '--batch', '1', '--seq', '1'], /: hiddenSize 1024, numLayers 3: dispatch "update optimizer update" needs 82037 workgroups .*; reduce hiddenSize or numLayers$/m],
    [['--cell', 'rnn_tanh', '--hidden', '1025', '--batch', '4096', '--seq', '1'], /: hiddenSize 1025, batch 4096: dispatch "state reset" needs 65600 workgroups .*; reduce hiddenSize or batch$/m],
  ])('refuses %j up front, naming the settings, exit 2', (args, message) => {
    const started = performance.now();
    const r = train(...args, '--steps', '2');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(performance.now() - started).toBeLessThan(60_000); // nothing trained or allocated
  });

  it('exits 2 with the message and no stack trace on a bad option', () => {
    const r = train('--hidden', '0', '--run', 'adam lr=x');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('--hidden must be an integer from 1 to 4096, got 0\n--run "adam lr=x": lr must be a number > 0 and <= 100, got "x"');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when the device cannot hold the config', () => {
    const r = train('--hidden', '4096', '--batch', '4096', '--seq', '4096');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lstm H4096 B4096 T4096: hiddenSize 4096, batch 4096, seqLen 4096: .*; reduce hiddenSize, batch or seqLen$/m);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('trains an experiment file of two groups and writes each run\'s weights', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({
      version: 1, name: 'two cells', evalEvery: 5, task: { kind: 'sine' },
      runs: [{ id: 'l', hiddenSize: 4, seqLen: 4, batch: 2 }, { id: 'g', cell: 'gru', hiddenSize: 3, seqLen: 4, batch: 2 }],
    }));
    const r = train(file, '--steps', '10', '--json', '--save-weights', join(dir, 'w'), '--csv', join(dir, 'm.csv'));
    expect(r.code, r.err).toBe(0);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(objects.slice(0, -1).map((o) => o.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(objects[4].runs.map((run: { id: string; valLoss: number }) => [run.id, Number.isFinite(run.valLoss)])).toEqual([['l', true], ['g', true]]);
    expect(objects.at(-1).runs[1]).toMatchObject({ id: 'g', label: 'run 2' });
    const g = readSafetensors(readFileSync(join(dir, 'w', 'g.safetensors')));
    expect(g.tensors.map((t) => t.name)).toContain('weight_hh_l0');
    expect(g.metadata).toMatchObject({ cell: 'gru', step: '10' });
    const csv = readFileSync(join(dir, 'm.csv'), 'utf8').trimEnd().split('\n');
    expect(csv).toHaveLength(1 + 2 * 10);
    expect(csv[0].startsWith('step,run,label,time_s,loss,gradNorm')).toBe(true);
    expect(csv[5].split(',').slice(0, 3)).toEqual(['5', 'l', 'run 1']);
  });

  it('names a diverged run on stderr, stops, and exits 3', () => {
    const r = train('--hidden', '4', '--seq', '4', '--batch', '2', '--steps', '300', '--every', '100', '--run', 'sgd lr=100', '--run', 'adam lr=0.01');
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/^run "sgd lr=100" diverged at step \d+: the (loss|gradient of layer 0|gradient of head) is not finite; stopping/m);
    expect(r.out).not.toMatch(/^300 /m);
  });

  it('reports the first non-finite step of a forced divergence, and where, with --json rows for every step', () => {
    const r = train('--hidden', '4', '--seq', '4', '--batch', '2', '--steps', '100', '--every', '1', '--json', '--run', 'sgd lr=100');
    expect(r.code, r.err).toBe(3);
    const rows = r.out.trimEnd().split('\n').map((l) => JSON.parse(l)).filter((o) => 'runs' in o && !o.done);
    const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    const first = rows.find((o) => !finite(o.runs[0].loss) || !finite(o.runs[0].gradNorm));
    expect(first, 'the run never diverged').toBeDefined();
    expect(rows.filter((o) => o.step < first.step).every((o) => finite(o.runs[0].loss) && finite(o.runs[0].gradNorm))).toBe(true);
    const where = !finite(first.runs[0].loss) ? 'loss' : 'gradient of (layer 0|head)';
    expect(r.err).toMatch(new RegExp(`^run "sgd lr=100" diverged at step ${first.step}: the ${where} is not finite; stopping`, 'm'));
  });

  it('trains on the cpu with --backend cpu, and falls back to it when no adapter comes up', () => {
    const cpu = train(...TINY, '--backend', 'cpu', '--json');
    expect(cpu.code, cpu.err).toBe(0);
    expect(JSON.parse(cpu.out.trimEnd().split('\n').at(-1)!)).toMatchObject({ done: true, steps: 30, backend: 'the cpu' });
    const r = spawnSync('npx', ['tsx', 'src/cli/train.ts', ...TINY], { encoding: 'utf8', env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent.json' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no webgpu adapter here .*; training on the cpu instead/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^30 steps in .* on the cpu$/);
  });

  it('--export-torch writes a script that compiles, without training', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const out = join(dir, 'exp-torch.py');
    const r = train('--run', 'adam lr=0.01', '--cell', 'gru', '--export-torch', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`wrote ${out}`);
    const script = readFileSync(out, 'utf8');
    expect(script).toContain('torch.nn.GRU');
    expect(spawnSync('python3', ['-m', 'py_compile', out]).status).toBe(0);
  });
});
