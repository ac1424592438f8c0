'use strict';
/**
 * Where the corpus of real-world schemas is: `../shared/corpus` relative to the repository root.
 * In a git worktree (a checkout whose `.git` is a file naming the shared git folder), that is
 * relative to the main checkout, found through git's own `commondir` link, never through an
 * absolute path. The one place this is decided: scripts/corpus.js, scripts/review.js,
 * bench/tool-speed.js and the tests (__tests__/support/corpus.ts) ask here.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The main checkout of the repository at `root`: `root` itself, or for a worktree the checkout that holds the shared git folder. */
function mainCheckout(root, read = readOrNull) {
  const dotGit = read(path.join(root, '.git'));
  const gitdir = dotGit && /^gitdir:\s*(.+?)\s*$/m.exec(dotGit);
  if (!gitdir) return root;
  const worktreeGitDir = path.resolve(root, gitdir[1]);
  const common = read(path.join(worktreeGitDir, 'commondir'));
  if (!common) return root;
  return path.dirname(path.resolve(worktreeGitDir, common.trim()));
}

/** The corpus folder for the repository at `root`, or null when there is none. */
function corpusDir(root = ROOT, exists = fs.existsSync, read = readOrNull) {
  for (const checkout of new Set([path.resolve(root), mainCheckout(root, read)])) {
    const dir = path.resolve(checkout, '..', 'shared', 'corpus');
    if (exists(dir)) return dir;
  }
  return null;
}

module.exports = { corpusDir, mainCheckout };
