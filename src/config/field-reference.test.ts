// The README's field reference is the one the field table generates (run `npm run docs` to fix).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { fieldReference, withFieldReference } from './field-reference';
import { FIELDS } from './table';

it('the README holds the generated field reference, one row per field', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  expect(withFieldReference(readme), 'README field reference is stale: run `npm run docs`').toBe(readme);
  expect(fieldReference().split('\n').filter((l) => l.startsWith('| `')).length).toBe(FIELDS.length);
});
