/**
 * Turns the page's BenchResult into the console table and the pass/fail lines for the
 * benchmark's targets. Pure formatting: no browser, no files.
 */
import type { BenchResult, ConfigResult, OursTiming, PathTiming, Summary } from './samples';

/** A count as its median, or `min-max` when it changed between steps. */
function count(s: Summary): string {
  return s.min === s.max ? String(s.median) : `${s.min}-${s.max}`;
}

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function gf(v: number): string {
  return v >= 10 ? v.toFixed(1) : v.toFixed(3);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** The kernel paths timed for a config: its `paths`, or `ours` alone in results from before paths existed. */
export function pathsOf(c: ConfigResult): PathTiming[] {
  return c.paths ?? [{ path: 'per-step', reason: 'the only path then', auto: true, ours: c.ours }];
}

/** Our training GFLOP/s as a share of the device's best GEMM (the issue's 60% target). */
function share(o: OursTiming, result: BenchResult): string {
  return `${((100 * o.gflops) / result.gemm.best.gflops).toFixed(0)}%`;
}

export function formatReport(result: BenchResult): string {
  const header = ['config', 'kernels', 'ours ms/step', 'dispatches', 'submits', 'maps (awaited in step)', 'GFLOP/s',
    'of best GEMM', 'tfjs ms/step', 'tfjs dispatches', 'ratio'];
  const rows = result.configs.flatMap((c) => pathsOf(c).map(({ path, auto, ours: o }) => [
    c.name, `${path}${auto ? ' (auto)' : ''}`, ms(o.ms.median), count(o.counts.dispatches), count(o.counts.submits),
    `${(o.counts.mapsTotal / o.steps).toFixed(2)} (${o.mapsAwaited})`, gf(o.gflops), share(o, result),
    c.tfjs ? ms(c.tfjs.ms.median) : '-', c.tfjs ? count(c.tfjs.counts.dispatches) : '-',
    c.tfjs ? `${(c.tfjs.ms.median / o.ms.median).toFixed(1)}x` : '-',
  ]));
  const lines = [table([header, ...rows])];
  const tf = result.configs.filter((c) => c.tfjs);
  if (tf.length > 0) {
    lines.push(`tfjs per step: ${tf.map((c) => `${c.name} ${count(c.tfjs!.counts.submits)} submits, ` +
      `${count(c.tfjs!.counts.maps)} maps (awaited)`).join('; ')}`);
  }
  const timed = result.configs.flatMap((c) => pathsOf(c).map((p) => ({ name: `${c.name} ${p.path}`, o: p.ours })));
  lines.push(`ours steps timed: ${timed.map(({ name, o }) => `${name} ${o.steps} ` +
    `(min ${ms(o.ms.min)}, max ${ms(o.ms.max)} ms)`).join('; ')}; maps column: mapAsync calls per step ` +
    `made inside trainStep (metrics readback started, not awaited) and, in brackets, maps the step awaited; ` +
    `ratio: tfjs ms/step over ours on that path`);
  lines.push(`kernel paths: ${result.configs.map((c) => `${c.name} ${pathsOf(c).map((p) => `${p.path}: ${p.reason}`).join(', ')}`).join('; ')}`);
  lines.push(`ours phases (median ms, each list submitted alone): ${timed.map(({ name, o }) => {
    const p = o.phases;
    return `${name} forward ${ms(p.forwardMs)}, backward ${ms(p.backwardMs)}, ` +
      `rest ${ms(Math.max(0, o.ms.median - p.forwardMs - p.backwardMs))}, empty submit ${ms(p.emptySubmitMs)}`;
  }).join('; ')}`);
  const m = result.multiRun;
  if (m) {
    lines.push(`R=4 vs R=1 (${m.config}; Adam, SGD, SGD momentum 0.9, RMSprop): ${ms(m.r4.ms.median)} vs ` +
      `${ms(m.r1.ms.median)} ms/step (x${m.timeRatio.toFixed(2)}); dispatches ${count(m.r4.counts.dispatches)} vs ` +
      `${count(m.r1.counts.dispatches)} (${m.dispatchesEqual ? 'equal' : 'NOT equal'})`);
  }
  lines.push(...cpuTable(result));
  const g = result.gemm;
  lines.push(`best GEMM: ${gf(g.best.gflops)} GFLOP/s at ${g.best.size}^3 (sizes tried: ` +
    `${g.sizes.map((s) => `${s.size}: ${gf(s.gflops)}`).join(', ')})`);
  const a = result.adapter;
  lines.push(`adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || '(no info)'}` +
    `${a.software ? ' [software adapter]' : ''}; tfjs backend: ${result.tfjsBackend ?? 'not run'}`);
  if (result.gpuErrors.length > 0) lines.push(`GPU ERRORS: ${result.gpuErrors.join(' | ')}`);
  return lines.join('\n');
}

function longest(t: { count: number; longestMs: number } | null): string {
  return t === null ? 'n/a' : t.count === 0 ? 'none' : `${ms(t.longestMs)} (${t.count})`;
}

/** The CPU rows (--cpu): ours in its worker against TensorFlow.js's cpu backend; [] without them. */
function cpuTable(result: BenchResult): string[] {
  const withCpu = result.configs.filter((c) => c.cpu);
  if (withCpu.length === 0) return [];
  const header = ['config', 'ours cpu ms/step', 'pipelined', 'in page thread', 'GFLOP/s', 'main-thread long tasks',
    'tfjs cpu ms/step', 'tfjs long tasks', 'ratio', 'ours webgpu ms/step'];
  const rows = withCpu.map((c) => {
    const { ours, tfjs, ratio } = c.cpu!;
    return [
      c.name, ms(ours.ms.median), ms(ours.pipelinedMs), ms(ours.inThreadMs.median), gf(ours.gflops), longest(ours.longTasks),
      tfjs ? ms(tfjs.ms.median) : '-', tfjs ? longest(tfjs.longTasks) : '-', ratio !== null ? `${ratio.toFixed(1)}x` : '-',
      ms(c.ours.ms.median),
    ];
  });
  return [
    'CPU backend (ours: each step posted to its worker and the record awaited; pipelined: queue kept full; ' +
      'long tasks: longest ms (count) of >= 50 ms tasks on the main thread while training)',
    table([header, ...rows]),
  ];
}

function mark(ok: boolean | null): string {
  return ok === null ? 'n/a ' : ok ? 'ok  ' : 'FAIL';
}

/** The benchmark's targets (issue 12), one line each with ok / FAIL / n/a. */
export function checkTargets(result: BenchResult): string[] {
  const s = result.configs.find((c) => c.name === 'S');
  const all = result.configs;
  const ours = all.flatMap((c) => pathsOf(c).map((p) => p.ours));
  const looping = (name: string) => all.find((c) => c.name === name)?.paths?.find((p) => p.path === 'looping')?.ours;
  const [sLoop, tLoop] = [looping('S'), looping('S-T128')];
  const loopCounts = sLoop && tLoop ? [sLoop.counts.dispatches.max, tLoop.counts.dispatches.max] : null;
  const layers = Number(s?.shape.numLayers ?? 1);
  const best = s ? Math.max(...pathsOf(s).map((p) => p.ours.gflops)) : null;
  return [
    `${mark(s?.ratio != null ? s.ratio >= 50 : null)} S: ours >= 50x faster than tfjs` +
      `${s?.ratio != null ? ` (${s.ratio.toFixed(1)}x)` : ''}`,
    `${mark(best !== null ? best >= 0.6 * result.gemm.best.gflops : null)} S: training GFLOP/s >= 60% of our best GEMM` +
      `${best !== null ? ` (${((100 * best) / result.gemm.best.gflops).toFixed(0)}%)` : ''}`,
    `${mark(loopCounts ? loopCounts[0] === loopCounts[1] : null)} looping kernels: dispatches per step equal for S and ` +
      `S-T128${loopCounts ? ` (${loopCounts.join(' and ')})` : ''}`,
    `${mark(sLoop ? sLoop.counts.dispatches.max <= 5 * layers + 5 : null)} looping kernels: S at most 5L + 5 = ` +
      `${5 * layers + 5} dispatches per step${sLoop ? ` (${sLoop.counts.dispatches.max})` : ''}`,
    `${mark(ours.every((o) => o.counts.submits.min === 1 && o.counts.submits.max === 1))} exactly 1 submit per step`,
    `${mark(ours.every((o) => o.mapsAwaited === 0 && !o.returnedPromise))} 0 maps awaited inside a step ` +
      '(trainStep returns undefined)',
    `${mark(result.multiRun ? result.multiRun.dispatchesEqual : null)} dispatches per step equal for R=4 and R=1`,
    ...cpuTargets(result),
  ];
}

function cpuTargets(result: BenchResult): string[] {
  const s = result.configs.find((c) => c.name === 'S')?.cpu;
  if (!s) return [];
  const tasks = result.configs.flatMap((c) => (c.cpu?.ours.longTasks ? [c.cpu.ours.longTasks] : []));
  const worst = tasks.length ? Math.max(...tasks.map((t) => t.longestMs)) : null;
  return [
    `${mark(s.ratio !== null ? s.ratio >= 5 : null)} S: ours on the CPU >= 5x faster than tfjs cpu` +
      `${s.ratio !== null ? ` (${s.ratio.toFixed(1)}x)` : ''}`,
    `${mark(tasks.length ? tasks.every((t) => t.count === 0) : null)} main thread never blocked >= 50 ms while the ` +
      `worker trains${worst !== null && worst > 0 ? ` (longest ${ms(worst)} ms)` : ''}`,
  ];
}
