/**
 * <run-controls>: the Play/Pause toggle, Step and Reset buttons. It shows the status it is given
 * and fires 'play', 'pause', 'step' or 'reset' when the user presses a button; it drives nothing
 * itself. Step only works while paused, and nothing works while the session starts or has failed.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SessionStatus } from '../experiments/session';

export type RunControlEvent = 'play' | 'pause' | 'step' | 'reset';

@customElement('run-controls')
export class RunControls extends LitElement {
  /** The session's status: decides which buttons are live. */
  @property() status: SessionStatus = 'starting';
  /** True while a Step or Reset the user asked for is still running. */
  @property({ type: Boolean }) busy = false;

  static override styles = css`
    :host {
      display: inline-flex;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    button {
      font: inherit;
      min-width: 5.5rem;
      padding: 0.4rem 0.9rem;
      border: 1px solid #b8bfc9;
      border-radius: 6px;
      background: #fff;
      color: #1f2937;
      cursor: pointer;
    }
    button:hover:not(:disabled) {
      background: #f1f4f8;
    }
    button:focus-visible {
      outline: 2px solid #2563eb;
      outline-offset: 1px;
    }
    button:disabled {
      color: #9aa3ae;
      cursor: default;
    }
    button.primary {
      background: #2563eb;
      border-color: #2563eb;
      color: #fff;
    }
    button.primary:hover:not(:disabled) {
      background: #1d4ed8;
    }
    button.primary:disabled {
      background: #9db7ef;
      border-color: #9db7ef;
    }
  `;

  override render() {
    const playing = this.status === 'playing';
    const ready = this.status === 'playing' || this.status === 'paused';
    return html`
      <button
        class="primary"
        ?disabled=${!ready || this.busy}
        @click=${() => this.fire(playing ? 'pause' : 'play')}
      >
        ${playing ? 'Pause' : 'Play'}
      </button>
      <button ?disabled=${!ready || playing || this.busy} @click=${() => this.fire('step')}>Step</button>
      <button ?disabled=${!ready || this.busy} @click=${() => this.fire('reset')}>Reset</button>
    `;
  }

  private fire(type: RunControlEvent): void {
    this.dispatchEvent(new Event(type, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-controls': RunControls;
  }
}
