/**
 * `npm run docs`: rewrites the README's generated sections, the field reference from the field
 * table (src/config) and the keyboard shortcuts from src/ui/shortcuts.ts, so the README never
 * lists a setting or a key the code does not have, or misses one it does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withFieldReference } from '../config/field-reference';
import { withShortcutReference } from '../ui/shortcut-reference';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
const before = readFileSync(readme, 'utf8');
const after = withShortcutReference(withFieldReference(before));
writeFileSync(readme, after);
console.log(before === after ? 'README generated sections already up to date' : 'README generated sections rewritten');
