/**
 * Saved experiments in IndexedDB (through `idb`): the document, histories and every run's latest
 * checkpoint (weights, optimizer state, step), so a reload or a crashed tab comes back where it
 * was and trains on. Also the list people manage (open, rename, duplicate, delete) and which
 * experiment was open last. Typed arrays go in as they are (structured clone), not as JSON.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ExperimentDoc } from '../config/experiment';
import type { RunCheckpoint } from '../training/trainer';
import type { ExperimentState } from './experiment';
import type { TaskData } from '../data/tasks';
import { RunHistory, type HistoryColumns } from './history';

export interface SavedSummary {
  id: string;
  name: string;
  savedAt: number;
  runs: number;
  steps: number;
}

interface SavedRecord extends SavedSummary {
  doc: ExperimentDoc;
  tick: number;
  clock: number;
  histories: Record<string, HistoryColumns>;
  checkpoints: Record<string, RunCheckpoint>;
  /** The user's own data the task trains on (a CSV or a text), which links and files do not carry. */
  userData?: TaskData;
}

/** A saved experiment as loaded: its state and the user data it trains on. */
export interface SavedExperiment {
  state: ExperimentState;
  userData?: TaskData;
}

interface Schema extends DBSchema {
  experiments: { key: string; value: SavedRecord; indexes: { savedAt: number } };
  meta: { key: string; value: string };
}

const DB_NAME = 'rnn-playground';
const VERSION = 1;

function newId(): string {
  return `x${Date.now().toString(36)}${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
}

export class ExperimentStore {
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  /** Opens (and on first use creates) the database. */
  static async open(): Promise<ExperimentStore> {
    const db = await openDB<Schema>(DB_NAME, VERSION, {
      upgrade(d) {
        d.createObjectStore('experiments', { keyPath: 'id' }).createIndex('savedAt', 'savedAt');
        d.createObjectStore('meta');
      },
    });
    return new ExperimentStore(db);
  }

  /** Newest first. */
  async list(): Promise<SavedSummary[]> {
    const all = await this.db.getAllFromIndex('experiments', 'savedAt');
    return all.reverse().map(({ id, name, savedAt, runs, steps }) => ({ id, name, savedAt, runs, steps }));
  }

  /** Saves `state` (and the user data it trains on) under `id` (a new id when absent); returns the id. */
  async save(state: ExperimentState, id = newId(), userData?: TaskData): Promise<string> {
    const record: SavedRecord = {
      id,
      name: state.doc.name,
      savedAt: Date.now(),
      runs: state.doc.runs.length,
      steps: state.tick,
      doc: state.doc,
      tick: state.tick,
      clock: state.clock,
      histories: Object.fromEntries(Object.entries(state.histories).map(([k, h]) => [k, h.toColumns()])),
      checkpoints: state.checkpoints,
      userData,
    };
    await this.db.put('experiments', record);
    return id;
  }

  async load(id: string): Promise<SavedExperiment | undefined> {
    const r = await this.db.get('experiments', id);
    if (!r) return undefined;
    const state: ExperimentState = {
      doc: r.doc,
      tick: r.tick,
      clock: r.clock,
      histories: Object.fromEntries(Object.entries(r.histories).map(([k, h]) => [k, RunHistory.fromColumns(h)])),
      checkpoints: r.checkpoints,
    };
    return { state, userData: r.userData };
  }

  async rename(id: string, name: string): Promise<void> {
    const r = await this.db.get('experiments', id);
    if (!r) throw new Error(`no saved experiment "${id}"`);
    await this.db.put('experiments', { ...r, name, doc: { ...r.doc, name } });
  }

  async duplicate(id: string): Promise<string> {
    const r = await this.db.get('experiments', id);
    if (!r) throw new Error(`no saved experiment "${id}"`);
    const copy = { ...r, id: newId(), name: `${r.name} (copy)`, doc: { ...r.doc, name: `${r.name} (copy)` }, savedAt: Date.now() };
    await this.db.put('experiments', copy);
    return copy.id;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete('experiments', id);
    if ((await this.current()) === id) await this.db.delete('meta', 'current');
  }

  /** The experiment that was open last (what a reload brings back). */
  async current(): Promise<string | undefined> {
    return this.db.get('meta', 'current');
  }

  async setCurrent(id: string): Promise<void> {
    await this.db.put('meta', id, 'current');
  }

  close(): void {
    this.db.close();
  }
}
