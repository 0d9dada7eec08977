/**
 * A Lit ReactiveController between the open experiment and a view: it follows the workspace
 * (the experiment it holds can be replaced), subscribes to that experiment while the host is
 * connected, keeps what views render (status snapshot, runs, each run's latest step and loss)
 * and hands records and history replacements to the host's callbacks. It never plays, pauses or
 * changes anything; hosts call the experiment on user input.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Experiment, ExperimentSnapshot, RunState } from '../experiments/experiment';
import type { RunHistory, RunRecord } from '../experiments/history';
import type { Workspace } from './workspace';

export interface ExperimentCallbacks {
  onRecords?(runId: string, records: readonly RunRecord[]): void;
  onHistory?(runId: string, history: RunHistory): void;
  /** Another experiment is open (or none): views drop what they drew of the old one. */
  onExperiment?(experiment: Experiment | undefined): void;
  onRuns?(runs: readonly RunState[]): void;
}

/** A run's latest figures, from its records. */
export interface RunLatest {
  step: number;
  /** Latest finite training loss. */
  loss?: number;
}

const NONE: ExperimentSnapshot = { status: 'paused', step: 0, budget: 0, stepsPerSecond: 0 };

export class ExperimentController implements ReactiveController {
  snapshot: ExperimentSnapshot = NONE;
  runs: readonly RunState[] = [];
  latest = new Map<string, RunLatest>();
  experiment?: Experiment;
  private workspace?: Workspace;
  private unsubscribe?: () => void;
  private unsubscribeWorkspace?: () => void;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly callbacks: ExperimentCallbacks = {},
  ) {
    host.addController(this);
  }

  /** Follows `workspace` (call from the host's willUpdate when its property changes). */
  setWorkspace(workspace: Workspace | undefined): void {
    if (workspace === this.workspace) return;
    this.unsubscribeWorkspace?.();
    this.unsubscribeWorkspace = undefined;
    this.workspace = workspace;
    if (this.connected) this.attach();
  }

  hostConnected(): void {
    this.connected = true;
    this.attach();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.unsubscribeWorkspace?.();
    this.unsubscribeWorkspace = undefined;
    this.follow(undefined);
  }

  private attach(): void {
    const ws = this.workspace;
    if (!ws || this.unsubscribeWorkspace) return;
    this.unsubscribeWorkspace = ws.subscribe(() => {
      if (ws.experiment !== this.experiment) this.follow(ws.experiment);
      this.host.requestUpdate();
    });
    this.follow(ws.experiment);
  }

  private follow(experiment: Experiment | undefined): void {
    if (experiment === this.experiment && this.unsubscribe) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.experiment = experiment;
    this.latest = new Map();
    this.snapshot = experiment?.snapshot() ?? NONE;
    this.runs = experiment?.runs() ?? [];
    if (experiment) {
      for (const run of this.runs) this.takeHistory(run.config.id, experiment.history(run.config.id));
      this.unsubscribe = experiment.subscribe({
        onRecords: (id, records) => {
          this.takeRecords(id, records);
          this.callbacks.onRecords?.(id, records);
          this.snapshot = experiment.snapshot();
          this.host.requestUpdate();
        },
        onHistory: (id, history) => {
          this.takeHistory(id, history);
          this.callbacks.onHistory?.(id, history);
          // A reset clears histories and sends no status: the step counter moves back here.
          this.snapshot = experiment.snapshot();
          this.host.requestUpdate();
        },
        onRuns: (runs) => {
          this.runs = runs;
          this.callbacks.onRuns?.(runs);
          this.host.requestUpdate();
        },
        onStatus: (snapshot) => {
          this.snapshot = snapshot;
          this.host.requestUpdate();
        },
        onDoc: () => this.host.requestUpdate(),
      });
    }
    this.callbacks.onExperiment?.(experiment);
    this.host.requestUpdate();
  }

  private takeRecords(id: string, records: readonly RunRecord[]): void {
    const latest = { ...this.latest.get(id), step: records.at(-1)?.step ?? 0 };
    for (let i = records.length - 1; i >= 0; i--) {
      if (Number.isFinite(records[i].loss)) {
        latest.loss = records[i].loss;
        break;
      }
    }
    this.latest.set(id, latest);
  }

  private takeHistory(id: string, history: RunHistory | undefined): void {
    if (!history || history.length === 0) {
      this.latest.set(id, { step: 0 });
      return;
    }
    const losses = history.column('loss');
    let loss: number | undefined;
    for (let i = losses.length - 1; i >= 0 && loss === undefined; i--) if (Number.isFinite(losses[i])) loss = losses[i];
    this.latest.set(id, { step: history.lastStep, loss });
  }
}
