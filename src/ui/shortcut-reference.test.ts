// The README's shortcut table is the one SHORTCUTS generates (run `npm run docs` to fix).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { shortcutReference, withShortcutReference } from './shortcut-reference';
import { SHORTCUTS } from './shortcuts';

it('the README holds the generated shortcut table, one row per shortcut', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  expect(withShortcutReference(readme), 'README shortcut table is stale: run `npm run docs`').toBe(readme);
  const rows = shortcutReference().split('\n').filter((l) => l.startsWith('| <kbd>'));
  expect(rows).toHaveLength(SHORTCUTS.length);
  for (const s of SHORTCUTS) expect(rows.some((r) => r.includes(`<kbd>${s.label}</kbd>`) && r.includes(s.description))).toBe(true);
});
