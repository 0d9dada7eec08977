// Shortcuts: the key -> action map, silence while typing, with modifiers, and Space on controls.
import { describe, expect, it } from 'vitest';
import { SHORTCUTS, keyTargetOf, shortcutFor, type KeyPress } from './shortcuts';

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key, ctrlKey: false, metaKey: false, altKey: false, target: 'other', ...more,
});

describe('shortcutFor', () => {
  it('maps the documented keys', () => {
    expect([' ', 's', 'S', 'r', 'l', 'x', '[', ']', '?'].map((k) => shortcutFor(press(k))))
      .toEqual(['toggle-play', 'step', 'step', 'reset', 'log-y', 'x-axis', 'smoothing-down', 'smoothing-up', 'help']);
    expect(shortcutFor(press('q'))).toBeUndefined();
    expect(shortcutFor(press('Escape'))).toBeUndefined();
  });

  it('does nothing while typing or with a modifier', () => {
    expect(shortcutFor(press('s', { target: 'text' }))).toBeUndefined();
    expect(shortcutFor(press(' ', { target: 'text' }))).toBeUndefined();
    expect(shortcutFor(press('r', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(press('r', { metaKey: true }))).toBeUndefined();
    expect(shortcutFor(press('l', { altKey: true }))).toBeUndefined();
  });

  it('leaves Space to the focused control, but letters still work there', () => {
    expect(shortcutFor(press(' ', { target: 'control' }))).toBeUndefined();
    expect(shortcutFor(press('s', { target: 'control' }))).toBe('step');
  });

  it('gives every action one entry with a description, and no key twice', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
    for (const s of SHORTCUTS) expect(s.description.length).toBeGreaterThan(5);
  });
});

describe('keyTargetOf', () => {
  it('tells text fields from controls', () => {
    expect(keyTargetOf({ tagName: 'INPUT', type: 'number' })).toBe('text');
    expect(keyTargetOf({ tagName: 'INPUT' })).toBe('text');
    expect(keyTargetOf({ tagName: 'TEXTAREA' })).toBe('text');
    expect(keyTargetOf({ tagName: 'SELECT' })).toBe('text');
    expect(keyTargetOf({ tagName: 'DIV', isContentEditable: true })).toBe('text');
    expect(keyTargetOf({ tagName: 'INPUT', type: 'range' })).toBe('control');
    expect(keyTargetOf({ tagName: 'INPUT', type: 'checkbox' })).toBe('control');
    expect(keyTargetOf({ tagName: 'BUTTON' })).toBe('control');
    expect(keyTargetOf({ tagName: 'DIV', role: 'button' })).toBe('control');
    expect(keyTargetOf({ tagName: 'BODY' })).toBe('other');
    expect(keyTargetOf(undefined)).toBe('other');
  });
});
