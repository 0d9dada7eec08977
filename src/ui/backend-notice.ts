/**
 * <backend-notice>: where the page trains when that is not WebGPU: "no WebGPU here: training on
 * the CPU (slower)" with how to get WebGPU (the <webgpu-missing> text, folded), or a quieter line
 * when the CPU was asked for (?backend=cpu or the switch). Renders nothing on WebGPU. Static.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BackendChoice } from './workspace';
import './webgpu-missing';

@customElement('backend-notice')
export class BackendNotice extends LitElement {
  @property({ attribute: false }) choice?: BackendChoice;

  static override styles = css`
    :host {
      display: block;
    }
    .notice {
      padding: 0.6rem 0.9rem;
      border: 1px solid var(--border);
      border-left: 4px solid var(--warning);
      border-radius: 8px;
      background: var(--surface);
      font-size: 0.9rem;
    }
    .notice.asked {
      border-left-color: var(--border-strong);
    }
    p {
      margin: 0;
    }
    details {
      margin-top: 0.4rem;
      font-size: 0.85rem;
    }
    summary {
      cursor: pointer;
      color: var(--text-muted);
    }
    webgpu-missing {
      margin-top: 0.5rem;
    }
  `;

  override render() {
    const c = this.choice;
    if (!c || c.kind !== 'cpu') return nothing;
    if (c.reason === 'forced') {
      return html`<div class="notice asked" role="status"><p>Training on the CPU, in a worker, as asked (<code>?backend=cpu</code> or the
        backend switch): slower than WebGPU, with the same results.</p></div>`;
    }
    const reason = c.reason === 'no-api' ? 'no-api' : 'no-adapter';
    return html`
      <div class="notice" role="status">
        <p><strong>no WebGPU here: training on the CPU (slower)</strong>, in a worker, with the same results.</p>
        <details>
          <summary>How to get WebGPU</summary>
          <webgpu-missing embedded .reason=${reason} .detail=${c.detail ?? ''} .secureContext=${window.isSecureContext}></webgpu-missing>
        </details>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'backend-notice': BackendNotice;
  }
}
