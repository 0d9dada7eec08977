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
    h2 {
      font-size: 0.95rem;
      font-weight: 600;
      line-height: 1.3;
      margin: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .footer {
      display: flex;
      align-items: flex-start;
      justify-content: space-between;
      gap: 0.4rem 1rem;
      margin-top: 0.4rem;
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
      margin: 0;
      min-width: 0;
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
      white-space: nowrap;
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
      color: var(--text-muted);
      white-space: nowrap;
    }
    .threshold::before {
      content: '';
      display: inline-block;
      width: 1rem;
      margin-right: 0.3rem;
      vertical-align: middle;
      border-top: 1.5px dashed var(--run-color);
    }
  `,
];
