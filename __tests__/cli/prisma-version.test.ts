/** Issue 9 item 2 through the real binary (needs `npm run build`): a Prisma 6 project gets no `where:`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateWithPrismaMajor } from '../../src/schema/validate';
import { EXAMPLE_SCHEMA, runBin, tempProject } from '../support/cli';

const SCHEMA = fs.readFileSync(EXAMPLE_SCHEMA, 'utf8');
const SCHEMA_6 = SCHEMA.replace(
  /^  provider = "postgresql"$/m,
  '  provider = "postgresql"\n  url      = env("DATABASE_URL")',
);
const ARGS = ['generate', '--include-info', '--preview-features', '--timestamp', '20260101000000', '--no-cache'];

describe.each([
  [
    'package.json pins prisma 6.19.3',
    { 'package.json': JSON.stringify({ devDependencies: { prisma: '6.19.3' } }) },
    'Prisma 6.19.3 (from package.json devDependencies.prisma (6.19.3))',
    6 as const,
  ],
  [
    'node_modules/prisma/package.json is 6.19.3',
    { 'node_modules/prisma/package.json': JSON.stringify({ name: 'prisma', version: '6.19.3' }) },
    `Prisma 6.19.3 (from ${path.join('node_modules', 'prisma', 'package.json')} (6.19.3))`,
    6 as const,
  ],
  [
    '@prisma/client 5.22.0 in dependencies',
    { 'package.json': JSON.stringify({ dependencies: { '@prisma/client': '^5.22.0' } }) },
    'Prisma 5.22.0 (from package.json dependencies.@prisma/client (^5.22.0))',
    5 as const,
  ],
])('an older Prisma project (%s)', (_name, files, who, major) => {
  test('generate writes no where:/partialIndexes, says why without advising a flag, and the schema validates with its own Prisma', () => {
    const p = tempProject({ 'prisma/schema.prisma': SCHEMA_6, ...files });
    try {
      const r = runBin(ARGS, p.dir);
      expect(r.code).toBe(0);
      const schema = fs.readFileSync(path.join(p.dir, 'prisma', 'schema.prisma'), 'utf8');
      expect(schema).not.toBe(SCHEMA_6); // other declarations were written
      expect(schema).not.toMatch(/where:|partialIndexes/);
      const sql = fs
        .readdirSync(path.join(p.dir, 'prisma', 'migrations'))
        .filter((f) => f !== 'migration_lock.toml')
        .map((f) => fs.readFileSync(path.join(p.dir, 'prisma', 'migrations', f, 'migration.sql'), 'utf8'));
      expect(sql.length).toBeGreaterThan(10);
      expect(sql.some((s) => s.split('\n').some((l) => !l.startsWith('--') && / WHERE /.test(l)))).toBe(false);
      const reason = `needs Prisma 7.4 or later, and this project uses ${who}, whose schema validator rejects it. Upgrade Prisma to generate it`;
      expect(r.stdout).toContain(
        `"Comment_authorId_partial_idx" on "Comment": its declaration cannot be written for this project: a partial index (\`where:\` and the partialIndexes preview feature) ${reason}`,
      );
      expect(r.stdout).not.toContain('--preview-features');
      expect(r.stderr).toBe(`idxgen: the edited schema validates with Prisma ${major}'s validator (${who})\n`);
      expect(validateWithPrismaMajor([{ path: 'schema.prisma', content: schema }], major)).toEqual([]);
    } finally {
      p.cleanup();
    }
  });
});

test('plan and check say it in one line on a Prisma 6 project', () => {
  const p = tempProject({
    'prisma/schema.prisma': SCHEMA_6,
    'package.json': JSON.stringify({ devDependencies: { prisma: '6.19.3' } }),
  });
  try {
    // 5: the queue index is (status, due), not partial, so Prisma 6 gets it too.
    const line =
      'idxgen: 5 proposals cannot be declared with Prisma 6.19.3 (from package.json devDependencies.prisma (6.19.3)) (partial indexes need Prisma 7.4+): generate skips them until Prisma is upgraded\n';
    const plan = runBin(['plan', '--no-cache'], p.dir);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toBe(line);
    const check = runBin(['check', '--no-cache', '--level', 'info'], p.dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toBe(line);
    // At the default level no reported finding needs a partial index: no line.
    expect(runBin(['check', '--no-cache'], p.dir).stderr).toBe('');
  } finally {
    p.cleanup();
  }
});

test('a Prisma 7 project still gets the partial indexes and the preview feature', () => {
  const p = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'package.json': JSON.stringify({ devDependencies: { prisma: '7.10.1' } }),
  });
  try {
    const r = runBin(ARGS, p.dir);
    expect(r.code).toBe(0);
    const schema = fs.readFileSync(path.join(p.dir, 'prisma', 'schema.prisma'), 'utf8');
    expect(schema).toContain('previewFeatures = ["partialIndexes"]');
    expect(schema.match(/where: raw\(/g)?.length).toBe(5); // soft-delete partials; the queue index is not partial
    expect(schema).toContain('@@index([status, nextAttemptAt], map: "ingest_events_status_next_attempt_at_idx")');
    expect(r.stderr).toBe('');
    expect(runBin(['plan', '--no-cache'], p.dir).stderr).toBe('');
  } finally {
    p.cleanup();
  }
});
