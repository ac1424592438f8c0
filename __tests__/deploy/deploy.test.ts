/**
 * `idxgen deploy` on a real PostgreSQL (the jest cluster): a 1.5M-row table, builds watched from a
 * second connection, failures recovered, and `_prisma_migrations` compared with what Prisma's own
 * engine writes for `migrate deploy`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { Client } from 'pg';
import { connect, createScratchDatabase, query, type DbTarget, type ScratchDatabase } from '../../src/db/client';
import { openSchemaEngine, type MigrationsInput } from '../../src/db/schema-engine';
import { deploy, type DeployOptions } from '../../src/deploy/deploy';
import type { DeployEvent } from '../../src/deploy/types';
import { quoteIdent } from '../../src/sql/quote';
import { testConnection } from '../support/pg';

const REPO = path.resolve(__dirname, '..', '..');
const ROWS = 1_500_000;
const SCHEMA = [{ path: 'schema.prisma', content: 'datasource db {\n  provider = "postgresql"\n}\n' }];
const INIT = {
  name: '20260101000000_init',
  sql: `CREATE TABLE "item" ("id" integer NOT NULL, "v" integer NOT NULL);\nINSERT INTO "item" SELECT g, g % 1000 FROM generate_series(1, ${ROWS}) AS g;\n`,
};

const folder = (name: string, sql: string) => ({ name, sql });
const input = (dir: string, folders: { name: string; sql: string }[]): MigrationsInput => ({
  baseDir: dir,
  lockfile: 'provider = "postgresql"\n',
  folders,
});

let template: ScratchDatabase;
const clones: ScratchDatabase[] = [];
const tmpDirs: string[] = [];

async function clone(): Promise<DbTarget> {
  const conn = testConnection();
  const name = `t_deploy_${clones.length}_${process.pid}`;
  const admin = { ...conn, database: 'postgres' };
  await query(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  await query(admin, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template.name)} STRATEGY FILE_COPY`);
  const target = { ...conn, database: name };
  clones.push({
    name,
    target,
    url: '',
    drop: () => query(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).then(() => undefined),
  });
  return target;
}

/** A migrations folder on disk (the binary reads it) holding INIT and `more`. */
function writeMigrations(more: { name: string; sql: string }[]): MigrationsInput {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-deploy-'));
  tmpDirs.push(dir);
  const all = [INIT, ...more];
  for (const f of all) {
    fs.mkdirSync(path.join(dir, f.name));
    fs.writeFileSync(path.join(dir, f.name, 'migration.sql'), f.sql);
  }
  fs.writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  return input(dir, all);
}

beforeAll(async () => {
  template = await createScratchDatabase(testConnection(), 't_deploy_tmpl', { strategy: 'FILE_COPY' });
  const engine = await openSchemaEngine({ schema: SCHEMA, target: template.target });
  if (!engine.ok) throw new Error(engine.reason);
  try {
    const applied = await engine.value.applyMigrations(input('/tmp', [INIT]));
    if (!applied.ok) throw new Error(applied.reason);
  } finally {
    await engine.value.close();
  }
  await query(template.target, 'VACUUM ANALYZE "item"');
});

afterAll(async () => {
  for (const c of clones) await c.drop().catch(() => undefined);
  await template?.drop();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function options(
  target: DbTarget,
  migrations: MigrationsInput,
  events: DeployEvent[],
  over: Partial<DeployOptions> = {},
): DeployOptions {
  return {
    target,
    migrations,
    pollMs: 100,
    buildRetries: 2,
    lockTimeoutMs: 300,
    lockRetries: 5,
    backoffMs: 100,
    oldTransactionSeconds: 60,
    buildRateMBps: 50,
    signal: new AbortController().signal,
    emit: (e) => events.push(e),
    ...over,
  };
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const history = (target: DbTarget) =>
  query<HistoryRow>(
    target,
    'SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY started_at, migration_name',
  );
const invalid = (target: DbTarget) =>
  query<{ name: string }>(target, 'SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid');

async function diagnose(target: DbTarget, migrations: MigrationsInput) {
  const engine = await openSchemaEngine({ schema: SCHEMA, target });
  if (!engine.ok) throw new Error(engine.reason);
  try {
    const d = await engine.value.diagnoseMigrationHistory(migrations);
    if (!d.ok) throw new Error(d.reason);
    return d.value;
  } finally {
    await engine.value.close();
  }
}

const of = <K extends DeployEvent['event']>(events: DeployEvent[], kind: K) =>
  events.filter((e): e is Extract<DeployEvent, { event: K }> => e.event === kind);

/** Waits until `events` holds one that `pred` accepts. */
async function until(events: DeployEvent[], pred: (e: DeployEvent) => boolean, ms = 30000): Promise<DeployEvent> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = events.find(pred);
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`no such event within ${ms} ms; got ${events.map((e) => e.event).join(',')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const BUILD_V = folder(
  '20260102000000_item_v_idx',
  'CREATE INDEX CONCURRENTLY IF NOT EXISTS "item_v_idx" ON "item" USING btree ("v", "id");\n',
);
const BUILD_EXPR = folder(
  '20260103000000_item_expr_idx',
  '-- expression\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "item_mod_idx" ON "item" USING btree (("v" % 7));\n',
);

test('deploy shows increasing progress and leaves the history Prisma would write', async () => {
  const migrations = writeMigrations([BUILD_V, BUILD_EXPR]);
  const target = await clone();
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('applied');

  const plan = of(events, 'plan')[0]!;
  expect(plan.pending.map((p) => p.folder)).toEqual([BUILD_V.name, BUILD_EXPR.name]);
  expect(plan.pending[0]!.builds[0]).toMatchObject({ index: 'item_v_idx', table: 'item', unique: false });
  expect(plan.pending[0]!.builds[0]!.rowEstimate).toBeGreaterThan(ROWS * 0.9);
  expect(plan.pending[0]!.builds[0]!.tableBytes).toBeGreaterThan(40 * 1024 * 1024);

  const scans = of(events, 'progress').filter(
    (e) => e.folder === BUILD_V.name && e.build.phase === 'building index: scanning table',
  );
  const done = scans.map((e) => e.build.blocksDone);
  expect(new Set(done).size).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThanOrEqual(done[i - 1]!);
  expect(scans[0]!.build.blocksTotal).toBeGreaterThan(0);

  // The expression index is analyzed, the plain one is not.
  expect(of(events, 'analyze').map((e) => e.folder)).toEqual([BUILD_EXPR.name]);
  const results = of(events, 'folder-done').map((e) => e.result);
  expect(results.map((r) => [r.folder, r.retries, r.indexes[0]!.bytes > 0])).toEqual([
    [BUILD_V.name, 0, true],
    [BUILD_EXPR.name, 0, true],
  ]);

  // Prisma's view: nothing pending, nothing failed, no checksum differs.
  const d = await diagnose(target, migrations);
  expect(d).toMatchObject({
    failedMigrationNames: [],
    editedMigrationNames: [],
    unappliedMigrationNames: [],
    history: null,
  });

  // The same folders through the engine's own applyMigrations (what `prisma migrate deploy` does).
  const reference = await clone();
  const engine = await openSchemaEngine({ schema: SCHEMA, target: reference });
  if (!engine.ok) throw new Error(engine.reason);
  try {
    expect((await engine.value.applyMigrations(migrations)).ok).toBe(true);
  } finally {
    await engine.value.close();
  }
  const shape = (rows: HistoryRow[]) =>
    rows.map((r) => ({ ...r, finished_at: r.finished_at !== null, rolled_back_at: r.rolled_back_at !== null }));
  expect(shape(await history(target))).toEqual(shape(await history(reference)));
  expect(await invalid(target)).toEqual([]);
});

test('a CONCURRENTLY build waiting on an open transaction names it, then finishes when it commits', async () => {
  const migrations = writeMigrations([BUILD_V]);
  const target = await clone();
  const holder = await connect(target);
  try {
    await holder.query("SET application_name = 'long writer'");
    await holder.query('BEGIN');
    await holder.query('INSERT INTO "item" VALUES (0, 0)');
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const events: DeployEvent[] = [];
    const run = deploy(options(target, migrations, events, { oldTransactionSeconds: 0 }));
    const blocked = (await until(
      events,
      (e) => e.event === 'progress' && e.build.blockedBy.some((b) => b.pid === holderPid),
    )) as Extract<DeployEvent, { event: 'progress' }>;
    expect(blocked.build.blockedBy.find((b) => b.pid === holderPid)).toMatchObject({ application: 'long writer' });
    // Listed before the build started, too.
    expect(of(events, 'plan')[0]!.oldTransactions.map((t) => t.pid)).toContain(holderPid);
    await new Promise((r) => setTimeout(r, 300));
    expect(of(events, 'folder-done')).toEqual([]);
    await holder.query('COMMIT');
    expect(await run).toBe('applied');
    expect(of(events, 'folder-failed')).toEqual([]);
  } finally {
    await holder.end();
  }
});

async function cancelEachBuild(target: DbTarget, events: DeployEvent[], stop: () => boolean): Promise<number> {
  const killer: Client = await connect(target);
  const cancelled = new Set<number>();
  try {
    while (!stop()) {
      for (const e of of(events, 'progress')) {
        if (cancelled.has(e.build.pid)) continue;
        cancelled.add(e.build.pid);
        await killer.query('SELECT pg_cancel_backend($1)', [e.build.pid]);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await killer.end();
  }
  return cancelled.size;
}

test('a cancelled build is dropped, marked rolled back and retried until it succeeds', async () => {
  const migrations = writeMigrations([BUILD_V]);
  const target = await clone();
  const events: DeployEvent[] = [];
  let finished = false;
  const run = deploy(options(target, migrations, events)).finally(() => (finished = true));
  // Cancel the first attempt only.
  const first = (await until(events, (e) => e.event === 'progress')) as Extract<DeployEvent, { event: 'progress' }>;
  await query(target, 'SELECT pg_cancel_backend($1)', [first.build.pid]);
  expect(await run).toBe('applied');
  expect(finished).toBe(true);
  const failed = of(events, 'folder-failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ failure: 'cancelled', sqlstate: '57014', markedRolledBack: true, retryInMs: 100 });
  expect(of(events, 'invalid-index-dropped').map((e) => e.index)).toEqual(['public.item_v_idx']);
  expect(of(events, 'folder-done')[0]!.result).toMatchObject({ retries: 1, attempts: 2 });
  const rows = (await history(target)).filter((r) => r.migration_name === BUILD_V.name);
  expect(rows.map((r) => [r.finished_at !== null, r.rolled_back_at !== null])).toEqual([
    [false, true],
    [true, false],
  ]);
  expect(await diagnose(target, migrations)).toMatchObject({
    failedMigrationNames: [],
    unappliedMigrationNames: [],
    history: null,
  });
  expect(await invalid(target)).toEqual([]);
});

test('a build that fails before it starts (no such table) is rolled back, and the summary does not claim an index was dropped', async () => {
  const missing = folder(
    '20260104000000_missing_idx',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "missing_v_idx" ON "no_such_table" USING btree ("v");\n',
  );
  const migrations = writeMigrations([missing]);
  const target = await clone();
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('failed');
  expect(of(events, 'folder-failed')[0]).toMatchObject({ sqlstate: '42P01', markedRolledBack: true });
  expect(of(events, 'invalid-index-dropped')).toEqual([]);
  const summary = of(events, 'summary')[0]!;
  expect(summary.state).toMatch(
    /is not applied .*it left no index behind and _prisma_migrations records it rolled back/,
  );
  expect(summary.state).not.toMatch(/INVALID/);
});

test('with retries exhausted deploy stops: folder rolled back in the history, no INVALID index', async () => {
  const migrations = writeMigrations([BUILD_V]);
  const target = await clone();
  const events: DeployEvent[] = [];
  let finished = false;
  const run = deploy(options(target, migrations, events, { buildRetries: 1 })).finally(() => (finished = true));
  const killed = cancelEachBuild(target, events, () => finished);
  expect(await run).toBe('failed');
  expect(await killed).toBe(2);
  expect(of(events, 'folder-failed').map((e) => e.retryInMs)).toEqual([100, null]);
  const summary = of(events, 'summary')[0]!;
  expect(summary.outcome).toBe('failed');
  expect(summary.state).toMatch(/is not applied .*rolled back/);
  expect(summary.next).toBe('idxgen deploy');
  expect(of(events, 'invalid-index-left')).toEqual([]);
  const rows = (await history(target)).filter((r) => r.migration_name === BUILD_V.name);
  expect(rows).toHaveLength(2);
  expect(rows.every((r) => r.rolled_back_at !== null && r.finished_at === null)).toBe(true);
  expect(await diagnose(target, migrations)).toMatchObject({
    failedMigrationNames: [],
    unappliedMigrationNames: [BUILD_V.name],
  });
  expect(await invalid(target)).toEqual([]);
});

test('a unique violation is not retried and is reported with the number of duplicate keys', async () => {
  const migrations = writeMigrations([
    folder(
      '20260104000000_item_v_key',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "item_v_key" ON "item" USING btree ("v");\n',
    ),
  ]);
  const target = await clone();
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('failed');
  const failed = of(events, 'folder-failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({
    failure: 'unique-violation',
    sqlstate: '23505',
    duplicateKeys: 1000,
    markedRolledBack: true,
    retryInMs: null,
  });
  expect(of(events, 'summary')[0]!.next).toMatch(/duplicate keys/);
  expect(await invalid(target)).toEqual([]);
});

test('a strong-lock step behind a held ACCESS SHARE lock times out and retries instead of queueing traffic', async () => {
  const migrations = writeMigrations([
    folder(
      '20260105000000_item_v_check',
      'ALTER TABLE "item" ADD CONSTRAINT "item_v_check" CHECK ("v" >= 0) NOT VALID;\n',
    ),
  ]);
  const target = await clone();
  const holder = await connect(target);
  const prober = await connect(target);
  let probing = true;
  let worstMs = 0;
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM "item" LIMIT 1'); // ACCESS SHARE until COMMIT
    const probes = (async () => {
      while (probing) {
        const t = performance.now();
        await prober.query('SELECT 1 FROM "item" LIMIT 1');
        worstMs = Math.max(worstMs, performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const events: DeployEvent[] = [];
    const run = deploy(options(target, migrations, events, { lockTimeoutMs: 300, backoffMs: 150 }));
    await until(events, (e) => e.event === 'folder-failed' && e.attempt >= 2);
    await holder.query('COMMIT');
    expect(await run).toBe('applied');
    probing = false;
    await probes;
    const failed = of(events, 'folder-failed');
    expect(failed.every((e) => e.failure === 'lock-timeout' && e.sqlstate === '55P03' && e.markedRolledBack)).toBe(
      true,
    );
    expect(of(events, 'folder-start')[0]!.lockTimeoutMs).toBe(300);
    // A SELECT queued behind the waiting ALTER at most for the lock timeout (plus scheduling slack).
    expect(worstMs).toBeLessThan(300 + 400);
    expect(
      await query<{ convalidated: boolean }>(
        target,
        "SELECT convalidated FROM pg_constraint WHERE conname = 'item_v_check'",
      ),
    ).toEqual([{ convalidated: false }]);
    expect(await diagnose(target, migrations)).toMatchObject({ failedMigrationNames: [], unappliedMigrationNames: [] });
  } finally {
    probing = false;
    await holder.end();
    await prober.end();
  }
});

test('an INVALID index already holding the name a folder builds is dropped first (IF NOT EXISTS would accept it)', async () => {
  const migrations = writeMigrations([BUILD_V]);
  const target = await clone();
  const builder = await connect(target);
  try {
    // A build cancelled by its own statement_timeout leaves "item_v_idx" INVALID.
    await builder.query("SET statement_timeout = '50ms'");
    await expect(
      builder.query('CREATE INDEX CONCURRENTLY "item_v_idx" ON "item" USING btree ("v", "id")'),
    ).rejects.toThrow(/statement timeout/);
  } finally {
    await builder.end();
  }
  expect(await invalid(target)).toEqual([{ name: 'item_v_idx' }]);
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('applied');
  expect(of(events, 'plan')[0]!.invalidIndexes).toEqual([
    { index: 'public.item_v_idx', table: 'item', partitioned: false },
  ]);
  const kinds = events.map((e) => e.event);
  expect(kinds.indexOf('invalid-index-dropped')).toBeLessThan(kinds.indexOf('folder-start'));
  expect(await invalid(target)).toEqual([]);
  expect(await query(target, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'item_v_idx'::regclass")).toEqual([
    { indisvalid: true },
  ]);
});

describe('a partitioned table', () => {
  // What generate --database-url writes for "ev" with one partition (__tests__/db/partitions.test.ts).
  const FOLDERS = [
    folder(
      '20260107000000_idx_ev_x_on_only',
      `SET lock_timeout = '5000ms';\nCREATE INDEX IF NOT EXISTS "ev_x_idx" ON ONLY "ev" USING btree ("x");\nRESET lock_timeout;\n`,
    ),
    folder(
      '20260107000001_idx_ev_1_x',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "ev_1_x_idx" ON "public"."ev_1" USING btree ("x");\n',
    ),
    folder(
      '20260107000002_attach_ev_1_x',
      `SET lock_timeout = '5000ms';\nALTER INDEX "public"."ev_x_idx" ATTACH PARTITION "public"."ev_1_x_idx";\nRESET lock_timeout;\n`,
    ),
  ];
  const partitioned = async (target: DbTarget, partitions: number) => {
    await query(target, 'CREATE TABLE "ev" ("x" integer NOT NULL) PARTITION BY RANGE ("x")');
    for (let k = 1; k <= partitions; k++)
      await query(
        target,
        `CREATE TABLE "ev_${k}" PARTITION OF "ev" FOR VALUES FROM (${k * 100}) TO (${k * 100 + 100})`,
      );
  };

  test("the partitions generate read: applied, and the table's index is valid", async () => {
    const migrations = writeMigrations(FOLDERS);
    const target = await clone();
    await partitioned(target, 1);
    const events: DeployEvent[] = [];
    expect(await deploy(options(target, migrations, events))).toBe('applied');
    expect(await query(target, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ev_x_idx'::regclass")).toEqual([
      { indisvalid: true },
    ]);
  });

  test("a partitioned table's INVALID index already there (a run stopped after its ON ONLY folder): reported as one, never dropped", async () => {
    const migrations = writeMigrations([BUILD_V]);
    const target = await clone();
    await partitioned(target, 1);
    await query(target, 'CREATE INDEX "ev_x_idx" ON ONLY "ev" ("x")');
    const events: DeployEvent[] = [];
    expect(await deploy(options(target, migrations, events))).toBe('applied');
    expect(of(events, 'plan')[0]!.invalidIndexes).toEqual([
      { index: 'public.ev_x_idx', table: 'ev', partitioned: true },
    ]);
    expect(of(events, 'invalid-index-left')).toEqual([
      { event: 'invalid-index-left', index: 'public.ev_x_idx', table: 'ev', partitioned: true },
    ]);
    expect(of(events, 'invalid-index-dropped')).toEqual([]);
  });

  test('a partition created after generate read the database: failed before anything runs, naming it and the way out', async () => {
    const migrations = writeMigrations(FOLDERS);
    const target = await clone();
    await partitioned(target, 2);
    const events: DeployEvent[] = [];
    expect(await deploy(options(target, migrations, events))).toBe('failed');
    expect(events.map((e) => e.event)).toEqual(['summary']);
    const summary = of(events, 'summary')[0]!;
    expect(summary.state).toBe(
      'ev has a partition the pending folders build no index on (public.ev_2), so ev_x_idx (20260107000000_idx_ev_x_on_only) would stay INVALID: created after idxgen generate read the database. Nothing was applied.',
    );
    expect(summary.next).toContain('idxgen generate --database-url');
    expect(await diagnose(target, migrations)).toMatchObject({
      unappliedMigrationNames: FOLDERS.map((f) => f.name),
    });
    expect(await query(target, "SELECT to_regclass('ev_x_idx') IS NULL AS none")).toEqual([{ none: true }]);
  });
});

test('a failed folder of several statements is left failed (some of it may be applied), with the resolve command', async () => {
  const name = '20260106000000_two_steps';
  const migrations = writeMigrations([
    folder(
      name,
      'CREATE TABLE "other" ("id" integer);\nCREATE UNIQUE INDEX CONCURRENTLY "item_v_key" ON "item" ("v");\n',
    ),
  ]);
  const target = await clone();
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('failed');
  expect(of(events, 'folder-failed')).toMatchObject([
    { failure: 'unique-violation', markedRolledBack: false, retryInMs: null, duplicateKeys: 1000 },
  ]);
  const summary = of(events, 'summary')[0]!;
  expect(summary.state).toMatch(/more than one statement: some of it may be applied/);
  expect(summary.next).toContain(`npx prisma migrate resolve --applied ${name}`);
  expect(await diagnose(target, migrations)).toMatchObject({ failedMigrationNames: [name] });
  expect(await invalid(target)).toEqual([]);
  // The next deploy refuses to go on, as Prisma would, and says how to resolve it.
  const again: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, again))).toBe('failed');
  expect(again.map((e) => e.event)).toEqual(['summary']);
  expect(of(again, 'summary')[0]!.next).toContain(`npx prisma migrate resolve --rolled-back ${name}`);
});

test('a table PostgreSQL never analyzed has no row estimate (not 0 rows)', async () => {
  const migrations = writeMigrations([
    folder('20260107000000_fresh_idx', 'CREATE INDEX CONCURRENTLY "fresh_id_idx" ON "fresh" ("id");\n'),
  ]);
  const target = await clone();
  await query(target, 'CREATE TABLE "fresh" ("id" integer)');
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('applied');
  expect(of(events, 'plan')[0]!.pending[0]!.builds[0]).toMatchObject({
    table: 'fresh',
    tableBytes: 0,
    rowEstimate: null,
    expectedSeconds: 0,
  });
});

const HOSTILE_SCHEMA = 'we.ird "s';
const HOSTILE_TABLE = 'Tä"b;le表';
/** The hostile table as idxgen writes it in a migration: `;` only inside a U&"..." escape (Prisma cuts at every `;`). */
const HOSTILE_SQL = '"we.ird ""s".U&"T\\00E4""b\\003Ble\\8868"';

test('hostile names (quotes, dots, ";", letters outside ASCII, a schema): read from the parse tree, resolved by PostgreSQL', async () => {
  const migrations = writeMigrations([
    folder(
      '20260108000000_hostile_idx',
      `-- A hostile name\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "ix ""1" ON ONLY ${HOSTILE_SQL} (("v" % 3));\n`,
    ),
    folder(
      '20260109000000_hostile_check',
      `ALTER TABLE ONLY ${HOSTILE_SQL} ADD CONSTRAINT "c" CHECK ("v" >= 0) NOT VALID;\n`,
    ),
  ]);
  const target = await clone();
  const table = `${quoteIdent(HOSTILE_SCHEMA)}.${quoteIdent(HOSTILE_TABLE)}`;
  await query(target, `CREATE SCHEMA ${quoteIdent(HOSTILE_SCHEMA)}`);
  await query(target, `CREATE TABLE ${table} ("v" integer)`);
  await query(target, `INSERT INTO ${table} SELECT g FROM generate_series(1, 10000) AS g`);
  await query(target, `ANALYZE ${table}`);
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('applied');
  const [build, check] = of(events, 'plan')[0]!.pending;
  // PostgreSQL found the table (its size and rows) and printed its name.
  expect(build!.builds).toEqual([
    {
      index: '"ix ""1"',
      table: '"we.ird ""s"."Tä""b;le表"',
      unique: false,
      tableBytes: expect.any(Number),
      rowEstimate: 10000,
      expectedSeconds: 0,
    },
  ]);
  expect(build!.builds[0]!.tableBytes).toBeGreaterThan(0);
  expect(check!.strongLocks).toEqual([{ table: '"we.ird ""s"."Tä""b;le表"', action: 'add-constraint-not-valid' }]);
  expect(of(events, 'folder-start').map((e) => e.lockTimeoutMs)).toEqual([null, 300]);
  // The built index was found (its size) and, holding an expression, analyzed.
  expect(of(events, 'analyze')).toEqual([
    {
      event: 'analyze',
      folder: '20260108000000_hostile_idx',
      table: '"we.ird ""s"."Tä""b;le表"',
      index: '"we.ird ""s"."ix ""1"',
    },
  ]);
  expect(of(events, 'folder-done')[0]!.result.indexes[0]!.bytes).toBeGreaterThan(0);
});

/** The folders through Prisma's own engine (what `prisma migrate deploy` does), on a clone. */
async function prismaApplies(migrations: MigrationsInput): Promise<{ ok: boolean; target: DbTarget }> {
  const target = await clone();
  const engine = await openSchemaEngine({ schema: SCHEMA, target });
  if (!engine.ok) throw new Error(engine.reason);
  try {
    return { ok: (await engine.value.applyMigrations(migrations)).ok, target };
  } finally {
    await engine.value.close();
  }
}

test('a ";" in a comment that Prisma cuts into a piece PostgreSQL rejects: bad input before anything runs (Prisma applies half)', async () => {
  const line = 'CREATE INDEX CONCURRENTLY "item_v_idx" ON "item" ("v"); -- see notes; rebuild later';
  const migrations = writeMigrations([folder('20260110000000_cut', `-- Build it\n${line}\n`)]);
  // Prisma's engine builds the index, then fails on " rebuild later" and records the folder failed.
  const prisma = await prismaApplies(migrations);
  expect(prisma.ok).toBe(false);
  expect(
    await query(prisma.target, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'item_v_idx'::regclass"),
  ).toEqual([{ indisvalid: true }]);
  expect(await diagnose(prisma.target, migrations)).toMatchObject({ failedMigrationNames: ['20260110000000_cut'] });

  const target = await clone();
  const events: DeployEvent[] = [];
  const file = path.join(migrations.baseDir, '20260110000000_cut', 'migration.sql');
  await expect(deploy(options(target, migrations, events))).rejects.toThrow(
    new RegExp(
      `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:${line.indexOf('rebuild') + 1}: PostgreSQL cannot parse this statement as Prisma sends it: syntax error at or near "rebuild"`,
    ),
  );
  expect(events).toEqual([]);
  expect(await query(target, "SELECT to_regclass('item_v_idx') AS index")).toEqual([{ index: null }]);
  expect(await diagnose(target, migrations)).toMatchObject({
    failedMigrationNames: [],
    unappliedMigrationNames: ['20260110000000_cut'],
  });
});

test('a file PostgreSQL cannot parse whole but whose every piece Prisma sends parses is applied, as Prisma applies it', async () => {
  const migrations = writeMigrations([
    folder('20260111000000_swallowed', 'SELECT 1 -- a note; CREATE TABLE "noted" (\n  "id" integer);\n'),
  ]);
  const prisma = await prismaApplies(migrations);
  expect(prisma.ok).toBe(true);
  expect(await query(prisma.target, "SELECT to_regclass('noted')::text AS t")).toEqual([{ t: 'noted' }]);
  const target = await clone();
  const events: DeployEvent[] = [];
  expect(await deploy(options(target, migrations, events))).toBe('applied');
  expect(of(events, 'plan')[0]!.pending[0]).toMatchObject({ atomic: false, builds: [], strongLocks: [] });
  expect(await query(target, "SELECT to_regclass('noted')::text AS t")).toEqual([{ t: 'noted' }]);
});

describe('the real binary', () => {
  const bin = path.join(REPO, 'bin', 'idxgen.js');
  const url = (t: DbTarget) =>
    `postgresql://${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}@${t.host}:${t.port}/${encodeURIComponent(t.database)}`;
  /** The binary run to its end: exit code and output. */
  const run = async (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    return { code, stdout, stderr };
  };

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s mid-build: exit %d, no INVALID index, the folder rolled back and pending again',
    async (signal, exit) => {
      const migrations = writeMigrations([BUILD_V]);
      const target = await clone();
      const child = spawn(
        process.execPath,
        [
          bin,
          'deploy',
          '--database-url',
          url(target),
          '--migrations',
          migrations.baseDir,
          '--format',
          'json',
          '--interval',
          '100',
        ],
        {
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!sent && /"event":"progress"/.test(stdout)) {
          sent = true;
          child.kill(signal);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(sent).toBe(true);
      expect(code).toBe(exit);
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as DeployEvent);
      expect(events.at(-1)).toMatchObject({ event: 'summary', outcome: 'interrupted' });
      expect(await invalid(target)).toEqual([]);
      expect(await diagnose(target, migrations)).toMatchObject({
        failedMigrationNames: [],
        unappliedMigrationNames: [BUILD_V.name],
      });
      expect(stdout + stderr).not.toContain(target.password);
    },
  );

  test('non-TTY text: one line per reading, then the summary; the password never shows', async () => {
    const migrations = writeMigrations([BUILD_V]);
    const target = await clone();
    const { code, stdout } = await run([
      'deploy',
      '--database-url',
      url(target),
      '--migrations',
      migrations.baseDir,
      // The table scan of 1.5M rows can take under 200 ms on a fast host: read often enough to see it twice.
      '--interval',
      '20',
    ]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    // A reading taken before PostgreSQL knows the table's block count has no percentage.
    const scan = lines.filter((l) => l.includes('building index: scanning table') && / [\d.]+% /.test(l));
    expect(scan.length).toBeGreaterThanOrEqual(2);
    const pct = scan.map((l) => Number(/ ([\d.]+)% /.exec(l)![1]));
    for (let i = 1; i < pct.length; i++) expect(pct[i]!).toBeGreaterThanOrEqual(pct[i - 1]!);
    expect(stdout).toMatch(/^1 pending folder:/m);
    expect(stdout).toMatch(/All pending migrations are applied\./);
    expect(stdout).not.toContain(target.password);
  });

  test('a failed folder exits 1', async () => {
    const migrations = writeMigrations([
      folder('20260104000000_item_v_key', 'CREATE UNIQUE INDEX CONCURRENTLY "item_v_key" ON "item" ("v");\n'),
    ]);
    const target = await clone();
    const { code, stdout } = await run(['deploy', '--database-url', url(target), '--migrations', migrations.baseDir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /attempt 1 failed: unique-violation \(23505\).*; 1,000 duplicate key values; marked rolled back\n/,
    );
    expect(stdout).toMatch(/Next: remove the duplicate keys, then run idxgen deploy again/);
  });

  test('a statement PostgreSQL would reject exits 2 at file:line:col, nothing applied', async () => {
    const migrations = writeMigrations([
      BUILD_V,
      folder(
        '20260112000000_broken',
        '-- hand-edited\nALTER TABLE "item" ADD CONSTRAINT "c" CHECK (("v" > 0) NOT VALID;\n',
      ),
    ]);
    const target = await clone();
    const { code, stdout, stderr } = await run([
      'deploy',
      '--database-url',
      url(target),
      '--migrations',
      migrations.baseDir,
    ]);
    expect(code).toBe(2);
    const column = 'ALTER TABLE "item" ADD CONSTRAINT "c" CHECK (("v" > 0) NOT VALID'.indexOf('NOT VALID') + 1;
    expect(stderr).toContain(
      `${path.join(migrations.baseDir, '20260112000000_broken', 'migration.sql')}:2:${column}: PostgreSQL cannot parse this statement as Prisma sends it: syntax error at or near "NOT"`,
    );
    expect(stdout).toBe('');
    // Nothing ran: not even the good folder before the broken one.
    expect(await diagnose(target, migrations)).toMatchObject({
      failedMigrationNames: [],
      unappliedMigrationNames: [BUILD_V.name, '20260112000000_broken'],
    });
  });

  test('idxgen progress follows a build someone else started and exits when it is done', async () => {
    const target = await clone();
    const builder = await connect(target);
    try {
      await builder.query("SET application_name = 'prisma migrate deploy'");
      const builderPid = (await builder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const build = builder.query('CREATE INDEX CONCURRENTLY "item_v_idx" ON "item" USING btree ("v", "id")');
      // Start watching once the build shows in the progress view.
      for (let i = 0; i < 200; i++) {
        if (
          (await query(target, 'SELECT 1 FROM pg_stat_progress_create_index WHERE pid = $1', [builderPid])).length > 0
        )
          break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const child = spawn(
        process.execPath,
        [bin, 'progress', '--database-url', url(target), '--format', 'json', '--interval', '100'],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      await build;
      expect(code).toBe(0);
      const events = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as DeployEvent);
      const readings = of(events, 'progress');
      expect(readings.length).toBeGreaterThanOrEqual(2);
      expect(readings.every((e) => e.build.pid === builderPid && e.build.table === 'item')).toBe(true);
      expect(events.at(-1)).toEqual({ event: 'build-gone', folder: null, pid: builderPid });
    } finally {
      await builder.end();
    }
  });

  test('idxgen progress stopped by SIGTERM while it watches exits 143 (the build goes on)', async () => {
    const target = await clone();
    const builder = await connect(target);
    try {
      const build = builder.query('CREATE INDEX CONCURRENTLY "item_v_idx" ON "item" USING btree ("v", "id")');
      const child = spawn(
        process.execPath,
        [bin, 'progress', '--database-url', url(target), '--format', 'json', '--interval', '100'],
        { env: { ...process.env, NO_COLOR: '1' } },
      );
      let stdout = '';
      let sent = false;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!sent && /"event":"progress"/.test(stdout)) {
          sent = true;
          child.kill('SIGTERM');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      await build;
      expect(sent).toBe(true);
      expect(code).toBe(143);
      expect(await query(target, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'item_v_idx'::regclass")).toEqual([
        { indisvalid: true },
      ]);
    } finally {
      await builder.end();
    }
  });

  test('idxgen progress with no build running says so and exits 0', async () => {
    const target = await clone();
    const { code, stdout } = await run(['progress', '--database-url', url(target)]);
    expect(code).toBe(0);
    expect(stdout).toBe('No index build in progress.\n');
  });

  test('a refused login is bad input (exit 2) and the message hides the password', async () => {
    const target = await clone();
    const wrong = { ...target, password: 'Sup3r-S3cret-pw' };
    const dir = writeMigrations([]).baseDir;
    const { code, stdout, stderr } = await run(['deploy', '--database-url', url(wrong), '--migrations', dir]);
    const out = stdout + stderr;
    expect(code).toBe(2);
    expect(out).toMatch(/deploy: .*password authentication failed/);
    expect(out).not.toContain('Sup3r-S3cret-pw');
  });
});
