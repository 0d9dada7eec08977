// The character model task: inputs one-hot over the vocabulary, targets the next characters of
// the text, training reads only the first 90% and validation only the last 10%, the baseline is
// the unigram entropy of the training text; the brackets text is generated and balanced.
import { describe, expect, it } from 'vitest';
import { bracketsCorpus } from '../corpus/brackets';
import { argMax } from '../metric';
import { allocateBatch } from '../task';
import { CharLmTask } from './charlm';
import { TASKS } from '.';

const TEXT = Array.from({ length: 300 }, (_, i) => `w${(i * 37) % 101}`).join(' ') + ' — déjà vu 🙂';

describe('charlm', () => {
  const task = new CharLmTask({ seed: 4, corpus: 'user' }, TEXT);
  const chars = Array.from(TEXT);

  it('has the text\'s characters as its vocabulary, in code point order', () => {
    expect(task.vocabulary).toEqual([...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
    expect(task.vocabulary).toContain('🙂');
    expect(task.inputSize).toBe(task.vocabulary.length);
    expect(task.decode(task.encode('déjà 🙂'))).toBe('déjà 🙂');
    expect(() => task.encode('Q')).toThrow('"Q" is not in the user text\'s vocabulary');
  });

  it.each(['train', 'val'] as const)('targets the next character of the %s text', (split) => {
    const T = 30;
    const B = 6;
    const V = task.inputSize;
    const batch = allocateBatch(task, T, B);
    task.fill(2, 0, T, B, batch, split);
    const valStart = task.stream.valStart;
    expect(valStart).toBe(chars.length - Math.floor(chars.length / 10));
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const i = t * B + b;
        const at = task.stream.item(split, 2, b, B, t);
        if (split === 'train') expect(at + 1).toBeLessThan(valStart);
        else expect(at).toBeGreaterThanOrEqual(valStart);
        expect(task.vocabulary[argMax(batch.x, i * V, V)]).toBe(chars[at]);
        expect(task.vocabulary[batch.target[i]]).toBe(chars[at + 1]);
        expect(batch.weight[i]).toBe(1);
      }
    }
  });

  it('scores the unigram entropy of the training text in bits', () => {
    const train = chars.slice(0, task.stream.valStart);
    const counts = new Map<string, number>();
    for (const c of train) counts.set(c, (counts.get(c) ?? 0) + 1);
    let h = 0;
    for (const n of counts.values()) h -= (n / train.length) * Math.log2(n / train.length);
    expect(task.baseline()).toBeCloseTo(h, 12);
  });

  it('generates the brackets text: seeded, each line balanced', () => {
    const text = bracketsCorpus(7, 5000, 3);
    expect(bracketsCorpus(7, 5000, 3)).toBe(text);
    expect(bracketsCorpus(8, 5000, 3)).not.toBe(text);
    expect(text.length).toBeGreaterThanOrEqual(5000);
    let deepest = 0;
    for (const line of text.slice(0, -1).split('\n')) {
      const open: string[] = [];
      for (const c of line) {
        if ('([{'.includes(c)) open.push(c);
        else if (')]}'.includes(c)) expect(open.pop() + c).toMatch(/^(\(\)|\[\]|\{\})$/);
        deepest = Math.max(deepest, open.length);
      }
      expect(open).toEqual([]);
    }
    expect(deepest).toBe(3);
    const lm = TASKS.charlm.create({ kind: 'charlm', corpus: 'brackets', corpusLength: 5000, depth: 3, seed: 7 });
    expect(lm.vocabulary!.join('')).toBe('\n ()[]abcdef{}');
  });

  it('refuses a text too short or with too many distinct characters', () => {
    expect(() => new CharLmTask({ corpus: 'user' }, 'short')).toThrow('the user text has 5 characters; at least 100 are needed');
    const wide = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    expect(() => new CharLmTask({ corpus: 'user' }, wide)).toThrow('the user text has 300 distinct characters; at most 256 are allowed');
  });
});
