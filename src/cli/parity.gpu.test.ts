// The parity tool end to end: one line per file (the file first), every file tried whatever the
// others did, exit codes for passing, failing, malformed and oversized cases, names printed
// safely, --help, and a folder without cases.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function parity(...files: string[]) {
  const r = spawnSync('npx', ['tsx', 'src/cli/parity.ts', ...files], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'parity-'));
const good = 'fixtures/reference/gru-small.json';

function variant(name: string, change: (c: Record<string, any>) => void): string {
  const c = JSON.parse(readFileSync(good, 'utf8'));
  change(c);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

describe('npm run parity', () => {
  it('passes the committed fixtures with one line per file', () => {
    const r = parity('fixtures/reference/lstm-small.json', 'fixtures/torch/gru-2layers.json', 'fixtures/torch/lstm-bidirectional-2layers.json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^fixtures\/reference\/lstm-small\.json: lstm-small PASS\s+worst \S+: max abs/m);
    expect(r.out).toMatch(/^fixtures\/torch\/gru-2layers\.json: gru-2layers PASS/m);
    expect(r.out).toMatch(/^fixtures\/torch\/lstm-bidirectional-2layers\.json: lstm-bidirectional-2layers PASS/m);
    expect(r.out).toMatch(/3 passed, 0 failed/);
  });

  it('fails (exit 1) and names the tensor when an expected value is off', () => {
    const file = variant('tampered.json', (c) => {
      c.name = 'tampered';
      c.expected.grads.weight_hh_l0[3] += 0.01;
    });
    const r = parity(file);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${file}: tampered FAIL  worst grads.weight_hh_l0: max abs 1.00e-2`);
  });

  it('a malformed or unreadable file is named, the others still run, exit 2', () => {
    const short = variant('short.json', (c) => (c.params.bias_hh_l0 = c.params.bias_hh_l0.slice(1)));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "name": ');
    const r = parity(short, broken, join(dir, 'missing.json'), good);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${short}: MALFORMED field "params.bias_hh_l0" has 14 numbers, expected 15`);
    expect(r.out).toContain(`${broken}: MALFORMED not valid JSON`);
    expect(r.out).toContain(`${join(dir, 'missing.json')}: MALFORMED cannot read file (ENOENT)`);
    expect(r.out).toMatch(/gru-small\.json: gru-small PASS/);
    expect(r.out).toMatch(/1 passed, 0 failed, 3 malformed/);
  });

  it('a case the device cannot run is an error of that file (exit 1), and the rest still run', () => {
    // One unit and 262148 batch rows: the step kernels would need 65537 workgroups in one dimension.
    const B = 262148;
    const ones = (n: number) => new Array<number>(n).fill(0.5);
    const tooWide = {
      name: 'too-wide', cell: 'rnn_tanh', input_size: 1, hidden_size: 1, num_layers: 1, seq_len: 1, batch: B,
      params: { weight_ih_l0: [0.1], weight_hh_l0: [0.2], bias_ih_l0: [0], bias_hh_l0: [0] },
      x: ones(B), h0: ones(B), grad_output: ones(B),
      expected: { output: ones(B), h_n: ones(B), grads: { weight_ih_l0: [0], weight_hh_l0: [0], bias_ih_l0: [0], bias_hh_l0: [0], x: ones(B), h0: ones(B) } },
    };
    const wide = join(dir, 'wide.json');
    writeFileSync(wide, JSON.stringify(tooWide));
    const r = parity(wide, good);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain(`${wide}: too-wide ERROR could not run here: dispatch`);
    expect(r.out).toMatch(/gru-small\.json: gru-small PASS/);
    expect(r.out).toMatch(/1 passed, 0 failed, 1 could not run/);
  });

  it('prints names safely, answers --help, and says when a folder holds no case', () => {
    const evil = variant('evil.json', (c) => (c.name = 'x\u001b[31mred\u0007'));
    const r = parity(evil);
    expect(r.code).toBe(0);
    expect(r.out).toContain('x\\u001b[31mred\\u0007 PASS');
    expect(r.out).not.toContain('\u001b');
    const help = parity('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: npm run parity --/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const none = parity(empty);
    expect(none.code).toBe(2);
    expect(none.err).toContain(`no .json files in ${empty}`);
  });
});
