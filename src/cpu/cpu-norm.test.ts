// The CPU run group with a norm (layer norm, recurrent batch norm) against the float64
// ReferenceGroup: the training loop's plumbing around the normalized network (windows, masks,
// evaluation with running statistics, checkpoints). The normalized network's numerics themselves
// are checked in src/reference (finite differences, PyTorch fixtures).
import { describe, expect, it } from 'vitest';
import { NORM_TRAINING_CASES, RUNS, trainAgainstReference } from '../testing/training-cases';
import { SignTask } from '../testing/tasks';
import type { GroupSpec } from '../training/group-spec';
import type { StepRecord } from '../training/metrics';
import { CpuGroup } from './cpu-group';
import { EXTRA } from './checks';

describe('norm training step on the CPU vs float64 reference', () => {
  for (const c of NORM_TRAINING_CASES) {
    it(c.name, async () => {
      await trainAgainstReference(async (spec, onRecords) => new CpuGroup(spec, onRecords), c);
    });
  }
});

describe('batch norm running statistics', () => {
  const spec: GroupSpec = {
    cell: 'lstm', hiddenSize: 3, numLayers: 1, batch: 3, seqLen: 3, head: 'every', norm: 'batch',
    bptt: { kind: 'full' }, task: new SignTask(2), runs: RUNS.slice(0, 2), evalEvery: 1,
  };

  it('move with training, travel in checkpoints, and are what evaluation uses', async () => {
    const records: StepRecord[] = [];
    const a = new CpuGroup(spec, (r) => records.push(...r));
    for (let s = 0; s < 3; s++) a.trainStep();
    const cps = await a.readCheckpoints();
    const running = cps[0].extra[EXTRA.normRunning];
    // one direction, sites ih (4H), hh (4H), c (H), 3 timesteps, mean and variance each
    expect(running.length).toBe(3 * 2 * (12 + 12 + 3));
    expect(running.some((v) => v !== 0 && v !== 1)).toBe(true);

    // Two copies of the trained group, one given the statistics and one without: the next
    // evaluation agrees with the original only where the statistics came along.
    const next = (g: CpuGroup, into: StepRecord[]) => { g.trainStep(); return into.at(-1)!.runs.map((m) => m.valLoss!); };
    const withStats: StepRecord[] = [];
    const b = new CpuGroup(spec, (r) => withStats.push(...r));
    b.writeCheckpoints([0, 1], cps);
    b.seek(3);
    const without: StepRecord[] = [];
    const c = new CpuGroup(spec, (r) => without.push(...r));
    c.writeCheckpoints([0, 1], cps.map((cp) => ({ ...cp, extra: Object.fromEntries(Object.entries(cp.extra).filter(([k]) => k !== EXTRA.normRunning)) })));
    c.seek(3);
    const want = next(a, records);
    expect(next(b, withStats)).toEqual(want);
    expect(next(c, without)[0]).not.toBeCloseTo(want[0], 6);
    expect(() => b.writeCheckpoints([0], [{ ...cps[0], extra: { ...cps[0].extra, [EXTRA.normRunning]: new Float32Array(5) } }]))
      .toThrow(`checkpoint 0: extra["norm.running"] must hold ${running.length} numbers, got 5`);
  });

  it('restart from torch\'s initial statistics', async () => {
    const a = new CpuGroup(spec, () => {});
    a.trainStep();
    a.restartRuns([1]);
    const [kept, restarted] = await a.readCheckpoints();
    expect(kept.extra[EXTRA.normRunning].some((v) => v !== 0 && v !== 1)).toBe(true);
    const fresh = restarted.extra[EXTRA.normRunning];
    // per site and timestep: n means of 0 then n variances of 1 (n = 12, 12, then 3 for c)
    let i = 0;
    for (const n of [12, 12, 12, 12, 12, 12, 3, 3, 3]) {
      expect([...fresh.subarray(i, i + n)]).toEqual(new Array(n).fill(0));
      expect([...fresh.subarray(i + n, i + 2 * n)]).toEqual(new Array(n).fill(1));
      i += 2 * n;
    }
  });
});
