'use strict';
/**
 * Where the corpus of real-world schemas is: `../shared/corpus` relative to the repository root,
 * or, only when that does not exist (a worktree under /work/wt/), `/work/shared/corpus`. The one
 * place this is decided: scripts/corpus.js, scripts/review.js and the tests
 * (__tests__/support/corpus.ts) ask here.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const WORKTREE_FALLBACK = '/work/shared/corpus';

/** The corpus folder for the repository at `root`, or null when there is none. */
function corpusDir(root = ROOT, exists = fs.existsSync) {
  const beside = path.resolve(root, '..', 'shared', 'corpus');
  if (exists(beside)) return beside;
  return exists(WORKTREE_FALLBACK) ? WORKTREE_FALLBACK : null;
}

module.exports = { corpusDir, WORKTREE_FALLBACK };
