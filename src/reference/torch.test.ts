/**
 * The float64 reference against committed fixtures: fixtures/torch/*.json (made by PyTorch, so
 * this proves the reference follows torch's conventions) and fixtures/reference/*.json (made by
 * the reference itself, so a change to its numerics shows up here), and fixtures/torch-norm/*.json
 * (layer and batch norm cells built by fixtures/make_torch_norm.py from torch.nn.functional.layer_norm
 * / batch_norm, with batch norm's running statistics after the pass). Needs no torch to run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { paramLayout } from '../model/layout';
import { parseParityCase } from '../model/parity-case';
import type { ParityCase } from '../model/parity-case';
import { initialRunning, updateRunning } from './norm';
import { rnnBackward, rnnForward } from './rnn';

const TOLERANCE = 1e-9;

function fixtureFiles(folder: string): string[] {
  const dir = fileURLToPath(new URL(`../../fixtures/${folder}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dir}${f}`);
}

/** Worst |got - want| / (1 + |want|): an absolute error near 0, a relative one for large values. */
function worstError(got: Float64Array | undefined, want: Float64Array | undefined): number {
  expect(got?.length).toBe(want?.length);
  let worst = 0;
  for (let i = 0; i < (want?.length ?? 0); i++) {
    worst = Math.max(worst, Math.abs(got![i] - want![i]) / (1 + Math.abs(want![i])));
  }
  return worst;
}

function checkAgainstReference(file: string): void {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const c: ParityCase = parseParityCase(json, file);
  const fwd = rnnForward(c);
  const grads = rnnBackward(c, fwd, c.gradOutput);
  const e = c.expected;
  const errors: [string, number][] = [
    ['output', worstError(fwd.output, e.output)],
    ['h_n', worstError(fwd.hN, e.hN)],
    ['c_n', worstError(fwd.cN, e.cN)],
    ['grads.x', worstError(grads.x, e.grads.x)],
    ['grads.h0', worstError(grads.h0, e.grads.h0)],
    ['grads.c0', worstError(grads.c0, e.grads.c0)],
  ];
  for (const p of paramLayout(c.shape).entries) {
    const view = (a: Float64Array) => a.subarray(p.offset, p.offset + p.size);
    errors.push([`grads.${p.name}`, worstError(view(grads.params), view(e.grads.params))]);
  }
  // batch norm: torch.nn.functional.batch_norm's running statistics after this training pass
  const running = json.running as { mean: number[]; var: number[] }[][][] | undefined;
  expect(running !== undefined, 'a batch norm case carries its running statistics').toBe(c.shape.norm === 'batch');
  running?.forEach((sites, d) => sites.forEach((steps, s) => steps.forEach((want, t) => {
    const batch = fwd.batchStats![d][s][t];
    const got = updateRunning(initialRunning(batch.mean.length), batch, c.batch);
    errors.push([`running mean [${d}][${s}][${t}]`, worstError(got.mean, Float64Array.from(want.mean))]);
    errors.push([`running var [${d}][${s}][${t}]`, worstError(got.var, Float64Array.from(want.var))]);
  })));
  for (const [name, err] of errors) expect(err, name).toBeLessThan(TOLERANCE);
}

describe('fixtures/torch (made by PyTorch 1.13 in float64)', () => {
  const files = fixtureFiles('torch');
  it('cover all four cells', () => {
    const cells = new Set(files.map((f) => parseParityCase(JSON.parse(readFileSync(f, 'utf8')), f).shape.cell));
    expect([...cells].sort()).toEqual(['gru', 'lstm', 'rnn_relu', 'rnn_tanh']);
  });
  it.each(files)('%s', checkAgainstReference);
});

describe('fixtures/torch-norm (layer / batch norm cells made by PyTorch 1.13 in float64)', () => {
  const files = fixtureFiles('torch-norm');
  it('cover layer and batch norm for lstm, gru and rnn_tanh', () => {
    const kinds = files.map((f) => parseParityCase(JSON.parse(readFileSync(f, 'utf8')), f).shape).map((s) => `${s.cell} ${s.norm}`);
    expect(kinds.sort()).toEqual(['gru batch', 'gru layer', 'lstm batch', 'lstm layer', 'rnn_tanh batch', 'rnn_tanh layer']);
  });
  it.each(files)('%s', checkAgainstReference);
});

describe('fixtures/reference (made by this reference)', () => {
  it.each(fixtureFiles('reference'))('%s', checkAgainstReference);
});
