/**
 * <field-input>: one setting of the experiment file as a labelled input, made from its FieldDef:
 * a number box with its range, a select of its choices, a checkbox, a text box or a colour
 * well; an on/off switch for optional fields and groups; the allowed range beside it, the
 * field's doc as the hint (its tooltip, and under it while it is being edited), and the message
 * of a refused value under it. Fires 'field-change' with the field's path and the new value
 * (undefined: switched off) on user input only; it validates nothing.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { allowedText } from '../config/check-value';
import type { FieldDef, FieldIssue } from '../config/field';
import { controlStyles } from './control-styles';
import { isOn } from './field-sections';

export interface FieldChangeDetail {
  path: string;
  /** undefined switches an optional field or group off. */
  value: unknown;
}

/** What a change does, where it is worth saying per field (the task panel says it once for the task). */
const APPLY_TEXT = {
  run: { live: '', restart: 'Changing it restarts the run.', rebuild: 'Changing it rebuilds the run\'s group.' },
  task: { live: '', restart: '', rebuild: '' },
  experiment: { live: '', restart: '', rebuild: '' },
} as const;

/** A bound, short: 4096 stays, 4294967295 -> "4.29e9", 1000000 -> "1e6", 3.14159... -> "3.14". */
function short(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e5) return String(x);
  const r = Number(x.toPrecision(3));
  return Math.abs(r) >= 1e5 ? r.toExponential().replace('e+', 'e') : String(r);
}

/** The allowed values at a glance, beside the input ("1–4096", "> 0, ≤ 100"); a select lists its own. */
export function rangeText(def: FieldDef): string {
  if (def.type === 'string') return `≤ ${def.maxLength ?? 200} chars`;
  if (def.type !== 'int' && def.type !== 'number') return '';
  const lo = def.min;
  const hi = def.max;
  if (lo === undefined || hi === undefined) return '';
  const zero = def.allowZero ? ' or 0' : '';
  if (!def.exclusiveMin && !def.exclusiveMax) return `${short(lo)}–${short(hi)}${zero}`;
  return `${def.exclusiveMin ? '>' : '≥'} ${short(lo)}, ${def.exclusiveMax ? '<' : '≤'} ${short(hi)}${zero}`;
}

@customElement('field-input')
export class FieldInput extends LitElement {
  @property({ attribute: false }) def!: FieldDef;
  /** The field's value in the document; undefined when an optional field or group is off. */
  @property({ attribute: false }) value: unknown;
  /** What the field belongs to (a run's label), added to its accessible name so names stay unique. */
  @property() context = '';
  /**
   * Why the last value asked for here was refused. A new refusal is a new object, so the same
   * message again still puts the kept value back in the box.
   */
  @property({ attribute: false }) issue?: FieldIssue;
  /** Value an optional field takes when switched on. */
  @property({ attribute: false }) start: unknown;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(6rem, 8.5rem) minmax(0, 1fr);
        align-items: center;
        gap: 0.15rem 0.6rem;
        font-size: 0.85rem;
      }
      .range {
        flex: none;
        font-size: 0.72rem;
        color: var(--text-faint);
        white-space: nowrap;
      }
      /* The doc shows under the field being edited (and as the tooltip), so the panel stays short. */
      .hint {
        display: none;
      }
      :host(:focus-within) .hint {
        display: block;
      }
      label {
        color: var(--text);
      }
      .control {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        min-width: 0;
      }
      input:not([type='checkbox']):not([type='color']),
      select {
        font: inherit;
        box-sizing: border-box;
        min-width: 0;
        width: 7.5rem;
        padding: 0.2rem 0.4rem;
        border: 1px solid var(--border-strong);
        border-radius: 5px;
        background: var(--surface);
        color: var(--text);
      }
      input[type='color'] {
        width: 2.6rem;
        height: 1.7rem;
        padding: 0 0.1rem;
        border: 1px solid var(--border-strong);
        border-radius: 5px;
        background: var(--surface);
      }
      input:disabled {
        opacity: 0.55;
      }
      input[aria-invalid='true'],
      select[aria-invalid='true'] {
        border-color: var(--danger);
      }
      .state {
        color: var(--text-faint);
      }
      .hint,
      .issue {
        grid-column: 2;
        margin: 0;
        font-size: 0.75rem;
        line-height: 1.3;
      }
      .hint {
        color: var(--text-faint);
      }
      .issue {
        color: var(--danger);
        font-weight: 600;
      }
    `,
  ];

  override render() {
    const def = this.def;
    const optional = def.optional || def.type === 'group';
    const on = !optional || isOn(this.value, def);
    const name = this.context ? `${def.label} (${this.context})` : def.label;
    const hint = [def.doc, def.type === 'group' || def.type === 'enum' || def.type === 'boolean' ? '' : `Allowed: ${allowedText(def)}.`, APPLY_TEXT[def.scope][def.apply]]
      .filter(Boolean)
      .join(' ');
    const range = rangeText(def);
    return html`
      <label for="input" title=${hint}>${def.label}</label>
      <div class="control" title=${hint}>
        ${optional
          ? html`<input type="checkbox" id=${def.type === 'group' ? 'input' : 'switch'} aria-label=${`${name}: on`} .checked=${live(on)}
              title=${on ? 'on: untick to switch it off' : 'off: tick to switch it on'} @change=${this.onSwitch} />`
          : nothing}
        ${def.type === 'group' ? html`<span class="state">${on ? 'on' : 'off'}</span>` : this.renderInput(name, on)}
        ${range ? html`<span class="range" aria-hidden="true">${range}</span>` : nothing}
      </div>
      <p class="hint" id="hint">${hint}</p>
      ${this.issue ? html`<p class="issue" role="alert">${this.issue.message}</p>` : nothing}
    `;
  }

  private renderInput(name: string, on: boolean) {
    const def = this.def;
    const invalid = this.issue ? 'true' : 'false';
    switch (def.type) {
      case 'int':
      case 'number': {
        const shown = on && typeof this.value === 'number' ? String(this.value) : '';
        return html`<input type="number" id="input" aria-label=${name} aria-describedby="hint" aria-invalid=${invalid}
          step=${def.type === 'int' ? '1' : 'any'} min=${def.min ?? nothing} max=${def.max ?? nothing} ?disabled=${!on}
          .value=${live(shown)} @change=${this.onNumber} />`;
      }
      case 'enum':
        return html`<select id="input" aria-label=${name} aria-describedby="hint" aria-invalid=${invalid} ?disabled=${!on} @change=${this.onText}>
          ${(def.choices ?? []).map((c) => html`<option value=${c} ?selected=${c === this.value}>${c}</option>`)}
        </select>`;
      case 'boolean':
        return html`<input type="checkbox" id="input" aria-label=${name} aria-describedby="hint" ?disabled=${!on}
          .checked=${live(this.value === true)} @change=${this.onBoolean} />`;
      case 'color':
        return html`<input type="color" id="input" aria-label=${name} aria-describedby="hint" ?disabled=${!on}
          .value=${live(typeof this.value === 'string' ? this.value : '#000000')} @change=${this.onText} />`;
      default:
        return html`<input type="text" id="input" aria-label=${name} aria-describedby="hint" aria-invalid=${invalid}
          maxlength=${def.maxLength ?? nothing} ?disabled=${!on} .value=${live(typeof this.value === 'string' ? this.value : '')}
          @change=${this.onText} />`;
    }
  }

  private onSwitch(event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    this.fire(on ? this.start : undefined);
  }

  private onNumber(event: Event): void {
    const input = event.target as HTMLInputElement;
    const text = input.value.trim();
    // An empty box (or text the browser could not read as a number) goes up as text, to be refused with the field's message.
    this.fire(text === '' ? input.validity.badInput ? 'not a number' : '' : Number(text));
  }

  private onText(event: Event): void {
    this.fire((event.target as HTMLInputElement | HTMLSelectElement).value);
  }

  private onBoolean(event: Event): void {
    this.fire((event.target as HTMLInputElement).checked);
  }

  private fire(value: unknown): void {
    this.dispatchEvent(new CustomEvent<FieldChangeDetail>('field-change', { detail: { path: this.def.path, value }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'field-input': FieldInput;
  }
}
