/**
 * `--queries` with SQL: a `.sql` file and the JSON lines Prisma Client writes with
 * `log: [{ emit: 'event', level: 'query' }]`, read with the real PostgreSQL parser into the same
 * workload as recorded shapes. And `check` without these flags never loads the parser.
 */
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATASOURCE, REPO, runCli, tempProject } from '../support/cli';

const SCHEMA = `${DATASOURCE}
generator client {
  provider = "prisma-client-js"
}

model Ticket {
  id        Int      @id
  teamId    Int
  state     String
  priority  Int
  createdAt DateTime
  meta      Json
}
`;

let project: { dir: string; cleanup: () => void } | undefined;
afterEach(() => project?.cleanup());

interface Entry {
  ruleId: string;
  spec: { table: string; method: string; columns: { column: string; sort?: string }[] };
  evidence: string[];
}

function workloadEntries(stdout: string): Entry[] {
  return (JSON.parse(stdout) as { entries: Entry[] }).entries.filter((e) => e.ruleId === 'workload-index');
}

test('a .sql file: each statement is a read; equal statements are merged and counted', async () => {
  project = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'queries.sql': [
      `SELECT * FROM "Ticket" WHERE "teamId" = 7 ORDER BY "createdAt" DESC LIMIT 20;`,
      `SELECT * FROM "Ticket" WHERE "teamId" = 8 ORDER BY "createdAt" DESC LIMIT 20;`,
      `-- a comment between statements`,
      `SELECT id FROM "Ticket" WHERE "teamId" = $1 AND priority > $2;`,
    ].join('\n'),
  });
  const r = await runCli(['plan', '--format', 'json', '--queries', 'queries.sql'], project.dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const entries = workloadEntries(r.stdout);
  // "teamId" = 7 is a constant in a .sql file: a predicate, as Prisma's literal filters are.
  expect(
    entries.map((e) => e.spec.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' desc' : ''}`).join(', ')).sort(),
  ).toEqual(['createdAt desc', 'teamId, priority']);
  const sorted = entries.find((e) => e.spec.columns[0]!.column === 'createdAt')!;
  expect(
    sorted.evidence.some((e) =>
      /^query [0-9a-f]+ \(sql-file\) "SELECT \* FROM "Ticket" WHERE "teamId" = 7 .*": 2 call\(s\)/.test(e),
    ),
  ).toBe(true);
});

test("Prisma Client's query events: calls and mean duration per statement", async () => {
  const event = (query: string, duration: number) =>
    JSON.stringify({
      timestamp: '2026-12-06T10:00:00.000Z',
      query,
      params: '[1,20,0]',
      duration,
      target: 'quaint::connector::metrics',
    });
  const feed = `SELECT "public"."Ticket"."id" FROM "public"."Ticket" WHERE "public"."Ticket"."teamId" = $1 ORDER BY "public"."Ticket"."priority" DESC LIMIT $2 OFFSET $3`;
  project = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'prisma-queries.jsonl': [event(feed, 12), event(feed, 8), event('SELECT 1', 0)].join('\n') + '\n',
  });
  const r = await runCli(['plan', '--format', 'json', '--queries', 'prisma-queries.jsonl'], project.dir);
  expect(r.code).toBe(0);
  const [entry] = workloadEntries(r.stdout);
  expect(entry!.spec.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' desc' : ''}`)).toEqual([
    'teamId',
    'priority desc',
  ]);
  expect(
    entry!.evidence.some((e) => e.includes('(prisma-log)') && e.includes('2 call(s), mean 10.0 ms, total 20.0 ms')),
  ).toBe(true);
});

test('SQL PostgreSQL rejects is bad input with file and line, exit 2', async () => {
  project = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'bad.jsonl': `${JSON.stringify({ query: 'SELECT 1', duration: 1 })}\n${JSON.stringify({ query: 'SELEC oops', duration: 1 })}\n`,
    'bad.sql': 'SELECT * FROM "Ticket" WHERE;',
  });
  const log = await runCli(['plan', '--queries', 'bad.jsonl'], project.dir);
  expect(log.code).toBe(2);
  expect(log.stderr).toMatch(/^bad\.jsonl:2:1: .*syntax error/m);
  const sql = await runCli(['plan', '--queries', 'bad.sql'], project.dir);
  expect(sql.code).toBe(2);
  expect(sql.stderr).toMatch(/^bad\.sql: not SQL PostgreSQL accepts: syntax error/m);
});

test('check without --queries / --database-url never loads the SQL parser (or pg); with a .sql file it does', () => {
  project = tempProject({ 'prisma/schema.prisma': SCHEMA, 'q.sql': 'SELECT 1 FROM "Ticket" WHERE "teamId" = $1;' });
  const probe = (args: string[]) => {
    const script = `
      const { main } = require(${JSON.stringify(path.join(REPO, 'dist', 'cli', 'main.js'))});
      const io = { cwd: process.cwd(), stdout() {}, stderr() {}, env: { NO_COLOR: '1', IDXGEN_NO_CACHE: '1' }, isTTY: false, now: () => new Date() };
      main(${JSON.stringify(args)}, io).then((code) => {
        const loaded = Object.keys(require.cache);
        console.log(JSON.stringify({ code, parser: loaded.some((f) => f.includes('libpg-query')), pg: loaded.some((f) => /node_modules\\/pg\\//.test(f)) }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: project!.dir, encoding: 'utf8' });
    return JSON.parse(r.stdout) as { code: number; parser: boolean; pg: boolean };
  };
  expect(probe(['check', '--no-cache'])).toEqual({ code: 0, parser: false, pg: false });
  expect(probe(['check', '--no-cache', '--level', 'warn', '--queries', 'q.sql'])).toMatchObject({ parser: true });
});

test('a new index that makes a declared one redundant comes as a pair: create, then drop (in the plan and in generated folders)', async () => {
  project = tempProject({
    'prisma/schema.prisma': SCHEMA.replace('  meta      Json\n', '  meta      Json\n\n  @@index([teamId])\n'),
    'q.sql': `SELECT id FROM "Ticket" WHERE "teamId" = $1 ORDER BY "createdAt" DESC LIMIT 20;\n`,
  });
  const r = await runCli(['plan', '--format', 'json', '--queries', 'q.sql'], project.dir);
  expect(r.code).toBe(0);
  const entries = (
    JSON.parse(r.stdout) as { entries: { ruleId: string; name: string; spec: { kind: string; coveredBy?: string } }[] }
  ).entries.filter((e) => e.ruleId === 'workload-index');
  expect(entries.map((e) => [e.spec.kind, e.name])).toEqual([
    ['index', 'Ticket_teamId_createdAt_idx'],
    ['drop-index', 'Ticket_teamId_idx'],
  ]);
  expect(entries[1]!.spec.coveredBy).toBe('Ticket_teamId_createdAt_idx');
  const gen = await runCli(
    ['generate', '--dry-run', '--timestamp', '20260101000000', '--only', 'workload-index', '--queries', 'q.sql'],
    project.dir,
  );
  expect(gen.code).toBe(0);
  const create = gen.stdout.indexOf('CREATE INDEX CONCURRENTLY IF NOT EXISTS "Ticket_teamId_createdAt_idx"');
  const drop = gen.stdout.indexOf('DROP INDEX CONCURRENTLY IF EXISTS "Ticket_teamId_idx"');
  expect(create).toBeGreaterThan(-1);
  expect(drop).toBeGreaterThan(create);
});

describe("Prisma's validator while the workload is read", () => {
  const SQL = 'SELECT * FROM "Ticket" WHERE "teamId" = 7 ORDER BY "createdAt" DESC LIMIT 20;\n';
  const INVALID = SCHEMA.replace('  meta      Json\n', '  meta      Json\n  mood      Mood\n');

  test('on a worker or in this thread, the same plan', async () => {
    const runs = [];
    for (const worker of ['0', '1']) {
      project = tempProject({ 'prisma/schema.prisma': SCHEMA, 'q.sql': SQL });
      runs.push(
        await runCli(['plan', '--queries', 'q.sql', '--format', 'json', '--no-cache'], project.dir, {
          IDXGEN_VALIDATOR_WORKER: worker,
        }),
      );
      project.cleanup();
      project = undefined;
    }
    expect(runs[0]!.code).toBe(0);
    expect(JSON.parse(runs[0]!.stdout).entries.length).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
  });

  test("an invalid schema is Prisma's error (file:line:col, exit 2), not the database's, and the password never shows", async () => {
    for (const worker of ['0', '1']) {
      project = tempProject({ 'prisma/schema.prisma': INVALID });
      // Nothing listens on port 1: without the schema error first, this would be a connection error.
      const r = await runCli(
        ['plan', '--database-url', 'postgresql://someone:s3cret-pw@127.0.0.1:1/app', '--no-cache'],
        project.dir,
        { IDXGEN_VALIDATOR_WORKER: worker },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/prisma\/schema\.prisma:\d+:\d+.*Mood/);
      expect(r.stderr).not.toMatch(/ECONNREFUSED|connect/i);
      expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
      project.cleanup();
      project = undefined;
    }
  });
});
