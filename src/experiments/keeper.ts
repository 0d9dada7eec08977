/**
 * What keeps an experiment across reloads and in links: the URL hash follows the document, the
 * experiment (weights, optimizer state, histories, the user's own data) is saved to IndexedDB a
 * few seconds after it changes and when the page is hidden, and at start the keeper says what to
 * open: the last experiment where it was, a link's experiment, or the default with a notice why.
 * No DOM beyond the event target and hash functions it is given, so tests drive it directly.
 */
import { defaultExperiment } from '../config/default-experiment';
import type { ExperimentDoc } from '../config/experiment';
import { experimentFromHash, experimentToHash } from '../config/url';
import { TASKS, type TaskData, type TaskKind } from '../data/tasks';
import { LESSONS, lessonExperiment } from '../lessons';
import { lessonIdFromHash } from '../lessons/link';
import type { Experiment, ExperimentState } from './experiment';
import type { ExperimentStore, SavedSummary } from './persistence';

/** Seconds between saves while the experiment keeps changing. */
export const AUTOSAVE_SECONDS = 5;

export interface KeeperOptions {
  store: ExperimentStore;
  location: { readonly hash: string };
  replaceHash(hash: string): void;
  /** Where pagehide / visibilitychange come from (the window); none in tests that call saveNow(). */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** Whether the page is hidden now (document.visibilityState === 'hidden'). */
  hidden?(): boolean;
}

export interface Opening {
  /** Present when the last experiment comes back where it was. */
  state?: ExperimentState;
  doc: ExperimentDoc;
  userData?: TaskData;
  /** The document trains on data of the user's own that is not here (a link): open it before training. */
  needsData?: boolean;
  /** Something the person should be told (a link that could not be read, data to open again). */
  notice?: string;
  /** The lesson a `#lesson=ID` link opened (the page shows its note). */
  lesson?: string;
}

/** Whether the experiment's task trains on the user's own data (a CSV or a text). */
export function needsUserData(doc: ExperimentDoc): boolean {
  const need = TASKS[doc.task.kind as TaskKind]?.needs(doc.task);
  return need === 'text' || need === 'series';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class Keeper {
  private experiment?: Experiment;
  private userData?: TaskData;
  /** The saved experiment this page writes to (undefined until the first save of a new one). */
  private id?: string;
  private dirty = false;
  /** The state saved last (or opened from), for recovery after a lost device (recovery.ts). */
  private checkpoint?: ExperimentState;
  private saving?: Promise<void>;
  private timer?: ReturnType<typeof setInterval>;
  private unsubscribe?: () => void;
  private readonly onHide = () => {
    if (!this.opts.hidden || this.opts.hidden()) void this.saveNow();
  };

  private constructor(private readonly opts: KeeperOptions) {}

  static async open(opts: KeeperOptions): Promise<Keeper> {
    return new Keeper(opts);
  }

  /** What the page should open at start. */
  async initial(): Promise<Opening> {
    const { store } = this.opts;
    const currentId = await store.current();
    const saved = currentId ? await store.load(currentId) : undefined;
    const lessonId = lessonIdFromHash(this.opts.location.hash);
    if (lessonId !== undefined) {
      const lesson = LESSONS.find((l) => l.id === lessonId);
      if (lesson) return { doc: lessonExperiment(lesson), lesson: lesson.id };
      return { doc: defaultExperiment(), notice: `the link names no lesson "${lessonId}" (the lessons are ${LESSONS.map((l) => l.id).join(', ')}); the default experiment opened instead` };
    }
    const link = experimentFromHash(this.opts.location.hash);
    const restore = (): Opening => {
      this.id = currentId;
      return { state: saved!.state, doc: saved!.state.doc, userData: saved!.userData };
    };
    if (link.empty) return saved ? restore() : { doc: defaultExperiment() };
    if (!link.doc) {
      return { doc: defaultExperiment(), notice: `the link's experiment could not be opened (${link.issues[0].message}); the default experiment opened instead` };
    }
    if (saved && same(saved.state.doc, link.doc)) return restore();
    if (needsUserData(link.doc)) {
      return {
        doc: link.doc,
        needsData: true,
        notice: 'this experiment trains on data of your own, which links do not carry: open the file again in the task panel to train it',
      };
    }
    return { doc: link.doc };
  }

  /** Keeps `experiment` from now on: hash, autosave, saves on page hide. */
  attach(experiment: Experiment, userData?: TaskData, openedFrom?: ExperimentState): void {
    this.detach();
    this.experiment = experiment;
    this.checkpoint = openedFrom;
    this.userData = userData;
    this.opts.replaceHash(experimentToHash(experiment.doc));
    this.unsubscribe = experiment.subscribe({
      onDoc: (doc) => {
        this.opts.replaceHash(experimentToHash(doc));
        this.dirty = true;
      },
      onRecords: () => (this.dirty = true),
      onHistory: () => (this.dirty = true),
    });
    this.timer = setInterval(() => {
      if (this.dirty) void this.saveNow();
    }, AUTOSAVE_SECONDS * 1000);
    this.opts.events?.addEventListener('pagehide', this.onHide);
    this.opts.events?.addEventListener('visibilitychange', this.onHide);
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.opts.events?.removeEventListener('pagehide', this.onHide);
    this.opts.events?.removeEventListener('visibilitychange', this.onHide);
    this.experiment = undefined;
  }

  /** The user data the experiment trains on changed (opened, replaced, dropped). */
  setUserData(data: TaskData | undefined): void {
    this.userData = data;
    this.dirty = true;
  }

  /** Saves now (one save at a time: a call during a save waits for it, then saves again if needed). */
  async saveNow(): Promise<void> {
    while (this.saving) await this.saving;
    const experiment = this.experiment;
    if (!experiment) return;
    this.dirty = false;
    this.saving = (async () => {
      const state = await experiment.saveState();
      this.id = await this.opts.store.save(state, this.id, this.userData);
      if (this.experiment === experiment) this.checkpoint = state;
      await this.opts.store.setCurrent(this.id);
    })().finally(() => (this.saving = undefined));
    await this.saving;
  }

  /** The last state saved of the attached experiment, or the one it was opened from. */
  get lastCheckpoint(): ExperimentState | undefined {
    return this.checkpoint;
  }

  /** The id this page saves to (after its first save). */
  get currentId(): string | undefined {
    return this.id;
  }

  savedList(): Promise<SavedSummary[]> {
    return this.opts.store.list();
  }

  /** A saved experiment to open in place of the current one (the caller builds it; this page then saves there). */
  async open(id: string): Promise<Opening | undefined> {
    if (this.experiment) await this.saveNow();
    const saved = await this.opts.store.load(id);
    if (!saved) return undefined;
    this.id = id;
    await this.opts.store.setCurrent(id);
    return { state: saved.state, doc: saved.state.doc, userData: saved.userData };
  }

  /** Starts saving the current page as a new saved experiment (after "new experiment" or an import). */
  startNew(): void {
    this.id = undefined;
    this.dirty = true;
  }

  rename(id: string, name: string): Promise<void> {
    return this.opts.store.rename(id, name);
  }

  duplicate(id: string): Promise<string> {
    return this.opts.store.duplicate(id);
  }

  async remove(id: string): Promise<void> {
    await this.opts.store.delete(id);
    if (this.id === id) this.id = undefined;
  }
}
