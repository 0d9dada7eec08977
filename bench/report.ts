/**
 * Turns the page's BenchResult into the console table and the pass/fail lines for the
 * benchmark's targets. Pure formatting: no browser, no files.
 */
import type { BenchResult, Summary } from './samples';

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

export function formatReport(result: BenchResult): string {
  const header = ['config', 'ours ms/step', 'dispatches', 'submits', 'maps (awaited in step)', 'GFLOP/s',
    'best GEMM GFLOP/s', 'tfjs ms/step', 'tfjs dispatches', 'ratio'];
  const rows = result.configs.map((c) => {
    const o = c.ours;
    return [
      c.name, ms(o.ms.median), count(o.counts.dispatches), count(o.counts.submits),
      `${(o.counts.mapsTotal / o.steps).toFixed(2)} (${o.mapsAwaited})`, gf(o.gflops), gf(result.gemm.best.gflops),
      c.tfjs ? ms(c.tfjs.ms.median) : '-', c.tfjs ? count(c.tfjs.counts.dispatches) : '-',
      c.ratio !== null ? `${c.ratio.toFixed(1)}x` : '-',
    ];
  });
  const lines = [table([header, ...rows])];
  const tf = result.configs.filter((c) => c.tfjs);
  if (tf.length > 0) {
    lines.push(`tfjs per step: ${tf.map((c) => `${c.name} ${count(c.tfjs!.counts.submits)} submits, ` +
      `${count(c.tfjs!.counts.maps)} maps (awaited)`).join('; ')}`);
  }
  lines.push(`ours steps timed: ${result.configs.map((c) => `${c.name} ${c.ours.steps} ` +
    `(min ${ms(c.ours.ms.min)}, max ${ms(c.ours.ms.max)} ms)`).join('; ')}; maps column: mapAsync calls per step ` +
    `made inside trainStep (metrics readback started, not awaited) and, in brackets, maps the step awaited`);
  lines.push(`ours phases (median ms, each list submitted alone): ${result.configs.map((c) => {
    const p = c.ours.phases;
    return `${c.name} forward ${ms(p.forwardMs)}, backward ${ms(p.backwardMs)}, ` +
      `rest ${ms(Math.max(0, c.ours.ms.median - p.forwardMs - p.backwardMs))}, empty submit ${ms(p.emptySubmitMs)}`;
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

/** The benchmark's targets, one line each with ok / FAIL / n/a. */
export function checkTargets(result: BenchResult): string[] {
  const s = result.configs.find((c) => c.name === 'S');
  const all = result.configs;
  return [
    `${mark(s?.ratio != null ? s.ratio >= 20 : null)} S: ours >= 20x faster than tfjs` +
      `${s?.ratio != null ? ` (${s.ratio.toFixed(1)}x)` : ''}`,
    `${mark(all.every((c) => c.ours.counts.submits.min === 1 && c.ours.counts.submits.max === 1))} exactly 1 submit per step`,
    `${mark(all.every((c) => c.ours.mapsAwaited === 0 && !c.ours.returnedPromise))} 0 maps awaited inside a step ` +
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
