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

/** A modal <dialog> with its heading (the menus and the shortcut list); width: --dialog-width. */
export const dialogStyles = css`
  dialog {
    border: 1px solid var(--border);
    border-radius: 10px;
    background: var(--surface);
    color: var(--text);
    padding: 1rem 1.25rem 1.1rem;
    width: min(var(--dialog-width, 44rem), calc(100vw - 2rem));
    box-shadow: 0 10px 30px rgba(0, 0, 0, 0.25);
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.35);
  }
  h2 {
    font-size: 1.05rem;
    margin: 0 0 0.75rem;
  }
`;
