/**
 * <task-panel>: what every run learns: the task kind with its doc and options (from the field
 * table), the user's own data for `series` (a CSV) and `charlm` (a text), and the experiment's
 * own settings besides its budget (name, evaluation). A kind or option that needs data not
 * given yet waits here, with the data chooser, while the experiment trains on unchanged. Fires
 * 'task-field' (one option) and 'task-change' (a whole task, with data) on user input only.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ExperimentDoc } from '../config/experiment';
import type { FieldDef, FieldIssue, FieldValue } from '../config/field';
import { applies, defaultOf } from '../config/normalize-scope';
import { fieldsOf } from '../config/table';
import { TASKS, TASK_KIND_FIELD, type TaskData, type TaskKind } from '../data/tasks';
import { controlStyles } from './control-styles';
import type { FieldChangeDetail } from './field-input';
import type { DataChangeDetail } from './user-data-input';
import './field-input';
import './user-data-input';

/** The experiment-level field the controls show instead. */
const SHOWN_ELSEWHERE = new Set(['budget']);

export interface TaskChangeDetail {
  task: Record<string, unknown>;
  data?: TaskData;
}

/** The data a task object trains on, if it is the user's own. */
function dataKind(task: Readonly<Record<string, unknown>>): 'series' | 'text' | undefined {
  const def = TASKS[task.kind as TaskKind];
  if (!def) return undefined;
  const need = def.needs(task as Readonly<Record<string, FieldValue>>);
  return need === 'series' ? 'series' : need === 'text' ? 'text' : undefined;
}

@customElement('task-panel')
export class TaskPanel extends LitElement {
  @property({ attribute: false }) doc!: ExperimentDoc;
  @property({ attribute: false }) userData?: TaskData;
  /** Problems with the last change asked of the task or the experiment. */
  @property({ attribute: false }) issues: readonly FieldIssue[] = [];
  @property({ type: Boolean }) open = true;

  /** A task chosen here that waits for the user's data before it is asked for. */
  @state() private _waiting?: Record<string, unknown>;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      details {
        border: 1px solid var(--border);
        border-radius: 8px;
        background: var(--surface);
      }
      summary {
        padding: 0.45rem 0.75rem;
        cursor: pointer;
        font-weight: 600;
        font-size: 0.9rem;
      }
      .body {
        display: grid;
        gap: 0.45rem;
        padding: 0 0.75rem 0.75rem;
      }
      .doc,
      .wait {
        margin: 0;
        font-size: 0.8rem;
        color: var(--text-muted);
      }
      .wait {
        color: var(--warning);
        font-weight: 600;
      }
      .issues {
        margin: 0;
        font-size: 0.8rem;
        color: var(--danger);
        font-weight: 600;
      }
      h3 {
        margin: 0.35rem 0 0;
        font-size: 0.75rem;
        font-weight: 600;
        letter-spacing: 0.04em;
        text-transform: uppercase;
        color: var(--text-muted);
      }
    `,
  ];

  override render() {
    const task = (this._waiting ?? this.doc.task) as Record<string, unknown>;
    const def = TASKS[task.kind as TaskKind];
    const need = dataKind(task);
    const canUseData = task.kind === 'series' || task.kind === 'charlm';
    const options = fieldsOf('task').filter((d) => d !== TASK_KIND_FIELD && applies(d, task, new Set()));
    const top = fieldsOf('experiment').filter((d) => !SHOWN_ELSEWHERE.has(d.path));
    const issue = (path: string) => this.issues.find((i) => i.path === path);
    const shown = new Set([...options.map((d) => `task.${d.path}`), 'task.kind', ...top.map((d) => d.path)]);
    const loose = this.issues.filter((i) => !shown.has(i.path));
    return html`
      <details ?open=${this.open} @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)}>
        <summary>Task: ${def?.label ?? task.kind}</summary>
        <div class="body" @field-change=${this.onFieldChange}>
          <field-input .def=${TASK_KIND_FIELD} .value=${task.kind} .issue=${issue('task.kind')}></field-input>
          ${def ? html`<p class="doc">${def.doc} Judged by ${def.metricName} on a validation split. Changing the task or an option restarts every run.</p>` : nothing}
          ${loose.length > 0 ? html`<p class="issues" role="alert">${loose.map((i) => i.message).join('; ')}</p>` : nothing}
          ${options.map((d) => this.renderField(d, task, issue(`task.${d.path}`)))}
          ${this._waiting
            ? html`<p class="wait" role="status">Open ${need === 'series' ? 'a CSV file' : 'a text'} to train on ${def?.label ?? task.kind}; until then the
                experiment trains on as it was.</p>`
            : nothing}
          ${canUseData ? this.renderData(need ?? (task.kind === 'series' ? 'series' : 'text')) : nothing}
          <h3>Experiment</h3>
          ${top.map((d) => this.renderField(d, this.doc as unknown as Record<string, unknown>, issue(d.path)))}
        </div>
      </details>
    `;
  }

  private renderField(def: FieldDef, obj: Record<string, unknown>, issue: FieldIssue | undefined) {
    return html`<field-input .def=${def} .value=${obj[def.path] ?? defaultOf(def, obj, 0)} .issue=${issue}></field-input>`;
  }

  private renderData(kind: 'series' | 'text') {
    const current = this.userData?.kind === kind ? this.userData : undefined;
    return html`
      <h3>Your data</h3>
      <user-data-input kind=${kind} .current=${current} @data-change=${this.onData}></user-data-input>
      ${kind === 'text' && this.doc.task.kind === 'charlm' && this.doc.task.corpus !== 'user'
        ? html`<p class="doc">Opening a text trains on it (corpus "user") instead of ${this.doc.task.corpus}.</p>`
        : nothing}
    `;
  }

  private onFieldChange(event: CustomEvent<FieldChangeDetail>): void {
    event.stopPropagation();
    const { path, value } = event.detail;
    if (!this.isTaskField(path)) return this.fire('task-field', { path, value });
    const base = (this._waiting ?? this.doc.task) as Record<string, unknown>;
    // A new kind starts from its own defaults (options of the old kind do not carry over).
    const next = path === 'kind' ? { kind: value } : { ...base, [path]: value };
    const need = dataKind(next);
    if (need && this.userData?.kind !== need) {
      this._waiting = next;
      return;
    }
    const waited = this._waiting !== undefined;
    this._waiting = undefined;
    if (path === 'kind' || waited) this.fire('task-change', { task: next, data: this.userData });
    else this.fire('task-field', { path: `task.${path}`, value });
  }

  private isTaskField(path: string): boolean {
    return path === 'kind' || fieldsOf('task').some((d) => d.path === path);
  }

  private onData(event: CustomEvent<DataChangeDetail>): void {
    event.stopPropagation();
    const base = (this._waiting ?? this.doc.task) as Record<string, unknown>;
    const task = event.detail.data.kind === 'text' && base.kind === 'charlm' ? { ...base, corpus: 'user' } : base;
    this._waiting = undefined;
    this.fire('task-change', { task, data: event.detail.data });
  }

  private fire(type: 'task-field' | 'task-change', detail: FieldChangeDetail | TaskChangeDetail): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'task-panel': TaskPanel;
  }
}
