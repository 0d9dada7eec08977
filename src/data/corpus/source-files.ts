/**
 * Every file of the `source` corpus as a string, bundled by Vite. Imported only through a dynamic
 * import (source-corpus-browser.ts), so the text is a chunk of its own, fetched when a character
 * model first needs it.
 */
const files = import.meta.glob(['/src/**/*.ts', '!/src/**/*.test.ts', '/shaders/**/*.wgsl'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** Keyed by path from the repository root, without the leading slash. */
export const SOURCE_FILES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(files).map(([path, text]) => [path.slice(1), text]),
);
