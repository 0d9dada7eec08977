// Parity: targets are the XOR of the bits so far, scored at every step or at the last only.
import { describe, expect, it } from 'vitest';
import { allocateBatch } from '../task';
import { ParityTask } from './parity';

describe('parity', () => {
  it.each(['every', 'last'] as const)('targets are running XORs, scored at %s step', (targets) => {
    const L = 9;
    const B = 32;
    const task = new ParityTask({ seed: 4, length: L, targets });
    const batch = allocateBatch(task, L, B);
    task.fill(1, 0, L, B, batch);
    for (let b = 0; b < B; b++) {
      let xor = 0;
      for (let t = 0; t < L; t++) {
        const i = t * B + b;
        expect([0, 1]).toContain(batch.x[i]);
        xor ^= batch.x[i];
        expect(batch.target[i]).toBe(xor);
        expect(batch.weight[i]).toBe(targets === 'every' || t === L - 1 ? 1 : 0);
      }
    }
    expect(task.baseline()).toBe(0.5);
    expect(task.outputSize).toBe(2);
  });

  it('keeps a validation split of its own even with two bits', () => {
    const task = new ParityTask({ seed: 1, length: 2 });
    const key = (s: number[]) => s.join('');
    const train = new Set(Array.from({ length: 40 }, (_, e) => key(task.bits('train', e, 0))));
    const val = new Set(Array.from({ length: 10 }, (_, e) => key(task.bits('val', e, 0))));
    expect(val.size).toBeGreaterThan(0);
    for (const v of val) expect(train.has(v)).toBe(false);
  });
});
