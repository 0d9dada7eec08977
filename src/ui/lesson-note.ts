/**
 * <lesson-note>: the open lesson's box above the workbench: its title, its paragraph, the chart
 * to look at and the paper, with a Dismiss button that fires 'dismiss'. Plain text throughout.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Lesson } from '../lessons';
import { controlStyles } from './control-styles';

@customElement('lesson-note')
export class LessonNote extends LitElement {
  @property({ attribute: false }) lesson?: Lesson;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      section {
        border: 1px solid var(--accent);
        border-radius: 8px;
        background: var(--surface);
        padding: 0.7rem 0.9rem;
        margin: 0 0 0.75rem;
      }
      .head {
        display: flex;
        gap: 0.75rem;
        align-items: baseline;
        justify-content: space-between;
      }
      h2 {
        font-size: 1rem;
        margin: 0;
      }
      p {
        margin: 0.45rem 0 0;
        font-size: 0.9rem;
        line-height: 1.45;
      }
      .look {
        font-weight: 600;
      }
      .paper {
        color: var(--text-muted);
        font-size: 0.8rem;
      }
    `,
  ];

  override render() {
    const l = this.lesson;
    if (!l) return nothing;
    return html`<section aria-label="Lesson">
      <div class="head">
        <h2>Lesson: ${l.title}</h2>
        <button type="button" aria-label="Dismiss the lesson" @click=${() => this.dispatchEvent(new CustomEvent('dismiss'))}>Dismiss</button>
      </div>
      <p>${l.text}</p>
      <p class="look">Look at the chart "${l.chartName}".</p>
      <p class="paper">${l.paper}</p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lesson-note': LessonNote;
  }
}
