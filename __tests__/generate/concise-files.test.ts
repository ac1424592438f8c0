/**
 * Issue 11 item 4: every migration.sql and down.sql idxgen writes has a short header (at most
 * MAX_HEADER_LINES comment lines per comment block: what, why in one line, the Prisma
 * declaration, the lock, a pointer to the README's recovery sections), no measurement from our
 * lab, and no `<semicolon>`-style substitute. Checked over every example golden and over a
 * generate of every corpus schema (default, --include-info with drift, --group table).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_HEADER_LINES } from '../../src/render/sql';
import { CORPUS } from '../support/rules';
import { project } from '../support/generate';

const REPO = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

function sqlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === 'migration.sql' || e.name === 'down.sql') out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** The lengths of the runs of consecutive `--` lines of a file (its header blocks). */
export function commentBlocks(text: string): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('--')) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}

/** What a generated file must not hold: problems, one string each (empty when the file is fine). */
function problems(text: string): string[] {
  const out: string[] = [];
  const blocks = commentBlocks(text);
  if (blocks.some((n) => n > MAX_HEADER_LINES)) out.push(`a comment block of ${Math.max(...blocks)} lines`);
  if (/semicolon/i.test(text)) out.push('a <semicolon> substitute');
  const comments = text.split('\n').filter((l) => l.startsWith('--'));
  for (const line of comments) {
    if (/\d\s?ms\b/.test(line) || /measure/i.test(line)) out.push(`a lab measurement: ${line}`);
    for (const [, anchor] of line.matchAll(/README\.md#([a-z0-9-]+)/g)) {
      if (!readmeAnchors.has(anchor!)) out.push(`a link to a missing README anchor #${anchor}`);
    }
  }
  return out;
}

/** GitHub's heading anchors of README.md. */
const readmeAnchors = new Set(
  README.split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) =>
      l
        .replace(/^#+ /, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .replace(/\s/g, '-'),
    ),
);

test('the recovery anchors the headers point to exist in README.md', () => {
  for (const anchor of [
    'recovering-a-failed-concurrently-build',
    'when-a-check-constraints-lock-timeout-fires',
    'when-validate-fails',
    'rolling-back',
    'when-create-extension-is-denied',
    'squawk-findings-left-on-purpose',
  ]) {
    expect(readmeAnchors).toContain(anchor);
  }
});

test('the checker itself finds what it looks for', () => {
  const long = Array.from({ length: MAX_HEADER_LINES + 1 }, (_, i) => `-- line ${i}`).join('\n') + '\nSELECT 1;\n';
  expect(problems(long)).toHaveLength(1);
  expect(problems('-- a sequential scan: 180.7 ms on 1M rows in our measurement\nSELECT 1;\n')).toHaveLength(1);
  expect(problems('-- took 407 ms<semicolon> then 25 ms\nSELECT 1;\n').length).toBeGreaterThanOrEqual(2);
  expect(problems('-- see README.md#no-such-section\nSELECT 1;\n')).toHaveLength(1);
});

const goldens = sqlFiles(path.join(REPO, 'examples'));

test('finds the example goldens', () => {
  expect(goldens.length).toBeGreaterThan(20);
});

test.each(goldens.map((f) => [path.relative(REPO, f)]))('golden %s is concise', (rel) => {
  expect(problems(fs.readFileSync(path.join(REPO, rel), 'utf8'))).toEqual([]);
});

const corpus = fs
  .readdirSync(CORPUS)
  .filter((f) => f.endsWith('.prisma'))
  .sort();

test('finds the corpus', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(9);
});

describe.each(corpus)('%s', (file) => {
  const schema = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  test.each([
    ['default', []],
    ['--include-info --preview-features --allow-drift', ['--include-info', '--preview-features', '--allow-drift']],
    ['--include-info --group table', ['--include-info', '--preview-features', '--group', 'table']],
  ])('generate %s writes concise files', async (_label, flags) => {
    // --group table needs a project Prisma of 7.4 or later.
    const p = project({
      'prisma/schema.prisma': schema,
      'package.json': JSON.stringify({ devDependencies: { prisma: '7.10.0' } }),
    });
    expect(await p.cli('--timestamp', '20260101000000', ...(flags as string[]))).toBe(0);
    const dir = path.join(p.root, 'prisma', 'migrations');
    const files = fs.existsSync(dir) ? sqlFiles(dir) : [];
    const found = files.flatMap((f) =>
      problems(fs.readFileSync(f, 'utf8')).map((x) => `${path.relative(dir, f)}: ${x}`),
    );
    expect(found).toEqual([]);
  });
});

test('the long form lives in generate --format markdown: a table (folder, table, statement, why, lock taken) and the recovery SQL', async () => {
  const p = project({
    'prisma/schema.prisma': fs.readFileSync(path.join(REPO, 'examples', 'blog-minimal', 'schema.prisma'), 'utf8'),
  });
  expect(await p.cli('--timestamp', '20260101000000', '--format', 'markdown')).toBe(0);
  const md = p.stdout();
  expect(md).toContain('| Folder | Table | Statement | Why | Lock taken |');
  expect(md).toMatch(
    /\| `20260101000001_idx_post_authorid` \| `"Post"` \| create index .* \| Foreign key "Post" \("authorId"\) → "User" has no index \| SHARE UPDATE EXCLUSIVE/,
  );
  expect(md).toContain(`DROP INDEX CONCURRENTLY IF EXISTS "Post_authorId_idx";`);
  expect(md).toContain(`c.relname = 'Post_authorId_idx';`);
});
