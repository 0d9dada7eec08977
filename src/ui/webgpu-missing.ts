/**
 * <webgpu-missing>: what to tell someone whose browser gave us no WebGPU: what is missing,
 * which browsers have it (and the switches that turn it on in Chrome on Linux), and that the
 * page must come from https or localhost. Static text only; `embedded` drops its own box, for
 * use inside the CPU notice.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/** `no-api`: navigator.gpu is absent. `no-adapter`: it exists but requestAdapter() gave nothing. */
export type WebGpuMissingReason = 'no-api' | 'no-adapter';

@customElement('webgpu-missing')
export class WebGpuMissing extends LitElement {
  @property() reason: WebGpuMissingReason = 'no-api';
  /** The browser's or engine's own words, shown small. */
  @property() detail = '';
  /** Whether the page is a secure context (https or localhost). */
  @property({ type: Boolean, attribute: 'secure-context' }) secureContext = true;
  @property({ type: Boolean, reflect: true }) embedded = false;

  static override styles = css`
    :host {
      display: block;
      max-width: 46rem;
      margin: 3rem auto;
      padding: 1.25rem 1.5rem;
      background: var(--surface);
      color: var(--text);
      border: 1px solid var(--border);
      border-left: 4px solid var(--warning);
      border-radius: 8px;
    }
    :host([embedded]) {
      margin: 0;
      padding: 0;
      max-width: none;
      border: none;
      background: none;
    }
    :host([embedded]) h2 {
      font-size: 1rem;
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1.25rem;
    }
    ul {
      padding-left: 1.25rem;
    }
    code {
      font-size: 0.85em;
      overflow-wrap: anywhere;
    }
    .detail {
      font-size: 0.85rem;
      color: var(--text-faint);
    }
  `;

  override render() {
    return html`
      <h2>WebGPU is not available</h2>
      <p>
        ${this.reason === 'no-api'
          ? 'This browser does not offer WebGPU (navigator.gpu is missing), which the playground uses to train on the GPU.'
          : 'This browser has WebGPU, but it found no GPU adapter to use. The GPU may be disabled or blocklisted in this browser.'}
      </p>
      ${this.secureContext
        ? null
        : html`<p><strong>This page was not served over https or from localhost.</strong> Browsers only offer WebGPU to secure pages.</p>`}
      <p>Browsers with WebGPU:</p>
      <ul>
        <li>Chrome or Edge 113+ on Windows, macOS and ChromeOS</li>
        <li>Chrome 121+ on Android</li>
        <li>Safari 26+</li>
        <li>Firefox 141+ on Windows</li>
        <li>
          Chrome or Chromium on Linux, with WebGPU switched on: start it with
          <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>, or enable
          <code>chrome://flags/#enable-unsafe-webgpu</code> and <code>chrome://flags/#enable-vulkan</code> and restart
        </li>
      </ul>
      <p>The page must also be served over https or from localhost.</p>
      ${this.detail ? html`<p class="detail">${this.detail}</p>` : null}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webgpu-missing': WebGpuMissing;
  }
}
