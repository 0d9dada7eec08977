/**
 * What the headless runner prints: records of every run gathered into one line per step (groups
 * deliver them separately), as a table or as JSON lines, then a closing line. JSON keeps NaN,
 * Infinity and -Infinity apart as strings (JSON has no such numbers). Printing goes through the
 * `write` function it is given, so tests read exactly what a user would.
 */
import type { ExperimentDoc } from '../config/experiment';
import type { RunRecord } from '../experiments/history';
import { printable } from './printable';

const NUMBER_WIDTH = 12;

/** A number for JSON: finite as is, the others as "NaN", "Infinity", "-Infinity". */
export function jsonNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

/** Drops absent fields, turns non-finite numbers into strings. */
function clean(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'number' ? jsonNumber(v) : v;
  }
  return out;
}

export interface ClosingFacts {
  steps: number;
  seconds: number;
  backend: string;
  lostSteps: number;
  task: { kind: string; metric: string; baseline: number };
  diverged: Map<string, { step: number; where: string }>;
}

export class RunnerPrinter {
  private readonly pending = new Map<number, Map<string, RunRecord>>();
  private readonly latest = new Map<string, RunRecord>();
  /** Latest validation numbers per run (they come every evalEvery steps). */
  private readonly lastVal = new Map<string, { valLoss?: number; metric?: number }>();
  private readonly widths: number[];
  private readonly stepWidth: number;
  private printedUpTo = 0;
  /** Runs that stopped recording (diverged): a step is complete without them. */
  private readonly stopped = new Set<string>();

  constructor(
    private readonly doc: ExperimentDoc,
    private readonly opts: { json: boolean; every: number; steps: number },
    private readonly write: (line: string) => void,
  ) {
    this.widths = doc.runs.map((r) => Math.max(2 * NUMBER_WIDTH, printable(r.label).length + 2));
    this.stepWidth = Math.max(4, String(opts.steps).length);
  }

  header(): void {
    if (this.opts.json) return;
    this.write(' '.repeat(this.stepWidth + 2) + this.doc.runs.map((r, i) => printable(r.label).padEnd(this.widths[i])).join('').trimEnd());
    this.write('step'.padStart(this.stepWidth) + '  ' +
      this.doc.runs.map((_, i) => 'loss'.padEnd(NUMBER_WIDTH) + 'grad norm'.padEnd(this.widths[i] - NUMBER_WIDTH)).join('').trimEnd());
  }

  /** A run's records as they arrive (any order across runs, step order within a run). */
  records(runId: string, records: readonly RunRecord[]): void {
    for (const r of records) {
      let at = this.pending.get(r.step);
      if (!at) this.pending.set(r.step, (at = new Map()));
      at.set(runId, r);
      this.latest.set(runId, r);
      if (r.valLoss !== undefined || r.metric !== undefined) this.lastVal.set(runId, { valLoss: r.valLoss, metric: r.metric });
    }
    this.flush();
  }

  /** A run that will send no more records (it diverged). */
  stop(runId: string): void {
    this.stopped.add(runId);
    this.flush();
  }

  private flush(): void {
    for (;;) {
      const step = this.printedUpTo + 1;
      const at = this.pending.get(step);
      const live = this.doc.runs.filter((r) => !this.stopped.has(r.id) || at?.has(r.id));
      if (!at || !live.every((r) => at.has(r.id))) return;
      this.pending.delete(step);
      this.printedUpTo = step;
      if (step % this.opts.every === 0 || step === this.opts.steps) this.line(step, at);
    }
  }

  private line(step: number, at: Map<string, RunRecord>): void {
    if (this.opts.json) {
      const runs = this.doc.runs.flatMap((run) => {
        const m = at.get(run.id);
        if (!m) return [];
        return [clean({
          id: run.id, label: run.label, loss: m.loss, gradNorm: m.gradNorm, learningRate: m.learningRate, clipped: m.clipped,
          valLoss: m.valLoss, metric: m.metric, sparsity: m.sparsity,
          gradThroughTime: m.gradThroughTime?.map((row) => row.map(jsonNumber)),
          gateSaturation: m.gateSaturation,
          spectralNorm: m.spectralNorm?.map(jsonNumber),
          validationExample: m.validationExample,
          confusion: m.confusion,
          histograms: m.histograms?.map((t) => ({
            name: t.name, weight: { max: jsonNumber(t.weight.max), counts: t.weight.counts }, grad: { max: jsonNumber(t.grad.max), counts: t.grad.counts },
          })),
        })];
      });
      this.write(JSON.stringify({ step, runs }));
      return;
    }
    const cells = this.doc.runs.map((run, i) => {
      const m = at.get(run.id);
      return m ? fmt(m.loss).padEnd(NUMBER_WIDTH) + fmt(m.gradNorm).padEnd(this.widths[i] - NUMBER_WIDTH) : '(stopped)'.padEnd(this.widths[i]);
    });
    this.write(String(step).padStart(this.stepWidth) + '  ' + cells.join('').trimEnd());
  }

  closing(f: ClosingFacts): void {
    const rate = f.steps / f.seconds;
    if (this.opts.json) {
      this.write(JSON.stringify({
        done: true, steps: f.steps, seconds: f.seconds, stepsPerSecond: rate, backend: f.backend, lostSteps: f.lostSteps,
        task: clean(f.task),
        runs: this.doc.runs.map((run) => clean({
          id: run.id, label: run.label, loss: this.latest.get(run.id)?.loss,
          valLoss: this.lastVal.get(run.id)?.valLoss, metric: this.lastVal.get(run.id)?.metric,
          divergedAt: f.diverged.get(run.id)?.step,
        })),
      }));
      return;
    }
    for (const run of this.doc.runs) {
      const v = this.lastVal.get(run.id);
      if (v) this.write(`${printable(run.label)}: validation loss ${fmt(v.valLoss ?? NaN)}, ${f.task.metric} ${fmt(v.metric ?? NaN)} (baseline ${fmt(f.task.baseline)})`);
    }
    const lost = f.lostSteps > 0 ? `; ${f.lostSteps} steps' metrics were lost` : '';
    this.write(`${f.steps} steps in ${f.seconds.toFixed(2)} s: ${rate.toPrecision(4)} steps/s on ${f.backend}${lost}`);
  }
}
