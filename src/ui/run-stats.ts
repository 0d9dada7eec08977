/**
 * <run-stats>: one row per run with its colour, label, the backend it trains on, step, steps per
 * second, milliseconds per step, latest loss and status ("diverged at step N (loss)", "done").
 * Plain data in, nothing out. Numbers are tabular and columns have fixed widths, so the table
 * does not move while the figures change.
 */
import { LitElement, css, html } from 'lit';
import { cssProps } from './css-props';
import { customElement, property } from 'lit/decorators.js';
import { formatMsPerStep, formatRate, formatValue } from './format';

export type RunStatus =
  | { kind: 'starting' }
  | { kind: 'training' }
  | { kind: 'paused' }
  | { kind: 'done' }
  | { kind: 'error' }
  | { kind: 'diverged'; step: number; where?: string };

export interface RunStatsRow {
  id: string;
  label: string;
  color: string;
  /** Where it trains: 'webgpu' or 'cpu'. */
  backend: string;
  step: number;
  stepsPerSecond: number;
  loss?: number;
  state: RunStatus;
}

export function describeState(state: RunStatus): string {
  return state.kind === 'diverged' ? `diverged at step ${state.step}${state.where ? ` (${state.where})` : ''}` : state.kind;
}

const BACKEND_NAMES: Readonly<Record<string, string>> = { webgpu: 'GPU', cpu: 'CPU' };

@customElement('run-stats')
export class RunStats extends LitElement {
  @property({ attribute: false }) rows: readonly RunStatsRow[] = [];

  static override styles = css`
    :host {
      display: block;
      contain: content;
      overflow-x: auto;
      font-size: 0.85rem;
    }
    table {
      border-collapse: collapse;
      table-layout: fixed;
      width: 100%;
      min-width: 36rem;
      font-variant-numeric: tabular-nums;
    }
    col.step {
      width: 4.5rem;
    }
    col.backend {
      width: 3.25rem;
    }
    col.rate {
      width: 5.25rem;
    }
    col.loss {
      width: 5.75rem;
    }
    col.status {
      width: 9.5rem;
    }
    th,
    td {
      padding: 0.3rem 0.6rem;
      text-align: right;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    thead th {
      font-weight: 600;
      color: var(--text-muted);
      border-bottom: 1px solid var(--border);
    }
    th:first-child,
    td:first-child,
    th:last-child,
    td:last-child {
      text-align: left;
    }
    tbody th {
      font-weight: 400;
      color: inherit;
    }
    tbody tr + tr > * {
      border-top: 1px solid var(--border);
    }
    .swatch {
      display: inline-block;
      width: 0.75rem;
      height: 0.75rem;
      border-radius: 3px;
      margin-right: 0.45rem;
      vertical-align: -0.1rem;
    }
    .diverged {
      color: var(--danger);
      font-weight: 600;
    }
    .error {
      color: var(--danger);
    }
  `;

  override render() {
    return html`
      <table aria-label="Runs">
        <colgroup>
          <col />
          <col class="backend" />
          <col class="step" />
          <col class="rate" />
          <col class="rate" />
          <col class="loss" />
          <col class="status" />
        </colgroup>
        <thead>
          <tr><th scope="col">Run</th><th scope="col">On</th><th scope="col">Step</th><th scope="col">Steps/s</th><th scope="col">ms/step</th><th scope="col">Loss</th><th scope="col">Status</th></tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (row) => html`
              <tr data-run=${row.id}>
                <th scope="row" title=${row.label}>
                  <span class="swatch" ${cssProps({ background: row.color })}></span>${row.label}
                </th>
                <td data-testid="run-backend" title=${row.backend === 'cpu' ? 'the CPU backend, in a worker' : 'WebGPU'}>${BACKEND_NAMES[row.backend] ?? row.backend}</td>
                <td>${row.step}</td>
                <td>${formatRate(row.stepsPerSecond)}</td>
                <td>${formatMsPerStep(row.stepsPerSecond)}</td>
                <td>${formatValue(row.loss)}</td>
                <td class=${row.state.kind} data-testid="run-status" title=${describeState(row.state)}>${describeState(row.state)}</td>
              </tr>
            `,
          )}
        </tbody>
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-stats': RunStats;
  }
}
