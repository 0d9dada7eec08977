/**
 * <run-controls>: Play/Pause, Step and Reset, a step budget with its progress bar and the time
 * left at the current speed, and the session's step and status. It shows what it is given and
 * fires 'play', 'pause', 'step', 'reset' and 'budget-change' on user input only; it drives
 * nothing itself. Unavailable buttons stay focusable (aria-disabled) so that focus never drops
 * to the page while a Step runs; presses on them are ignored.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { controlStyles } from './control-styles';
import { formatRemaining } from './format';

/** The experiment's state as the controls need it ('done': the budget is reached). */
export type ControlStatus = 'starting' | 'paused' | 'playing' | 'done' | 'error';

export type RunControlEvent = 'play' | 'pause' | 'step' | 'reset';

export interface BudgetChangeDetail {
  /** Steps to train to; 0 means no budget. */
  budget: number;
}

/** What Reset does while playing, for its description. */
const RESET_HINT = 'Back to step 0 with the same seeds; training goes on if it was playing (R)';

@customElement('run-controls')
export class RunControls extends LitElement {
  @property() status: ControlStatus = 'starting';
  /** A Step or Reset the user asked for is still running. */
  @property({ type: Boolean }) busy = false;
  /** Steps trained so far. */
  @property({ type: Number }) step = 0;
  /** Train up to this step, then pause; 0 = no budget. */
  @property({ type: Number }) budget = 0;
  @property({ type: Number, attribute: 'steps-per-second' }) stepsPerSecond = 0;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6rem 1.25rem;
      }
      .buttons {
        display: inline-flex;
        gap: 0.5rem;
      }
      .buttons button {
        min-width: 5.25rem;
      }
      .state {
        font-variant-numeric: tabular-nums;
        color: var(--text-muted);
        white-space: nowrap;
      }
      .state [data-testid='step'] {
        display: inline-block;
        min-width: 7ch;
        color: var(--text);
      }
      .status {
        display: inline-block;
        min-width: 4.5rem;
        margin-right: 0.5rem;
        padding: 0.05rem 0.5rem;
        border-radius: 999px;
        border: 1px solid var(--border-strong);
        font-size: 0.8rem;
        font-weight: 600;
        text-align: center;
        color: var(--text);
      }
      .status.playing {
        border-color: var(--accent);
        color: var(--accent);
      }
      .status.error {
        border-color: var(--danger);
        color: var(--danger);
      }
      .budget {
        display: inline-flex;
        align-items: center;
        gap: 0.5rem;
        font-size: 0.875rem;
        white-space: nowrap;
      }
      .budget label {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
      }
      .budget input {
        font: inherit;
        width: 5.5rem;
        padding: 0.25rem 0.4rem;
        border: 1px solid var(--border-strong);
        border-radius: 6px;
        background: var(--surface);
        color: var(--text);
      }
      progress {
        width: 7rem;
        height: 0.55rem;
        accent-color: var(--accent);
      }
      .left {
        display: inline-block;
        width: 8.5rem;
        font-variant-numeric: tabular-nums;
        color: var(--text-muted);
      }
      /* Shown only with a budget: setting one may move things, training never does. */
      .off {
        display: none;
      }
    `,
  ];

  override render() {
    const playing = this.status === 'playing';
    const done = this.status === 'done';
    const ready = playing || this.status === 'paused' || done;
    const hasBudget = this.budget > 0;
    return html`
      <div class="buttons">
        ${this.button(playing ? 'pause' : 'play', playing ? 'Pause' : 'Play', !ready || done || this.busy, 'primary',
          playing ? 'Pause training (Space)' : done ? 'The step budget is reached: raise it to train on' : 'Train continuously (Space)')}
        ${this.button('step', 'Step', !ready || playing || this.busy, '', 'Train one step (S); while paused')}
        ${this.button('reset', 'Reset', !ready || this.busy, '', RESET_HINT)}
      </div>
      <span class="state">
        <span class="status ${this.status}" data-testid="status">${this.status}</span>
        step <span data-testid="step">${this.step}</span>
      </span>
      <span class="budget">
        <label>Step budget <input type="number" min="0" step="1" inputmode="numeric" .value=${String(this.budget)}
          title="Stop when training reaches this step; 0 = no budget" @change=${this.onBudget} /></label>
        <progress class=${hasBudget ? '' : 'off'} aria-label="Step budget progress" max=${Math.max(1, this.budget)}
          .value=${Math.min(this.step, Math.max(1, this.budget))}></progress>
        <span class="left ${hasBudget ? '' : 'off'}" data-testid="time-left">${this.timeLeft()}</span>
      </span>
    `;
  }

  private button(event: RunControlEvent, name: string, unavailable: boolean, kind: string, hint: string) {
    return html`<button type="button" class=${kind} aria-disabled=${unavailable ? 'true' : 'false'} title=${hint}
      @click=${() => !unavailable && this.fire(event)}>${name}</button>`;
  }

  private timeLeft(): string {
    if (this.budget <= 0) return '';
    if (this.step >= this.budget) return 'budget reached';
    if (this.status !== 'playing' || !(this.stepsPerSecond > 0)) return `${this.budget - this.step} steps left`;
    return `${formatRemaining((this.budget - this.step) / this.stepsPerSecond)} left`;
  }

  private onBudget(event: Event): void {
    const input = event.target as HTMLInputElement;
    const value = Math.floor(Number(input.value));
    const budget = Number.isFinite(value) && value > 0 ? value : 0;
    input.value = String(budget);
    this.dispatchEvent(new CustomEvent<BudgetChangeDetail>('budget-change', { detail: { budget }, bubbles: true, composed: true }));
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
