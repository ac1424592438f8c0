import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusDir, mainCheckout } from './support/corpus';

test('the corpus is ../shared/corpus beside the repository, or beside the main checkout of a git worktree', () => {
  const files: Record<string, string> = {
    '/r/wt/x/.git': 'gitdir: /r/main/.git/worktrees/x\n',
    '/r/main/.git/worktrees/x/commondir': '../..\n',
  };
  const read = (f: string): string | null => files[f] ?? null;
  const besideMain = path.resolve('/r/shared/corpus');
  expect(mainCheckout('/r/wt/x', read)).toBe(path.resolve('/r/main'));
  expect(mainCheckout('/r/main', read)).toBe('/r/main');
  expect(corpusDir('/r/main', (p) => p === besideMain, read)).toBe(besideMain);
  expect(corpusDir('/r/wt/x', (p) => p === besideMain, read)).toBe(besideMain);
  const besideWorktree = path.resolve('/r/wt/shared/corpus');
  expect(corpusDir('/r/wt/x', (p) => p === besideWorktree || p === besideMain, read)).toBe(besideWorktree);
  expect(corpusDir('/r/wt/x', () => false, read)).toBeNull();
});

test('this checkout finds a corpus without naming an absolute path', () => {
  expect(corpusDir(path.join(__dirname, '..'))).not.toBeNull();
});

test('no test, script or benchmark names the corpus path itself: they ask scripts/corpus-dir.js', () => {
  const root = path.join(__dirname, '..');
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name === 'node_modules' || e.name === 'fixtures' || e.name.startsWith('.')) return [];
      const full = path.join(dir, e.name);
      return e.isDirectory() ? files(full) : /\.(ts|js|mjs)$/.test(e.name) ? [full] : [];
    });
  const naming = [
    ...files(path.join(root, '__tests__')),
    ...files(path.join(root, 'scripts')),
    ...files(path.join(root, 'bench')),
  ]
    .filter((f) => /shared\/corpus'|'shared', 'corpus'|\/work\/shared/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(root, f));
  expect(naming.sort()).toEqual([path.join('__tests__', 'corpus-dir.test.ts'), path.join('scripts', 'corpus-dir.js')]);
});
