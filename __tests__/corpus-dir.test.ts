import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusDir, WORKTREE_FALLBACK } from './support/corpus';

test('the corpus is ../shared/corpus beside the repository; /work/shared/corpus only when that does not exist', () => {
  const beside = path.resolve('/r/main/../shared/corpus');
  expect(corpusDir('/r/main', (p) => p === beside || p === WORKTREE_FALLBACK)).toBe(beside);
  expect(corpusDir('/r/main', (p) => p === WORKTREE_FALLBACK)).toBe(WORKTREE_FALLBACK);
  expect(corpusDir('/r/main', () => false)).toBeNull();
});

test('no test or script names the corpus path itself: they ask scripts/corpus-dir.js', () => {
  const root = path.join(__dirname, '..');
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name === 'node_modules' || e.name === 'fixtures' || e.name.startsWith('.')) return [];
      const full = path.join(dir, e.name);
      return e.isDirectory() ? files(full) : /\.(ts|js|mjs)$/.test(e.name) ? [full] : [];
    });
  const naming = [...files(path.join(root, '__tests__')), ...files(path.join(root, 'scripts'))]
    .filter((f) => /shared\/corpus'|'shared', 'corpus'/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(root, f));
  expect(naming.sort()).toEqual([path.join('__tests__', 'corpus-dir.test.ts'), path.join('scripts', 'corpus-dir.js')]);
});
