/**
 * <experiment-menu>: a button that opens a dialog for keeping experiments: the saved list (open,
 * rename, duplicate, delete), a new experiment, import and export of the experiment file (with or
 * without histories), every run's metrics as CSV, the PyTorch script, and the share link. It shows what it is given
 * and fires 'menu-action' on user input; the page does the work and sets `message` back.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { SavedSummary } from '../experiments/persistence';
import { controlStyles, dialogStyles } from './control-styles';

export type MenuAction =
  | { action: 'opened' }
  | { action: 'new' }
  | { action: 'import'; file: File }
  | { action: 'export'; histories: boolean }
  | { action: 'metrics-csv' }
  | { action: 'torch' }
  | { action: 'share' }
  | { action: 'open' | 'duplicate' | 'delete'; id: string }
  | { action: 'rename'; id: string; name: string };

@customElement('experiment-menu')
export class ExperimentMenu extends LitElement {
  @property({ attribute: false }) saved: readonly SavedSummary[] = [];
  /** The saved experiment open on the page, if it was saved yet. */
  @property() current = '';
  /** The outcome of the last action (an import's problems, "link copied"). */
  @property() message = '';
  /** The share link, shown to copy by hand where the clipboard is not allowed. */
  @property() link = '';

  @state() private _renaming = '';
  @query('dialog') private dialog?: HTMLDialogElement;

  static override styles = [
    controlStyles,
    dialogStyles,
    css`
      h3 {
        font-size: 0.8rem;
        font-weight: 600;
        letter-spacing: 0.04em;
        text-transform: uppercase;
        color: var(--text-muted);
        margin: 1rem 0 0.4rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      .file {
        position: relative;
        display: inline-flex;
        align-items: center;
        padding: 0.35rem 0.85rem;
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
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.85rem;
      }
      td {
        padding: 0.3rem 0.4rem;
        border-top: 1px solid var(--border);
        vertical-align: middle;
      }
      td.name {
        width: 100%;
        overflow-wrap: anywhere;
      }
      td.meta {
        white-space: nowrap;
        color: var(--text-muted);
        font-variant-numeric: tabular-nums;
      }
      td.ops {
        white-space: nowrap;
      }
      td.ops button {
        font-size: 0.8rem;
        padding: 0.15rem 0.5rem;
      }
      .open-now {
        font-size: 0.75rem;
        color: var(--accent);
        margin-left: 0.35rem;
      }
      input[type='text'] {
        font: inherit;
        width: 100%;
        box-sizing: border-box;
        padding: 0.2rem 0.4rem;
        border: 1px solid var(--border-strong);
        border-radius: 5px;
        background: var(--surface);
        color: var(--text);
      }
      .message {
        margin: 0.75rem 0 0;
        font-size: 0.85rem;
        white-space: pre-wrap;
        color: var(--text-muted);
      }
      .empty {
        color: var(--text-faint);
        font-size: 0.85rem;
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        margin-top: 1rem;
      }
    `,
  ];

  show(): void {
    if (this.dialog && !this.dialog.open) {
      this.dialog.showModal();
      this.fire({ action: 'opened' });
    }
  }

  close(): void {
    this.dialog?.close();
  }

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  override render() {
    return html`
      <button type="button" @click=${() => this.show()} title="Saved experiments, new, import, export, share link">Experiments</button>
      <dialog aria-labelledby="title">
        <h2 id="title">Experiments</h2>
        <div class="row">
          <button type="button" @click=${() => this.fire({ action: 'new' })}>New experiment</button>
          <label class="file">Import JSON…<input type="file" accept=".json,application/json" aria-label="Import an experiment file (JSON)" @change=${this.onImport} /></label>
          <button type="button" @click=${() => this.fire({ action: 'export', histories: false })}>Export JSON</button>
          <button type="button" @click=${() => this.fire({ action: 'export', histories: true })}>Export JSON with histories</button>
          <button type="button" @click=${() => this.fire({ action: 'metrics-csv' })}>Metrics CSV</button>
          <button type="button" title="A Python file that rebuilds this experiment with torch alone" @click=${() => this.fire({ action: 'torch' })}>Export PyTorch script</button>
          <button type="button" @click=${() => this.fire({ action: 'share' })}>Copy share link</button>
        </div>
        ${this.link ? html`<p class="row"><input type="text" readonly aria-label="Share link" .value=${this.link} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></p>` : nothing}
        ${this.message ? html`<p class="message" role="status">${this.message}</p>` : nothing}
        <h3>Saved in this browser</h3>
        ${this.saved.length === 0
          ? html`<p class="empty">Nothing saved yet: the open experiment is saved a few seconds after it changes.</p>`
          : html`<table aria-label="Saved experiments"><tbody>${this.saved.map((s) => this.renderSaved(s))}</tbody></table>`}
        <div class="actions"><button type="button" class="primary" aria-label="Close the experiments list" @click=${() => this.dialog?.close()}>Close</button></div>
      </dialog>
    `;
  }

  private renderSaved(s: SavedSummary) {
    const when = new Date(s.savedAt).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' });
    const isOpen = s.id === this.current;
    if (this._renaming === s.id) {
      return html`<tr data-id=${s.id}>
        <td class="name" colspan="2"><input type="text" aria-label=${`New name for ${s.name}`} maxlength="80" .value=${s.name}
          @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.finishRename(s.id, e)} /></td>
        <td class="ops"><button type="button" @click=${(e: Event) => this.finishRename(s.id, e)}>Save</button>
          <button type="button" @click=${() => (this._renaming = '')}>Cancel</button></td>
      </tr>`;
    }
    return html`<tr data-id=${s.id}>
      <td class="name">${s.name}${isOpen ? html`<span class="open-now">open now</span>` : nothing}</td>
      <td class="meta">${s.runs} runs · step ${s.steps} · ${when}</td>
      <td class="ops">
        <button type="button" aria-label=${`Open ${s.name}`} ?disabled=${isOpen} @click=${() => this.fire({ action: 'open', id: s.id })}>Open</button>
        <button type="button" aria-label=${`Rename ${s.name}`} @click=${() => (this._renaming = s.id)}>Rename</button>
        <button type="button" aria-label=${`Duplicate ${s.name}`} @click=${() => this.fire({ action: 'duplicate', id: s.id })}>Duplicate</button>
        <button type="button" aria-label=${`Delete ${s.name}`} @click=${() => this.fire({ action: 'delete', id: s.id })}>Delete</button>
      </td>
    </tr>`;
  }

  private finishRename(id: string, event: Event): void {
    const row = (event.target as HTMLElement).closest('tr');
    const name = row?.querySelector('input')?.value.trim() ?? '';
    this._renaming = '';
    if (name) this.fire({ action: 'rename', id, name });
  }

  private onImport(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) this.fire({ action: 'import', file });
  }

  private fire(detail: MenuAction): void {
    this.dispatchEvent(new CustomEvent<MenuAction>('menu-action', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'experiment-menu': ExperimentMenu;
  }
}
