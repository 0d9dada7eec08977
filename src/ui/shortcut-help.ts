/**
 * <shortcut-help>: a modal <dialog> listing the keyboard shortcuts it is given. show() opens it
 * (the page calls it on "?"); Escape or the Close button closes it, and the browser returns
 * focus to where it was.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { controlStyles, dialogStyles } from './control-styles';
import { SHORTCUTS, type Shortcut } from './shortcuts';

@customElement('shortcut-help')
export class ShortcutHelp extends LitElement {
  @property({ attribute: false }) shortcuts: readonly Shortcut[] = SHORTCUTS;

  @query('dialog') private dialog?: HTMLDialogElement;

  static override styles = [
    controlStyles,
    dialogStyles,
    css`
      dialog {
        --dialog-width: 26rem;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.45rem 1rem;
        margin: 0 0 1rem;
        font-size: 0.9rem;
      }
      dt {
        text-align: right;
      }
      dd {
        margin: 0;
        color: var(--text-muted);
      }
      kbd {
        display: inline-block;
        min-width: 1.4rem;
        padding: 0.05rem 0.4rem;
        border: 1px solid var(--border-strong);
        border-bottom-width: 2px;
        border-radius: 4px;
        background: var(--bg);
        font: 0.85rem ui-monospace, SFMono-Regular, Menlo, monospace;
        text-align: center;
      }
      p {
        margin: 0 0 0.9rem;
        font-size: 0.82rem;
        color: var(--text-muted);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
      }
    `,
  ];

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  show(): void {
    if (this.dialog && !this.dialog.open) this.dialog.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  override render() {
    return html`
      <dialog aria-labelledby="title">
        <h2 id="title">Keyboard shortcuts</h2>
        <dl>
          ${this.shortcuts.map((s) => html`<dt><kbd>${s.label}</kbd></dt><dd>${s.description}</dd>`)}
          <dt><kbd>Esc</kbd></dt>
          <dd>Close this list</dd>
        </dl>
        <p>Keys do nothing while you type in a field.</p>
        <div class="actions"><button type="button" class="primary" @click=${() => this.close()}>Close</button></div>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'shortcut-help': ShortcutHelp;
  }
}
