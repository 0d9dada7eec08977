/**
 * Styles of <metric-chart>, apart so the component file stays about behaviour. Colours come from
 * the theme's custom properties (index.html); sizes are fixed so nothing moves while training.
 */
import { css } from 'lit';
import { controlStyles } from './control-styles';

export const metricChartStyles = [
  controlStyles,
  css`
    :host {
      display: block;
      min-width: 0;
    }
    header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem 1rem;
      min-height: 2rem;
    }
    h2 {
      font-size: 0.95rem;
      font-weight: 600;
      margin: 0;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .tools {
      display: flex;
      align-items: center;
      gap: 0.4rem;
      flex: none;
    }
    .tools button {
      padding: 0.15rem 0.5rem;
      font-size: 0.78rem;
    }
    .check {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
      font-size: 0.8rem;
      color: var(--text-muted);
      white-space: nowrap;
      margin-right: 0.25rem;
    }
    .plot {
      position: relative;
      height: 240px;
      margin-top: 0.35rem;
    }
    .legend {
      list-style: none;
      margin: 0.4rem 0 0;
      padding: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 0.15rem 1rem;
      font-size: 0.8rem;
    }
    .legend li {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
    }
    .legend button {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      border: none;
      background: none;
      padding: 0.1rem 0.25rem;
      color: var(--text);
      font-size: inherit;
    }
    .legend button[aria-pressed='false'] {
      color: var(--text-faint);
      text-decoration: line-through;
    }
    .legend button[aria-pressed='false'] .swatch {
      opacity: 0.35;
    }
    .swatch {
      width: 0.9rem;
      height: 3px;
      border-radius: 2px;
      flex: none;
    }
    .value {
      display: inline-block;
      min-width: 4.5rem;
      font-variant-numeric: tabular-nums;
      color: var(--text-muted);
    }
    .diverged {
      color: var(--danger);
      font-weight: 600;
    }
    .threshold {
      border-top: 1.5px dashed;
      padding-top: 1px;
      color: var(--text-muted);
      line-height: 1;
    }
  `,
];
