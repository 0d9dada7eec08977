/**
 * <rnn-playground>: the page around the open experiment: the experiments menu, notices, the
 * backend notice, controls with a step budget and the backend switch, run stats, the configure
 * column (<configure-panel>) and the charts. It reads the experiment through an
 * ExperimentController and turns user input (its components' events, keyboard shortcuts) into
 * calls on the experiment and the workspace. No GPU code here.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { experimentToHash } from '../config/url';
import { TASKS, type TaskKind } from '../data/tasks';
import type { Experiment } from '../experiments/experiment';
import type { BackendKind } from '../training/trainer';
import { DEFAULT_VIEW, clampSmoothing, type ChartViewSettings } from './chart-settings';
import { ExperimentController } from './experiment-controller';
import type { ExperimentCharts } from './experiment-charts';
import type { ExperimentMenu, MenuAction } from './experiment-menu';
import { PRESETS } from '../data/presets';
import { LESSONS } from '../lessons';
import type { CatalogItem, CatalogMenu } from './catalog-menu';
import { downloadExperiment, downloadMetrics, downloadTorchScript, readExperimentFile } from './page-files';
import { playgroundStyles } from './rnn-playground-styles';
import type { ControlStatus } from './run-controls';
import type { RunStatsRow } from './run-stats';
import type { ShortcutHelp } from './shortcut-help';
import { keyTargetOf, shortcutFor, type ShortcutAction } from './shortcuts';
import type { DataChangeDetail } from './user-data-input';
import { messageOf, type Workspace } from './workspace';
import './backend-notice';
import './catalog-menu';
import './lesson-note';
import './sample-panel';
import './chart-settings';
import './configure-panel';
import './diagnostics-panel';
import './experiment-charts';
import './experiment-menu';
import './run-controls';
import './run-stats';
import './shortcut-help';
import './user-data-input';

const PRESET_ITEMS: readonly CatalogItem[] = Object.values(PRESETS).map((p) => ({ id: p.name, title: p.name, description: p.description }));
const LESSON_ITEMS: readonly CatalogItem[] = LESSONS.map((l, i) => ({ id: l.id, title: `${i + 1}. ${l.title}`, description: l.paper }));

@customElement('rnn-playground')
export class RnnPlayground extends LitElement {
  @property({ attribute: false }) workspace?: Workspace;

  /** A Step or Reset is running. */
  @state() private _busy = false;
  @state() private _view: ChartViewSettings = DEFAULT_VIEW;
  @state() private _controlIssue = '';
  @state() private _menuMessage = '';
  @state() private _link = '';
  @state() private _catalogMessage = '';

  @query('shortcut-help') private help?: ShortcutHelp;
  @query('experiment-menu') private menu?: ExperimentMenu;
  @query('catalog-menu#presets') private presets?: CatalogMenu;
  @query('catalog-menu#lessons') private lessons?: CatalogMenu;
  @query('experiment-charts') private charts?: ExperimentCharts;

  private readonly controller = new ExperimentController(this);

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

  protected override updated(): void {
    // The experiment's name is the page's title (the field's doc says so).
    const name = this.controller.experiment?.doc.name;
    document.title = name ? `${name} · RNN Playground` : 'RNN Playground';
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
          <catalog-menu id="presets" label="Presets" hint="One ready-made experiment per task" .items=${PRESET_ITEMS} message=${this._catalogMessage}
            @catalog-open=${(e: CustomEvent<{ id: string }>) => this.openCatalog(this.presets, () => ws!.openPreset(e.detail.id))}></catalog-menu>
          <catalog-menu id="lessons" label="Lessons" hint="Guided comparisons, each with what to look at" .items=${LESSON_ITEMS} message=${this._catalogMessage}
            @catalog-open=${(e: CustomEvent<{ id: string }>) => this.openCatalog(this.lessons, () => ws!.openLesson(e.detail.id))}></catalog-menu>
          <button type="button" class="help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => this.help?.show()}>
            Shortcuts <kbd aria-hidden="true">?</kbd>
          </button>
        </div>
      </header>
      ${this.renderNotices()}
      <lesson-note .lesson=${ws?.lesson} @dismiss=${() => ws?.dismissLesson()}></lesson-note>
      <backend-notice .choice=${ws?.choice}></backend-notice>
      ${this.renderTraining(experiment)}
      ${ws?.waiting ? this.renderWaiting() : experiment ? this.renderWorkbench() : nothing}
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

  private renderWorkbench() {
    return html`
      <div class="workbench">
        <configure-panel aria-label="Configure" role="complementary" .workspace=${this.workspace}></configure-panel>
        <div class="results">
          <chart-settings class="view" .settings=${this._view}
            @settings-change=${(e: CustomEvent<ChartViewSettings>) => (this._view = e.detail)}></chart-settings>
          <experiment-charts .workspace=${this.workspace} .view=${this._view} @run-toggle=${this.onRunToggle}></experiment-charts>
          ${this.controller.experiment?.doc.task.kind === 'charlm' ? html`<sample-panel .experiment=${this.controller.experiment}></sample-panel>` : nothing}
          <diagnostics-panel .workspace=${this.workspace}></diagnostics-panel>
        </div>
      </div>
    `;
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

  /** A legend toggle hides or shows the run everywhere: it is the run's `hidden` setting. */
  private async onRunToggle(event: CustomEvent<{ runId: string; hidden: boolean }>): Promise<void> {
    const { runId, hidden } = event.detail;
    await this.controller.experiment?.setRunField(runId, 'hidden', hidden);
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
        case 'torch':
          if (experiment) this._menuMessage = `downloaded ${await downloadTorchScript(experiment, ws.taskSources())}`;
          return;
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

  /** Opens a preset or a lesson from its menu; the menu closes, or keeps the reason it could not. */
  private async openCatalog(menu: CatalogMenu | undefined, open: () => Promise<boolean>): Promise<void> {
    this._catalogMessage = '';
    try {
      if (await open()) menu?.close();
      else this._catalogMessage = 'it could not be opened here (see the notice on the page)';
    } catch (e) {
      this._catalogMessage = messageOf(e);
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
    if (event.defaultPrevented || this.help?.open || this.menu?.open || this.presets?.open || this.lessons?.open) return;
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
