/**
 * <metric-chart>: one metric over training steps, one line per run, drawn with Chart.js.
 * Data comes in through appendRecords() and goes with clear(); each run keeps at most
 * `maxPoints` points, thinned evenly as the run grows, so long runs stay cheap to draw.
 * Non-finite values are not drawn; the run is marked "diverged" in the chart's legend.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  Chart,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { RunInfo } from '../experiments/session';
import { SeriesBuffer, type Point } from './series-buffer';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);

@customElement('metric-chart')
export class MetricChart extends LitElement {
  /** The metric's name: the chart's heading and its canvas's accessible name. */
  @property() label = '';
  /** One line per run, in this order and colour. */
  @property({ attribute: false }) runs: readonly RunInfo[] = [];
  /** Logarithmic y axis; the checkbox in the heading toggles it. */
  @property({ type: Boolean, attribute: 'log-scale' }) logScale = false;
  /** Most points kept per run. */
  @property({ type: Number, attribute: 'max-points' }) maxPoints = 2000;

  @state() private _latest: (number | undefined)[] = [];
  @state() private _diverged: boolean[] = [];

  private series: SeriesBuffer[] = [];
  private chart?: Chart<'line', Point[]>;
  private frame = 0;

  static override styles = css`
    :host {
      display: block;
      min-width: 0;
    }
    header {
      display: flex;
      align-items: baseline;
      justify-content: space-between;
      gap: 1rem;
      flex-wrap: wrap;
    }
    h2 {
      font-size: 1rem;
      font-weight: 600;
      margin: 0;
    }
    label {
      font-size: 0.85rem;
      color: #4b5563;
      white-space: nowrap;
    }
    .plot {
      position: relative;
      height: 260px;
      margin-top: 0.5rem;
    }
    ul {
      list-style: none;
      margin: 0.5rem 0 0;
      padding: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 1.25rem;
      font-size: 0.85rem;
    }
    li {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
    }
    .swatch {
      width: 0.9rem;
      height: 3px;
      border-radius: 2px;
    }
    .value {
      font-variant-numeric: tabular-nums;
      color: #374151;
    }
    .diverged {
      color: #b91c1c;
      font-weight: 600;
    }
  `;

  /**
   * Appends values at `steps`: `valuesPerRun[r][i]` is run r's value at `steps[i]`.
   * Steps must increase across calls (until clear()).
   */
  appendRecords(steps: readonly number[], valuesPerRun: readonly (readonly number[])[]): void {
    const latest = [...this._latest];
    let diverged = this._diverged;
    valuesPerRun.forEach((values, r) => {
      const series = (this.series[r] ??= new SeriesBuffer(this.maxPoints));
      steps.forEach((step, i) => {
        const value = values[i];
        if (Number.isFinite(value)) {
          series.push(step, value);
          latest[r] = value;
        } else if (value !== undefined && !diverged[r]) {
          diverged = [...diverged];
          diverged[r] = true;
        }
      });
    });
    this._latest = latest;
    this._diverged = diverged;
    this.scheduleDraw();
  }

  /** Each run's points as drawn (after thinning), for tests and export. */
  drawnPoints(): readonly (readonly Point[])[] {
    return this.runs.map((_, r) => this.series[r]?.points ?? []);
  }

  /** Forgets every point and divergence mark. */
  clear(): void {
    this.series = [];
    this._latest = [];
    this._diverged = [];
    this.scheduleDraw();
  }

  override render() {
    return html`
      <header>
        <h2>${this.label}</h2>
        <label>
          <input type="checkbox" .checked=${this.logScale} @change=${this.onLogScaleChange} />
          log scale
        </label>
      </header>
      <div class="plot">
        <canvas role="img" aria-label=${this.label}></canvas>
      </div>
      <ul>
        ${this.runs.map(
          (run, r) => html`
            <li>
              <span class="swatch" style="background:${run.color}"></span>
              <span>${run.label}</span>
              ${this._diverged[r]
                ? html`<span class="diverged" title="a value was NaN or infinite; later points are not drawn">diverged</span>`
                : html`<span class="value">${formatValue(this._latest[r])}</span>`}
            </li>
          `,
        )}
      </ul>
    `;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.chart) this.createChart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.chart?.destroy();
    this.chart = undefined;
  }

  protected override firstUpdated(): void {
    this.createChart();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('runs') || changed.has('logScale')) this.draw();
  }

  private onLogScaleChange(event: Event): void {
    this.logScale = (event.target as HTMLInputElement).checked;
    this.dispatchEvent(new Event('log-scale-change', { bubbles: true, composed: true }));
  }

  private createChart(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hoverRadius: 3 }, line: { borderWidth: 1.5 } },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            bounds: 'data',
            title: { display: true, text: 'step' },
            ticks: { precision: 0, maxRotation: 0 },
          },
          y: { type: 'linear', ticks: { maxTicksLimit: 8 } },
        },
        plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatValue(item.parsed.y ?? undefined)}` } } },
      },
    });
    this.draw();
  }

  /** Draws at most once per frame however often records arrive. */
  private scheduleDraw(): void {
    if (this.frame || !this.chart) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const chart = this.chart;
    if (!chart) return;
    chart.data.datasets = this.runs.map(
      (run, r): ChartDataset<'line', Point[]> => ({
        label: run.label,
        // A copy: Chart.js patches the arrays it is given, and these keep growing between frames.
        data: this.series[r]?.points.slice() ?? [],
        borderColor: run.color,
        backgroundColor: run.color,
      }),
    );
    const y = chart.options.scales?.y;
    if (y) y.type = this.logScale ? 'logarithmic' : 'linear';
    chart.update('none');
  }
}

/** Four significant digits, exponent form for very small or large values. */
export function formatValue(value: number | undefined): string {
  if (value === undefined) return '–';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

declare global {
  interface HTMLElementTagNameMap {
    'metric-chart': MetricChart;
  }
}
