/** Browser `source` corpus: the files Vite bundled, fetched as one lazy chunk on first use. */
import { joinCorpus, type SourceCorpus } from './source-corpus';

export const browserSourceCorpus: SourceCorpus = async () => joinCorpus((await import('./source-files')).SOURCE_FILES);
