/**
 * Styles of <rnn-playground>: the page's layout at 1280, 1024 and 768 px and below (the
 * configure column beside the charts where both fit, above them otherwise), in the theme's
 * custom properties.
 */
import { css } from 'lit';
import { controlStyles } from './control-styles';

export const playgroundStyles = [
  controlStyles,
  css`
    :host {
      display: block;
      max-width: 1600px;
      margin: 0 auto;
      padding: 1rem 1.25rem 2rem;
    }
    header {
      display: flex;
      align-items: flex-start;
      justify-content: space-between;
      gap: 1rem;
      margin-bottom: 0.75rem;
    }
    h1 {
      font-size: 1.5rem;
      margin: 0 0 0.2rem;
    }
    header p {
      margin: 0;
      color: var(--text-muted);
    }
    header .name {
      color: var(--text);
      font-weight: 600;
    }
    .tools {
      display: flex;
      flex: none;
      gap: 0.5rem;
    }
    .help {
      font-size: 0.85rem;
    }
    kbd {
      font: 0.8rem ui-monospace, SFMono-Regular, Menlo, monospace;
      padding: 0 0.3rem;
      border: 1px solid var(--border-strong);
      border-radius: 4px;
      margin-left: 0.25rem;
    }
    .notices {
      list-style: none;
      margin: 0 0 0.75rem;
      padding: 0;
      display: grid;
      gap: 0.4rem;
    }
    .notices li {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 1rem;
      padding: 0.5rem 0.9rem;
      border: 1px solid var(--border);
      border-left: 4px solid var(--accent);
      border-radius: 8px;
      background: var(--surface);
      font-size: 0.9rem;
    }
    .notices button {
      flex: none;
      font-size: 0.8rem;
      padding: 0.15rem 0.6rem;
    }
    backend-notice {
      margin-bottom: 0.75rem;
    }
    .panel {
      background: var(--surface);
      border: 1px solid var(--border);
      border-radius: 8px;
      display: grid;
      gap: 0.75rem;
      padding: 0.75rem 1rem;
      margin-bottom: 0.75rem;
    }
    .control-row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 0.6rem 1.25rem;
    }
    .backend {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      font-size: 0.875rem;
      white-space: nowrap;
    }
    select {
      font: inherit;
      padding: 0.2rem 0.35rem;
      border: 1px solid var(--border-strong);
      border-radius: 6px;
      background: var(--surface);
      color: var(--text);
    }
    .alert {
      color: var(--danger);
      margin: 0;
      font-weight: 600;
    }
    .waiting h2 {
      margin: 0;
      font-size: 1.1rem;
    }
    .waiting p {
      margin: 0;
    }
    .workbench {
      display: grid;
      grid-template-columns: minmax(20rem, 23rem) minmax(0, 1fr);
      gap: 1rem;
      align-items: start;
    }
    .results {
      min-width: 0;
    }
    .view {
      margin: 0 0.25rem 0.75rem;
    }
    diagnostics-panel {
      margin-top: 1rem;
    }
    footer {
      margin-top: 1.25rem;
      font-size: 0.8rem;
      color: var(--text-faint);
    }
    /* Below this the charts would be too narrow beside the configure column: it goes above them. */
    @media (max-width: 980px) {
      .workbench {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `,
];
