/**
 * <catalog-menu>: a button that opens a dialog listing ready-made experiments (the task presets,
 * the lessons), each with its one-line description and an Open button. It shows what it is
 * given and fires 'catalog-open' with the item's id on user input; the page opens it.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { controlStyles, dialogStyles } from './control-styles';

export interface CatalogItem {
  id: string;
  title: string;
  description: string;
}

@customElement('catalog-menu')
export class CatalogMenu extends LitElement {
  /** The button's text and the dialog's heading ("Presets", "Lessons"). */
  @property() label = '';
  /** The button's tooltip: what the list holds. */
  @property() hint = '';
  @property({ attribute: false }) items: readonly CatalogItem[] = [];
  /** The outcome of the last open, when it failed. */
  @property() message = '';

  @query('dialog') private dialog?: HTMLDialogElement;

  static override styles = [
    controlStyles,
    dialogStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        padding: 0.45rem 0.2rem;
        border-top: 1px solid var(--border);
      }
      li div {
        flex: 1;
      }
      .title {
        font-weight: 600;
      }
      .description {
        margin: 0.1rem 0 0;
        font-size: 0.85rem;
        color: var(--text-muted);
      }
      .message {
        margin: 0.75rem 0 0;
        font-size: 0.85rem;
        white-space: pre-wrap;
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        margin-top: 1rem;
      }
    `,
  ];

  show(): void {
    if (this.dialog && !this.dialog.open) this.dialog.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  override render() {
    return html`
      <button type="button" title=${this.hint} @click=${() => this.show()}>${this.label}</button>
      <dialog aria-label=${this.label}>
        <h2>${this.label}</h2>
        <ol>
          ${this.items.map((item) => html`<li data-id=${item.id}>
            <div><div class="title">${item.title}</div><p class="description">${item.description}</p></div>
            <button type="button" aria-label=${`Open ${item.title}`} @click=${() => this.fire(item.id)}>Open</button>
          </li>`)}
        </ol>
        ${this.message ? html`<p class="message" role="alert">${this.message}</p>` : nothing}
        <div class="actions"><button type="button" class="primary" aria-label=${`Close the ${this.label.toLowerCase()} list`} @click=${() => this.close()}>Close</button></div>
      </dialog>
    `;
  }

  private fire(id: string): void {
    this.dispatchEvent(new CustomEvent<{ id: string }>('catalog-open', { detail: { id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'catalog-menu': CatalogMenu;
  }
}
