/**
 * `--database-url` on the embedded PostgreSQL 18 with pg_stat_statements as "production": the
 * bundled schema with realistic volumes, a workload of Prisma-shaped parameterized queries, then
 * the real binary plans from pg_stat_statements, read-only. No hypopg here (the embedded server
 * has none): the proposals are ranked by the measured time of what they serve, and say so.
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
const db = testDatabase('live_workload');
/** Json fields without `/// @idxgen.gin` get the json-gin-index guess (at info) only when asked: this config asks. */
const GUESS_CONFIG = path.join(REPO, '__tests__', 'fixtures', 'workload', 'json-gin-guesses.config.json');

/**
 * The real binary. Without hypopg the proposals would be planned on a scratch copy (an embedded
 * server started per run): these tests judge by measured time (`--no-scratch-copy`) unless they
 * ask for the copy.
 */
function bin(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  options: { scratchCopy?: boolean } = {},
): { code: number; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' };
  delete base.DATABASE_URL;
  const flags = options.scratchCopy ? [] : ['--no-scratch-copy'];
  const r = spawnSync(process.execPath, [BIN, ...argv, ...flags], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...base, ...env },
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface EntryJson {
  ruleId: string;
  spec: { table: string; method: string; columns: { column: string; sort?: string }[] };
  evidence: string[];
  workload?: {
    method: string;
    rank?: number;
    savedMs: number;
    statements: {
      fingerprint: string;
      text: string;
      calls: number;
      meanMs: number | null;
      costBefore: number | null;
      costAfter?: number | null;
      savedMs?: number | null;
    }[];
    write: { indexes: number; writesPerSecond: number } | null;
  };
}

let url = '';
beforeAll(async () => {
  await db.client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await loadProduction(db.client, VOLUMES);
  await db.client.query('SELECT pg_stat_statements_reset()');
  await runWorkload(db.client, VOLUMES);
  url = connectionUrl(db.target);
}, 300_000);

test('plan --database-url proposes the indexes of the slow queries first, with their evidence; no GIN on a Json column nobody filters', () => {
  const r = bin([
    'plan',
    '--schema',
    BUNDLED_SCHEMA,
    '--config',
    GUESS_CONFIG,
    '--format',
    'json',
    '--database-url',
    url,
  ]);
  const text = bin(['plan', '--schema', BUNDLED_SCHEMA, '--database-url', url]);
  if (process.env.IDXGEN_SHOW) process.stderr.write(text.stdout + text.stderr);
  expect(r.stderr).toContain('statement(s) from pg_stat_statements');
  expect(r.stderr).toContain('hypopg is not installed');
  expect(r.code).toBe(0);
  const entries = (JSON.parse(r.stdout) as { entries: EntryJson[] }).entries;
  const workload = entries
    .filter((e) => e.ruleId === 'workload-index' && e.workload)
    .sort((a, b) => a.workload!.rank! - b.workload!.rank!);
  const keys = workload.map(
    (e) => `${e.spec.table}(${e.spec.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' desc' : ''}`).join(', ')})`,
  );
  // Ranked by the time saved: the post feed (slowest in total) first, then the message queue.
  expect(keys.slice(0, 2)).toEqual(['Post(authorId, createdAt desc)', 'Message(status, createdAt)']);
  const feed = workload[0]!;
  expect(feed.workload!.method).toBe('measured-time');
  expect(feed.workload!.savedMs).toBeGreaterThan(workload[1]!.workload!.savedMs);
  const statement = feed.workload!.statements[0]!;
  expect(statement.calls).toBe(150);
  expect(statement.meanMs).toBeGreaterThan(0);
  expect(statement.costBefore).toBeGreaterThan(0); // EXPLAIN (GENERIC_PLAN) planned the normalized $1 text
  expect(statement.text).toMatch(/^SELECT "public"."Post"."id", .* FROM "public"."Post" WHERE .*…$/);
  expect(
    feed.evidence.some((e) => e.startsWith(`query ${statement.fingerprint} `) && e.includes('150 call(s), mean')),
  ).toBe(true);
  expect(feed.evidence.some((e) => e.includes('weaker evidence'))).toBe(true);
  expect(feed.workload!.write!.indexes).toBeGreaterThanOrEqual(1);
  // A read the primary key serves asks for nothing.
  expect(workload.filter((e) => e.spec.table === 'User').map((e) => e.spec.columns.map((c) => c.column))).toEqual([]);
  // Post is read, but nobody filters its Json `content`: the json-gin-index guess is withdrawn.
  expect(
    entries
      .filter((e) => e.spec.table === 'Post' && e.spec.method === 'gin' && e.spec.columns[0]!.column === 'content')
      .map((e) => e.ruleId),
  ).toEqual([]);
  // A GIN the schema asks for (`/// @idxgen.gin` on GameProfile.preferences) is a request, not a guess: it stays.
  expect(
    entries.some(
      (e) => e.spec.table === 'GameProfile' && e.spec.method === 'gin' && e.spec.columns[0]?.column === 'preferences',
    ),
  ).toBe(true);
  // The password is nowhere in what the user sees.
  expect(`${r.stdout}${r.stderr}`).not.toContain(db.target.password);
});

test('without hypopg the proposals are planned on a scratch copy of their tables: cost before → after, nothing written to the live database', async () => {
  const indexes = async () =>
    Number(
      (await db.client.query<{ n: string }>("SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'public'"))
        .rows[0]!.n,
    );
  const before = await indexes();
  const r = bin(
    ['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', url],
    {},
    { scratchCopy: true },
  );
  if (process.env.IDXGEN_SHOW) process.stderr.write(r.stderr);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/planned on a scratch copy of \d+ table\(s\)/);
  const workload = (JSON.parse(r.stdout) as { entries: EntryJson[] }).entries.filter(
    (e) => e.ruleId === 'workload-index' && e.workload,
  );
  const feed = workload.find(
    (e) => e.spec.table === 'Post' && e.spec.columns.map((c) => c.column).join() === 'authorId,createdAt',
  )!;
  expect(feed.workload!.method).toBe('scratch-copy');
  expect(feed.workload!.rank).toBe(1);
  const statement = feed.workload!.statements[0]!;
  expect(statement.calls).toBe(150);
  // The planner on the copy (the live statistics restored) finds the index cuts the feed's cost by far.
  expect(statement.costAfter!).toBeLessThan(statement.costBefore! / 10);
  expect(statement.savedMs!).toBeGreaterThan(0);
  expect(feed.evidence.some((e) => e.includes('planned on a scratch copy of the table'))).toBe(true);
  // The copy is elsewhere: the live database has the indexes it had.
  expect(await indexes()).toBe(before);
  expect(`${r.stdout}${r.stderr}`).not.toContain(db.target.password);
}, 300_000);

test('without --database-url the same schema and config plan the GIN guess on Post.content (the workload is what withdraws it)', () => {
  const r = bin(['plan', '--schema', BUNDLED_SCHEMA, '--config', GUESS_CONFIG, '--format', 'json']);
  expect(r.code).toBe(0);
  const entries = (JSON.parse(r.stdout) as { entries: EntryJson[] }).entries;
  expect(
    entries.some((e) => e.spec.table === 'Post' && e.spec.method === 'gin' && e.spec.columns[0]?.column === 'content'),
  ).toBe(true);
});

/** The statements of pg_stat_statements in this database that idxgen itself ran (SET, EXPLAIN, its catalog reads). */
async function ownStatements(role?: string): Promise<string[]> {
  const rows = (
    await db.client.query<{ query: string }>(
      `SELECT query FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ($1::text IS NULL OR userid = (SELECT oid FROM pg_roles WHERE rolname = $1))
          AND (query ~* '^(SET|EXPLAIN)' OR query ~ 'pg_stat_user_tables|pg_stats|hypopg|pg_extension')`,
      [role ?? null],
    )
  ).rows;
  return rows.map((r) => r.query.replace(/\s+/g, ' ')).sort();
}

/** A plan as JSON without what moves with the clock (write rates over the statistics' age). */
function planOf(stdout: string): unknown {
  const entries = (JSON.parse(stdout) as { entries: EntryJson[] }).entries;
  return entries.map((e) => [
    e.ruleId,
    e.spec,
    e.workload?.rank,
    e.workload?.statements.map((s) => [s.fingerprint, s.calls, s.costBefore]),
  ]);
}

const workloadCount = (stderr: string): number =>
  Number(/workload: (\d+) statement\(s\) from pg_stat_statements/.exec(stderr)?.[1] ?? NaN);

test("idxgen's own statements are not counted by pg_stat_statements when its role may say so (superuser): nothing to read back", async () => {
  const before = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', url]);
  const after = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', url]);
  expect([before.code, after.code]).toEqual([0, 0]);
  // Only the SET that stops the counting is counted (it runs before it takes effect), and the reader leaves it out.
  expect(await ownStatements()).toEqual(['SET pg_stat_statements.track = $1']);
  expect(workloadCount(after.stderr)).toBe(workloadCount(before.stderr));
  expect(planOf(after.stdout)).toEqual(planOf(before.stdout));
});

test('a role that may not stop the counting: its read-only SETs, EXPLAINs and catalog reads are counted, and never read back as workload', async () => {
  await db.client.query(`DROP ROLE IF EXISTS idxgen_stats; CREATE ROLE idxgen_stats LOGIN PASSWORD 'stats-pw-123'`);
  await db.client.query(
    'GRANT pg_read_all_stats TO idxgen_stats; GRANT SELECT ON ALL TABLES IN SCHEMA public TO idxgen_stats',
  );
  try {
    const reader = url.replace(/\/\/[^@]*@/, '//idxgen_stats:stats-pw-123@');
    const first = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', reader]);
    expect(first.code).toBe(0);
    const own = await ownStatements('idxgen_stats');
    // The session made itself read-only and bounded its statements; its EXPLAINs (GENERIC_PLAN) planned the workload.
    expect(own).toEqual(
      expect.arrayContaining(['SET default_transaction_read_only = $1', 'SET statement_timeout = $1']),
    );
    expect(own.filter((q) => q.startsWith('EXPLAIN (GENERIC_PLAN, FORMAT JSON) SELECT')).length).toBeGreaterThan(0);
    expect(own.some((q) => q.includes('pg_stat_user_tables'))).toBe(true);
    // Read back a second time, they are no workload: the same statements, the same plan.
    const second = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', reader]);
    expect(second.code).toBe(0);
    expect(workloadCount(second.stderr)).toBe(workloadCount(first.stderr));
    expect(workloadCount(second.stderr)).toBe(Object.keys(WORKLOAD).length);
    expect(second.stderr).toMatch(/; \d+ more read only system catalogs or no table \(INSERT, DDL\): left out/);
    expect(planOf(second.stdout)).toEqual(planOf(first.stdout));
  } finally {
    await db.client.query('DROP OWNED BY idxgen_stats; DROP ROLE IF EXISTS idxgen_stats');
  }
});

test("minSavedPercent leaves out the proposals that save a sliver of the workload's time and ranks the rest from 1; 0 keeps them", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-min-saved-'));
  try {
    const plans = [0, 1, 50].map((percent) => {
      const config = path.join(dir, `min-saved-${percent}.json`);
      fs.writeFileSync(
        config,
        JSON.stringify({ rules: { 'workload-index': { options: { minSavedPercent: percent } } } }),
      );
      const r = bin([
        'plan',
        '--schema',
        BUNDLED_SCHEMA,
        '--config',
        config,
        '--format',
        'json',
        '--database-url',
        url,
      ]);
      expect(r.code).toBe(0);
      const parsed = JSON.parse(r.stdout) as { entries: EntryJson[] };
      return {
        stderr: r.stderr,
        judged: parsed.entries.filter((e) => e.workload).map((e) => [e.workload!.rank, e.workload!.savedMs] as const),
      };
    });
    const [all, some, half] = plans;
    const total = all!.judged.reduce((sum, [, ms]) => sum + ms, 0);
    expect(all!.judged.length).toBeGreaterThanOrEqual(2);
    expect(all!.stderr).not.toContain('left out: each saves less than');
    // 50 %: only what saves half of the measured time stays, ranked from 1 again.
    expect(half!.judged.map(([rank]) => rank)).toEqual(half!.judged.map((_, i) => i + 1));
    expect(half!.judged.length).toBeLessThan(all!.judged.length);
    expect(half!.stderr).toMatch(
      /\d+ workload proposal\(s\) left out: each saves less than 50 % of the workload's measured time/,
    );
    expect(some!.judged.length).toBeLessThanOrEqual(all!.judged.length);
    expect(total).toBeGreaterThan(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--database-url without a value reads DATABASE_URL; without DATABASE_URL it is exit 2 naming what is missing', () => {
  const ok = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', 'json', '--database-url', '--top-statements', '10'], {
    DATABASE_URL: url,
  });
  expect(ok.code).toBe(0);
  expect(ok.stderr).toContain('statement(s) from pg_stat_statements');
  const missing = bin(['plan', '--schema', BUNDLED_SCHEMA, '--database-url']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('DATABASE_URL is not set');
  expect(missing.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
});

test('a wrong password is exit 2 without the password or a stack trace', () => {
  const secret = 'Sup3r-Secret-Passw0rd';
  const wrong = url.replace(/:[^:@/]*@/, `:${secret}@`);
  const r = bin(['check', '--schema', BUNDLED_SCHEMA, '--database-url', wrong]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('cannot connect');
  expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
  expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
});

test('a database without pg_stat_statements is exit 2 naming it', async () => {
  await db.client.query('CREATE DATABASE "idxgen_no_pgss"');
  try {
    const other = url.replace(/\/[^/]*$/, '/idxgen_no_pgss');
    const r = bin(['plan', '--schema', BUNDLED_SCHEMA, '--database-url', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pg_stat_statements is not installed in database "idxgen_no_pgss"');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  } finally {
    await db.client.query('DROP DATABASE IF EXISTS "idxgen_no_pgss" WITH (FORCE)');
  }
});

test('markdown and sarif carry the same evidence; generate writes the workload proposals like any other', () => {
  for (const format of ['markdown', 'sarif']) {
    const r = bin(['plan', '--schema', BUNDLED_SCHEMA, '--format', format, '--database-url', url]);
    expect(r.code).toBe(0);
    // Markdown escapes punctuation (`\:`, `\(`): the same words, whatever the escaping.
    const plain = r.stdout.replace(/\\(.)/g, '$1');
    expect(plain).toMatch(
      /query -?\d+ .*150 call\(s\), mean [\d.]+ ms, plan cost [\d.]+ → \? \(not planned with the index\)/,
    );
    expect(plain).toContain('estimated time saved: up to');
    expect(r.stdout).toContain('rank 1 of');
  }
  const gen = bin([
    'generate',
    '--schema',
    BUNDLED_SCHEMA,
    '--dry-run',
    '--timestamp',
    '20260101000000',
    '--only',
    'workload-index',
    '--preview-features',
    '--database-url',
    url,
  ]);
  expect(gen.code).toBe(0);
  expect(gen.stdout).toContain(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_authorId_createdAt_partial_idx" ON "Post" USING btree ("authorId", "createdAt" DESC) WHERE "deletedAt" IS NULL;',
  );
  expect(gen.stdout).toContain('"Message_status_createdAt_idx"');
});

test("a role that may not read other roles' statements is exit 2 naming the grant", async () => {
  await db.client.query(`DROP ROLE IF EXISTS idxgen_reader; CREATE ROLE idxgen_reader LOGIN PASSWORD 'reader-pw-123'`);
  try {
    const reader = url.replace(/\/\/[^@]*@/, '//idxgen_reader:reader-pw-123@');
    const r = bin(['plan', '--schema', BUNDLED_SCHEMA, '--database-url', reader]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GRANT pg_read_all_stats TO "idxgen_reader"');
    expect(r.stderr).not.toContain('reader-pw-123');
  } finally {
    await db.client.query('DROP ROLE IF EXISTS idxgen_reader');
  }
});
