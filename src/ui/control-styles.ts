/**
 * Shared look of buttons, focus rings and screen-reader-only text for every component, in the
 * theme's custom properties (index.html), so light and dark follow the system in one place.
 */
import { css } from 'lit';

export const controlStyles = css`
  :host {
    color: var(--text);
  }
  button {
    font: inherit;
    padding: 0.35rem 0.85rem;
    border: 1px solid var(--border-strong);
    border-radius: 6px;
    background: var(--surface);
    color: var(--text);
    cursor: pointer;
  }
  button:hover:not([aria-disabled='true']) {
    background: var(--surface-hover);
  }
  button[aria-disabled='true'] {
    color: var(--text-faint);
    cursor: default;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--accent-text);
  }
  button.primary:hover:not([aria-disabled='true']) {
    background: var(--accent-hover);
  }
  button.primary[aria-disabled='true'] {
    background: var(--accent-muted);
    border-color: var(--accent-muted);
  }
  :focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 1px;
  }
  input[type='checkbox'],
  input[type='radio'],
  input[type='range'] {
    accent-color: var(--accent);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
