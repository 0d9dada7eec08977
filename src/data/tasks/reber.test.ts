// The embedded Reber grammar: every string the task draws is one the grammar accepts (checked
// by a regular expression written from the graph, not by the generator), the metric weight marks
// exactly the steps whose next symbol the grammar leaves no choice over, and the baseline is the
// share of the most frequent determined symbol.
import { describe, expect, it } from 'vitest';
import { argMax } from '../metric';
import { allocateBatch } from '../task';
import { REBER_SYMBOLS, ReberTask } from './reber';

// From state 3: S ends, or X T* V reaches state 4, which ends with V or goes back to 3 with P.
const S3 = '(?:XT*VP)*(?:XT*VV|S)';
const S4 = `(?:P${S3}|V)`;
const EMBEDDED_REBER = new RegExp(`^B([TP])B(?:TS*X${S3}|PT*V${S4})E\\1E$`);

describe('reber', () => {
  const task = new ReberTask({ seed: 3, maxLength: 30 });
  const T = task.episodeLength;
  const B = 50;

  /** Every string of a few episodes of both splits, with its step targets and metric weights. */
  function strings() {
    const out: { text: string; determined: boolean[] }[] = [];
    const batch = allocateBatch(task, T, B);
    for (const split of ['train', 'val'] as const) {
      for (let e = 0; e < 30; e++) {
        task.fill(e, 0, T, B, batch, split);
        for (let b = 0; b < B; b++) {
          let text = '';
          const determined: boolean[] = [];
          for (let t = 0; t < T && batch.weight[t * B + b] === 1; t++) {
            const i = t * B + b;
            text += REBER_SYMBOLS[argMax(batch.x, i * 7, 7)];
            determined.push(batch.metricWeight![i] === 1);
            const next = REBER_SYMBOLS[batch.target[i]];
            if (t + 1 < T && batch.weight[i + B] === 1) expect(REBER_SYMBOLS[argMax(batch.x, (i + B) * 7, 7)]).toBe(next);
            else text += next;
          }
          out.push({ text, determined });
        }
      }
    }
    return out;
  }
  const all = strings();

  it('draws strings the grammar accepts, up to the longest allowed', () => {
    for (const { text } of all) {
      expect(text).toMatch(EMBEDDED_REBER);
      expect(text.length).toBeLessThanOrEqual(30);
    }
  });

  it('marks the steps whose next symbol is determined: after the outer symbol, the inner E, the long-range symbol, the final E', () => {
    for (const { text, determined } of all) {
      const n = text.length;
      const marked = determined.flatMap((d, t) => (d ? [t] : []));
      expect(marked).toEqual([1, n - 4, n - 3, n - 2]);
    }
    // Against the strings themselves: a marked step's prefix is always followed by the same
    // symbol; an unmarked step's prefix, when common enough to tell, by more than one.
    const next = new Map<string, Set<string>>();
    for (const { text } of all) for (let t = 0; t < text.length - 1; t++) {
      const prefix = text.slice(0, t + 1);
      if (!next.has(prefix)) next.set(prefix, new Set());
      next.get(prefix)!.add(text[t + 1]);
    }
    const count = new Map<string, number>();
    for (const { text } of all) for (let t = 1; t <= text.length; t++) count.set(text.slice(0, t), (count.get(text.slice(0, t)) ?? 0) + 1);
    let checked = 0;
    for (const { text, determined } of all) {
      determined.forEach((d, t) => {
        const prefix = text.slice(0, t + 1);
        if (d) expect(next.get(prefix)!.size, prefix).toBe(1);
        else if (count.get(prefix)! >= 30) {
          expect(next.get(prefix)!.size, prefix).toBeGreaterThan(1);
          checked++;
        }
      });
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('scores the most frequent determined symbol on the validation split', () => {
    const window = { seqLen: T, batch: 8 };
    const counts = new Array(7).fill(0);
    let total = 0;
    const batch = allocateBatch(task, T, 8);
    for (let e = 0; e < task.valBatches; e++) {
      task.fill(e, 0, T, 8, batch, 'val');
      batch.metricWeight!.forEach((w, i) => {
        if (w === 1) {
          counts[batch.target[i]]++;
          total++;
        }
      });
    }
    expect(total).toBe(4 * task.valBatches * 8);
    expect(REBER_SYMBOLS[counts.indexOf(Math.max(...counts))]).toBe('E');
    expect(task.baseline(window)).toBe(Math.max(...counts) / total);
    expect(task.baseline(window)).toBe(0.5);
  });
});
