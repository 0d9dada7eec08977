/**
 * A Lit ReactiveController that connects a view to a TrainingSession: it subscribes while the
 * host is connected, keeps the latest snapshot for rendering, and hands step records and resets
 * to callbacks the host gives it. It never calls play/pause/step/reset; the host does, on user input.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SessionSnapshot, StepRecord, TrainingSession } from '../experiments/session';

export interface SessionCallbacks {
  onRecords?(records: readonly StepRecord[]): void;
  onStatus?(snapshot: SessionSnapshot): void;
  onReset?(): void;
}

const NO_SESSION: SessionSnapshot = { status: 'starting', step: 0, stepsPerSecond: 0 };

export class SessionController implements ReactiveController {
  /** Latest snapshot; the host re-renders whenever it changes. */
  snapshot: SessionSnapshot = NO_SESSION;
  private session?: TrainingSession;
  private unsubscribe?: () => void;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly callbacks: SessionCallbacks,
  ) {
    host.addController(this);
  }

  /** Switches to `session` (or none); call from the host's willUpdate when its property changes. */
  setSession(session: TrainingSession | undefined): void {
    if (session === this.session) return;
    this.detach();
    this.session = session;
    this.snapshot = session ? session.snapshot() : NO_SESSION;
    if (this.connected) this.attach();
  }

  hostConnected(): void {
    this.connected = true;
    this.attach();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.detach();
  }

  private attach(): void {
    const session = this.session;
    if (!session || this.unsubscribe) return;
    this.snapshot = session.snapshot();
    this.unsubscribe = session.subscribe({
      onRecords: (records) => {
        this.callbacks.onRecords?.(records);
        // The step counter and speed move with every record, not only on status changes.
        this.snapshot = session.snapshot();
        this.host.requestUpdate();
      },
      onStatus: (snapshot) => {
        this.snapshot = snapshot;
        this.callbacks.onStatus?.(snapshot);
        this.host.requestUpdate();
      },
      onReset: () => {
        this.callbacks.onReset?.();
        this.snapshot = session.snapshot();
        this.host.requestUpdate();
      },
    });
    this.host.requestUpdate();
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
