/**
 * The corpus folder for tests, from the one place that decides it (scripts/corpus-dir.js):
 * `../shared/corpus` beside the repository (beside the main checkout, for a git worktree).
 */
import * as path from 'node:path';

type Read = (file: string) => string | null;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const located = require('../../scripts/corpus-dir.js') as {
  corpusDir: (root?: string, exists?: (p: string) => boolean, read?: Read) => string | null;
  mainCheckout: (root: string, read?: Read) => string;
};

export const corpusDir = located.corpusDir;
export const mainCheckout = located.mainCheckout;

/** The corpus of this checkout; throws when there is none (the corpus tests need it). */
export const CORPUS: string = (() => {
  const dir = corpusDir(path.join(__dirname, '..', '..'));
  if (dir === null)
    throw new Error(
      'no corpus: no ../shared/corpus beside the repository or, for a git worktree, beside its main checkout',
    );
  return dir;
})();
