// The dry-run limits check (group-limits.ts, engine/dry-run.ts) with WebGPU's default limits and
// no GPU: a fitting group passes, an RNN group is not charged the LSTM's 4H gates, and each
// problem names the settings that grow it.
import { globals } from 'webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { SineTask } from '../data/tasks/sine';
import type { GroupSpec } from './group-spec';
import { groupLimitProblems } from './group-limits';
import { CONSTANT } from './schedules';

/** The limits every WebGPU device offers at least (the spec's defaults). */
const DEFAULT_LIMITS = {
  maxBufferSize: 256 * 2 ** 20,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxComputeWorkgroupsPerDimension: 65535,
  minUniformBufferOffsetAlignment: 256,
} as GPUSupportedLimits;

const spec = (over: Partial<GroupSpec>): GroupSpec => ({
  cell: 'lstm', hiddenSize: 8, numLayers: 1, batch: 4, seqLen: 8, head: 'every', bptt: { kind: 'full' },
  task: new SineTask({ seed: 1 }),
  runs: [{ id: 'a', label: 'a', seed: 1, optimizer: { kind: 'adam', lr: 0.01 }, clip: {}, schedule: CONSTANT }],
  ...over,
});

beforeAll(() => {
  Object.assign(globalThis, globals);
});

describe('groupLimitProblems', () => {
  it('passes a group that fits', async () => {
    expect(await groupLimitProblems(spec({}), DEFAULT_LIMITS)).toEqual([]);
  });

  it('charges an LSTM its 4H gate floats and an RNN none: the same shape fits as rnn_tanh only', async () => {
    const shape = { hiddenSize: 1024, batch: 512, seqLen: 20 };
    expect(await groupLimitProblems(spec({ ...shape, cell: 'rnn_tanh' }), DEFAULT_LIMITS)).toEqual([]);
    const lstm = await groupLimitProblems(spec({ ...shape, cell: 'lstm' }), DEFAULT_LIMITS);
    expect(lstm.length).toBeGreaterThan(0);
    for (const p of lstm) expect(p).toMatch(/^hiddenSize 1024, batch 512, seqLen 20: .* (needs|binds) \d+ MiB.*; reduce hiddenSize, batch or seqLen$/);
  });

  it('names the workgroup count of the one dispatch that grows with the parameters, and only its settings', async () => {
    const problems = await groupLimitProblems(spec({ hiddenSize: 2048, batch: 1, seqLen: 1 }), { ...DEFAULT_LIMITS, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 });
    expect(problems).toEqual([
      'hiddenSize 2048: dispatch "update optimizer update" needs 65641 workgroups in one dimension; the device allows 65535; reduce hiddenSize',
    ]);
  });

  it('names the number of runs when it is what makes a buffer too large', async () => {
    const runs = Array.from({ length: 8 }, (_, i) => ({ ...spec({}).runs[0], id: `r${i}`, seed: i }));
    const small = { ...DEFAULT_LIMITS, maxBufferSize: 2 ** 20, maxStorageBufferBindingSize: 2 ** 20 };
    const problems = await groupLimitProblems(spec({ hiddenSize: 64, batch: 64, seqLen: 32, runs }), small);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => /reduce .*runs$/.test(p))).toBe(true);
  });
});
