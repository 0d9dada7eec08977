// The BPTT window schedule: full, and truncated with k1 < k2 and k1 = k2.
import { describe, expect, it } from 'vitest';
import { scoreWindow, validateBptt, windowPlan, windowsPerEpisode } from './bptt';

describe('bptt schedule', () => {
  it('full BPTT: a fresh episode from zero state every step, all timesteps scored', () => {
    expect(windowPlan({ kind: 'full' }, 8, 5)).toEqual({ episode: 5, t0: 0, carry: false, carrySlot: 0, scoreFrom: 0 });
  });

  it('truncated k1=2, k2=4 over episodes of 10 timesteps', () => {
    const bptt = { kind: 'truncated' as const, k1: 2, episodeLength: 10 };
    expect(windowsPerEpisode(bptt, 4)).toBe(4); // windows start at 0, 2, 4, 6 (6 + 4 = 10)
    const plans = [0, 1, 3, 4].map((n) => windowPlan(bptt, 4, n));
    expect(plans.map((p) => [p.episode, p.t0, p.carry, p.scoreFrom])).toEqual([
      [0, 0, false, 0],
      [0, 2, true, 2],
      [0, 6, true, 2],
      [1, 0, false, 0],
    ]);
    expect(plans[1].carrySlot).toBe(2);
  });

  it('scores only the new timesteps, or only the last with a last-step head', () => {
    const w = new Float32Array(4 * 2).fill(1);
    scoreWindow(w, 4, 2, 2, false);
    expect(Array.from(w)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const v = new Float32Array(4 * 2).fill(1);
    scoreWindow(v, 4, 2, 0, true);
    expect(Array.from(v)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('names bad fields', () => {
    expect(validateBptt({ kind: 'truncated', k1: 9, episodeLength: 4 }, 8, 'bptt')).toEqual([
      'bptt.k1 must be an integer from 1 to the window length 8, got 9',
      'bptt.episodeLength must be an integer >= the window length 8, got 4',
    ]);
  });
});
