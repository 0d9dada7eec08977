/**
 * <rnn-playground>: the page around the open experiment: the experiments menu, controls with a
 * step budget and the backend switch, run stats, the task panel and one panel per run, and the
 * charts. It reads the experiment through an ExperimentController and turns user input (events
 * of its components, keyboard shortcuts) into calls on the experiment and the workspace; a
 * refused change comes back as issues shown where it was made. No GPU code here.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { FieldIssue } from '../config/field';
import { field } from '../config/table';
import { experimentToHash } from '../config/url';
import { TASKS, type TaskKind } from '../data/tasks';
import { MAX_RUNS } from '../config/experiment';
import type { Experiment } from '../experiments/experiment';
import type { BackendKind } from '../training/trainer';
import { DEFAULT_VIEW, clampSmoothing, type ChartViewSettings } from './chart-settings';
import { ExperimentController } from './experiment-controller';
import type { ExperimentCharts } from './experiment-charts';
import type { ExperimentMenu, MenuAction } from './experiment-menu';
import { downloadExperiment, downloadMetrics, downloadWeights, readExperimentFile, weightsFromFile } from './page-files';
import { playgroundStyles } from './rnn-playground-styles';
import type { ControlStatus } from './run-controls';
import type { LoadWeightsDetail, RunActionDetail, RunFieldDetail } from './run-panel';
import type { RunStatsRow } from './run-stats';
import type { ShortcutHelp } from './shortcut-help';
import { keyTargetOf, shortcutFor, type ShortcutAction } from './shortcuts';
import type { TaskChangeDetail } from './task-panel';
import type { DataChangeDetail } from './user-data-input';
import { messageOf, type Workspace } from './workspace';
import './backend-notice';
import './chart-settings';
import './experiment-charts';
import './experiment-menu';
import './run-controls';
import './run-panel';
import './run-stats';
import './shortcut-help';
import './task-panel';
import './user-data-input';

const CELLS = field('run', 'cell').choices ?? [];

/** One empty list, so panels without issues do not re-render on every frame. */
const NO_ISSUES: readonly FieldIssue[] = [];

/** A refusal from an operation: its issues, or an error's message as one issue. */
function asIssues(e: unknown): FieldIssue[] {
  return [{ path: 'runs', message: messageOf(e) }];
}

@customElement('rnn-playground')
export class RnnPlayground extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;

  /** A Step or Reset is running. */
  @state() private _busy = false;
  @state() private _view: ChartViewSettings = DEFAULT_VIEW;
  @state() private _runIssues: ReadonlyMap<string, readonly FieldIssue[]> = new Map();
  @state() private _runNotes: ReadonlyMap<string, string> = new Map();
  @state() private _taskIssues: readonly FieldIssue[] = [];
  @state() private _controlIssue = '';
  @state() private _menuMessage = '';
  @state() private _link = '';
  @state() private _newCell = 'lstm';
  /** Runs whose panels are open (the user opened them, or they were just added). */
  private openRuns = new Set<string>();

  @query('shortcut-help') private help?: ShortcutHelp;
  @query('experiment-menu') private menu?: ExperimentMenu;
  @query('experiment-charts') private charts?: ExperimentCharts;

  private readonly controller = new ExperimentController(this, {
    onExperiment: () => {
      this._runIssues = new Map();
      this._runNotes = new Map();
      this._taskIssues = [];
    },
  });

  static override styles = playgroundStyles;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeyDown);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('workspace')) this.controller.setWorkspace(this.workspace);
  }

  override render() {
    const ws = this.workspace;
    const experiment = this.controller.experiment;
    const doc = experiment?.doc;
    const task = doc ? TASKS[doc.task.kind as TaskKind] : undefined;
    return html`
      <header>
        <div class="title">
          <h1>RNN Playground</h1>
          <p>${doc ? html`<span class="name">${doc.name}</span> · ${task?.label ?? doc.task.kind}` : 'Starting…'}</p>
        </div>
        <div class="tools">
          <experiment-menu .saved=${ws?.saved ?? []} current=${ws?.keeper.currentId ?? ''} message=${this._menuMessage} link=${this._link}
            @menu-action=${this.onMenu}></experiment-menu>
          <button type="button" class="help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => this.help?.show()}>
            Shortcuts <kbd aria-hidden="true">?</kbd>
          </button>
        </div>
      </header>
      ${this.renderNotices()}
      <backend-notice .choice=${ws?.choice}></backend-notice>
      ${this.renderTraining(experiment)}
      ${ws?.waiting ? this.renderWaiting() : experiment ? this.renderWorkbench(experiment) : nothing}
      <footer>${this.footerText()}</footer>
      <shortcut-help></shortcut-help>
    `;
  }

  private renderNotices() {
    const notices = this.workspace?.notices ?? [];
    if (notices.length === 0) return nothing;
    return html`<ul class="notices" role="status" aria-label="Notices">
      ${notices.map((n, i) => html`<li><span>${n}</span><button type="button" aria-label=${`Dismiss notice ${i + 1}`} @click=${() => this.workspace?.dismissNotice(i)}>Dismiss</button></li>`)}
    </ul>`;
  }

  private renderTraining(experiment: Experiment | undefined) {
    const snap = this.controller.snapshot;
    const status: ControlStatus = experiment ? snap.status : 'starting';
    const error = snap.status === 'error' ? `training stopped: ${snap.error ?? 'an error'}` : this._controlIssue;
    const kind = this.workspace?.choice.kind ?? 'webgpu';
    return html`
      <section class="panel" aria-label="Training">
        <div class="control-row">
          <run-controls .status=${status} .step=${snap.step} .budget=${experiment?.doc.budget ?? 0} .stepsPerSecond=${snap.stepsPerSecond}
            ?busy=${this._busy} @play=${() => experiment?.play()} @pause=${() => experiment?.pause()} @step=${() => this.step()}
            @reset=${() => this.reset()} @budget-change=${this.onBudget}></run-controls>
          <label class="backend" title="Where the runs train: WebGPU on the GPU, or the CPU in a worker (slower, same results)">Backend
            <select aria-label="Backend" .value=${kind} @change=${this.onBackend}>
              <option value="webgpu" ?selected=${kind === 'webgpu'} ?disabled=${!('gpu' in navigator) || !navigator.gpu}>WebGPU (GPU)</option>
              <option value="cpu" ?selected=${kind === 'cpu'}>CPU (worker)</option>
            </select></label>
        </div>
        ${error ? html`<p class="alert" role="alert">${error}</p>` : nothing}
        <run-stats .rows=${this.statsRows()}></run-stats>
      </section>
    `;
  }

  private renderWaiting() {
    const doc = this.workspace!.waiting!;
    const kind = doc.task.kind === 'series' ? 'series' : 'text';
    return html`<section class="panel waiting" aria-label="Open your data">
      <h2>${doc.name}</h2>
      <p>This experiment trains on data of your own (${TASKS[doc.task.kind as TaskKind]?.label ?? doc.task.kind}), which links do not carry.
        Open the ${kind === 'series' ? 'CSV file' : 'text'} to train it.</p>
      <user-data-input kind=${kind} @data-change=${(e: CustomEvent<DataChangeDetail>) => this.workspace?.openWithData(e.detail.data)}></user-data-input>
      <p><button type="button" @click=${() => this.workspace?.newExperiment()}>Open the default experiment instead</button></p>
    </section>`;
  }

  private renderWorkbench(experiment: Experiment) {
    const doc = experiment.doc;
    const states = new Map(this.controller.runs.map((r) => [r.config.id, r]));
    const full = doc.runs.length >= MAX_RUNS;
    return html`
      <div class="workbench">
        <aside class="configure" aria-label="Configure">
          <task-panel .doc=${doc} .userData=${experiment.userData} .issues=${this._taskIssues}
            @task-field=${this.onTaskField} @task-change=${this.onTaskChange}></task-panel>
          <div class="runs-head">
            <h2>Runs <span class="count">${doc.runs.length} of ${MAX_RUNS}</span></h2>
            <label class="new-cell">cell <select aria-label="Cell of the new run" .value=${this._newCell}
              @change=${(e: Event) => (this._newCell = (e.target as HTMLSelectElement).value)}>
              ${CELLS.map((c) => html`<option value=${c} ?selected=${c === this._newCell}>${c}</option>`)}</select></label>
            <button type="button" aria-disabled=${full ? 'true' : 'false'} title=${full ? `an experiment holds at most ${MAX_RUNS} runs` : 'Add a run with the chosen cell and default settings'}
              @click=${() => !full && this.addRun()}>Add run</button>
          </div>
          <div class="runs" @run-field=${this.onRunField} @run-action=${this.onRunAction} @load-weights=${this.onLoadWeights}
            @panel-toggle=${this.onPanelToggle}>
            ${doc.runs.map((run, i) => html`<run-panel .run=${run} .state=${states.get(run.id)} .index=${i}
              .issues=${this._runIssues.get(run.id) ?? NO_ISSUES} note=${this._runNotes.get(run.id) ?? ''} ?can-add=${!full}
              ?can-delete=${doc.runs.length > 1} .open=${this.openRuns.has(run.id)}></run-panel>`)}
          </div>
        </aside>
        <div class="results">
          <chart-settings class="view" .settings=${this._view}
            @settings-change=${(e: CustomEvent<ChartViewSettings>) => (this._view = e.detail)}></chart-settings>
          <experiment-charts .workspace=${this.workspace} .view=${this._view} @run-toggle=${this.onRunToggle}></experiment-charts>
        </div>
      </div>
    `;
  }

  private onPanelToggle(event: CustomEvent<{ runId: string; open: boolean }>): void {
    if (event.detail.open) this.openRuns.add(event.detail.runId);
    else this.openRuns.delete(event.detail.runId);
  }

  private footerText(): string {
    const choice = this.workspace?.choice;
    if (!choice) return '';
    return choice.kind === 'webgpu' ? `Training on WebGPU: ${choice.adapter ?? 'GPU adapter'}` : 'Training on the CPU backend, in a worker';
  }

  private statsRows(): RunStatsRow[] {
    const snap = this.controller.snapshot;
    const base = snap.status === 'playing' ? 'training' : snap.status;
    return this.controller.runs.map((run) => {
      const latest = this.controller.latest.get(run.config.id);
      return {
        id: run.config.id,
        label: run.config.label,
        color: run.config.color,
        backend: run.backend,
        step: latest?.step ?? run.step,
        stepsPerSecond: snap.stepsPerSecond,
        loss: latest?.loss,
        state: run.divergedAt !== undefined ? { kind: 'diverged', step: run.divergedAt, where: run.divergedIn } : { kind: base },
      };
    });
  }

  // ---- controls

  private step(): Promise<void> {
    return this.control((e) => e.step());
  }

  /** Back to step 0; training goes on if it was playing (the Reset button says so). */
  private reset(): Promise<void> {
    return this.control((e) => e.reset());
  }

  private async control(action: (e: Experiment) => Promise<void>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment || this._busy) return;
    this._busy = true;
    this._controlIssue = '';
    try {
      await action(experiment);
    } catch (e) {
      this._controlIssue = messageOf(e);
    } finally {
      this._busy = false;
    }
  }

  private async onBudget(event: CustomEvent<{ budget: number }>): Promise<void> {
    const issues = await this.controller.experiment?.setField('budget', event.detail.budget);
    this._controlIssue = issues?.map((i) => i.message).join('; ') ?? '';
  }

  private async onBackend(event: Event): Promise<void> {
    const kind = (event.target as HTMLSelectElement).value as BackendKind;
    await this.workspace?.switchBackend(kind);
    const url = new URL(location.href);
    if (kind === 'cpu') url.searchParams.set('backend', 'cpu');
    else url.searchParams.delete('backend');
    history.replaceState(null, '', url);
    this.requestUpdate();
  }

  // ---- configure

  private async onRunField(event: CustomEvent<RunFieldDetail>): Promise<void> {
    const { runId, path, value } = event.detail;
    await this.runOp(runId, (e) => e.setRunField(runId, path, value));
  }

  private async onRunToggle(event: CustomEvent<{ runId: string; hidden: boolean }>): Promise<void> {
    const { runId, hidden } = event.detail;
    await this.runOp(runId, (e) => e.setRunField(runId, 'hidden', hidden));
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

  private async addRun(): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    const n = experiment.doc.runs.length + 1;
    await this.added(async () => {
      const issues = await this.guard(() => experiment.addRun({ cell: this._newCell, label: `${this._newCell} run ${n}` }));
      this._controlIssue = issues.map((i) => i.message).join('; ');
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
    const issues = await this.guard(() => op(experiment));
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

  /** Issues of an operation; a refusal by the backend (a group too big for it) becomes one. */
  private async guard(op: () => Promise<FieldIssue[]>): Promise<FieldIssue[]> {
    try {
      return await op();
    } catch (e) {
      return asIssues(e);
    }
  }

  private async onTaskField(event: CustomEvent<{ path: string; value: unknown }>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    const { path, value } = event.detail;
    this._taskIssues = await this.guard(() => experiment.setField(path, value));
  }

  private async onTaskChange(event: CustomEvent<TaskChangeDetail>): Promise<void> {
    const experiment = this.controller.experiment;
    if (!experiment) return;
    const { task, data } = event.detail;
    this._taskIssues = await this.guard(() => experiment.setTask(task, data));
    if (this._taskIssues.length === 0) this.workspace?.userDataChanged();
  }

  // ---- keep

  private async onMenu(event: CustomEvent<MenuAction>): Promise<void> {
    const ws = this.workspace;
    const experiment = this.controller.experiment;
    if (!ws) return;
    const d = event.detail;
    try {
      switch (d.action) {
        case 'opened':
          this._menuMessage = '';
          this._link = '';
          return ws.refreshSaved();
        case 'new':
          await ws.newExperiment();
          this.menu?.close();
          return;
        case 'import':
          return this.importFile(d.file);
        case 'export':
          if (experiment) downloadExperiment(experiment, d.histories);
          return;
        case 'metrics-csv':
          if (experiment) downloadMetrics(experiment);
          return;
        case 'share':
          return this.share();
        case 'open':
          await ws.openSaved(d.id);
          this.menu?.close();
          return;
        case 'rename':
          return ws.renameSaved(d.id, d.name);
        case 'duplicate':
          return ws.duplicateSaved(d.id);
        case 'delete':
          return ws.removeSaved(d.id);
      }
    } catch (e) {
      this._menuMessage = messageOf(e);
    }
  }

  private async importFile(file: File): Promise<void> {
    const opened = await readExperimentFile(file);
    if (!opened.doc) {
      this._menuMessage = `${file.name} could not be opened:\n${opened.issues.map((i) => i.message).join('\n')}`;
      return;
    }
    const ok = await this.workspace!.openDoc(opened.doc);
    const notes = [...opened.warnings];
    if (opened.histories.size > 0) notes.push('its metric histories were not loaded: the file holds no weights to continue them, so every run trains from step 0');
    this._menuMessage = ok ? [`opened ${file.name}`, ...notes].join('\n') : `${file.name} could not be opened here (see the notice on the page)`;
  }

  private async share(): Promise<void> {
    const doc = this.controller.experiment?.doc ?? this.workspace?.waiting;
    if (!doc) return;
    const url = new URL(location.href);
    url.hash = experimentToHash(doc);
    this._link = url.href;
    try {
      await navigator.clipboard.writeText(url.href);
      this._menuMessage = 'link copied: it opens this experiment\'s settings (not its weights or histories)';
    } catch {
      this._menuMessage = 'the clipboard is not available here: copy the link below';
    }
  }

  // ---- keyboard

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || this.help?.open || this.menu?.open) return;
    const target = event.composedPath()[0];
    const element = target instanceof HTMLElement ? target : undefined;
    const action = shortcutFor({
      key: event.key,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      altKey: event.altKey,
      target: keyTargetOf(element && { tagName: element.tagName, type: (element as HTMLInputElement).type, isContentEditable: element.isContentEditable, role: element.getAttribute('role') }),
    });
    if (!action || (event.repeat && action !== 'step' && !action.startsWith('smoothing'))) return;
    event.preventDefault();
    this.perform(action);
  };

  private perform(action: ShortcutAction): void {
    const experiment = this.controller.experiment;
    const status = this.controller.snapshot.status;
    switch (action) {
      case 'toggle-play':
        if (this._busy || !experiment) return;
        if (status === 'playing') experiment.pause();
        else experiment.play();
        return;
      case 'step':
        if (status === 'paused' || status === 'done') void this.step();
        return;
      case 'reset':
        if (status !== 'error') void this.reset();
        return;
      case 'log-y':
        this.charts?.toggleLogY();
        return;
      case 'x-axis':
        this._view = { ...this._view, xAxis: this._view.xAxis === 'step' ? 'time' : 'step' };
        return;
      case 'smoothing-down':
      case 'smoothing-up':
        this._view = { ...this._view, smoothing: clampSmoothing(this._view.smoothing + (action === 'smoothing-up' ? 0.1 : -0.1)) };
        return;
      case 'help':
        this.help?.show();
        return;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rnn-playground': RnnPlayground;
  }
}
