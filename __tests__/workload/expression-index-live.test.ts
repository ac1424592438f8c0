/**
 * Expression indexes from the live workload, end to end on the embedded PostgreSQL 18 with
 * pg_stat_statements, through the real binary:
 *   - `lower(email) = $1` (pg_stat_statements) → plan proposes a btree on lower("email"), judged
 *     by the planner on a scratch copy; generate writes it only with --allow-drift (Prisma cannot
 *     declare it); the migration builds on PostgreSQL and EXPLAIN then uses the index; down.sql drops it;
 *   - `to_tsvector('english', title) @@ to_tsquery(...)` from a --queries .sql file → a GIN index on
 *     exactly that expression, used by the planner once built;
 *   - an index the database already has on the expression serves it: no second one is proposed;
 *   - Prisma's `to_tsvector(concat_ws(' ', title))` (no configuration) and pg_stat_statements'
 *     `to_tsvector($1, title)` get a hint, never a CREATE INDEX.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from 'pg';
import { connectionUrl } from '../../src/db/client';
import { testDatabase } from '../support/pg';
import { FIXTURE, SEARCH, bin, loadExpressionWorkload } from '../support/expression-workload';

const db = testDatabase('expression_index');
const existing = testDatabase('expression_index_existing');

interface EntryJson {
  ruleId: string;
  name: string;
  spec: { table: string; method: string; columns: { column: string; expression?: unknown }[] };
  evidence: string[];
  declaration: { kind: string; drift?: boolean; reason?: string };
  sql: { up: string; down: string }[];
}

function plan(url: string, extra: string[] = []): { entries: EntryJson[]; stderr: string } {
  const r = bin(['plan', '--schema', FIXTURE, '--format', 'json', '--database-url', url, ...extra]);
  if (r.code !== 0) throw new Error(`plan exited ${r.code}: ${r.stderr}`);
  const entries = (JSON.parse(r.stdout) as { entries: EntryJson[] }).entries.filter(
    (e) => e.ruleId === 'workload-index',
  );
  return { entries, stderr: r.stderr };
}

async function explain(client: Client, sql: string, params: unknown[] = []): Promise<string> {
  const rows = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows;
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** The statements of a migration file, run one by one (CONCURRENTLY refuses a transaction). */
async function apply(client: Client, file: string): Promise<void> {
  const text = fs.readFileSync(file, 'utf8');
  for (const statement of text.split('\n').filter((l) => /^(CREATE|DROP|SET|RESET)/.test(l)))
    await client.query(statement);
}

beforeAll(async () => {
  await loadExpressionWorkload(db.client);
  await loadExpressionWorkload(existing.client);
  await existing.client.query(`CREATE INDEX "by_lower_email" ON "Account" (lower(email))`);
  await existing.client.query(`CREATE INDEX "title_search" ON "Article" USING gin (to_tsvector('english', title))`);
}, 300_000);

test('lower(email) = $1 from pg_stat_statements: a btree on lower("email"), drift only with --allow-drift, built and used by the planner', async () => {
  const url = connectionUrl(db.target);
  const { entries, stderr } = plan(url);
  expect(entries.map((e) => `${e.spec.table} ${e.spec.method} ${e.name}`)).toEqual([
    'Account btree Account_lower_email_idx',
  ]);
  const lower = entries[0]!;
  expect(lower.spec.columns).toEqual([
    {
      column: 'email',
      field: 'email',
      sort: null,
      opclass: null,
      prismaOps: null,
      expression: { fn: 'lower', column: 'email' },
    },
  ]);
  expect(lower.declaration).toMatchObject({ kind: 'none', drift: true });
  expect(lower.declaration.reason).toContain('Prisma cannot declare an index on an expression (lower("email"))');
  expect(lower.sql.map((s) => s.up).join('\n')).toContain(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Account_lower_email_idx" ON "Account" USING btree (lower("email"));',
  );
  // Judged by the planner (no hypopg in embedded PostgreSQL: on a scratch copy).
  expect(lower.evidence.some((e) => e.startsWith('estimated time saved: ') && e.includes('scratch copy'))).toBe(true);
  // pg_stat_statements normalized the configuration of to_tsvector('english', ...) to $1, and
  // Prisma's search has none: hints, no index.
  expect(stderr).toContain(
    `"Article"."title": to_tsvector("title") has no text search configuration (the form Prisma's fullTextSearchPostgres writes)`,
  );
  expect(stderr).toContain(
    `"Article"."title": to_tsvector(?, "title") has its text search configuration as a parameter`,
  );
  expect(stderr).toContain(`GIN index on to_tsvector('english'::regconfig, "title")`);

  // The text plan shows the drift warning, as for INCLUDE.
  const text = bin(['plan', '--schema', FIXTURE, '--verbose', '--database-url', url]);
  expect(text.code).toBe(0);
  expect(text.stdout.replace(/\s+/g, ' ')).toContain(
    'DRIFT: Prisma cannot declare an index on an expression (lower("email"))',
  );

  // generate: skipped without --allow-drift, written with it (and a loud warning).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-expr-'));
  try {
    fs.mkdirSync(path.join(dir, 'prisma'));
    fs.copyFileSync(FIXTURE, path.join(dir, 'prisma', 'schema.prisma'));
    const args = ['generate', '--timestamp', '20260101000000', '--only', 'workload-index', '--database-url', url];
    const refused = bin(args, dir);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/Prisma cannot declare an index on an expression.*--allow-drift/);
    expect(fs.existsSync(path.join(dir, 'prisma', 'migrations'))).toBe(false);
    const written = bin([...args, '--allow-drift'], dir);
    expect(written.code).toBe(0);
    expect(written.stderr).toMatch(/^WARNING: --allow-drift wrote 1 index that Prisma cannot declare/m);
    const folders = fs.readdirSync(path.join(dir, 'prisma', 'migrations')).filter((f) => /^\d/.test(f));
    expect(folders).toHaveLength(1);
    const folder = path.join(dir, 'prisma', 'migrations', folders[0]!);
    expect(fs.readFileSync(path.join(dir, 'prisma', 'schema.prisma'), 'utf8')).toBe(fs.readFileSync(FIXTURE, 'utf8'));

    const query = `SELECT "id" FROM "Account" WHERE lower("email") = 'user7@example.com'`;
    expect(await explain(db.client, query)).not.toContain('Account_lower_email_idx');
    await apply(db.client, path.join(folder, 'migration.sql'));
    await db.client.query('ANALYZE "Account"'); // the expression's statistics
    expect(await explain(db.client, query)).toMatch(/Index Scan using "?Account_lower_email_idx"?/);
    expect((await db.client.query(query)).rows).toEqual([{ id: 7 }]);
    await apply(db.client, path.join(folder, 'down.sql'));
    const left = await db.client.query(`SELECT 1 FROM pg_class WHERE relname = 'Account_lower_email_idx'`);
    expect(left.rowCount).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);

/**
 * plan with the application's search given as a .sql file, as its log has it (five calls):
 * pg_stat_statements lost its configuration (`to_tsvector($2, ...)`), the file has it. A .sql file
 * measures no time, so its saving is no share of the measured time: every proposal is kept.
 */
function planWithSearch(url: string): { entries: EntryJson[]; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-expr-'));
  try {
    const file = path.join(dir, 'search.sql');
    fs.writeFileSync(file, `${SEARCH};\n`.repeat(5));
    const config = path.join(dir, 'keep-all.json');
    fs.writeFileSync(config, JSON.stringify({ rules: { 'workload-index': { options: { minSavedPercent: 0 } } } }));
    return plan(url, ['--queries', file, '--config', config]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("to_tsvector('english', title) @@ from a --queries .sql file: a GIN index on exactly that expression, used once built", async () => {
  const { entries } = planWithSearch(connectionUrl(db.target));
  const gin = entries.find((e) => e.spec.table === 'Article');
  expect(gin?.spec.method).toBe('gin');
  expect(gin?.name).toBe('Article_to_tsvector_title_idx');
  const up = gin!.sql.map((s) => s.up).join('\n');
  expect(up).toContain(
    `CREATE INDEX CONCURRENTLY IF NOT EXISTS "Article_to_tsvector_title_idx" ON "Article" USING gin (to_tsvector('english'::regconfig, "title"));`,
  );
  expect(await explain(db.client, SEARCH)).not.toContain('Article_to_tsvector_title_idx');
  for (const statement of up.split('\n').filter((l) => /^(CREATE|SET|RESET)/.test(l))) await db.client.query(statement);
  await db.client.query('ANALYZE "Article"');
  expect(await explain(db.client, SEARCH)).toMatch(/Bitmap Index Scan on "?Article_to_tsvector_title_idx"?/);
  const down = gin!.sql.map((s) => s.down).join('\n');
  for (const statement of down.split('\n').filter((l) => /^(DROP|SET|RESET)/.test(l))) await db.client.query(statement);
}, 240_000);

test('indexes the database already has on the same expressions serve the reads: nothing proposed', () => {
  // The same inputs as above (and as the first test's pg_stat_statements reads) on a database
  // that has an index on lower(email) and one on to_tsvector('english', title).
  expect(planWithSearch(connectionUrl(existing.target)).entries).toEqual([]);
}, 240_000);
