/**
 * The corpus folder for tests, from the one place that decides it (scripts/corpus-dir.js):
 * `../shared/corpus` beside the repository, else /work/shared/corpus.
 */
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const located = require('../../scripts/corpus-dir.js') as { corpusDir: (root?: string, exists?: (p: string) => boolean) => string | null; WORKTREE_FALLBACK: string };

export const corpusDir = located.corpusDir;
export const WORKTREE_FALLBACK = located.WORKTREE_FALLBACK;

/** The corpus of this checkout; throws when there is none (the corpus tests need it). */
export const CORPUS: string = (() => {
  const dir = corpusDir(path.join(__dirname, '..', '..'));
  if (dir === null) throw new Error('no corpus: neither ../shared/corpus beside the repository nor /work/shared/corpus exists');
  return dir;
})();
