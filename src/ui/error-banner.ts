/**
 * <error-banner>: GPU and start-up errors where the user sees them (device lost, uncaptured
 * validation errors, a session that failed to build). Shows the messages it is given and fires
 * 'dismiss' when the user closes it; hidden when there are none.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

@customElement('error-banner')
export class ErrorBanner extends LitElement {
  @property({ attribute: false }) messages: readonly string[] = [];

  static override styles = css`
    :host {
      display: block;
    }
    .banner {
      display: flex;
      align-items: flex-start;
      gap: 1rem;
      margin: 0;
      padding: 0.75rem 1.25rem;
      background: var(--danger-bg);
      border-bottom: 1px solid var(--danger-border);
      color: var(--danger);
    }
    ul {
      flex: 1;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    li + li {
      margin-top: 0.35rem;
    }
    button {
      font: inherit;
      border: 1px solid var(--danger-border);
      border-radius: 6px;
      background: var(--surface);
      color: var(--danger);
      padding: 0.2rem 0.7rem;
      cursor: pointer;
    }
  `;

  override render() {
    if (this.messages.length === 0) return null;
    return html`
      <div class="banner" role="alert">
        <ul>
          ${this.messages.map((message) => html`<li>${message}</li>`)}
        </ul>
        <button @click=${() => this.dispatchEvent(new Event('dismiss', { bubbles: true, composed: true }))}>Dismiss</button>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'error-banner': ErrorBanner;
  }
}
