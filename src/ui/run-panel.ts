/**
 * <run-panel>: one run's settings, generated from the field table: a <field-input> per field
 * that applies to the run as it is now, in sections by path (field-sections.ts), advanced ones
 * under "more"; a refused value's message under its field. Above them the run's operations:
 * variant, fork, hide/show, delete, download and load weights. Fires 'run-field',
 * 'run-action', 'load-weights' and 'panel-toggle' on user input; the page applies them.
 */
import { LitElement, css, html, nothing } from 'lit';
import { cssProps } from './css-props';
import { customElement, property } from 'lit/decorators.js';
import type { RunConfig } from '../config/experiment';
import type { FieldDef, FieldIssue } from '../config/field';
import { applies, getPath } from '../config/normalize-scope';
import { fieldsOf } from '../config/table';
import type { RunState } from '../experiments/experiment';
import { controlStyles } from './control-styles';
import type { FieldChangeDetail } from './field-input';
import { fieldSections, groupPaths, initialValue } from './field-sections';
import './field-input';

export type RunAction = 'variant' | 'fork' | 'toggle-hidden' | 'delete' | 'download-weights';

export interface RunFieldDetail extends FieldChangeDetail {
  runId: string;
}

export interface RunActionDetail {
  runId: string;
  action: RunAction;
}

export interface LoadWeightsDetail {
  runId: string;
  file: File;
}

@customElement('run-panel')
export class RunPanel extends LitElement {
  @property({ attribute: false }) run!: RunConfig;
  @property({ attribute: false }) state?: RunState;
  /** Position of the run in the experiment (issues name it `runs[i]`). */
  @property({ type: Number }) index = 0;
  /** Problems with the last change asked of this run, paths as the experiment names them. */
  @property({ attribute: false }) issues: readonly FieldIssue[] = [];
  /** The outcome of the last operation (weights loaded, or why not). */
  @property() note = '';
  @property({ type: Boolean, attribute: 'can-add' }) canAdd = true;
  @property({ type: Boolean, attribute: 'can-delete' }) canDelete = true;
  @property({ type: Boolean }) open = false;

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
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.45rem 0.75rem;
        cursor: pointer;
        font-weight: 600;
        font-size: 0.9rem;
      }
      summary .meta {
        margin-left: auto;
        font-weight: 400;
        font-size: 0.78rem;
        color: var(--text-faint);
        white-space: nowrap;
      }
      .swatch {
        flex: none;
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 3px;
      }
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .hidden-run .name {
        color: var(--text-faint);
        text-decoration: line-through;
      }
      .body {
        padding: 0 0.75rem 0.75rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        margin-bottom: 0.5rem;
      }
      .actions button,
      .actions .file {
        font-size: 0.8rem;
        padding: 0.2rem 0.55rem;
      }
      .file {
        position: relative;
        display: inline-flex;
        align-items: center;
        border: 1px solid var(--border-strong);
        border-radius: 6px;
        cursor: pointer;
      }
      .file input {
        position: absolute;
        inset: 0;
        opacity: 0;
        cursor: pointer;
      }
      .file:focus-within {
        outline: 2px solid var(--focus);
        outline-offset: 1px;
      }
      button.danger {
        color: var(--danger);
      }
      fieldset {
        display: grid;
        gap: 0.45rem;
        margin: 0.6rem 0 0;
        padding: 0.5rem 0 0;
        border: none;
        border-top: 1px solid var(--border);
      }
      legend {
        padding: 0 0.35rem 0 0;
        font-size: 0.75rem;
        font-weight: 600;
        letter-spacing: 0.04em;
        text-transform: uppercase;
        color: var(--text-muted);
      }
      details.more > summary {
        padding: 0.15rem 0;
        font-weight: 400;
        font-size: 0.8rem;
        color: var(--text-muted);
      }
      details.more {
        border: none;
        background: none;
      }
      details.more[open] > summary {
        margin-bottom: 0.4rem;
      }
      .issues,
      .note {
        margin: 0.4rem 0 0;
        font-size: 0.8rem;
      }
      .issues {
        color: var(--danger);
        font-weight: 600;
      }
      .note {
        color: var(--text-muted);
      }
    `,
  ];

  override render() {
    const run = this.run;
    const s = this.state;
    const where = s ? (s.backend === 'cpu' ? 'CPU' : 'GPU') : '';
    return html`
      <details ?open=${this.open} class=${run.hidden ? 'hidden-run' : ''} @toggle=${this.onToggle}>
        <summary>
          <span class="swatch" ${cssProps({ background: run.color })}></span>
          <span class="name">${run.label}</span>
          <span class="meta">${run.cell} H${run.hiddenSize}${run.numLayers > 1 ? ` ×${run.numLayers}` : ''} · ${run.optimizer.kind}${where ? ` · ${where}` : ''}</span>
        </summary>
        <div class="body" @field-change=${this.onFieldChange}>
          ${this.renderActions()}
          ${this.renderIssues()}
          ${this.renderSections()}
        </div>
      </details>
    `;
  }

  private renderActions() {
    const label = this.run.label;
    const act = (action: RunAction, text: string, title: string, enabled = true, cls = '') =>
      html`<button type="button" class=${cls} aria-label=${`${text}: ${label}`} title=${title} aria-disabled=${enabled ? 'false' : 'true'}
        @click=${() => enabled && this.fire(action)}>${text}</button>`;
    return html`
      <div class="actions">
        ${act('variant', 'Variant', 'A copy of this run with its own colour, from step 0: change one setting to compare', this.canAdd)}
        ${act('fork', 'Fork', 'A copy that starts where this run is now (its weights, optimizer state and history)', this.canAdd)}
        ${act('toggle-hidden', this.run.hidden ? 'Show' : 'Hide', 'Show or hide its lines on every chart; it keeps training')}
        ${act('download-weights', 'Weights', 'Download its weights as .safetensors (PyTorch names and shapes)')}
        <label class="file" title="Load weights from a .safetensors file of a run of the same shape">Load weights
          <input type="file" accept=".safetensors" aria-label=${`Load weights: ${label}`} @change=${this.onWeightsFile} /></label>
        ${act('delete', 'Delete', this.canDelete ? 'Remove this run' : 'An experiment needs at least one run', this.canDelete, 'danger')}
      </div>
    `;
  }

  private renderIssues() {
    const prefix = `runs[${this.index}].`;
    const loose = this.issues.filter((i) => !this.fieldOfIssue(i, prefix));
    return html`
      ${loose.length > 0 ? html`<p class="issues" role="alert">${loose.map((i) => i.message).join('; ')}</p>` : nothing}
      ${this.note ? html`<p class="note" role="status">${this.note}</p>` : nothing}
    `;
  }

  private renderSections() {
    const run = this.run as unknown as Record<string, unknown>;
    const defs = fieldsOf('run');
    const groups = groupPaths(defs);
    return fieldSections(defs).map((section) => {
      const fields = section.fields.filter((d) => applies(d, run, groups));
      if (fields.length === 0) return nothing;
      const basic = fields.filter((d) => !d.ui?.advanced);
      const advanced = fields.filter((d) => d.ui?.advanced);
      return html`<fieldset>
        <legend>${section.title}</legend>
        ${basic.map((d) => this.renderField(d))}
        ${advanced.length > 0
          ? html`<details class="more"><summary>more ${section.title} settings</summary>${advanced.map((d) => this.renderField(d))}</details>`
          : nothing}
      </fieldset>`;
    });
  }

  private renderField(def: FieldDef) {
    const run = this.run as unknown as Record<string, unknown>;
    const issue = this.issues.find((i) => i.path === `runs[${this.index}].${def.path}`);
    return html`<field-input .def=${def} .value=${getPath(run, def.path)} .start=${initialValue(def, run, this.index)}
      context=${this.run.label} .issue=${issue}></field-input>`;
  }

  private fieldOfIssue(issue: FieldIssue, prefix: string): boolean {
    if (!issue.path.startsWith(prefix)) return false;
    const path = issue.path.slice(prefix.length);
    return fieldsOf('run').some((d) => d.path === path && applies(d, this.run as unknown as Record<string, unknown>, groupPaths(fieldsOf('run'))));
  }

  private onToggle(event: Event): void {
    this.open = (event.target as HTMLDetailsElement).open;
    this.dispatchEvent(new CustomEvent('panel-toggle', { detail: { runId: this.run.id, open: this.open }, bubbles: true, composed: true }));
  }

  private onFieldChange(event: CustomEvent<FieldChangeDetail>): void {
    event.stopPropagation();
    this.dispatchEvent(new CustomEvent<RunFieldDetail>('run-field', { detail: { ...event.detail, runId: this.run.id }, bubbles: true, composed: true }));
  }

  private onWeightsFile(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) this.dispatchEvent(new CustomEvent<LoadWeightsDetail>('load-weights', { detail: { runId: this.run.id, file }, bubbles: true, composed: true }));
  }

  private fire(action: RunAction): void {
    this.dispatchEvent(new CustomEvent<RunActionDetail>('run-action', { detail: { runId: this.run.id, action }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-panel': RunPanel;
  }
}
