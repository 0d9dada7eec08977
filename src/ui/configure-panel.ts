/**
 * <configure-panel>: the configure column of the page: the task panel, "Add run" with a choice of
 * cell, and one <run-panel> per run. It turns their events into calls on the open experiment
 * (read through an ExperimentController) and shows what each call refused where it was asked:
 * a field's message under the field, an operation's outcome in its run's panel. Up to 16 runs.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MAX_RUNS } from '../config/experiment';
import type { FieldIssue } from '../config/field';
import { field } from '../config/table';
import type { Experiment } from '../experiments/experiment';
import { controlStyles } from './control-styles';
import { ExperimentController } from './experiment-controller';
import { downloadWeights, weightsFromFile } from './page-files';
import type { LoadWeightsDetail, RunActionDetail, RunFieldDetail } from './run-panel';
import type { TaskChangeDetail } from './task-panel';
import { messageOf, type Workspace } from './workspace';
import './run-panel';
import './task-panel';

const CELLS = field('run', 'cell').choices ?? [];

/** One empty list, so panels without issues do not re-render on every frame. */
const NO_ISSUES: readonly FieldIssue[] = [];

@customElement('configure-panel')
export class ConfigurePanel extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;

  @state() private _runIssues: ReadonlyMap<string, readonly FieldIssue[]> = new Map();
  @state() private _runNotes: ReadonlyMap<string, string> = new Map();
  @state() private _taskIssues: readonly FieldIssue[] = [];
  @state() private _addIssue = '';
  @state() private _newCell = 'lstm';
  /** Runs whose panels are open (the user opened them, or they were just added). */
  private readonly openRuns = new Set<string>();

  private readonly controller = new ExperimentController(this, {
    onExperiment: () => {
      this._runIssues = new Map();
      this._runNotes = new Map();
      this._taskIssues = [];
      this._addIssue = '';
    },
  });

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 0.6rem;
        min-width: 0;
        align-content: start;
      }
      .runs-head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        margin-top: 0.25rem;
      }
      h2 {
        flex: 1;
        margin: 0;
        font-size: 1rem;
      }
      .count {
        font-weight: 400;
        font-size: 0.8rem;
        color: var(--text-faint);
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        font-size: 0.85rem;
      }
      select {
        font: inherit;
        padding: 0.2rem 0.35rem;
        border: 1px solid var(--border-strong);
        border-radius: 6px;
        background: var(--surface);
        color: var(--text);
      }
      .issue {
        margin: 0;
        font-size: 0.8rem;
        font-weight: 600;
        color: var(--danger);
      }
      .runs {
        display: grid;
        gap: 0.5rem;
        align-items: start;
      }
      /* Narrow pages put this column above the charts: runs two to a row where they fit. */
      @media (max-width: 980px) {
        .runs {
          grid-template-columns: repeat(auto-fill, minmax(min(100%, 21rem), 1fr));
        }
      }
    `,
  ];

  protected override willUpdate(): void {
    this.controller.setWorkspace(this.workspace);
  }

  override render() {
    const experiment = this.controller.experiment;
    if (!experiment) return null;
    const doc = experiment.doc;
    const states = new Map(this.controller.runs.map((r) => [r.config.id, r]));
    const full = doc.runs.length >= MAX_RUNS;
    return html`
      <task-panel .doc=${doc} .userData=${experiment.userData} .issues=${this._taskIssues}
        @task-field=${this.onTaskField} @task-change=${this.onTaskChange}></task-panel>
      <div class="runs-head">
        <h2>Runs <span class="count">${doc.runs.length} of ${MAX_RUNS}</span></h2>
        <label>cell <select aria-label="Cell of the new run" .value=${this._newCell}
          @change=${(e: Event) => (this._newCell = (e.target as HTMLSelectElement).value)}>
          ${CELLS.map((c) => html`<option value=${c} ?selected=${c === this._newCell}>${c}</option>`)}</select></label>
        <button type="button" aria-disabled=${full ? 'true' : 'false'}
          title=${full ? `an experiment holds at most ${MAX_RUNS} runs` : 'Add a run with the chosen cell and default settings'}
          @click=${() => !full && this.addRun(experiment)}>Add run</button>
      </div>
      ${this._addIssue ? html`<p class="issue" role="alert">${this._addIssue}</p>` : null}
      <div class="runs" @run-field=${this.onRunField} @run-action=${this.onRunAction} @load-weights=${this.onLoadWeights}
        @panel-toggle=${this.onPanelToggle}>
        ${doc.runs.map((run, i) => html`<run-panel .run=${run} .state=${states.get(run.id)} .index=${i}
          .issues=${this._runIssues.get(run.id) ?? NO_ISSUES} note=${this._runNotes.get(run.id) ?? ''} ?can-add=${!full}
          ?can-delete=${doc.runs.length > 1} .open=${this.openRuns.has(run.id)}></run-panel>`)}
      </div>
    `;
  }

  private onPanelToggle(event: CustomEvent<{ runId: string; open: boolean }>): void {
    if (event.detail.open) this.openRuns.add(event.detail.runId);
    else this.openRuns.delete(event.detail.runId);
  }

  private async onRunField(event: CustomEvent<RunFieldDetail>): Promise<void> {
    const { runId, path, value } = event.detail;
    await this.runOp(runId, (e) => e.setRunField(runId, path, value));
  }

  private async onRunAction(event: CustomEvent<RunActionDetail>): Promise<void> {
    const { runId, action } = event.detail;
    const run = this.controller.experiment?.doc.runs.find((r) => r.id === runId);
    if (!run) return;
    switch (action) {
      case 'variant':
        return this.added(() => this.runOp(runId, (e) => e.duplicateRun(runId)));
      case 'fork':
        return this.added(() => this.runOp(runId, (e) => e.forkRun(runId)));
      case 'toggle-hidden':
        return this.runOp(runId, (e) => e.setRunField(runId, 'hidden', !run.hidden));
      case 'delete':
        return this.runOp(runId, (e) => e.deleteRun(runId));
      case 'download-weights':
        return this.note(runId, async (e) => {
          await downloadWeights(e, runId);
          return `weights of step ${(await e.readCheckpoint(runId))?.step ?? 0} downloaded as ${runId}.safetensors`;
        });
    }
  }

  private async onLoadWeights(event: CustomEvent<LoadWeightsDetail>): Promise<void> {
    const { runId, file } = event.detail;
    await this.note(runId, async (e) => {
      const issues = await e.loadWeights(runId, await weightsFromFile(e, runId, file));
      if (issues.length > 0) throw new Error(issues.map((i) => i.message).join('; '));
      return `weights loaded from ${file.name}; the optimizer starts afresh`;
    });
  }

  private async addRun(experiment: Experiment): Promise<void> {
    const cell = this._newCell;
    const n = experiment.doc.runs.length + 1;
    await this.added(async () => {
      const issues = await guard(() => experiment.addRun({ cell, label: `${cell} run ${n}` }));
      this._addIssue = issues.map((i) => i.message).join('; ');
    });
  }

  /** Runs `op`, then opens the panels of the runs it added. */
  private async added(op: () => Promise<void>): Promise<void> {
    const before = new Set(this.controller.experiment?.doc.runs.map((r) => r.id));
    await op();
    for (const r of this.controller.experiment?.doc.runs ?? []) if (!before.has(r.id)) this.openRuns.add(r.id);
    this.requestUpdate();
  }

  /** A change to one run; its issues (or none) are shown in that run's panel. */
  private async runOp(runId: string, op: (e: Experiment) => Promise<FieldIssue[]>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    const issues = await guard(() => op(experiment));
    this._runIssues = new Map(this._runIssues).set(runId, issues);
  }

  /** An operation on one run whose outcome is a line in its panel. */
  private async note(runId: string, op: (e: Experiment) => Promise<string>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    let text: string;
    try {
      text = await op(experiment);
    } catch (e) {
      text = `could not: ${messageOf(e)}`;
    }
    this._runNotes = new Map(this._runNotes).set(runId, text);
  }

  private async onTaskField(event: CustomEvent<{ path: string; value: unknown }>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    const { path, value } = event.detail;
    this._taskIssues = await guard(() => experiment.setField(path, value));
  }

  private async onTaskChange(event: CustomEvent<TaskChangeDetail>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    const { task, data } = event.detail;
    this._taskIssues = await guard(() => experiment.setTask(task, data));
    if (this._taskIssues.length === 0) this.workspace?.userDataChanged();
  }
}

/** Issues of an operation; a refusal by the backend (a group too big for it) becomes one. */
async function guard(op: () => Promise<FieldIssue[]>): Promise<FieldIssue[]> {
  try {
    return await op();
  } catch (e) {
    return [{ path: 'runs', message: messageOf(e) }];
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'configure-panel': ConfigurePanel;
  }
}
