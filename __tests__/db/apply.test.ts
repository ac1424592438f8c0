import { applyMigrationSql, queriesFor } from '../../src/db/apply';
import { query } from '../../src/db/client';
import { listIndexes } from '../../src/db/catalog';
import { testDatabase } from '../support/pg';
import { sqlParser } from '../../src/workload/sql-parser';

// per-statement mode is split by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

const db = testDatabase('apply');

const CIC_FILE = `-- Two statements: fine one by one, fatal as one query.
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY "cic_a_idx" ON "cic"("a");
`;

beforeAll(async () => {
  await db.client.query('CREATE TABLE cic (id int PRIMARY KEY, a int)');
  await db.client.query('CREATE TABLE notes (id serial PRIMARY KEY, body text)');
});

describe('applyMigrationSql', () => {
  test('CREATE INDEX CONCURRENTLY + SET: single-query fails with 25001, per-statement succeeds', async () => {
    const old = await applyMigrationSql(db.client, CIC_FILE, 'single-query');
    expect(old.ok).toBe(false);
    if (old.ok) return;
    expect(old.error.code).toBe('25001');
    expect(old.error.message).toMatch(/cannot run inside a transaction block/);
    expect(old.queries).toBe(1);
    expect(old.succeeded).toBe(0);

    const now = await applyMigrationSql(db.client, CIC_FILE, 'per-statement');
    expect(now).toMatchObject({ ok: true, queries: 2 });
    const idx = (await listIndexes(db.client)).find((i) => i.name === 'cic_a_idx');
    expect(idx).toMatchObject({ valid: true, columns: ['a'] });
  });

  test('one CIC statement alone works both ways', async () => {
    const file = `-- only one statement\nCREATE INDEX CONCURRENTLY "cic_id_a_idx" ON "cic"("id", "a");\n`;
    expect((await applyMigrationSql(db.client, file, 'single-query')).ok).toBe(true);
    await db.client.query('DROP INDEX cic_id_a_idx');
    expect((await applyMigrationSql(db.target, file, 'per-statement')).ok).toBe(true);
  });

  test('semicolon inside a string: per-statement is right, naive-split (Prisma today) breaks it', async () => {
    const file = `INSERT INTO notes(body) VALUES ('a;b');\nINSERT INTO notes(body) VALUES ($$c;d$$);\n`;
    expect(await applyMigrationSql(db.client, file, 'per-statement')).toMatchObject({ ok: true, queries: 2 });
    expect((await query<{ body: string }>(db.client, 'SELECT body FROM notes ORDER BY id')).map((r) => r.body)).toEqual(
      ['a;b', 'c;d'],
    );

    const naive = await applyMigrationSql(db.client, file, 'naive-split');
    expect(naive.ok).toBe(false);
    if (naive.ok) return;
    expect(naive.error.code).toBe('42601'); // unterminated quoted string
    expect(naive.succeeded).toBe(0);
  });

  test('per-statement: earlier statements stay applied; error carries code and position in the file', async () => {
    const file = `CREATE TABLE kept (id int);\n-- comment\nCREATE TABLE broken (id int,, x int);\nCREATE TABLE never (id int);\n`;
    const res = await applyMigrationSql(db.client, file, 'per-statement');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.succeeded).toBe(1);
    expect(res.failedStatement.line).toBe(3);
    expect(res.error).toMatchObject({ code: '42601', line: 3 });
    expect(file.slice(res.error.fileOffset!, res.error.fileOffset! + 1)).toBe(',');
    expect(res.error.column).toBe(file.split('\n')[2].indexOf(',,') + 2);
    const tables = await query<{ relname: string }>(
      db.client,
      `SELECT relname FROM pg_class WHERE relname IN ('kept', 'broken', 'never')`,
    );
    expect(tables.map((t) => t.relname)).toEqual(['kept']);
  });

  test('single-query: one implicit transaction, so nothing stays applied', async () => {
    const file = `CREATE TABLE kept2 (id int);\nCREATE TABLE broken2 (id int,, x int);\n`;
    const res = await applyMigrationSql(db.client, file, 'single-query');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.line).toBe(2);
    expect(await query(db.client, `SELECT 1 FROM pg_class WHERE relname = 'kept2'`)).toEqual([]);
  });

  test('error positions count characters, not UTF-16 units', async () => {
    const file = `SELECT '😀😀' AS x, nope_column FROM notes;`;
    const res = await applyMigrationSql(db.client, file, 'per-statement');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('42703');
    expect(file.slice(res.error.fileOffset!).startsWith('nope_column')).toBe(true);
  });

  test('queriesFor: what each mode sends', () => {
    expect(queriesFor(CIC_FILE, 'per-statement')).toHaveLength(2);
    expect(queriesFor(CIC_FILE, 'naive-split')).toHaveLength(2);
    expect(queriesFor('-- c\nSELECT 1;\n-- trailing', 'naive-split')).toHaveLength(2); // a trailing comment is sent alone
    expect(queriesFor(CIC_FILE, 'single-query')).toHaveLength(1);
    expect(queriesFor('  \n', 'single-query')).toHaveLength(0);
  });
});
