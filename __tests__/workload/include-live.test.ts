/**
 * INCLUDE only where it pays, end to end on the embedded PostgreSQL 18 with pg_stat_statements as
 * "production": the bundled schema with realistic volumes, vacuumed as autovacuum would have done
 * (its pages all-visible), the workload's Prisma-shaped feed that returns two narrow columns
 * besides its key. The real binary proposes the key index with INCLUDE, confirmed on the scratch
 * copy (no hypopg here); `generate --allow-drift` writes it; applied on PostgreSQL and vacuumed,
 * EXPLAIN runs the feed as an Index Only Scan with no heap fetch. On a write-hot table (one that writes
 * keep dirty) the plain key index is proposed, saying why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { connectionUrl } from '../../src/db/client';
import { testDatabase } from '../support/pg';
import { BUNDLED_SCHEMA, REPO, WORKLOAD, loadProduction, runWorkload, type Volumes } from '../support/live-workload';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const VOLUMES: Volumes = { users: 2_000, posts: 60_000, messages: 60_000 };
const db = testDatabase('include_live');

function bin(argv: string[]): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: REPO, encoding: 'utf8', env, timeout: 300_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface EntryJson {
  id: string;
  ruleId: string;
  name: string;
  spec: { table: string; method: string; include: string[]; columns: { column: string; sort?: string }[] };
  evidence: string[];
  workload?: { method: string };
}

function feedEntry(stdout: string): EntryJson {
  const entries = (JSON.parse(stdout) as { entries: EntryJson[] }).entries;
  const feed = entries.find(
    (e) =>
      e.ruleId === 'workload-index' &&
      e.spec.table === 'Post' &&
      e.spec.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' desc' : ''}`).join() === 'authorId,createdAt desc',
  );
  if (!feed) throw new Error(`no feed entry in ${stdout}`);
  return feed;
}

let url = '';
beforeAll(async () => {
  await db.client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await loadProduction(db.client, VOLUMES);
  // Message stays as a bulk load leaves it (no page all-visible), whatever autovacuum would do:
  // reloaded into a fresh heap with autovacuum off for it.
  await db.client.query('ALTER TABLE "Message" SET (autovacuum_enabled = off)');
  await db.client.query('CREATE TEMP TABLE message_rows AS SELECT * FROM "Message"');
  await db.client.query('TRUNCATE "Message"');
  await db.client.query('INSERT INTO "Message" SELECT * FROM message_rows');
  await db.client.query('ANALYZE "Message"');
  // What autovacuum does to a table that is read more than written: its pages become all-visible.
  await db.client.query('VACUUM ANALYZE "Post"');
  await db.client.query('SELECT pg_stat_statements_reset()');
  await runWorkload(db.client, VOLUMES);
  url = connectionUrl(db.target);
}, 300_000);

test('plan proposes the feed key index with INCLUDE (id, title), confirmed by the planner; generate --allow-drift writes it; on PostgreSQL the feed is an Index Only Scan', async () => {
  const r = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', url]);
  if (process.env.IDXGEN_SHOW) process.stderr.write(r.stderr);
  expect(r.code).toBe(0);
  const feed = feedEntry(r.stdout);
  expect(feed.spec.include).toEqual(['id', 'title']);
  expect(feed.workload!.method).toBe('scratch-copy');
  const pays = feed.evidence.find((e) => e.startsWith('INCLUDE ("id", "title") pays: '));
  expect(pays).toMatch(
    /plan cost [\d.]+ with the key index alone → [\d.]+ with INCLUDE \([\d.]+ % lower, scratch-copy\)/,
  );

  // The message queue returns two narrow columns too, but no page of Message is all-visible: the
  // planner finds no saving on the copy, so the plain key index is proposed.
  const visible = await db.client.query<{ n: number }>(
    `SELECT relallvisible AS n FROM pg_class WHERE oid = '"Message"'::regclass`,
  );
  expect(visible.rows[0]!.n).toBe(0);
  const queue = (JSON.parse(r.stdout) as { entries: EntryJson[] }).entries.find(
    (e) => e.ruleId === 'workload-index' && e.spec.table === 'Message',
  )!;
  expect(queue.spec.include).toEqual([]);
  expect(queue.evidence.join('\n')).toMatch(
    /INCLUDE \("body", "id"\) was considered for an index-only scan and not added: call-weighted plan cost [\d.]+ with the key index alone → [\d.]+ with INCLUDE \(-?[\d.]+ % lower, scratch-copy\), under workload-index's minSavedPercent \(1 %\): the plain key index is proposed/,
  );

  // generate writes it only with --allow-drift (Prisma cannot declare INCLUDE).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-include-'));
  try {
    fs.mkdirSync(path.join(dir, 'prisma'));
    const schema = path.join(dir, 'prisma', 'schema.prisma');
    fs.copyFileSync(BUNDLED_SCHEMA, schema);
    const g = bin([
      'generate',
      '--schema',
      schema,
      '--database-url',
      url,
      '--allow-drift',
      '--only',
      'workload-index',
      '--timestamp',
      '20260101120000',
    ]);
    expect(g.stderr).toMatch(/--allow-drift wrote 1 index that Prisma cannot declare/);
    expect(g.code).toBe(0);
    const folders = fs.readdirSync(path.join(dir, 'prisma', 'migrations')).filter((f) => !f.endsWith('.toml'));
    const sql = folders.map((f) => fs.readFileSync(path.join(dir, 'prisma', 'migrations', f, 'migration.sql'), 'utf8'));
    const create = sql.find((s) => s.includes(' INCLUDE ('))!;
    expect(create).toMatch(
      /^CREATE INDEX CONCURRENTLY IF NOT EXISTS "[^"]+" ON "Post" USING btree \("authorId", "createdAt" DESC\) INCLUDE \("id", "title"\) WHERE "deletedAt" IS NULL;$/m,
    );
    // Applied on the "production" database, then vacuumed: the feed reads the index alone.
    for (const statement of create.split('\n').filter((l) => l.startsWith('CREATE INDEX')))
      await db.client.query(statement);
    await db.client.query('VACUUM ANALYZE "Post"');
    const plan = await db.client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${WORKLOAD.postFeed.sql}`
        .replace(/\$1/, "'u7'")
        .replace(/\$2/, '20')
        .replace(/\$3/, '0'),
    );
    const lines = plan.rows.map((row) => row['QUERY PLAN']);
    expect(lines.join('\n')).toMatch(/Index Only Scan using "?[^ ]+"? on "Post"/);
    expect(lines.join('\n')).toMatch(/Heap Fetches: 0/);
    await db.client.query(`DROP INDEX ${create.match(/IF NOT EXISTS ("[^"]+")/)![1]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

test('a write-hot table (every row updated since the statistics were reset): INCLUDE is not added, the plain key index is proposed and says why', async () => {
  // Every row updated: its pages lose their all-visible bit until the next VACUUM (as writes keep a hot table).
  await db.client.query('UPDATE "Post" SET published = published');
  // Counters reach pg_stat_user_tables when the backend flushes them (rate-limited): now.
  await db.client.query('SELECT pg_stat_force_next_flush()');
  await db.client.query('ANALYZE "Post"');
  const counted = async () =>
    Number(
      (await db.client.query<{ n: string }>(`SELECT n_tup_upd AS n FROM pg_stat_user_tables WHERE relname = 'Post'`))
        .rows[0]!.n,
    );
  for (let i = 0; i < 50 && (await counted()) < 60_000; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await counted()).toBeGreaterThanOrEqual(60_000);
  try {
    const r = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', url]);
    expect(r.code).toBe(0);
    const feed = feedEntry(r.stdout);
    expect(feed.spec.include).toEqual([]);
    expect(feed.name).not.toContain('covering');
    expect(feed.evidence.join('\n')).toMatch(
      /INCLUDE \("id", "title"\) was considered for an index-only scan and not added: the table is write-hot: 60,000 rows updated or deleted since the statistics were reset/,
    );
  } finally {
    await db.client.query('VACUUM ANALYZE "Post"');
  }
}, 300_000);
