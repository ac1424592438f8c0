/**
 * `idxgen inspect` on a real database: the bundled example's tables (Prisma's own from-empty SQL)
 * on the embedded server, with hand-made drift, a failed CONCURRENTLY build, a bloated index, a
 * partitioned table and a mostly-NULL FK. Every SQL the report proposes is run here.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Client } from 'pg';
import {
  connect,
  createScratchDatabase,
  connectionUrl,
  query,
  type DbTarget,
  type ScratchDatabase,
} from '../../src/db/client';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { measureBloat, openReadOnly, readDatabaseFacts, type DatabaseFacts } from '../../src/inspect/introspect';
import {
  bloatFlagged,
  bloatOf,
  DEFAULT_INSPECT_OPTIONS,
  inspectDatabase,
  type InspectFinding,
  type InspectReport,
} from '../../src/inspect/introspect-compare';
import { loadSchema } from '../../src/schema/load';
import { quoteLiteral } from '../../src/sql/quote';
import { EXAMPLE_SCHEMA, REPO, runBin, tempProject } from '../support/cli';
import { testDatabase } from '../support/pg';

const db = testDatabase('introspect');
const schemaText = fs.readFileSync(EXAMPLE_SCHEMA, 'utf8');
const model = loadSchema([{ path: 'prisma/schema.prisma', content: schemaText }]).model;
let ddl = '';

async function facts(target: DbTarget): Promise<DatabaseFacts> {
  const client = await openReadOnly(target, { statementTimeoutMs: 10_000 });
  try {
    const read = await readDatabaseFacts(client);
    await measureBloat(client, read, (b) => {
      const bloat = bloatOf(b);
      return bloat !== null && bloatFlagged(bloat, DEFAULT_INSPECT_OPTIONS);
    });
    return read;
  } finally {
    await client.end();
  }
}

async function inspect(minStatsAgeDays = 0, replicas: DbTarget[] = []): Promise<InspectReport> {
  const primary = await facts(db.target);
  const others = await Promise.all(replicas.map(facts));
  return inspectDatabase(model, primary, others, { ...DEFAULT_INSPECT_OPTIONS, minStatsAgeDays });
}

function find<K extends InspectFinding['kind']>(
  report: InspectReport,
  kind: K,
  name: string,
): Extract<InspectFinding, { kind: K }> | undefined {
  return report.findings.find(
    (f) =>
      f.kind === kind &&
      ('index' in f ? f.index === name : 'constraint' in f ? f.constraint === name : f.table === name),
  ) as Extract<InspectFinding, { kind: K }> | undefined;
}

async function runEach(client: Client, statements: string[]): Promise<void> {
  for (const s of statements) await client.query(s);
}

beforeAll(async () => {
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: schemaText }]);
  if (!sql.ok) throw new Error(sql.reason);
  ddl = sql.value;
  const c = db.client;
  await c.query(ddl);
  // Drift made by hand, and a mostly-NULL FK with statistics.
  await c.query('CREATE INDEX "Post_title_handmade" ON "Post" ("title" DESC)');
  await c.query(`INSERT INTO "User" (id, email, username, "displayName", "updatedAt", "referredById")
    SELECT 'u' || g, 'u' || g || '@x.io', 'user' || g, 'U', now(), CASE WHEN g % 10 = 0 THEN 'u1' END FROM generate_series(1, 2000) g`);
  await c.query('ANALYZE "User"');
  // A failed CREATE UNIQUE INDEX CONCURRENTLY (duplicate titles) leaves an INVALID index behind.
  await c.query(
    `INSERT INTO "Post" (id, "authorId", title, content, "updatedAt") VALUES ('p1', 'u1', 'same', '{}', now()), ('p2', 'u2', 'same', '{}', now())`,
  );
  await expect(c.query('CREATE UNIQUE INDEX CONCURRENTLY "Post_title_unique" ON "Post" ("title")')).rejects.toThrow(
    /could not create unique index/,
  );
  // A partitioned table, and a btree left bloated by a mass delete.
  await c.query(`CREATE TABLE "Event" (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE "Event_2026" PARTITION OF "Event" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TABLE "Bloaty" (id int NOT NULL); CREATE INDEX "Bloaty_id_idx" ON "Bloaty" (id);
    INSERT INTO "Bloaty" SELECT g FROM generate_series(1, 200000) g;
    DELETE FROM "Bloaty" WHERE id % 50 <> 0;`);
  await c.query('VACUUM ANALYZE "Bloaty"');
}, 120_000);

test('the session is read-only, bounded and named idxgen', async () => {
  const client = await openReadOnly(db.target, { statementTimeoutMs: 1234 });
  try {
    const [row] = (
      await client.query(
        `SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st, current_setting('default_transaction_read_only') AS ro`,
      )
    ).rows;
    expect(row).toEqual({ app: 'idxgen', st: '1234ms', ro: 'on' });
    await expect(client.query('CREATE TABLE "nope" (id int)')).rejects.toThrow(/read-only transaction/);
  } finally {
    await client.end();
  }
});

test('a hand-made index is reported as undeclared, with the declaration that keeps it and a drop that runs', async () => {
  const report = await inspect();
  const f = find(report, 'undeclared-index', 'Post_title_handmade');
  expect(f?.declaration).toEqual({
    kind: 'attribute',
    attribute: '@@index([title(sort: Desc)], map: "Post_title_handmade")',
    previewFeatures: [],
  });
  expect(f?.message).toMatch(/next `prisma migrate dev` drops it/);
  expect(f?.sql).toEqual(['DROP INDEX CONCURRENTLY IF EXISTS "public"."Post_title_handmade";']);
  // Prisma's own indexes (declared, with default names) are not drift.
  expect(
    report.findings.filter((x) => x.kind === 'undeclared-index').map((x) => (x as { index: string }).index),
  ).toEqual(expect.not.arrayContaining(['User_email_key', 'User_pkey', 'Post_pkey']));
  // The drop it proposes runs (on a copy of the index, to keep the suite's database as it is).
  await db.client.query('CREATE INDEX "Post_title_copy" ON "Post" ("title" DESC)');
  const copy = find(await inspect(), 'undeclared-index', 'Post_title_copy');
  await runEach(db.client, copy?.sql ?? []);
  expect((await db.client.query(`SELECT 1 FROM pg_class WHERE relname = 'Post_title_copy'`)).rowCount).toBe(0);
});

test('a failed CIC leaves an INVALID index: reported as an error with SQL that repairs it', async () => {
  const report = await inspect();
  const f = find(report, 'invalid-index', 'Post_title_unique');
  expect(f?.severity).toBe('error');
  expect(f?.sql).toEqual([
    'DROP INDEX CONCURRENTLY IF EXISTS "public"."Post_title_unique";',
    'CREATE UNIQUE INDEX CONCURRENTLY "Post_title_unique" ON public."Post" USING btree (title);',
  ]);
  // After the duplicates are fixed, the repair leaves a valid index; a second copy shows it on a fresh failure.
  await db.client.query(`CREATE TABLE "Repair" (v int); INSERT INTO "Repair" VALUES (1), (1)`);
  await expect(db.client.query('CREATE UNIQUE INDEX CONCURRENTLY "Repair_v_key" ON "Repair" (v)')).rejects.toThrow(
    /could not create unique index/,
  );
  const repair = find(await inspect(), 'invalid-index', 'Repair_v_key');
  await db.client.query(`DELETE FROM "Repair" WHERE ctid = (SELECT max(ctid) FROM "Repair")`);
  await runEach(db.client, repair?.sql ?? []);
  const [row] = (
    await db.client.query(
      `SELECT x.indisvalid AS valid FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relname = 'Repair_v_key'`,
    )
  ).rows;
  expect(row).toEqual({ valid: true });
  expect(find(await inspect(), 'invalid-index', 'Repair_v_key')).toBeUndefined();
  await db.client.query('DROP TABLE "Repair"');
});

test("a partitioned table's INVALID index (a partition without an attached index): the repair builds that one CONCURRENTLY and attaches it, and it runs", async () => {
  await db.client.query('CREATE INDEX "Event_at_idx" ON ONLY "Event" (at DESC)');
  try {
    const f = find(await inspect(), 'invalid-index', 'Event_at_idx');
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain(
      `it is a partitioned table's index, valid once every partition has an index attached to it, and "public"."Event_2026" has none`,
    );
    expect(f?.message).not.toContain('a CREATE INDEX CONCURRENTLY that failed');
    expect(f?.sql).toEqual([
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_2026_at_idx" ON "public"."Event_2026" USING btree ("at" DESC);',
      "SET lock_timeout = '5000ms';",
      'ALTER INDEX "public"."Event_at_idx" ATTACH PARTITION "public"."Event_2026_at_idx";',
      'RESET lock_timeout;',
    ]);
    await runEach(db.client, f?.sql ?? []);
    const [row] = (
      await db.client.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = '"Event_at_idx"'::regclass`)
    ).rows;
    expect(row).toEqual({ valid: true });
    expect(find(await inspect(), 'invalid-index', 'Event_at_idx')).toBeUndefined();
  } finally {
    await db.client.query('DROP INDEX IF EXISTS "Event_at_idx"');
  }
});

test('an index never scanned is unused only when the statistics are old enough; unique and PK indexes never are', async () => {
  const old = await inspect(0);
  const unused = find(old, 'unused-index', 'Post_title_handmade');
  expect(unused).toMatchObject({
    severity: 'warn',
    dropProposed: true,
    scans: 0,
    sql: ['DROP INDEX CONCURRENTLY IF EXISTS "public"."Post_title_handmade";'],
  });
  expect(old.findings.filter((f) => f.kind === 'unused-index').map((f) => (f as { index: string }).index)).toEqual(
    expect.not.arrayContaining(['User_email_key', 'User_pkey', 'Post_pkey']),
  );
  // An index that alone covers an FK is never proposed for dropping, however old the statistics.
  expect(find(old, 'unused-index', 'PollOption_pollId_idx')).toMatchObject({
    severity: 'info',
    dropProposed: false,
    sql: [],
  });
  expect(find(old, 'unused-index', 'PollOption_pollId_idx')?.message).toMatch(
    /the only index covering foreign key "PollOption_pollId_fkey": .* No drop is proposed/,
  );
  const young = await inspect(7);
  expect(young.servers[0]!.statsAgeDays).toBeLessThan(7);
  expect(find(young, 'unused-index', 'Post_title_handmade')).toMatchObject({
    severity: 'info',
    dropProposed: false,
    sql: [],
  });
  expect(find(young, 'unused-index', 'Post_title_handmade')?.message).toMatch(
    /only .* old \(minimum 7 days\): no drop is proposed/,
  );
});

describe('a replica', () => {
  let replica: ScratchDatabase;
  beforeAll(async () => {
    replica = await createScratchDatabase(db.connection, 't_introspect_replica', { strategy: 'FILE_COPY' });
    const c = await connect(replica.target);
    try {
      await c.query(ddl);
      await c.query('CREATE INDEX "Post_title_handmade" ON "Post" ("title" DESC)');
      await c.query('SET enable_seqscan = off');
      await c.query(`SELECT id FROM "Post" WHERE title = 'x'`);
      await c.query('SELECT pg_stat_force_next_flush()');
    } finally {
      await c.end();
    }
  }, 60_000);
  afterAll(() => replica.drop());

  test('combines its scans: an index unused on the primary but scanned on a replica is not unused', async () => {
    expect(find(await inspect(0), 'unused-index', 'Post_title_handmade')).toBeDefined();
    expect(find(await inspect(0, [replica.target]), 'unused-index', 'Post_title_handmade')).toBeUndefined();
  });
});

test('unindexed FKs as the database has them; a mostly-NULL FK gets WHERE fk IS NOT NULL, and the SQL runs', async () => {
  const report = await inspect();
  const referred = find(report, 'unindexed-fk', 'User_referredById_fkey');
  expect(referred).toMatchObject({ severity: 'error', columns: ['referredById'], declaredCover: null });
  expect(referred?.nullFrac).toBeGreaterThan(0.85);
  expect(referred?.sql).toEqual([
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "User_referredById_idx" ON "User" USING btree ("referredById") WHERE "referredById" IS NOT NULL;',
  ]);
  const author = find(report, 'unindexed-fk', 'Post_authorId_fkey');
  expect(author?.sql[0]).not.toMatch(/WHERE/);
  await runEach(db.client, referred?.sql ?? []);
  expect(find(await inspect(), 'unindexed-fk', 'User_referredById_fkey')).toBeUndefined();
  await db.client.query('DROP INDEX "User_referredById_idx"');
});

test('an FK the schema covers but the database does not: the report says the migration is missing', async () => {
  const declared = model.tables
    .flatMap((t) => t.indexes.map((i) => ({ t, i })))
    .find(({ i }) => i.columns.length === 1 && i.kind === 'index');
  if (!declared) throw new Error('the bundled schema declares no single-column @@index');
  const fk = declared.t.foreignKeys.find(
    (f) => f.columns.length === 1 && f.columns[0] === declared.i.columns[0]!.column,
  );
  if (!fk) throw new Error(`no FK on ${declared.i.name}`);
  await db.client.query(`DROP INDEX ${JSON.stringify(declared.i.name)}`);
  try {
    const f = find(await inspect(), 'unindexed-fk', fk.constraintName);
    expect(f?.declaredCover).toBe(declared.i.name);
    expect(f?.message).toMatch(/but the database lacks it: apply the pending migration/);
    expect(f?.sql).toEqual([]);
  } finally {
    await db.client.query(
      ddl.split(/;\s*\n/).find((s) => s.includes(`"${declared.i.name}"`) && /CREATE INDEX/.test(s))!,
    );
  }
});

test('duplicate and left-prefix indexes in the database, and whether the schema declares them', async () => {
  await db.client.query(
    'CREATE INDEX "Post_title_dup" ON "Post" ("title" DESC); CREATE INDEX "Post_authorId_x" ON "Post" ("authorId"); CREATE INDEX "Post_authorId_createdAt_x" ON "Post" ("authorId", "createdAt")',
  );
  try {
    const report = await inspect();
    const dup = report.findings
      .filter((f) => f.kind === 'duplicate-index')
      .map((f) => [(f as { index: string }).index, (f as { coveredBy: string }).coveredBy]);
    expect(dup).toEqual(
      expect.arrayContaining([
        ['Post_title_handmade', 'Post_title_dup'],
        ['Post_authorId_x', 'Post_authorId_createdAt_x'],
      ]),
    );
    expect(dup.find(([i]) => i === 'Post_authorId_createdAt_x')).toBeUndefined();
    expect(find(report, 'duplicate-index', 'Post_authorId_x')?.message).toMatch(
      /a left prefix of "Post_authorId_createdAt_x" in the database \(neither is declared in schema.prisma\)/,
    );
  } finally {
    await db.client.query(
      'DROP INDEX "Post_title_dup"; DROP INDEX "Post_authorId_x"; DROP INDEX "Post_authorId_createdAt_x"',
    );
  }
});

test('a bloated btree is reported as an estimate, and the REINDEX it proposes gives the space back', async () => {
  const report = await inspect();
  const f = find(report, 'bloated-index', 'Bloaty_id_idx');
  expect(f).toMatchObject({ estimate: true, sql: ['REINDEX INDEX CONCURRENTLY "public"."Bloaty_id_idx";'] });
  expect(f?.message).toMatch(/catalog estimate/);
  expect(f!.bytes).toBeGreaterThan(3 * f!.expectedBytes);
  // With pgstattuple installed, the flagged index is measured instead (pgstatindex, read-only).
  await db.client.query('CREATE EXTENSION pgstattuple');
  try {
    const measured = find(await inspect(), 'bloated-index', 'Bloaty_id_idx');
    const [real] = (await db.client.query(`SELECT index_size::float8 AS bytes FROM pgstatindex('"Bloaty_id_idx"')`))
      .rows;
    expect(measured).toMatchObject({ estimate: false, bytes: real.bytes });
    expect(measured?.message).toMatch(/pgstattuple measures \d+ % leaf density/);
    expect(measured!.expectedBytes).toBeLessThan(measured!.bytes / 3);
  } finally {
    await db.client.query('DROP EXTENSION pgstattuple');
  }
  await runEach(db.client, f!.sql);
  const [{ bytes }] = (await db.client.query(`SELECT pg_relation_size('"Bloaty_id_idx"')::float8 AS bytes`)).rows;
  expect(bytes).toBeLessThan(f!.bytes / 3);
  expect(bytes).toBeLessThanOrEqual(f!.expectedBytes * 1.5);
  expect(find(await inspect(), 'bloated-index', 'Bloaty_id_idx')).toBeUndefined();
});

test('partitioned tables, table facts and extensions are reported', async () => {
  const report = await inspect();
  expect(find(report, 'partitioned-table', 'Event')).toMatchObject({ partitions: 1, severity: 'info' });
  expect(find(report, 'partitioned-table', 'Event')?.message).toMatch(
    /Instead, run idxgen generate with --database-url: it builds such an index with CREATE INDEX \.\.\. ON ONLY the parent/,
  );
  const user = report.tables.find((t) => t.table === 'User');
  expect(user).toMatchObject({ inSchema: true, kind: 'r', inserts: 2000, rows: 2000 });
  expect(report.tables.find((t) => t.table === 'Event_2026')).toBeUndefined();
  expect(report.tables.find((t) => t.table === 'Bloaty')?.inSchema).toBe(false);
  expect(report.extensions.map((e) => e.name)).toEqual(expect.arrayContaining(['pg_trgm', 'pgstattuple']));
});

describe('through the binary', () => {
  const role = `inspector_${randomBytes(3).toString('hex')}`;
  const password = `Pw/${randomBytes(4).toString('hex')}@:sécret`;
  let project: ReturnType<typeof tempProject>;
  beforeAll(async () => {
    await query(
      db.target,
      `CREATE ROLE ${JSON.stringify(role)} LOGIN PASSWORD ${quoteLiteral(password)} IN ROLE pg_read_all_stats`,
    );
    project = tempProject({ 'prisma/schema.prisma': schemaText });
  });
  afterAll(async () => {
    project.cleanup();
    await query(db.target, `DROP ROLE IF EXISTS ${JSON.stringify(role)}`);
  });
  const url = (pw: string) => connectionUrl({ ...db.target, user: role, password: pw });

  test('text and json; exit 1 on error-level problems; the password never appears', () => {
    const started = performance.now();
    const text = runBin(['inspect', '--database-url', url(password), '--min-stats-age', '0'], project.dir);
    const ms = performance.now() - started;
    expect(text.stderr).toBe('');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/error invalid-index: public.Post Post_title_unique/);
    expect(text.stdout).toMatch(/@@index\(\[title\(sort: Desc\)\], map: "Post_title_handmade"\)/);
    expect(text.stdout).toMatch(/info partitioned-table: public.Event/);
    const json = runBin(['inspect', '--database-url', url(password), '--format', 'json'], project.dir);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as InspectReport;
    expect(report.findings.some((f) => f.kind === 'invalid-index')).toBe(true);
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      expect(out).not.toContain(password);
      expect(out).not.toContain(encodeURIComponent(password));
    }
    process.stdout.write(`inspect on the bundled example database: ${ms.toFixed(0)} ms wall (binary, cold)\n`);
  });

  test('a refused login and an unreachable server are exit 2, without the password; DATABASE_URL is the default', () => {
    const wrong = `${password}-wrong`;
    const refused = runBin(['inspect', '--database-url', url(wrong)], project.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/inspect \(127.0.0.1:\d+\/.*\): cannot connect: password authentication failed/);
    expect(refused.stderr + refused.stdout).not.toContain(wrong);
    expect(refused.stderr + refused.stdout).not.toContain(encodeURIComponent(wrong));
    // `--database-url` without a value (and no flag at all) reads DATABASE_URL, as Prisma users expect.
    for (const argv of [['inspect', '--database-url'], ['inspect']]) {
      const env = spawnSync(process.execPath, [path.join(REPO, 'bin', 'idxgen.js'), ...argv], {
        cwd: project.dir,
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: url(wrong) },
      });
      expect(env.status).toBe(2);
      expect(env.stderr).toMatch(/cannot connect: password authentication failed for user "inspector_/);
      expect(env.stderr + env.stdout).not.toContain(wrong);
    }
    const none = runBin(['inspect'], project.dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no database: pass --database-url/);
    const bad = runBin(['inspect', '--database-url', 'mysql://u:p@h/d'], project.dir);
    expect(bad.code).toBe(2);
  });

  test('a clean database exits 0', async () => {
    const clean = await createScratchDatabase(db.connection, 't_introspect_clean', { strategy: 'FILE_COPY' });
    try {
      const p = tempProject({
        'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id Int @id\n}\n',
      });
      try {
        await query(clean.target, 'CREATE TABLE "A" (id int NOT NULL, CONSTRAINT "A_pkey" PRIMARY KEY (id))');
        const r = runBin(['inspect', '--database-url', connectionUrl(clean.target)], p.dir);
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(/no findings/);
        expect(r.code).toBe(0);
      } finally {
        p.cleanup();
      }
    } finally {
      await clean.drop();
    }
  });
});
