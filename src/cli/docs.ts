/**
 * `npm run docs`: rewrites the README's field reference from the field table (src/config), so the
 * README never lists a setting the code does not have, or misses one it does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withFieldReference } from '../config/field-reference';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
const before = readFileSync(readme, 'utf8');
const after = withFieldReference(before);
writeFileSync(readme, after);
console.log(before === after ? 'README field reference already up to date' : 'README field reference rewritten');
