/**
 * <user-data-input>: the user's own data for a task: open a CSV (time series) or a text file, or
 * paste the text, with the limits stated. Parsing (src/data/user-data.ts) happens here; what
 * could not be read is listed with its line, and nothing is sent up. Fires 'data-change' with
 * the parsed data on success only; the experiment keeps running on bad input.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TaskData } from '../data/tasks';
import { USER_DATA_LIMITS, USER_DATA_LIMITS_TEXT, parseCsv, parseText, type Parsed } from '../data/user-data';
import { controlStyles } from './control-styles';

export interface DataChangeDetail {
  data: TaskData;
  /** Where it came from: the file's name, or "pasted text". */
  source: string;
}

/** One line about data in use: "500 rows × 2 columns (x, y)", "12 345 characters". */
export function describeData(data: TaskData | undefined): string {
  if (!data) return '';
  if (data.kind === 'series') return `${data.rows} rows × ${data.columns.length} column${data.columns.length === 1 ? '' : 's'} (${data.columns.join(', ')})`;
  return `${Array.from(data.text).length.toLocaleString('en')} characters`;
}

@customElement('user-data-input')
export class UserDataInput extends LitElement {
  /** What the task reads: a CSV of numbers or UTF-8 text. */
  @property() kind: 'series' | 'text' = 'series';
  /** The data in use now, if any. */
  @property({ attribute: false }) current?: TaskData;

  @state() private _errors: readonly string[] = [];
  @state() private _notes: readonly string[] = [];
  @state() private _reading = false;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 0.45rem;
        font-size: 0.85rem;
      }
      p {
        margin: 0;
      }
      .limits,
      .current {
        color: var(--text-muted);
        font-size: 0.78rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      textarea {
        font: 0.8rem ui-monospace, SFMono-Regular, Menlo, monospace;
        width: 100%;
        box-sizing: border-box;
        min-height: 4.5rem;
        resize: vertical;
        border: 1px solid var(--border-strong);
        border-radius: 5px;
        background: var(--surface);
        color: var(--text);
      }
      input[type='file'] {
        font: inherit;
        max-width: 100%;
      }
      ul {
        margin: 0;
        padding-left: 1.1rem;
        color: var(--danger);
      }
      .notes {
        color: var(--text-muted);
      }
    `,
  ];

  override render() {
    const csv = this.kind === 'series';
    const what = csv ? 'CSV' : 'text';
    return html`
      ${this.current ? html`<p class="current">In use: ${describeData(this.current)}</p>` : nothing}
      <div class="row">
        <input type="file" aria-label=${`Open a ${what} file`} accept=${csv ? '.csv,.tsv,.txt,text/csv,text/plain' : '.txt,.md,.csv,.json,.ts,.js,.py,text/*'}
          ?disabled=${this._reading} @change=${this.onFile} />
      </div>
      <textarea aria-label=${`Paste ${what}`} placeholder=${csv ? 'or paste CSV rows here' : 'or paste text here'}></textarea>
      <div class="row"><button type="button" @click=${this.onPaste}>Use pasted ${what}</button></div>
      <p class="limits">Limits: ${USER_DATA_LIMITS_TEXT}.</p>
      ${this._errors.length > 0
        ? html`<div role="alert"><ul aria-label="Problems with the data">${this._errors.map((e) => html`<li>${e}</li>`)}</ul></div>`
        : nothing}
      ${this._notes.length > 0 ? html`<ul class="notes">${this._notes.map((n) => html`<li>${n}</li>`)}</ul>` : nothing}
    `;
  }

  private async onFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    // Refused before a byte is read: a huge file must not be loaded into memory to be refused.
    if (file.size > USER_DATA_LIMITS.bytes) {
      this._errors = [`the file has ${(file.size / 2 ** 20).toFixed(1)} MiB; at most ${USER_DATA_LIMITS.bytes / 2 ** 20} MiB are allowed`];
      return;
    }
    this._reading = true;
    try {
      this.take(new Uint8Array(await file.arrayBuffer()), file.name);
    } catch (e) {
      this._errors = [`the file could not be read: ${e instanceof Error ? e.message : String(e)}`];
    } finally {
      this._reading = false;
    }
  }

  private onPaste(): void {
    const text = this.renderRoot.querySelector('textarea')?.value ?? '';
    this.take(text, 'pasted text');
  }

  private take(input: string | Uint8Array, source: string): void {
    const parsed: Parsed<TaskData> = this.kind === 'series' ? parseCsv(input) : parseText(input);
    if (!parsed.ok) {
      this._errors = parsed.errors;
      this._notes = [];
      return;
    }
    this._errors = [];
    this._notes = parsed.notes;
    this.dispatchEvent(new CustomEvent<DataChangeDetail>('data-change', { detail: { data: parsed.data, source }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'user-data-input': UserDataInput;
  }
}
