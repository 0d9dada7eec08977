/**
 * What the gate-saturation, spectral-norm and histogram views read: per run, the steps that carry those
 * diagnostics, kept from the run's history and its new records through an ExperimentController
 * (a step at or before the last one means a reset: the run's list starts again). No drawing here.
 */
import type { ReactiveControllerHost } from 'lit';
import type { Experiment } from '../experiments/experiment';
import type { Diagnosed, RunHistory, RunRecord } from '../experiments/history';
import { ExperimentController } from './experiment-controller';

export type DiagnosedStep = { step: number } & Diagnosed;

export class DiagnosticsFeed {
  readonly controller: ExperimentController;
  private byRun = new Map<string, DiagnosedStep[]>();

  constructor(host: ReactiveControllerHost) {
    this.controller = new ExperimentController(host, {
      onRecords: (id, records) => this.takeRecords(id, records),
      onHistory: (id, history) => this.takeHistory(id, history),
      onExperiment: (experiment) => this.reload(experiment),
      onRuns: (runs) => {
        const ids = new Set(runs.map((r) => r.config.id));
        for (const id of [...this.byRun.keys()]) if (!ids.has(id)) this.byRun.delete(id);
      },
    });
  }

  /** A run's diagnosed steps in step order. */
  steps(runId: string): readonly DiagnosedStep[] {
    return this.byRun.get(runId) ?? [];
  }

  private add(id: string, entry: DiagnosedStep): void {
    let list = this.byRun.get(id);
    if (!list) this.byRun.set(id, (list = []));
    if (list.length > 0 && entry.step <= list[list.length - 1].step) list.length = 0;
    list.push(entry);
  }

  private takeRecords(id: string, records: readonly RunRecord[]): void {
    for (const r of records) {
      if (r.gateSaturation || r.spectralNorm || r.histograms || r.validationExample || r.confusion) {
        const { gateSaturation, spectralNorm, histograms, validationExample, confusion } = r;
        this.add(id, { step: r.step, gateSaturation, spectralNorm, histograms, validationExample, confusion });
      }
    }
  }

  private takeHistory(id: string, history: RunHistory): void {
    this.byRun.set(id, history.diagnostics());
  }

  private reload(experiment: Experiment | undefined): void {
    this.byRun = new Map();
    for (const run of experiment?.runs() ?? []) {
      const history = experiment!.history(run.config.id);
      if (history) this.takeHistory(run.config.id, history);
    }
  }
}
