/**
 * Styles of <rnn-playground>: the page's layout at 1280, 1024 and 768 px and below (charts two
 * to a row where each gets at least 460 px, one otherwise), in the theme's custom properties.
 */
import { css } from 'lit';
import { controlStyles } from './control-styles';

export const playgroundStyles = [
  controlStyles,
  css`
    :host {
      display: block;
      max-width: 1400px;
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
    .help {
      flex: none;
      font-size: 0.85rem;
    }
    kbd {
      font: 0.8rem ui-monospace, SFMono-Regular, Menlo, monospace;
      padding: 0 0.3rem;
      border: 1px solid var(--border-strong);
      border-radius: 4px;
      margin-left: 0.25rem;
    }
    .panel,
    .card {
      background: var(--surface);
      border: 1px solid var(--border);
      border-radius: 8px;
    }
    .panel {
      display: grid;
      gap: 0.75rem;
      padding: 0.75rem 1rem;
      margin-bottom: 0.75rem;
    }
    .alert {
      color: var(--danger);
      margin: 0;
    }
    .view {
      margin: 0 0.25rem 0.75rem;
    }
    .charts {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr));
      gap: 1rem;
    }
    .card {
      padding: 0.6rem 0.9rem 0.75rem;
      min-width: 0;
    }
    footer {
      margin-top: 1.25rem;
      font-size: 0.8rem;
      color: var(--text-faint);
    }
  `,
];
