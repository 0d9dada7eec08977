/**
 * <validation-example-view>: validation example 0 through each run at the latest diagnostic step
 * that evaluated: the top layer's hidden state as a map (units up, timesteps along; blue negative,
 * red positive; the input characters under it for text tasks), for regression tasks the
 * prediction against the target over the example, and for classification (up to 16 classes) the
 * confusion matrix over the validation set. Both backends compute it. It reads the records' validationExample; <diagnostics-panel> turns the diagnostics on.
 */
import { css, html, nothing, type CSSResultGroup } from 'lit';
import { customElement } from 'lit/decorators.js';
import { drawStepLines } from './chart/plot-lines';
import { drawConfusion, drawStateMap } from './chart/plot-maps';
import { readChartTheme } from './color-scheme';
import { cssProps } from './css-props';
import type { DiagnosedStep } from './diagnostics-feed';
import { DiagnosticsFeedView } from './diagnostics-feed-view';
import { diagnosticsViewStyles } from './diagnostics-styles';

type Example = NonNullable<DiagnosedStep['validationExample']>;

/** "87.5%" of the rows on the diagonal, or "no rows". */
function accuracyOf(counts: readonly (readonly number[])[]): string {
  const total = counts.flat().reduce((a, b) => a + b, 0);
  return total > 0 ? `${((100 * counts.reduce((a, row, k) => a + row[k], 0)) / total).toFixed(1)}%` : 'no rows';
}

@customElement('validation-example-view')
export class ValidationExampleView extends DiagnosticsFeedView {
  static override styles: CSSResultGroup = [
    diagnosticsViewStyles,
    css`
      .run { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 300px), 1fr)); gap: 0.75rem; margin-top: 0.6rem; }
    `,
  ];

  /** Per run, the steps with the example and the latest hidden states (for tests). */
  summary(): { runId: string; steps: number[]; latest?: number[][] }[] {
    return this.runs().map((r) => {
      const steps = this.stepsOf(r.id);
      return { runId: r.id, steps: steps.map((s) => s.step), latest: steps.at(-1)?.validationExample?.hidden };
    });
  }

  override render() {
    const experiment = this.feed.controller.experiment;
    const regression = experiment?.taskFacts.loss === 'mse';
    return html`
      ${experiment && experiment.doc.evalEvery === 0 ? html`<p class="note">This experiment never evaluates (evalEvery is 0): there is no validation example to show.</p>` : nothing}
      <p class="note">Validation example 0 at the latest step that both evaluated and computed diagnostics (every ${experiment?.doc.evalEvery ?? '–'} steps evaluate).</p>
      <div>
        ${this.runs().map((run) => {
          const latest = this.stepsOf(run.id).at(-1);
          return html`<div class="run"><figure>
            <figcaption><span class="dot inline" ${cssProps({ background: run.color })}></span> ${run.label} · hidden state${latest ? ` at step ${latest.step}` : ''}</figcaption>
            ${latest ? html`<canvas class="plot state" data-run=${run.id} role="img"
              aria-label=${`Hidden state of ${run.label}'s top layer over validation example 0 at training step ${latest.step}: units by timesteps, blue negative, red positive`}></canvas>` : html`<p class="note">Waiting for a step that evaluates.</p>`}
          </figure>
          ${latest && regression ? html`<figure>
            <figcaption>${run.label} · predicted (solid) and actual (dashed)</figcaption>
            <canvas class="plot predicted" data-run=${run.id} role="img"
              aria-label=${`Predicted against actual values of ${run.label} over validation example 0 at training step ${latest.step}`}></canvas>
          </figure>` : nothing}
          ${latest?.confusion ? html`<figure>
            <figcaption>${run.label} · confusion over the validation set</figcaption>
            <canvas class="plot confusion" data-run=${run.id} role="img"
              aria-label=${`Confusion matrix of ${run.label} over the validation set at training step ${latest.step}: accuracy ${accuracyOf(latest.confusion)}`}></canvas>
          </figure>` : nothing}</div>`;
        })}
      </div>
    `;
  }

  private stepsOf(runId: string): DiagnosedStep[] {
    return this.feed.steps(runId).filter((s) => s.validationExample || s.confusion);
  }

  /** The input character at each timestep, for text tasks whose input is a one-hot of the vocabulary. */
  private characters(example: Example): string[] | undefined {
    const vocabulary = this.feed.controller.experiment?.taskFacts.vocabulary;
    if (!vocabulary || example.input[0]?.length !== vocabulary.length) return undefined;
    return example.input.map((x) => vocabulary[x.indexOf(Math.max(...x))] ?? '?');
  }

  protected override draw(): void {
    if (!this.isConnected) return;
    const theme = readChartTheme(this);
    const runs = new Map(this.runs().map((r) => [r.id, r]));
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.plot')) {
      const run = runs.get(canvas.dataset.run ?? '');
      const example = run && this.stepsOf(run.id).at(-1)?.validationExample;
      if (!run || !example) continue;
      const confusion = this.stepsOf(run.id).at(-1)?.confusion;
      if (canvas.classList.contains('confusion')) {
        if (confusion) drawConfusion(canvas, confusion, confusion.map((_, k) => this.feed.controller.experiment?.taskFacts.vocabulary?.[k] ?? String(k)), theme);
      } else if (canvas.classList.contains('state')) {
        const scale = Math.max(1e-6, ...example.hidden.flat().map(Math.abs).filter(Number.isFinite));
        drawStateMap(canvas, example.hidden, Math.max(1, scale), this.characters(example), theme);
      } else {
        const at = (rows: number[][], keep = (_t: number) => true) => rows.map((row, t) => [t + 1, keep(t) ? row[0] : NaN] as const);
        drawStepLines(canvas, [
          // Only the scored targets: an unscored step's target is a placeholder (the adding task scores the last step only).
          { color: theme.muted, dashed: true, points: at(example.target, (t) => example.scored[t]) },
          { color: run.color, points: at(example.output) },
        ], { yTitle: 'value', xTitle: 'timestep t' }, theme);
      }
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'validation-example-view': ValidationExampleView;
  }
}
