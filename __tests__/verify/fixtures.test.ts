/**
 * verify on small projects (`__tests__/fixtures/verify/<case>/prisma`), against the jest cluster
 * through --database-url: a passing run, and one failure per step it is meant to catch.
 */
import * as path from 'node:path';
import { query } from '../../src/db/client';
import { expectEveryStepPassed, FIXTURES, statuses, stepOf, verifyJson } from '../support/verify';
import { testConnection } from '../support/pg';

const fixture = (name: string) => path.join(FIXTURES, name);

async function scratchDatabasesLeft(): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    { ...testConnection(), database: 'postgres' },
    `SELECT datname FROM pg_database WHERE datname LIKE 'idxgen\\_verify\\_%'`,
  );
  return rows.map((r) => r.datname);
}

test('pass: every step passes, exit code 0, and no scratch database is left', async () => {
  const { code, report } = await verifyJson(fixture('pass'));
  expectEveryStepPassed(report, code);
  expect(report).toMatchObject({
    version: 1,
    ok: true,
    exitCode: 0,
    folders: { base: ['20240101000000_init'], idxgen: ['20250101000000_idx_post_authorid_createdat'], project: [] },
  });
  expect(report.target.kind).toBe('url');
  expect(report.target.note).toMatch(/not touched/);
  expect(report.target.serverVersion).toMatch(/^18\./);

  const apply = stepOf(report, 'apply');
  expect(apply.details.folders).toEqual([
    expect.objectContaining({
      folder: '20250101000000_idx_post_authorid_createdat',
      origin: 'idxgen',
      ok: true,
      queries: 1,
    }),
  ]);
  expect(apply.details.objects).toEqual([
    expect.objectContaining({
      kind: 'index',
      name: 'Post_authorId_createdAt_idx',
      table: 'Post',
      ok: true,
      notes: [
        expect.stringMatching(
          /^VALID, matches its declaration: CREATE INDEX "Post_authorId_createdAt_idx" ON public."Post" USING btree \("authorId", "createdAt" DESC\)$/,
        ),
      ],
    }),
  ]);
  expect(apply.details.oldPrisma).toMatchObject({
    status: 'pass',
    sameCatalog: true,
    folders: [{ folder: '20250101000000_idx_post_authorid_createdat', result: 'ok' }],
  });

  const evidence = stepOf(report, 'evidence');
  // Chosen at the first size (2,000 rows): the table is not grown.
  expect(evidence.details.sizes).toEqual([2000, 20000, 80000]);
  expect(evidence.details.tables).toEqual([expect.objectContaining({ table: 'Post', requested: 2000, rows: 2000 })]);
  const [only] = evidence.details.indexes;
  expect(only).toMatchObject({ index: 'Post_authorId_createdAt_idx', shape: 'order', ok: true, rows: 2000 });
  expect(only!.query).toMatch(/^SELECT \* FROM "Post" WHERE "authorId" = '\d+' ORDER BY "createdAt" DESC LIMIT 20$/);
  expect(only!.indexNodes.some((n) => n.endsWith('using "Post_authorId_createdAt_idx"'))).toBe(true);

  expect(stepOf(report, 'rollback').details).toMatchObject({ differences: [], ignored: [] });
  expect(stepOf(report, 'drift').details).toMatchObject({
    migrations: ['20240101000000_init', '20250101000000_idx_post_authorid_createdat'],
    diff: '',
  });
  expect(await scratchDatabasesLeft()).toEqual([]);
});

test('broken: a bad column fails step b, naming the folder, the file line and the PostgreSQL error', async () => {
  const { code, report } = await verifyJson(fixture('broken'));
  expect(code).toBe(1);
  const apply = stepOf(report, 'apply');
  expect(apply.status).toBe('fail');
  expect(apply.summary).toBe('a migration failed: 20250101000000_idx_post_authorid_createdat');
  expect(apply.details.folders[0]).toMatchObject({
    ok: false,
    error: { code: '42703', message: 'column "authorID" does not exist' },
  });
  expect(apply.problems).toEqual([
    '20250101000000_idx_post_authorid_createdat/migration.sql:42: 42703 column "authorID" does not exist',
  ]);
  // c, d, e need the migrations applied: skipped, which fails the run too.
  expect(statuses(report)).toMatchObject({
    base: 'pass',
    apply: 'fail',
    coverage: 'skipped',
    evidence: 'skipped',
    rollback: 'skipped',
  });
  // Prisma's own replay in its shadow database fails on the same folder.
  expect(stepOf(report, 'drift')).toMatchObject({
    status: 'fail',
    problems: [
      expect.stringMatching(
        /Migration `20250101000000_idx_post_authorid_createdat` failed to apply cleanly to the shadow database.*authorID/,
      ),
    ],
  });
  expect(await scratchDatabasesLeft()).toEqual([]);
});

test('unused: with --queries, an index whose key order does not serve the recorded read the plan made it for fails step d', async () => {
  const { code, report } = await verifyJson(fixture('unused'), { queries: ['prisma/queries.jsonl'] });
  expect(code).toBe(1);
  expect(statuses(report)).toEqual({
    base: 'pass',
    apply: 'pass',
    coverage: 'pass',
    evidence: 'fail',
    rollback: 'pass',
    drift: 'pass',
  });
  const evidence = stepOf(report, 'evidence');
  const [only, ...more] = evidence.details.indexes;
  expect(more).toEqual([]);
  // The read is workload-index's serves (the recorded shape), not one derived from a rule id or a comment.
  expect(only).toMatchObject({ index: 'Post_authorId_createdAt_idx', shape: 'order', ok: false });
  expect(only!.query).toMatch(/^SELECT \* FROM "Post" WHERE "authorId" = '\d+' ORDER BY "createdAt" DESC$/);
  expect(only!.indexNodes.every((n) => !n.includes('Post_authorId_createdAt_idx'))).toBe(true);
  // Not a question of table size: grown from 2,000 to 20,000 and to 80,000 rows, the planner still prefers the (authorId) index.
  expect(evidence.details.tables).toEqual([expect.objectContaining({ table: 'Post', requested: 80000, rows: 80000 })]);
  expect(only!.note).toMatch(/not chosen at 2000, 20000 nor at 80000 rows: the planner prefers "Post_authorId_idx"/);
  expect(evidence.problems).toEqual([expect.stringMatching(/^Post_authorId_createdAt_idx: not used by SELECT/)]);
});

test('unused, without --queries: no plan entry names the index, so it is asked for the read of its own keys, which it serves', async () => {
  const { code, report } = await verifyJson(fixture('unused'));
  expectEveryStepPassed(report, code);
  const [only, ...more] = stepOf(report, 'evidence').details.indexes;
  expect(more).toEqual([]);
  expect(only).toMatchObject({ index: 'Post_authorId_createdAt_idx', shape: 'order', ok: true });
  expect(only!.query).toMatch(/^SELECT \* FROM "Post" WHERE "createdAt" = '[^']+' ORDER BY "authorId" LIMIT 20$/);
});

test("drift: an index a later project folder adds, missing from schema.prisma, fails step f with Prisma's DROP INDEX", async () => {
  const { code, report } = await verifyJson(fixture('drift'));
  expect(code).toBe(1);
  expect(statuses(report)).toEqual({
    base: 'pass',
    apply: 'pass',
    coverage: 'pass',
    evidence: 'pass',
    rollback: 'pass',
    drift: 'fail',
  });
  expect(report.folders.project).toEqual(['20250102000000_title_index']);
  expect(stepOf(report, 'apply').details.folders.map((f) => [f.folder, f.origin, f.ok])).toEqual([
    ['20250101000000_idx_post_authorid_createdat', 'idxgen', true],
    ['20250102000000_title_index', 'project', true],
  ]);
  // The project's own folder has no down.sql: its index is left out of the rollback comparison, and said so.
  expect(stepOf(report, 'rollback').details.ignored).toEqual([
    expect.stringContaining('index "Post_title_idx" on Post: left behind'),
  ]);
  const drift = stepOf(report, 'drift');
  expect(drift.details.diff).toContain('DROP INDEX "Post_title_idx";');
  expect(drift.problems).toEqual(['prisma migrate dev would run: DROP INDEX "Post_title_idx";']);
});

test('old Prisma: a second statement in an idxgen file fails when the file is sent as one query (25001)', async () => {
  const { report } = await verifyJson(fixture('old-prisma'));
  const apply = stepOf(report, 'apply');
  // Prisma >= 7.4 applies it (SET, then CIC, each on its own) ...
  expect(apply.details.folders).toEqual([expect.objectContaining({ ok: true, queries: 2 })]);
  // ... an older Prisma sends the whole file as one implicit transaction.
  expect(apply.details.oldPrisma.folders).toEqual([
    {
      folder: '20250101000000_idx_post_authorid_createdat',
      result: 'fails',
      error: expect.objectContaining({
        code: '25001',
        message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
      }),
    },
  ]);
  expect(apply.status).toBe('fail');
  expect(apply.problems).toEqual([expect.stringMatching(/fails when sent as one query \(Prisma < 7\.4\): 25001/)]);
  expect(statuses(report)).toMatchObject({ coverage: 'pass', evidence: 'pass', rollback: 'pass', drift: 'pass' });
});
