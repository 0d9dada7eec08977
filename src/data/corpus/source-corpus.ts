/**
 * The `source` corpus: the project's own TypeScript (tests left out) and WGSL, bundled at build
 * time. The browser gets it from Vite (source-corpus-browser.ts, loaded lazily), Node reads the
 * files from disk (source-corpus-node.ts); both join the same files the same way, so a character
 * model trains on the same text in the page and in the runner.
 */

/** Loads the corpus text. */
export type SourceCorpus = () => Promise<string>;

/** The module that holds the bundled files: Vite's glob leaves out the file it sits in, so Node leaves it out too. */
const BUNDLE_MODULE = 'src/data/corpus/source-files.ts';

/** Whether a path from the repository root (`src/main.ts`) belongs to the corpus. */
export function isCorpusFile(path: string): boolean {
  if (path === BUNDLE_MODULE) return false;
  return (/^src\/.*\.ts$/.test(path) && !path.endsWith('.test.ts')) || /^shaders\/.*\.wgsl$/.test(path);
}

/** The corpus from files keyed by their path from the repository root: in path order, \n line ends. */
export function joinCorpus(files: Readonly<Record<string, string>>): string {
  return Object.keys(files)
    .filter(isCorpusFile)
    .sort()
    .map((path) => files[path].replace(/\r\n?/g, '\n'))
    .join('\n');
}
