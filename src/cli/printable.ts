/**
 * Text from files (case names, run labels) made safe for a terminal: control characters, escape
 * sequences and bidirectional overrides are shown as \u escapes instead of acting on the terminal.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
