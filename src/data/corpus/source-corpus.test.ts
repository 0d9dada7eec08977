// The bundled source corpus: the browser's (Vite's import.meta.glob, which vitest runs too) and
// Node's (read from disk) are the same text, hold the project's TypeScript and WGSL but no tests,
// and a character model can be built on it.
import { describe, expect, it } from 'vitest';
import { TASKS } from '../tasks';
import { browserSourceCorpus } from './source-corpus-browser';
import { nodeSourceCorpus } from './source-corpus-node';
import { isCorpusFile, joinCorpus } from './source-corpus';

describe('source corpus', () => {
  it('is the same text in the browser bundle and read from disk', async () => {
    const [browser, node] = await Promise.all([browserSourceCorpus(), nodeSourceCorpus()]);
    expect(browser.length).toBeGreaterThan(100_000);
    expect(browser === node).toBe(true);
    expect(node).toContain('export const browserSourceCorpus');
    expect(node).toContain('@compute');
    expect(node).not.toContain("describe('source corpus'");
  });

  it('takes src TypeScript without tests and shaders WGSL, in path order', () => {
    expect(['src/main.ts', 'shaders/rnn.wgsl', 'shaders/lib/rng.wgsl'].every(isCorpusFile)).toBe(true);
    expect(['src/a.test.ts', 'src/a.gpu.test.ts', 'e2e/x.ts', 'bench/run.ts', 'src/x.js'].some(isCorpusFile)).toBe(false);
    expect(joinCorpus({ 'src/b.ts': 'B\r\n', 'shaders/a.wgsl': 'A', 'src/b.test.ts': 'T' })).toBe('A\nB\n');
  });

  it('feeds a character model', async () => {
    const task = TASKS.charlm.create({ kind: 'charlm', corpus: 'source' }, { kind: 'text', text: await nodeSourceCorpus() });
    expect(task.vocabulary!.length).toBeGreaterThan(80);
    expect(task.baseline({ seqLen: 32, batch: 4 })).toBeGreaterThan(4);
  });
});
