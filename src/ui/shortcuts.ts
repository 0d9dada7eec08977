/**
 * The page's keyboard shortcuts as data: which key does what, for the key handler and for the
 * help dialog that lists them. A key does nothing while the user types in a field, with a
 * modifier held (browser shortcuts stay the browser's), or, for Space, on a control that Space
 * already activates. Pure logic, no DOM.
 */

export type ShortcutAction = 'toggle-play' | 'step' | 'reset' | 'log-y' | 'x-axis' | 'smoothing-down' | 'smoothing-up' | 'help';

export interface Shortcut {
  /** KeyboardEvent.key values that trigger it. */
  keys: readonly string[];
  /** How the help dialog writes the key. */
  label: string;
  action: ShortcutAction;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: [' '], label: 'Space', action: 'toggle-play', description: 'Play or pause' },
  { keys: ['s', 'S'], label: 'S', action: 'step', description: 'Train one step (while paused)' },
  { keys: ['r', 'R'], label: 'R', action: 'reset', description: 'Reset to step 0 (keeps playing if it was)' },
  { keys: ['l', 'L'], label: 'L', action: 'log-y', description: 'Log y axis on every chart, again for linear' },
  { keys: ['x', 'X'], label: 'X', action: 'x-axis', description: 'x axis: training step or wall time' },
  { keys: ['['], label: '[', action: 'smoothing-down', description: 'Less smoothing' },
  { keys: [']'], label: ']', action: 'smoothing-up', description: 'More smoothing' },
  { keys: ['?'], label: '?', action: 'help', description: 'Show these shortcuts' },
];

/** Where a key press lands: a text field, a control that handles Space itself, or elsewhere. */
export type KeyTarget = 'text' | 'control' | 'other';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: KeyTarget;
}

export function shortcutFor(press: KeyPress): ShortcutAction | undefined {
  if (press.ctrlKey || press.metaKey || press.altKey || press.target === 'text') return undefined;
  if (press.key === ' ' && press.target === 'control') return undefined;
  return SHORTCUTS.find((s) => s.keys.includes(press.key))?.action;
}

/** The parts of an element that decide its KeyTarget. */
export interface TargetLike {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
  role?: string | null;
}

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file', 'image']);
const CONTROL_ROLES = new Set(['button', 'checkbox', 'radio', 'switch', 'slider', 'link', 'menuitem', 'tab']);

export function keyTargetOf(el: TargetLike | undefined): KeyTarget {
  if (!el) return 'other';
  const tag = el.tagName.toLowerCase();
  if (el.isContentEditable || tag === 'textarea' || tag === 'select') return 'text';
  if (tag === 'input') return NON_TEXT_INPUTS.has((el.type ?? 'text').toLowerCase()) ? 'control' : 'text';
  if (tag === 'button' || tag === 'a' || tag === 'summary' || CONTROL_ROLES.has(el.role ?? '')) return 'control';
  return 'other';
}
