// The GPU training step with a norm inside the cell against the float64 ReferenceGroup (the norm
// cases of src/testing/training-cases.ts): layer norm and recurrent batch norm, windows and carried
// state, dropout, evaluation passes (batch norm's with the running statistics), per-timestep
// gradient norms and every optimizer, through the norms' kernels. Then batch norm's running
// statistics: the same as the CPU backend's after the same steps (the layout a backend switch
// relies on), carried by checkpoints both ways, and reset by a restart.
import { describe, expect, it } from 'vitest';
import { useEngine } from '../testing/gpu';
import { compare } from '../testing/compare';
import { NORM_TRAINING_CASES, RUNS, trainAgainstReference } from '../testing/training-cases';
import { SignTask } from '../testing/tasks';
import { CpuGroup } from '../cpu/cpu-group';
import { NORM_RUNNING_KEY } from '../model/plan';
import type { GroupSpec } from './group-spec';
import type { StepRecord } from './metrics';
import type { RunCheckpoint } from './trainer';
import { RunGroup } from './run-group';

const gpu = useEngine();

describe('training step with a norm on the GPU vs float64 reference', () => {
  it.each(NORM_TRAINING_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await trainAgainstReference((spec, onRecords) => RunGroup.create(gpu.engine, spec, onRecords), c);
  });
});

describe('batch norm running statistics on the GPU', () => {
  const spec: GroupSpec = {
    cell: 'lstm', hiddenSize: 3, numLayers: 1, batch: 3, seqLen: 3, head: 'every', norm: 'batch',
    bptt: { kind: 'full' }, task: new SignTask(2), runs: RUNS.slice(0, 2), evalEvery: 1,
  };
  const withoutRunning = (cps: RunCheckpoint[]) =>
    cps.map((cp) => ({ ...cp, extra: Object.fromEntries(Object.entries(cp.extra).filter(([k]) => k !== NORM_RUNNING_KEY)) }));

  it('match the CPU backend\'s, travel in checkpoints both ways, and are what evaluation uses', async () => {
    const records: StepRecord[] = [];
    const a = await RunGroup.create(gpu.engine, spec, (r) => records.push(...r));
    const cpu = new CpuGroup(spec, () => {});
    const groups: RunGroup[] = [a];
    try {
      for (let s = 0; s < 3; s++) {
        a.trainStep();
        cpu.trainStep();
      }
      await a.settle();
      const cps = await a.readCheckpoints();
      const cpuCps = await cpu.readCheckpoints();
      let worst = 0;
      cps.forEach((cp, r) => {
        const got = cp.extra[NORM_RUNNING_KEY];
        const want = cpuCps[r].extra[NORM_RUNNING_KEY];
        // one direction, sites ih (4H), hh (4H), c (H), 3 timesteps, mean and variance each
        expect(got.length).toBe(3 * 2 * (12 + 12 + 3));
        expect(got.length).toBe(want.length);
        expect(got.some((v) => v !== 0 && v !== 1)).toBe(true);
        const cmp = compare(got, want, 1e-4, 1e-3);
        worst = Math.max(worst, cmp.maxAbs);
        expect(cmp.worstRatio, `run ${r} running statistics vs CPU: max abs ${cmp.maxAbs} at ${cmp.at}`).toBeLessThanOrEqual(1);
      });
      console.log(`running statistics after 3 steps, GPU vs CPU backend: largest difference ${worst.toExponential(2)}`);

      // Copies given the statistics (from the GPU, and from the CPU backend) and one without: the
      // next evaluation agrees with the original only where the statistics came along.
      const next = async (g: RunGroup, into: StepRecord[]) => {
        g.trainStep();
        await g.settle();
        return into.at(-1)!.runs.map((m) => m.valLoss!);
      };
      const copy = async (from: RunCheckpoint[]) => {
        const into: StepRecord[] = [];
        const g = await RunGroup.create(gpu.engine, spec, (r) => into.push(...r));
        groups.push(g);
        g.writeCheckpoints([0, 1], from);
        g.seek(3);
        return { g, into };
      };
      const fromGpu = await copy(cps);
      const fromCpu = await copy(cpuCps);
      const without = await copy(withoutRunning(cps));
      const want = await next(a, records);
      const gotGpu = await next(fromGpu.g, fromGpu.into);
      const gotCpu = await next(fromCpu.g, fromCpu.into);
      const gotWithout = await next(without.g, without.into);
      want.forEach((w, r) => {
        expect(gotGpu[r]).toBe(w);
        expect(Math.abs(gotCpu[r] - w), `run ${r}: with the CPU backend's statistics`).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(w));
      });
      expect(gotWithout[0]).not.toBeCloseTo(want[0], 6);

      // the other way: the GPU's statistics into the CPU backend
      const back = new CpuGroup(spec, () => {});
      back.writeCheckpoints([0, 1], cps);
      const [roundTrip] = await back.readCheckpoints();
      expect(Array.from(roundTrip.extra[NORM_RUNNING_KEY])).toEqual(Array.from(cps[0].extra[NORM_RUNNING_KEY]));
      expect(() => a.writeCheckpoints([0], [{ ...cps[0], extra: { ...cps[0].extra, [NORM_RUNNING_KEY]: new Float32Array(5) } }]))
        .toThrow(`extra["norm.running"] must hold ${cps[0].extra[NORM_RUNNING_KEY].length} numbers, got 5`);
    } finally {
      for (const g of groups) g.destroy();
    }
  });

  it('restart from torch\'s initial statistics', async () => {
    const a = await RunGroup.create(gpu.engine, spec, () => {});
    try {
      a.trainStep();
      a.restartRuns([1]);
      await a.settle();
      const [kept, restarted] = await a.readCheckpoints();
      expect(kept.extra[NORM_RUNNING_KEY].some((v) => v !== 0 && v !== 1)).toBe(true);
      const fresh = restarted.extra[NORM_RUNNING_KEY];
      // per site and timestep: n means of 0 then n variances of 1 (n = 12, 12, then 3 for c)
      let i = 0;
      for (const n of [12, 12, 12, 12, 12, 12, 3, 3, 3]) {
        expect([...fresh.subarray(i, i + n)]).toEqual(new Array(n).fill(0));
        expect([...fresh.subarray(i + n, i + 2 * n)]).toEqual(new Array(n).fill(1));
        i += 2 * n;
      }
    } finally {
      a.destroy();
    }
  });
});
