// bench/report.ts on made-up results: a row per kernel path, and each of issue 12's targets able to pass and to fail.
import { describe, expect, it } from 'vitest';
import { checkTargets, formatReport } from './report';
import type { BenchResult, ConfigResult, OursTiming, PathTiming } from './samples';

const summary = (v: number) => ({ median: v, min: v, max: v });

function ours(ms: number, dispatches: number, gflops: number): OursTiming {
  return {
    runs: 1, steps: 5, ms: summary(ms), gflops, mapsAwaited: 0, returnedPromise: false,
    counts: { dispatches: summary(dispatches), submits: summary(1), maps: summary(0), mapsTotal: 1 },
    phases: { emptySubmitMs: 0.1, forwardMs: ms / 4, backwardMs: ms / 2 },
  };
}

function config(name: string, paths: PathTiming[], tfjsMs: number | null): ConfigResult {
  const auto = paths.find((p) => p.auto)!.ours;
  const tfjs = tfjsMs === null ? null : { steps: 5, ms: summary(tfjsMs), gflops: 0, mapsAwaited: 1,
    counts: { dispatches: summary(300), submits: summary(3), maps: summary(1), mapsTotal: 5 } };
  return { name, shape: { numLayers: 1 }, flopsPerStep: 1e6, ours: auto, paths, tfjs, ratio: tfjsMs === null ? null : tfjsMs / auto.ms.median };
}

function result(loopS: number, loopT: number, tfjsMs: number, loopGflops: number): BenchResult {
  return {
    adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', software: true },
    userAgent: 'test', gemm: { best: { size: 512, dispatchesPerSubmit: 1, bestMs: 100, gflops: 1 }, sizes: [] },
    configs: [
      config('S', [
        { path: 'per-step', reason: 'forced', auto: false, ours: ours(100, 82, 0.4) },
        { path: 'looping', reason: 'forced', auto: true, ours: ours(50, loopS, loopGflops) },
      ], tfjsMs),
      config('S-T128', [
        { path: 'per-step', reason: 'forced', auto: false, ours: ours(400, 274, 0.4) },
        { path: 'looping', reason: 'forced', auto: true, ours: ours(200, loopT, 0.5) },
      ], null),
    ],
    multiRun: null, tfjsBackend: 'webgpu', gpuErrors: [],
  };
}

const line = (lines: string[], text: string) => lines.find((l) => l.includes(text)) ?? '';

describe('bench report', () => {
  it('prints one row per config and kernel path, auto marked, each with its own ratio to tfjs', () => {
    const text = formatReport(result(10, 10, 3000, 0.7));
    expect(text).toMatch(/\| S +\| per-step +\| 100 +\| 82 .*\| 30\.0x +\|/);
    expect(text).toMatch(/\| S +\| looping \(auto\) +\| 50\.0 +\| 10 .*\| 60\.0x +\|/);
    expect(text).toMatch(/\| S-T128 +\| looping \(auto\) +\| 200 +\| 10 +\|/);
    expect(text).toContain('| 70%');
  });

  it('passes the targets when they are met and fails each when it is not', () => {
    const good = checkTargets(result(10, 10, 3000, 0.7));
    expect(line(good, '50x')).toMatch(/^ok .*\(60\.0x\)/);
    expect(line(good, '60% of our best GEMM')).toMatch(/^ok .*\(70%\)/);
    expect(line(good, 'equal for S and S-T128')).toMatch(/^ok .*\(10 and 10\)/);
    expect(line(good, '5L + 5')).toMatch(/^ok .*\(10\)/);
    const bad = checkTargets(result(11, 12, 2000, 0.5));
    expect(line(bad, '50x')).toMatch(/^FAIL .*\(40\.0x\)/);
    expect(line(bad, '60% of our best GEMM')).toMatch(/^FAIL .*\(50%\)/);
    expect(line(bad, 'equal for S and S-T128')).toMatch(/^FAIL .*\(11 and 12\)/);
    expect(line(bad, '5L + 5')).toMatch(/^FAIL .*\(11\)/);
  });

  it('reads results from before kernel paths existed as one per-step row', () => {
    const old = result(10, 10, 3000, 0.7);
    for (const c of old.configs) delete c.paths;
    expect(formatReport(old)).toMatch(/\| S +\| per-step \(auto\) +\| 50\.0/);
    expect(line(checkTargets(old), 'equal for S and S-T128')).toMatch(/^n\/a/);
  });
});
