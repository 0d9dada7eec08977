// Reduce-on-plateau and pruning on the GPU beyond the shared training cases: the rate trajectory
// does not depend on readback timing, plateau state and masks travel in checkpoints and reset with
// restarts, the radix select picks exactly magnitudeMask's weights (ties included, matrices large
// enough for several workgroups), pruned weights stay 0, and a group records a trick's dispatches
// only when one of its runs uses it. Tiny shapes: SwiftShader runs these.
import { beforeAll, describe, expect, it } from 'vitest';
import { countCalls, installCounters } from '../../bench/counters';
import { SineTask } from '../data/tasks/sine';
import { ReferenceGroup } from '../reference/train';
import { compare } from '../testing/compare';
import { useEngine } from '../testing/gpu';
import { FixedTask } from '../testing/tasks';
import type { GroupSpec, RunSpec } from './group-spec';
import type { StepRecord } from './metrics';
import { PLATEAU_DEFAULTS, PLATEAU_STATE_KEY } from './plateau';
import { magnitudeMask, prunedCount, PRUNE_MASK_KEY } from './prune';
import { PruneStage } from './prune-stage';
import { RunGroup } from './run-group';
import { CONSTANT } from './schedules';

const gpu = useEngine();
beforeAll(() => installCounters());

const run = (id: string, seed: number, extra: Partial<RunSpec> = {}): RunSpec =>
  ({ id, label: id, seed, optimizer: { kind: 'adam', lr: 0.02 }, clip: {}, schedule: CONSTANT, ...extra });

const PLATEAU = { ...PLATEAU_DEFAULTS, patience: 0, factor: 0.5, threshold: 0.9, cooldown: 1 };

const spec = (runs: RunSpec[], more: Partial<GroupSpec> = {}): GroupSpec => ({
  cell: 'lstm', hiddenSize: 4, numLayers: 1, batch: 2, seqLen: 3, head: 'every', bptt: { kind: 'full' },
  task: new FixedTask(3), runs, ...more,
});

async function build(s: GroupSpec) {
  const records: StepRecord[] = [];
  const group = await RunGroup.create(gpu.engine, s, (r) => records.push(...r));
  return { group, records };
}

describe('reduce-on-plateau on the GPU', () => {
  it('the same rates and weights whether metrics are read back every step or every 8: the decision needs no readback', async () => {
    const runs = [run('a', 1, { plateau: PLATEAU }), run('b', 2, { plateau: { ...PLATEAU, cooldown: 0, factor: 0.3 } })];
    const often = await build(spec(runs, { metricsEvery: 1 }));
    const seldom = await build(spec(runs, { metricsEvery: 8 }));
    const ref = new ReferenceGroup(spec(runs));
    try {
      const want: number[][] = [];
      for (let s = 1; s <= 8; s++) {
        often.group.trainStep();
        seldom.group.trainStep();
        want.push(ref.trainStep().learningRates);
        if (s % 3 === 0) await often.group.settle();
      }
      await often.group.settle();
      await seldom.group.settle();
      const rates = (rs: StepRecord[]) => rs.map((r) => r.runs.map((m) => m.learningRate));
      expect(rates(often.records)).toEqual(rates(seldom.records));
      expect(await often.group.readParams()).toEqual(await seldom.group.readParams());
      // ...and they are the reference's, reductions included.
      rates(often.records).forEach((row, s) => expect(compare(row, want[s], 0, 1e-6).worstRatio, `step ${s + 1}`).toBeLessThanOrEqual(1));
      expect(new Set(want.map((row) => row[0])).size).toBeGreaterThan(2);
    } finally {
      often.group.destroy();
      seldom.group.destroy();
    }
  });

  it('its state travels in checkpoints and a restart starts it afresh', async () => {
    const runs = [run('a', 1, { plateau: PLATEAU }), run('b', 2)];
    const a = await build(spec(runs));
    const b = await build(spec(runs));
    try {
      for (let s = 0; s < 4; s++) a.group.trainStep();
      const cps = await a.group.readCheckpoints();
      const state = cps[0].extra[PLATEAU_STATE_KEY];
      expect(state[3]).toBeLessThan(1); // reduced at least once
      expect(cps[1].extra[PLATEAU_STATE_KEY]).toBeUndefined();
      b.group.writeCheckpoints([0, 1], cps);
      for (let s = 0; s < 3; s++) {
        a.group.trainStep();
        b.group.trainStep();
      }
      await a.group.settle();
      await b.group.settle();
      expect(b.records.map((r) => r.runs[0].learningRate)).toEqual(a.records.slice(4).map((r) => r.runs[0].learningRate));
      expect(await b.group.readParams()).toEqual(await a.group.readParams());
      a.group.restartRuns([0]);
      const fresh = (await a.group.readCheckpoints())[0].extra[PLATEAU_STATE_KEY];
      expect(Array.from(fresh)).toEqual([Infinity, 0, 0, 1]);
    } finally {
      a.group.destroy();
      b.group.destroy();
    }
  });

  it('a run cannot turn it on live in a group built without it; the message names the run', async () => {
    const { group } = await build(spec([run('a', 1), run('b', 2)]));
    try {
      expect(() => group.configureRuns([run('a', 1), run('b', 2, { plateau: PLATEAU })])).toThrow(/runs\[1\] \("b"\) uses plateau, but its group was built without/);
    } finally {
      group.destroy();
    }
  });
});

describe('pruning on the GPU', () => {
  it('the radix select prunes exactly the k smallest |w| of each matrix, ties to the lower index, over several workgroups', async () => {
    // H 40: weight_hh is 160 x 40 = 6400 weights, so each element-wise pass has 4 workgroups per matrix.
    const runs = [run('a', 1, { prune: { kind: 'oneshot', step: 1, sparsity: 0.37 } }), run('b', 2, { prune: { kind: 'oneshot', step: 1, sparsity: 0.8 } })];
    const s = spec(runs, { hiddenSize: 40, task: new SineTask({ seed: 1 }) });
    const { group } = await build(s);
    try {
      const stage = (group as unknown as { stages: unknown[] }).stages.find((x): x is PruneStage => x instanceof PruneStage)!;
      // Weights on a coarse grid: thousands of exact ties in |w|, including zeros and -0.
      const cps = await group.readCheckpoints();
      for (const cp of cps) cp.params.forEach((w, i) => (cp.params[i] = i % 7 === 0 ? -0 : Math.round(w * 16) / 16));
      group.writeCheckpoints([0, 1], cps);
      // An update of lr * g <= 1e-30 * 1e-37, which is 0 in float32: the selection sees exactly these weights.
      group.configureRuns(runs.map((r) => ({ ...r, optimizer: { kind: 'sgd', lr: 1e-30 }, clip: { value: 1e-37 } })));
      group.trainStep();
      await group.settle();
      const masks = await stage.readMasks();
      const after = await group.readParams();
      runs.forEach((r, ri) => {
        const sparsity = (r.prune as { sparsity: number }).sparsity;
        const want = new Float32Array(stage.maskSize);
        for (const m of stage.matrices) magnitudeMask(cps[ri].params, m.offset, m.length, prunedCount(sparsity, m.length), want, m.maskOffset);
        const got = masks.subarray(ri * stage.maskSize, (ri + 1) * stage.maskSize);
        expect(Array.from(got)).toEqual(Array.from(want));
        for (const m of stage.matrices) {
          for (let i = 0; i < m.length; i++) if (want[m.maskOffset + i] === 0) expect(Math.abs(after[ri][m.offset + i])).toBe(0);
        }
      });
    } finally {
      group.destroy();
    }
  });

  it('pruned weights stay exactly 0 while training, sparsity is their share, masks travel in checkpoints and restarts clear them', async () => {
    const runs = [
      run('gradual', 1, { optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, prune: { kind: 'gradual', start: 1, end: 3, every: 1, sparsity: 0.5 } }),
      run('none', 2),
    ];
    const { group, records } = await build(spec(runs));
    const other = await build(spec(runs));
    try {
      for (let s = 0; s < 6; s++) group.trainStep();
      await group.settle();
      const cps = await group.readCheckpoints();
      const masks = cps[0].extra[PRUNE_MASK_KEY];
      expect(cps[1].extra[PRUNE_MASK_KEY]).toBeUndefined();
      const pruned = masks.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);
      expect(pruned / masks.length).toBeCloseTo(0.5, 1);
      expect(records.at(-1)!.runs[0].sparsity).toBe(pruned / masks.length);
      expect(records.at(-1)!.runs[1].sparsity).toBe(0);
      other.group.writeCheckpoints([0, 1], cps);
      for (let s = 0; s < 3; s++) {
        group.trainStep();
        other.group.trainStep();
      }
      const [p] = await group.readParams();
      expect(await other.group.readParams()).toEqual(await group.readParams());
      const stage = (group as unknown as { stages: unknown[] }).stages.find((x): x is PruneStage => x instanceof PruneStage)!;
      for (const m of stage.matrices) {
        for (let i = 0; i < m.length; i++) if (masks[m.maskOffset + i] === 0) expect(Math.abs(p[m.offset + i])).toBe(0);
      }
      group.restartRuns([0]);
      expect(Array.from((await stage.readMasks()).subarray(0, stage.maskSize)).every((x) => x === 1)).toBe(true);
    } finally {
      group.destroy();
      other.group.destroy();
    }
  });
});

describe('dispatches', () => {
  async function dispatchesPerStep(runs: RunSpec[], steps: number): Promise<number[]> {
    const { group } = await build(spec(runs));
    try {
      const out: number[] = [];
      for (let s = 0; s < steps; s++) out.push(countCalls(() => group.trainStep()).counts.dispatches);
      await group.settle();
      return out;
    } finally {
      group.destroy();
    }
  }

  it('a group records a trick\'s dispatches only when a run uses it; the selection only at steps that change masks', async () => {
    const plain = await dispatchesPerStep([run('a', 1), run('b', 2)], 3);
    const base = plain[0];
    expect(plain).toEqual([base, base, base]);
    const init = await dispatchesPerStep([run('a', 1, { init: { weightIh: 'orthogonal', weightHh: 'identity', bias: 'zeros', forgetBias: 1 } }), run('b', 2)], 1);
    expect(init).toEqual([base]);
    expect(await dispatchesPerStep([run('a', 1, { plateau: PLATEAU }), run('b', 2)], 2)).toEqual([base + 1, base + 1]);
    const prune = await dispatchesPerStep([run('a', 1, { prune: { kind: 'oneshot', step: 2, sparsity: 0.5 } }), run('b', 2)], 3);
    // mask the gradients and apply the masks every step; 8 x (histogram + choose) + write at step 2.
    expect(prune).toEqual([base + 2, base + 2 + 17, base + 2]);
  });
});
