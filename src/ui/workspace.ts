/**
 * The page's headless side: which experiment is open, on which backend, with which user data,
 * and the operations that replace it (open at start, open a saved one, new, import) or move it
 * (switch backend), with the keeper attached to whatever is open. Views read it through
 * ExperimentController and call its methods on user input. It never touches the GPU itself:
 * backends come from the factory main.ts gives it.
 */
import { defaultExperiment } from '../config/default-experiment';
import type { ExperimentDoc } from '../config/experiment';
import { PRESETS, presetData, presetExperiment, type PresetFileLoader } from '../data/presets';
import type { TaskData, TaskSources } from '../data/tasks';
import { Experiment, type ExperimentState } from '../experiments/experiment';
import type { Keeper, Opening } from '../experiments/keeper';
import { recoverExperiment } from '../experiments/recovery';
import type { SavedSummary } from '../experiments/persistence';
import { LESSONS, lessonExperiment, type Lesson } from '../lessons';
import type { BackendKind, TrainerBackend } from '../training/trainer';

/** Why the page trains where it does. */
export type BackendReason = 'webgpu' | 'forced' | 'no-api' | 'no-adapter' | 'failed';

export interface BackendChoice {
  kind: BackendKind;
  reason: BackendReason;
  /** The browser's or engine's words when WebGPU did not come up. */
  detail?: string;
  /** The GPU adapter in words (WebGPU only). */
  adapter?: string;
}

export interface BackendMaker {
  (kind: BackendKind): Promise<{ backend: TrainerBackend; adapter?: string }>;
}

export interface WorkspaceOptions {
  keeper: Keeper;
  makeBackend: BackendMaker;
  /** Where the bundled source corpus comes from. */
  sources: Omit<TaskSources, 'user'>;
  /** Reads the data files presets ship (the sunspots CSV); presets without files need none. */
  presetFile?: PresetFileLoader;
}

export type WorkspaceListener = () => void;

interface OpenHow {
  /** Save it as a new entry (new experiment, import), not over the one open before. */
  asNew?: boolean;
  /** Open the default experiment when this one cannot be built and nothing is open. */
  fallBack?: boolean;
}

export class Workspace {
  experiment?: Experiment;
  /** A link's experiment that waits for the user's own data before it can train. */
  waiting?: ExperimentDoc;
  /** Things to tell the person (a junk link, data to open again); the page shows and clears them. */
  notices: string[] = [];
  saved: SavedSummary[] = [];
  /** The lesson the open experiment came from; its note shows until dismissed or another experiment opens. */
  lesson?: Lesson;
  choice: BackendChoice;
  private backend: TrainerBackend;
  private recovering = false;
  private readonly listeners = new Set<WorkspaceListener>();

  constructor(
    private readonly opts: WorkspaceOptions,
    backend: TrainerBackend,
    choice: BackendChoice,
  ) {
    this.backend = backend;
    this.choice = choice;
  }

  /** Called after anything here changed (another experiment, backend, notices, the saved list). */
  subscribe(listener: WorkspaceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get keeper(): Keeper {
    return this.opts.keeper;
  }

  /** Opens what the keeper says (the last experiment, a link's, or the default) and plays it. */
  async start(): Promise<void> {
    const opening = await this.opts.keeper.initial();
    if (opening.notice) this.notices = [...this.notices, opening.notice];
    if (opening.needsData) {
      this.waiting = opening.doc;
      await this.refreshSaved();
      return;
    }
    const lesson = opening.lesson ? LESSONS.find((l) => l.id === opening.lesson) : undefined;
    await this.openOpening(opening);
    // A lesson's link: its note shows over the lesson's experiment.
    if (lesson && this.experiment?.doc === opening.doc) {
      this.lesson = lesson;
      this.changed();
    }
  }

  /** The waiting link's experiment with the user's data, or any experiment with data handed in. */
  async openWithData(data: TaskData): Promise<void> {
    const doc = this.waiting;
    if (!doc) return;
    await this.open(doc, undefined, data);
    if (this.experiment?.doc === doc) this.waiting = undefined;
    this.changed();
  }

  /** A new experiment (the default), saved as a new entry from now on. */
  async newExperiment(): Promise<void> {
    this.waiting = undefined;
    await this.open(defaultExperiment(), undefined, undefined, { asNew: true });
  }

  /** An experiment read from a file, saved as a new entry. */
  openDoc(doc: ExperimentDoc): Promise<boolean> {
    this.waiting = undefined;
    return this.open(doc, undefined, this.experiment?.userData, { asNew: true });
  }

  /** A task preset (src/data/presets) with its data file if it has one, saved as a new entry. */
  async openPreset(name: string): Promise<boolean> {
    const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
    if (!preset) throw new Error(`no preset named "${name}"`);
    if (preset.data && !this.opts.presetFile) throw new Error(`preset ${name} needs its data file ${preset.data.file}, which this page cannot read`);
    const data = this.opts.presetFile ? await presetData(preset, this.opts.presetFile) : undefined;
    this.waiting = undefined;
    return this.open(presetExperiment(preset), undefined, data, { asNew: true });
  }

  /** A lesson's experiment, saved as a new entry; its note shows until dismissed. */
  async openLesson(id: string): Promise<boolean> {
    const lesson = LESSONS.find((l) => l.id === id);
    if (!lesson) throw new Error(`no lesson named "${id}"`);
    this.waiting = undefined;
    const ok = await this.open(lessonExperiment(lesson), undefined, undefined, { asNew: true });
    if (ok) this.lesson = lesson;
    this.changed();
    return ok;
  }

  dismissLesson(): void {
    this.lesson = undefined;
    this.changed();
  }

  async openSaved(id: string): Promise<void> {
    const opening = await this.opts.keeper.open(id);
    if (!opening) return this.notify(`the saved experiment is gone (deleted in another tab?)`);
    this.waiting = undefined;
    await this.openOpening(opening);
  }

  async renameSaved(id: string, name: string): Promise<void> {
    if (id === this.opts.keeper.currentId && this.experiment) await this.experiment.setField('name', name);
    await this.opts.keeper.rename(id, name);
    await this.refreshSaved();
  }

  async duplicateSaved(id: string): Promise<void> {
    await this.opts.keeper.duplicate(id);
    await this.refreshSaved();
  }

  async removeSaved(id: string): Promise<void> {
    await this.opts.keeper.remove(id);
    await this.refreshSaved();
  }

  async refreshSaved(): Promise<void> {
    this.saved = await this.opts.keeper.savedList();
    this.changed();
  }

  /** Moves the open experiment to another backend, weights and all; on failure the old one stays. */
  async switchBackend(kind: BackendKind): Promise<void> {
    if (kind === this.choice.kind) return;
    let made: Awaited<ReturnType<BackendMaker>>;
    try {
      made = await this.opts.makeBackend(kind);
    } catch (e) {
      return this.notify(`could not switch to ${kind === 'cpu' ? 'the cpu' : 'webgpu'}: ${messageOf(e)}`);
    }
    const old = this.backend;
    this.backend = made.backend;
    this.choice = kind === 'cpu' ? { kind, reason: 'forced' } : { kind, reason: 'webgpu', adapter: made.adapter };
    if (this.experiment) await this.experiment.switchBackend(made.backend);
    else old.destroy();
    this.changed();
  }

  /** The user's own data the open experiment trains on changed (the task panel set it). */
  userDataChanged(): void {
    this.opts.keeper.setUserData(this.experiment?.userData);
  }

  /** Where the open experiment's task data comes from (for the PyTorch export). */
  taskSources(): TaskSources {
    return { ...this.opts.sources, user: this.experiment?.userData };
  }

  /** Stops the open experiment with an error (an uncaught GPU error). */
  fail(error: unknown): void {
    this.experiment?.fail(error);
  }

  /**
   * The device went away: the open experiment stops at once (its error state), then comes back
   * from its last checkpoint on a new backend and plays on, with a notice of the steps redone
   * (recovery.ts). Throws if nothing could be rebuilt; the experiment then stays in its error state.
   */
  async recover(error: unknown): Promise<void> {
    const lost = this.experiment;
    if (!lost || this.recovering) return;
    this.recovering = true;
    try {
      lost.fail(error);
      // Nothing of the lost experiment can be read any more: no autosave may try.
      const checkpoint = this.opts.keeper.lastCheckpoint;
      const userData = lost.userData;
      this.opts.keeper.detach();
      const r = await recoverExperiment({
        doc: lost.doc, lostAtStep: lost.snapshot().step, checkpoint,
        sources: { ...this.opts.sources, user: userData }, makeBackend: this.opts.makeBackend,
      });
      lost.destroy();
      this.backend.destroy();
      this.backend = r.backend;
      this.choice = r.kind === 'cpu' ? { kind: 'cpu', reason: 'failed', detail: messageOf(error) } : { kind: 'webgpu', reason: 'webgpu', adapter: r.adapter };
      this.experiment = r.experiment;
      this.opts.keeper.attach(r.experiment, userData, checkpoint);
      r.experiment.play();
      this.notify(r.notice);
    } finally {
      this.recovering = false;
    }
  }

  notify(message: string): void {
    this.notices = [...this.notices, message];
    this.changed();
  }

  dismissNotice(index: number): void {
    this.notices = this.notices.filter((_, i) => i !== index);
    this.changed();
  }

  private async openOpening(opening: Opening): Promise<void> {
    await this.open(opening.doc, opening.state, opening.userData);
  }

  /**
   * Builds the experiment and makes it the open one (the keeper follows it, it plays). A saved
   * state that no longer restores opens its document from step 0, with a notice; a document that
   * cannot be built here leaves the open experiment as it was (or the default when none is open).
   */
  private async open(doc: ExperimentDoc, state?: ExperimentState, userData?: TaskData, how: OpenHow = {}): Promise<boolean> {
    const { asNew = false, fallBack = true } = how;
    const sources: TaskSources = { ...this.opts.sources, user: userData };
    let next: Experiment | undefined;
    try {
      next = state ? await Experiment.restore(state, this.backend, sources) : await Experiment.create(doc, this.backend, sources);
    } catch (e) {
      if (state) {
        this.notices = [...this.notices, `the saved experiment could not continue where it was (${messageOf(e)}); it starts again from step 0`];
        return this.open(doc, undefined, userData, how);
      }
      this.notices = [...this.notices, `the experiment could not be opened: ${messageOf(e)}`];
      if (!this.experiment && fallBack) return this.open(defaultExperiment(), undefined, undefined, { asNew, fallBack: false });
      this.changed();
      return false;
    }
    const old = this.experiment;
    // The one it replaces is saved where it was first (and no save of it is still under way).
    if (old && asNew && old.snapshot().status !== 'error') await this.opts.keeper.saveNow();
    this.opts.keeper.detach();
    if (old) {
      old.pause();
      if (old.snapshot().status !== 'error') await old.idle();
      old.destroy();
    }
    this.experiment = next;
    this.lesson = undefined;
    this.opts.keeper.attach(next, userData, state);
    // Before any autosave can run: a new experiment must not overwrite the saved one it replaces.
    if (asNew) this.opts.keeper.startNew();
    next.play();
    // A new entry is in the saved list at once, not only after the first autosave.
    if (asNew) await this.opts.keeper.saveNow();
    await this.refreshSaved();
    return true;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
