// The kernel-side tricks as a group records them: nothing of a trick a group does not use, the
// dropout dispatches once some run uses it (rates 0 and 0.5 in the same dispatches), the
// diagnostics variant only at its steps; and a live change that turns on dropout the group lacks
// rebuilds it inside the experiment, after which training continues exactly as the reference.
import { describe, expect, it } from 'vitest';
import { readExperiment } from '../config/parse';
import { SineTask } from '../data/tasks/sine';
import { Experiment } from '../experiments/experiment';
import { createTask, toGroupSpec } from '../experiments/structure';
import { ReferenceGroup } from '../reference/train';
import { chooseKernelPath, foldsInput } from '../model/kernel-path';
import { compare } from '../testing/compare';
import { requireEngine, useEngine } from '../testing/gpu';
import type { GroupSpec, RunSpec } from './group-spec';
import { ConfigError, RunGroup } from './run-group';
import { CONSTANT } from './schedules';
import { WebGpuBackend } from './webgpu-backend';

const gpu = useEngine();

const run = (id: string, seed: number, extra: Partial<RunSpec> = {}): RunSpec =>
  ({ id, label: id, seed, optimizer: { kind: 'adam', lr: 0.02 }, clip: {}, schedule: CONSTANT, ...extra });

const BASE = {
  cell: 'lstm' as const, hiddenSize: 5, numLayers: 2, batch: 2, seqLen: 3, head: 'every' as const,
  bptt: { kind: 'full' as const }, task: new SineTask({ seed: 1 }),
};

async function lists(spec: GroupSpec) {
  const group = await RunGroup.create(gpu.engine, spec, () => {});
  const count = (name: string) => group.net.program.list(name).length;
  const out = {
    forward: count('forward'), backward: count('backward'), diagnostics: count('backward-diagnostics'),
    stages: (group as unknown as { stages: { name: string }[] }).stages.map((s) => s.name),
  };
  return { group, ...out };
}

describe('what a group records', () => {
  it('no trick used: the plain lists (per layer one projection (none for layer 0 when its input is below 16 wide) and T steps, or one looping dispatch), no dropout stage, no diagnostics list', async () => {
    const plain = await lists({ ...BASE, runs: [run('a', 1), run('b', 2, { dropout: 0, recurrentDropout: 0 })] });
    try {
      const path = chooseKernelPath(gpu.engine, BASE).path;
      const stepDispatches = path === 'looping' ? 1 : BASE.seqLen;
      // layer 0's projection is folded into its forward kernel (a 1-wide input)
      const projections = 2 - (foldsInput(0, BASE.task.inputSize) ? 1 : 0);
      expect(plain.forward).toBe(projections + 2 * stepDispatches);
      expect(plain.diagnostics).toBe(0);
      expect(plain.stages).toEqual(['batch', 'state', 'network', 'head', 'update', 'anomaly']);
      const dropping = await lists({ ...BASE, runs: [run('a', 1), run('b', 2, { dropout: 0.5, recurrentDropout: 0.3 })] });
      try {
        // one layer-output kernel per layer forward and backward; the masks in the dropout stage
        expect(dropping.forward).toBe(plain.forward + 2);
        expect(dropping.backward).toBe(plain.backward + 2);
        expect(dropping.stages).toEqual(['batch', 'state', 'dropout', 'network', 'head', 'update', 'anomaly']);
      } finally {
        dropping.group.destroy();
      }
      const diagnosed = await lists({ ...BASE, diagnosticsEvery: 4, runs: [run('a', 1)] });
      try {
        expect([diagnosed.forward, diagnosed.backward, diagnosed.diagnostics]).toEqual([plain.forward, plain.backward, plain.backward + 1]);
      } finally {
        diagnosed.group.destroy();
      }
    } finally {
      plain.group.destroy();
    }
  });

  it('live settings that need dispatches the group lacks are refused, naming the run and the trick', async () => {
    const { group } = await lists({ ...BASE, runs: [run('a', 1), run('b', 2, { dropout: 0.2 })] });
    try {
      group.configureRuns([run('a', 1, { dropout: 0.9 }), run('b', 2)]);
      const recurrent = [run('a', 1, { recurrentDropout: 0.1 }), run('b', 2, { dropout: 0.2 })];
      expect(() => group.configureRuns(recurrent)).toThrow(ConfigError);
      expect(() => group.configureRuns(recurrent)).toThrow(/runs\[0\] \("a"\) uses recurrentDropout, but its group was built without/);
      expect(() => group.configureRuns([run('a', 1, { dropout: 1 }), run('b', 2)])).toThrow('runs[0].dropout must be a number >= 0 and < 1, got 1');
    } finally {
      group.destroy();
    }
  });
});

describe('a live change to dropout in the experiment', () => {
  it('rebuilds the group with the dispatches, carrying every run, and trains on as the reference does', async () => {
    const doc = readExperiment({
      version: 1, evalEvery: 0, task: { kind: 'sine', seed: 3 },
      runs: [
        { id: 'a', seed: 5, hiddenSize: 4, numLayers: 2, batch: 2, seqLen: 4, optimizer: { kind: 'adam', lr: 0.02 } },
        { id: 'b', seed: 6, hiddenSize: 4, numLayers: 2, batch: 2, seqLen: 4, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 } },
      ],
    });
    const backend = new WebGpuBackend(await requireEngine());
    const exp = await Experiment.create(doc, backend);
    try {
      const ref = new ReferenceGroup(toGroupSpec(doc, await createTask(doc), doc.runs));
      for (let s = 0; s < 2; s++) {
        await exp.step();
        ref.trainStep();
      }
      expect(await exp.setRunField('a', 'dropout', 0.4)).toEqual([]);
      expect(await exp.setRunField('b', 'recurrentDropout', 0.3)).toEqual([]);
      ref.configureRuns(toGroupSpec(exp.doc, exp.currentTask, exp.doc.runs).runs);
      for (let s = 0; s < 2; s++) {
        await exp.step();
        ref.trainStep();
      }
      for (const [r, id] of ['a', 'b'].entries()) {
        const cp = await exp.readCheckpoint(id);
        expect(cp?.step).toBe(4);
        const c = compare(cp!.params, ref.params[r], 1e-4, 1e-3);
        expect(c.worstRatio, `run ${id}: max abs ${c.maxAbs} at ${c.at}`).toBeLessThanOrEqual(1);
      }
    } finally {
      exp.destroy();
      backend.destroy();
    }
  });
});
