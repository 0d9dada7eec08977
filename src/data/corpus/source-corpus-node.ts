/** Node `source` corpus: the same files as the browser bundle, read from disk. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isCorpusFile, joinCorpus, type SourceCorpus } from './source-corpus';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Paths under `dir` (from the repository root), depth first. */
function walk(dir: string): string[] {
  return readdirSync(root + dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}

export const nodeSourceCorpus: SourceCorpus = async () => {
  const files: Record<string, string> = {};
  for (const path of [...walk('src'), ...walk('shaders')]) {
    if (isCorpusFile(path)) files[path] = readFileSync(root + path, 'utf8');
  }
  return joinCorpus(files);
};
