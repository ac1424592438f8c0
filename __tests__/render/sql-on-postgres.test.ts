/**
 * Every rendered migration file on real PostgreSQL (the embedded cluster of __tests__/support):
 * up, then pg_catalog, then up again (re-run safety), then the down files last to first and
 * pg_catalog back to where it was. Files are applied the three ways Prisma engines do:
 * statement by statement outside a transaction, as ONE query string (older engines: an implicit
 * transaction), and split on every ";" (adapter-pg's executeScript).
 * The recovery SQL (render/sql.ts stepFacts, printed by `generate --format markdown`) is run too.
 */
import { applyMigrationSql, type ApplyMode } from '../../src/db/apply';
import {
  coveringCatalogIndex,
  diffSnapshots,
  listCheckConstraints,
  listIndexes,
  snapshot,
  type IndexInfo,
} from '../../src/db/catalog';
import { query } from '../../src/db/client';
import type { PlanEntry } from '../../src/plan/types';
import { renderMigrationFile, stepFacts, type RecoverySql } from '../../src/render/sql';
import { testDatabase } from '../support/pg';
import type { IndexSpec } from '../../src/rules/types';
import { qualifiedName, quoteIdent, quoteIdentAsPrinted } from '../../src/sql/quote';
import { btree, entryFor, GOLDEN_CASES, HOSTILE, HOSTILE_INDEX } from '../support/render-fixtures';

const db = testDatabase('render_sql');

/** The hostile name with the plain quoting (no U&): only used to set up the tables and to compare pg_get_expr. */
const WEIRD = `"${HOSTILE.replace(/"/g, '""')}"`;

beforeAll(async () => {
  for (const sql of [
    'CREATE TABLE x (id int)', // the canary a hostile name tries to drop
    'CREATE TABLE "Post" (id serial PRIMARY KEY, "authorId" int NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now(), title text NOT NULL)',
    `INSERT INTO "Post" ("authorId", title) SELECT g % 50, 'post ' || g FROM generate_series(1, 2000) g`,
    'CREATE INDEX "Post_authorId_idx" ON "Post" ("authorId")', // what the drop-index case drops
    'CREATE SCHEMA app',
    'CREATE TABLE app."Event" (id serial PRIMARY KEY, payload jsonb NOT NULL)',
    `INSERT INTO app."Event" (payload) SELECT jsonb_build_object('kind', g % 7) FROM generate_series(1, 500) g`,
    'CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL, "deletedAt" timestamptz)',
    `INSERT INTO "User" (email, "deletedAt") SELECT 'u' || g || '@x', CASE WHEN g % 10 = 0 THEN now() END FROM generate_series(1, 500) g`,
    'CREATE TABLE "Job" (id serial PRIMARY KEY, status text NOT NULL, "runAt" timestamptz NOT NULL DEFAULT now(), attempts int NOT NULL DEFAULT 0)',
    `INSERT INTO "Job" (status) SELECT (ARRAY['PENDING', 'RETRY', 'DONE'])[1 + g % 3] FROM generate_series(1, 500) g`,
    'CREATE SCHEMA "we""ird"',
    `CREATE TABLE "we""ird".${WEIRD} (id serial PRIMARY KEY, ${WEIRD} int, "createdAt" timestamptz NOT NULL DEFAULT now())`,
    `INSERT INTO "we""ird".${WEIRD} (${WEIRD}) SELECT g FROM generate_series(1, 100) g`,
    // The hostile CHECK case lives on a table of that name in public.
    `CREATE TABLE ${WEIRD} (id serial PRIMARY KEY, ${WEIRD} int)`,
    `INSERT INTO ${WEIRD} (${WEIRD}) SELECT g FROM generate_series(0, 100) g`,
  ]) {
    await db.client.query(sql);
  }
});

async function apply(text: string, mode: ApplyMode = 'per-statement'): Promise<void> {
  const result = await applyMigrationSql(db.client, text, mode);
  if (!result.ok) throw new Error(`${mode} failed: ${result.error.code} ${result.error.message}\n${text}`);
}

function files(entry: PlanEntry): { up: string; down: string }[] {
  return entry.steps.map((_, i) => renderMigrationFile(entry, i));
}

function entry(id: string): PlanEntry {
  const found = GOLDEN_CASES.find((c) => c.id === id);
  if (!found) throw new Error(`no golden case ${id}`);
  return found.entry;
}

/** The recovery SQL of step `stepIndex`, from the render function that the PR description prints. */
function recovery(e: PlanEntry, stepIndex: number, key: keyof RecoverySql): string {
  const sql = stepFacts(e, stepIndex).recovery[key];
  if (sql === undefined) throw new Error(`step ${stepIndex} of ${e.id} has no ${key}`);
  return sql;
}

async function indexNamed(name: string, schema = 'public'): Promise<IndexInfo | undefined> {
  return (await listIndexes(db.client)).find((i) => i.name === name && i.schema === schema);
}

async function checkNamed(name: string) {
  return (await listCheckConstraints(db.client)).find((c) => c.name === name);
}

/** Applies every up (each twice), checks, applies every down last to first (each twice), and compares the catalog. */
async function roundTrip(e: PlanEntry, mode: ApplyMode, checkApplied: () => Promise<void>): Promise<void> {
  const before = await snapshot(db.client);
  const steps = files(e);
  for (const step of steps) {
    await apply(step.up, mode);
    await apply(step.up, mode); // re-run safety
  }
  await checkApplied();
  for (const step of [...steps].reverse()) {
    await apply(step.down, mode);
    await apply(step.down, mode);
  }
  const diff = diffSnapshots(before, await snapshot(db.client));
  expect(diff).toMatchObject({ same: true });
}

const MODES: ApplyMode[] = ['per-statement', 'single-query', 'naive-split'];

describe.each(MODES)('applied %s', (mode) => {
  test('btree (authorId, createdAt DESC)', async () => {
    await roundTrip(entry('btree'), mode, async () => {
      expect(await indexNamed('Post_authorId_createdAt_idx')).toMatchObject({
        table: 'Post',
        method: 'btree',
        columns: ['authorId', 'createdAt'],
        descending: [false, true],
        include: [],
        predicate: null,
        unique: false,
        valid: true,
      });
    });
  });

  test('GIN jsonb_path_ops in another schema', async () => {
    await roundTrip(entry('gin-jsonb'), mode, async () => {
      expect(await indexNamed('Event_payload_idx', 'app')).toMatchObject({
        table: 'Event',
        method: 'gin',
        columns: ['payload'],
        opclasses: ['jsonb_path_ops'],
        valid: true,
      });
    });
  });

  test('trigram: extension folder, then the index; the extension stays after the downs', async () => {
    await roundTrip(entry('trigram'), mode, async () => {
      expect(await indexNamed('Post_title_idx')).toMatchObject({
        method: 'gin',
        columns: ['title'],
        opclasses: ['gin_trgm_ops'],
        valid: true,
      });
    });
    expect(await query(db.client, `SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).toEqual([
      { extname: 'pg_trgm' },
    ]);
  });

  test('partial unique', async () => {
    await roundTrip(entry('partial-unique'), mode, async () => {
      expect(await indexNamed('User_email_key')).toMatchObject({
        unique: true,
        columns: ['email'],
        predicate: '("deletedAt" IS NULL)',
        valid: true,
      });
    });
  });

  test('partial with INCLUDE', async () => {
    await roundTrip(entry('partial-include'), mode, async () => {
      expect(await indexNamed('Job_status_runAt_idx')).toMatchObject({
        columns: ['status', 'runAt'],
        include: ['id'],
        predicate: `(status = ANY (ARRAY['PENDING'::text, 'RETRY'::text]))`,
        valid: true,
      });
    });
  });

  test('CHECK: NOT VALID, then validated', async () => {
    const [add] = files(entry('check'));
    await apply(add.up, mode);
    expect(await checkNamed('Job_attempts_check')).toMatchObject({
      table: 'Job',
      validated: false,
      definition: 'CHECK (attempts >= 0) NOT VALID',
    });
    await apply(add.down, mode);
    expect(await checkNamed('Job_attempts_check')).toBeUndefined();
    await roundTrip(entry('check'), mode, async () => {
      expect(await checkNamed('Job_attempts_check')).toMatchObject({
        validated: true,
        definition: 'CHECK (attempts >= 0)',
      });
    });
  });

  test('drop a redundant index; the down re-creates the same definition', async () => {
    const before = await indexNamed('Post_authorId_idx');
    expect(before).toMatchObject({ valid: true });
    const [step] = files(entry('drop-index'));
    await apply(step.up, mode);
    await apply(step.up, mode);
    expect(await indexNamed('Post_authorId_idx')).toBeUndefined();
    await apply(step.down, mode);
    await apply(step.down, mode);
    expect(await indexNamed('Post_authorId_idx')).toEqual(before);
  });
});

/** What pg_class / pg_attribute / pg_namespace hold for an index: the raw names, as PostgreSQL stores them. */
async function storedNames(
  index: string,
): Promise<{ schema: string; table: string; index: string; columns: string[] }[]> {
  return query(
    db.client,
    `SELECT n.nspname AS schema, t.relname AS table, i.relname AS index,
            ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE i.relname = $1`,
    [index],
  );
}

describe('hostile names', () => {
  test.each(MODES)('index: %s (U& identifiers: the only ";" is the terminator)', async (mode) => {
    await roundTrip(entry('hostile-index'), mode, async () => {
      expect(await indexNamed(HOSTILE_INDEX, 'we"ird')).toMatchObject({
        table: HOSTILE,
        columns: [HOSTILE, 'createdAt'],
        descending: [false, true],
        predicate: `(${WEIRD} IS NOT NULL)`,
        valid: true,
      });
      expect(await storedNames(HOSTILE_INDEX)).toEqual([
        { schema: 'we"ird', table: HOSTILE, index: HOSTILE_INDEX, columns: [HOSTILE, 'createdAt'] },
      ]);
    });
    expect(await query(db.client, `SELECT count(*)::int AS n FROM x`)).toEqual([{ n: 0 }]); // the canary is untouched
  });

  test.each(MODES)('check: %s', async (mode) => {
    await roundTrip(entry('hostile-check'), mode, async () => {
      expect(await checkNamed('c; DROP TABLE x; --_check')).toMatchObject({
        table: HOSTILE,
        validated: true,
        definition: `CHECK (${WEIRD} >= 0)`,
      });
    });
    expect(await query(db.client, `SELECT count(*)::int AS n FROM x`)).toEqual([{ n: 0 }]);
  });

  test('why U&: with plain quoting, the split on every ";" (adapter-pg) cuts the name, PostgreSQL rejects the first piece, nothing else runs', async () => {
    const plain = `CREATE INDEX CONCURRENTLY IF NOT EXISTS "c; DROP TABLE x; --_idx" ON ${WEIRD} (${WEIRD});`;
    expect(await applyMigrationSql(db.client, plain, 'per-statement')).toMatchObject({ ok: true }); // a proper splitter copes
    await apply(`DROP INDEX CONCURRENTLY "c; DROP TABLE x; --_idx";`);
    const result = await applyMigrationSql(db.client, plain, 'naive-split');
    expect(result).toMatchObject({ ok: false, succeeded: 0 });
    if (!result.ok) expect(result.error.code).toBe('42601');
    expect(await query(db.client, `SELECT count(*)::int AS n FROM x`)).toEqual([{ n: 0 }]);
    expect(await storedNames('c; DROP TABLE x; --_idx')).toEqual([]);
  });

  // Names a U& identifier must carry exactly: ";" next to a backslash, a literal "\003B" (not an
  // escape), a doubled quote, a line break, a non-ASCII letter; schema, table, column and index.
  const U_NAMES = { schema: 's;ch\\ema', table: 'ta;b"le\\', column: 'co\\;l\nümn', index: 'ix;\\003B\\"x' };

  test.each(MODES)('U& names are exactly the intended identifiers in pg_class / pg_attribute: %s', async (mode) => {
    const { schema, table, column, index } = U_NAMES;
    for (const name of Object.values(U_NAMES)) expect(name).toContain(';');
    const setup = `CREATE SCHEMA ${quoteIdent(schema)};\nCREATE TABLE ${qualifiedName(table, schema)} (id int, ${quoteIdent(column)} int);\n`;
    expect(await applyMigrationSql(db.client, setup, mode)).toMatchObject({
      ok: true,
      queries: mode === 'single-query' ? 1 : 2,
    });
    const spec: IndexSpec = {
      kind: 'index',
      table,
      schema,
      columns: [{ column, field: 'c' }],
      method: 'btree',
      unique: false,
      where: { kind: 'null-test', column, isNull: false },
      include: [],
      extensions: [],
    };
    const e = entryFor(spec, index);
    await roundTrip(e, mode, async () => {
      expect(await storedNames(index)).toEqual([{ schema, table, index, columns: [column] }]);
      expect(await indexNamed(index, schema)).toMatchObject({ valid: true, predicate: `("${column}" IS NOT NULL)` });
    });
    expect(await storedNames(index)).toEqual([]);
    await apply(`DROP SCHEMA ${quoteIdent(schema)} CASCADE;`, mode);
  });

  test('standard_conforming_strings = off does not change a U& identifier (it only refuses U& string constants)', async () => {
    await db.client.query('SET standard_conforming_strings = off');
    try {
      await roundTrip(entry('hostile-index'), 'naive-split', async () => {
        expect(await storedNames(HOSTILE_INDEX)).toEqual([
          { schema: 'we"ird', table: HOSTILE, index: HOSTILE_INDEX, columns: [HOSTILE, 'createdAt'] },
        ]);
      });
      const backslash = 'b\\;s';
      await apply(`CREATE TABLE ${quoteIdent(backslash)} (${quoteIdent(backslash)} int);`, 'naive-split');
      expect(
        await query(
          db.client,
          `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = $1 AND a.attnum > 0`,
          [backslash],
        ),
      ).toEqual([{ attname: backslash }]);
      await apply(`DROP TABLE ${quoteIdent(backslash)};`, 'naive-split');
      await expect(db.client.query(`SELECT U&'a\\003Bb'`)).rejects.toMatchObject({ code: '0A000' });
    } finally {
      await db.client.query('RESET standard_conforming_strings');
    }
  });

  test('the recovery SQL (U& escapes) names the same objects', async () => {
    const e = entry('hostile-index');
    const [step] = files(e);
    await apply(step.up);
    expect(await query(db.client, recovery(e, 0, 'findInvalid'))).toEqual([]); // valid, so not listed
    await apply(recovery(e, 0, 'dropInvalid'));
    expect(await indexNamed(HOSTILE_INDEX, 'we"ird')).toBeUndefined();
    expect(await query(db.client, `SELECT count(*)::int AS n FROM x`)).toEqual([{ n: 0 }]);
  });
});

describe('quoteIdentAsPrinted matches PostgreSQL', () => {
  test('every keyword and a set of names quote exactly as quote_ident() (ruleutils prints identifiers with the same function)', async () => {
    const keywords = await query<{ word: string; catcode: string }>(
      db.client,
      'SELECT word, catcode FROM pg_get_keywords()',
    );
    expect(keywords.length).toBeGreaterThan(400);
    const names = [
      ...keywords.map((k) => k.word),
      'status',
      'IngestStatus',
      'job_status',
      'deleted_at',
      '_x1',
      '1x',
      'a$b',
      'café',
      'we"ird',
      'a b',
      'A',
    ];
    const printed = await query<{ name: string; quoted: string }>(
      db.client,
      'SELECT n AS name, quote_ident(n) AS quoted FROM unnest($1::text[]) AS n',
      [names],
    );
    expect(printed.filter((r) => quoteIdentAsPrinted(r.name) !== r.quoted)).toEqual([]);
  });
});

describe('when a step fails, the recovery SQL finds and fixes what it left', () => {
  test('a failed unique build leaves an INVALID index that IF NOT EXISTS accepts; the recovery SQL finds it, drops it, finds the duplicates', async () => {
    const e = entry('partial-unique');
    const [step] = files(e);
    await db.client.query(`INSERT INTO "User" (email) VALUES ('dup@x'), ('dup@x')`);
    const failed = await applyMigrationSql(db.client, step.up, 'per-statement');
    expect(failed).toMatchObject({ ok: false });
    if (!failed.ok) expect(failed.error.code).toBe('23505');
    expect(await indexNamed('User_email_key')).toMatchObject({ valid: false });

    // The trap: running the same file again "succeeds" and leaves the index invalid.
    await apply(step.up);
    expect(await indexNamed('User_email_key')).toMatchObject({ valid: false });

    // The recovery queries, as the PR description prints them.
    expect(await query(db.client, recovery(e, 0, 'findInvalid'))).toEqual([
      { nspname: 'public', relname: 'User_email_key' },
    ]);
    expect(await query(db.client, recovery(e, 0, 'duplicates'))).toEqual([{ email: 'dup@x', count: '2' }]);
    await apply(recovery(e, 0, 'dropInvalid'));
    expect(await indexNamed('User_email_key')).toBeUndefined();

    await db.client.query(`DELETE FROM "User" WHERE email = 'dup@x'`);
    await apply(step.up);
    expect(await indexNamed('User_email_key')).toMatchObject({ valid: true });
    await apply(step.down);
  });

  test('VALIDATE fails on old rows that break the rule; the constraint stays NOT VALID; the recovery SQL finds the rows', async () => {
    const e = entry('check');
    const [add, validate] = files(e);
    await db.client.query(`INSERT INTO "Job" (status, attempts) VALUES ('DONE', -1)`);
    await apply(add.up);
    const failed = await applyMigrationSql(db.client, validate.up, 'per-statement');
    expect(failed).toMatchObject({ ok: false });
    if (!failed.ok) expect(failed.error.code).toBe('23514');
    expect(await checkNamed('Job_attempts_check')).toMatchObject({ validated: false });
    // New writes are checked already.
    await expect(db.client.query(`INSERT INTO "Job" (status, attempts) VALUES ('DONE', -2)`)).rejects.toMatchObject({
      code: '23514',
    });
    const rows = await query<{ attempts: number }>(db.client, recovery(e, 1, 'violations'));
    expect(rows.map((r) => r.attempts)).toEqual([-1]);

    await db.client.query(`DELETE FROM "Job" WHERE attempts < 0`);
    await apply(validate.up);
    expect(await checkNamed('Job_attempts_check')).toMatchObject({ validated: true });
    // A re-run of step 1 after step 2 (a failure and a retry) turns it back to NOT VALID; step 2 validates again.
    await apply(add.up);
    expect(await checkNamed('Job_attempts_check')).toMatchObject({ validated: false });
    await apply(validate.up);
    expect(await checkNamed('Job_attempts_check')).toMatchObject({ validated: true });
    await apply(validate.down);
    await apply(add.down);
    expect(await checkNamed('Job_attempts_check')).toBeUndefined();
  });

  test('the extension command for a database owner is the statement of the file', async () => {
    const e = entry('trigram');
    const [ext] = files(e);
    await apply(recovery(e, 0, 'createExtension'));
    expect(ext.up.endsWith(`${recovery(e, 0, 'createExtension')};\n`)).toBe(true);
  });
});

describe('fk-index with method "hash"', () => {
  test.each(MODES)(
    'the hash index applies, rolls back, and the catalog counts it as covering the FK: %s',
    async (mode) => {
      const spec: IndexSpec = {
        kind: 'index',
        table: 'Post',
        columns: [{ column: 'authorId', field: 'authorId' }],
        method: 'hash',
        unique: false,
        include: [],
        extensions: [],
      };
      await roundTrip(entryFor(spec, 'Post_authorId_hash_idx'), mode, async () => {
        const index = await indexNamed('Post_authorId_hash_idx');
        expect(index).toMatchObject({ method: 'hash', columns: ['authorId'], valid: true });
        expect(coveringCatalogIndex({ table: 'Post', columns: ['authorId'] }, [index!])).toBe('Post_authorId_hash_idx');
      });
    },
  );
});

describe('create-index and drop-index without CONCURRENTLY (the step kinds allow it; no rule plans it today)', () => {
  test.each(MODES)(
    'the up builds the index in one atomic statement, the down drops it the same way: %s',
    async (mode) => {
      const e = entryFor(btree, 'Post_authorId_createdAt_locked_idx');
      const locked = {
        ...e,
        steps: e.steps.map((s) => (s.kind === 'create-index' ? { ...s, concurrently: false } : s)),
      };
      const [file] = files(locked);
      expect(file!.up).toContain(
        '\nCREATE INDEX IF NOT EXISTS "Post_authorId_createdAt_locked_idx" ON "Post" USING btree',
      );
      expect(file!.up).toContain(
        '-- Lock: SHARE for the whole build, reads go on and writes wait.\n-- If it fails, it leaves nothing behind: the statement is atomic.\n',
      );
      expect(file!.down).toContain('\nDROP INDEX IF EXISTS "Post_authorId_createdAt_locked_idx";\n');
      expect(stepFacts(locked, 0).recovery).toEqual({});
      await roundTrip(locked, mode, async () => {
        expect(await indexNamed('Post_authorId_createdAt_locked_idx')).toMatchObject({
          columns: ['authorId', 'createdAt'],
          descending: [false, true],
          valid: true,
        });
      });
    },
  );
});
