/**
 * The float64 reference against committed fixtures: fixtures/torch/*.json (made by PyTorch, so
 * this proves the reference follows torch's conventions) and fixtures/reference/*.json (made by
 * the reference itself, so a change to its numerics shows up here). Needs no torch to run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { paramLayout } from '../model/layout';
import { parseParityCase } from '../model/parity-case';
import type { ParityCase } from '../model/parity-case';
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
  const c: ParityCase = parseParityCase(JSON.parse(readFileSync(file, 'utf8')), file);
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

describe('fixtures/reference (made by this reference)', () => {
  it.each(fixtureFiles('reference'))('%s', checkAgainstReference);
});
