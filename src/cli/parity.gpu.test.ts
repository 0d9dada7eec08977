// The parity tool end to end: exit codes and messages for passing, failing and malformed cases.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function parity(...files: string[]) {
  const r = spawnSync('npx', ['tsx', 'src/cli/parity.ts', ...files], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'parity-'));
const good = 'fixtures/reference/gru-small.json';

describe('npm run parity', () => {
  it('passes the committed fixtures with one line per case', () => {
    const r = parity('fixtures/reference/lstm-small.json', 'fixtures/torch/gru-2layers.json', 'fixtures/torch/lstm-bidirectional-2layers.json');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lstm-small\s+PASS\s+worst \S+: max abs/m);
    expect(r.out).toMatch(/^gru-2layers\s+PASS/m);
    expect(r.out).toMatch(/^lstm-bidirectional-2layers\s+PASS/m);
    expect(r.out).toMatch(/3 passed, 0 failed/);
  });

  it('fails (exit 1) and names the tensor when an expected value is off', () => {
    const c = JSON.parse(readFileSync(good, 'utf8'));
    c.name = 'tampered';
    c.expected.grads.weight_hh_l0[3] += 0.01;
    const file = join(dir, 'tampered.json');
    writeFileSync(file, JSON.stringify(c));
    const r = parity(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^tampered\s+FAIL\s+worst grads\.weight_hh_l0: max abs 1\.00e-2/m);
  });

  it('rejects a malformed file with exit 2, naming the file and the field', () => {
    const c = JSON.parse(readFileSync(good, 'utf8'));
    c.params.bias_hh_l0 = c.params.bias_hh_l0.slice(1);
    const file = join(dir, 'short.json');
    writeFileSync(file, JSON.stringify(c));
    const r = parity(file, good);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: field "params.bias_hh_l0" has 14 numbers, expected 15`);
    expect(r.out).toMatch(/^gru-small\s+PASS/m);
  });

  it('rejects a file that is not JSON with exit 2', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "name": ');
    const r = parity(file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: not valid JSON`);
  });
});
