/**
 * Styles shared by the diagnostics views (<gate-saturation-view>, <spectral-norm-view>,
 * <weight-histogram-view>): a grid of captioned canvases and a legend of runs.
 */
import { css } from 'lit';

export const diagnosticsViewStyles = css`
  :host { display: block; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 0.75rem; margin-top: 0.6rem; }
  figure { margin: 0; min-width: 0; }
  figcaption { font-size: 0.85rem; font-weight: 600; }
  canvas.plot { display: block; width: 100%; height: 180px; margin-top: 0.25rem; }
  ul.runs { list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; margin: 0.5rem 0 0; padding: 0; font-size: 0.85rem; }
  ul.runs li { display: inline-flex; align-items: center; gap: 0.35rem; }
  .dot { width: 0.7rem; height: 0.7rem; border-radius: 50%; flex: none; }
  .dot.inline { display: inline-block; }
  .note { color: var(--text-muted); font-size: 0.85rem; margin: 0.4rem 0 0; }
`;
