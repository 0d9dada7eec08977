/**
 * Per-element style values (a run's colour) set through the CSSOM, which the page's
 * Content-Security-Policy allows; a `style` attribute (or styleMap's first render, which writes
 * one) would need 'unsafe-inline'. Used as an element binding: <span ${cssProps({ background })}>.
 */
import { ref } from 'lit/directives/ref.js';

export function cssProps(props: Readonly<Record<string, string>>) {
  return ref((el) => {
    if (!(el instanceof HTMLElement)) return;
    for (const [name, value] of Object.entries(props)) el.style.setProperty(name, value);
  });
}
