/**
 * An independent judge of what a schema edit changed: `git diff --no-index` between the texts
 * (not idxgen's own hunks). Returns the removed and added lines in order, and the raw diff.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface GitDiff {
  deleted: string[];
  inserted: string[];
  text: string;
}

export function gitDiff(before: string, after: string): GitDiff {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-gitdiff-'));
  try {
    fs.writeFileSync(path.join(dir, 'a'), before);
    fs.writeFileSync(path.join(dir, 'b'), after);
    const r = spawnSync(
      'git',
      ['diff', '--no-index', '--no-color', '--unified=0', '--diff-algorithm=histogram', 'a', 'b'],
      { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    if (r.status !== 0 && r.status !== 1) throw new Error(`git diff failed: ${r.stderr}`);
    const lines = r.stdout.split('\n');
    const body = lines.filter((l) => !l.startsWith('---') && !l.startsWith('+++'));
    return {
      deleted: body.filter((l) => l.startsWith('-')).map((l) => l.slice(1)),
      inserted: body.filter((l) => l.startsWith('+')).map((l) => l.slice(1)),
      text: r.stdout,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
