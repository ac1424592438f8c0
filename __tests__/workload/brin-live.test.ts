/**
 * brin-index on the embedded PostgreSQL 18 with pg_stat_statements: an append-only table of
 * 250,000 rows inserted in time order, ANALYZEd, read by time ranges, gets a BRIN index from
 * `plan --database-url` (through the real binary); the same table with its rows shuffled gets the
 * btree instead. The generated SQL builds on PostgreSQL, and both size estimates are checked
 * against the indexes PostgreSQL actually builds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Client } from 'pg';
import { connectionUrl } from '../../src/db/client';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { testDatabase } from '../support/pg';
import { REPO } from '../support/live-workload';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const SCHEMA = path.join(REPO, '__tests__', 'fixtures', 'workload', 'brin', 'schema.prisma');
const ROWS = 250_000;
const ordered = testDatabase('brin_ordered');
const shuffled = testDatabase('brin_shuffled');

const RANGE_READ = `SELECT "public"."Event"."id", "public"."Event"."kind" FROM "public"."Event" WHERE ("public"."Event"."createdAt" >= $1 AND "public"."Event"."createdAt" < $2) OFFSET $3`;

function bin(argv: string[]): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: REPO, encoding: 'utf8', env, timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function load(client: Client, order: 'time' | 'random'): Promise<void> {
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: fs.readFileSync(SCHEMA, 'utf8') }]);
  if (!sql.ok) throw new Error(sql.reason);
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.query(sql.value);
  await client.query(
    `INSERT INTO "Event" (id, kind, payload, "createdAt")
     SELECT g, 'kind' || (g % 7), repeat('x', 60), timestamp '2026-01-01' + g * interval '10 seconds'
       FROM generate_series(1, $1::int) g ORDER BY ${order === 'time' ? 'g' : 'md5(g::text)'}`,
    [ROWS],
  );
  await client.query('ANALYZE "Event"');
  // A month of history read by day: the range reads the application makes.
  for (let day = 0; day < 25; day++) {
    await client.query(RANGE_READ, [new Date(Date.UTC(2026, 0, 1 + day)), new Date(Date.UTC(2026, 0, 2 + day)), 0]);
  }
  // The insert counts reach pg_stat_user_tables when the session flushes them.
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
}

interface EntryJson {
  ruleId: string;
  severity: string;
  spec: { table: string; method: string; columns: { column: string }[] };
  evidence: string[];
  declaration: { kind: string; attribute?: string };
  sql: { up: string }[];
  satisfies?: { ruleId: string }[];
}

function plan(url: string): EntryJson[] {
  const r = bin(['plan', '--schema', SCHEMA, '--format', 'json', '--database-url', url]);
  if (r.code !== 0) throw new Error(`plan exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { entries: EntryJson[] }).entries.filter((e) => e.spec.table === 'Event');
}

beforeAll(async () => {
  await load(ordered.client, 'time');
  await load(shuffled.client, 'random');
}, 300_000);

test('rows inserted in time order and read by ranges: a BRIN index, both sizes estimated, the SQL builds and the estimates hold', async () => {
  const entries = plan(connectionUrl(ordered.target));
  expect(
    entries.map(
      (e) => `${e.ruleId} ${e.severity} ${e.spec.method} (${e.spec.columns.map((c) => c.column).join(', ')})`,
    ),
  ).toEqual(['brin-index warn brin (createdAt)']);
  const brin = entries[0]!;
  expect(brin.declaration.attribute).toBe('@@index([createdAt], map: "Event_createdAt_idx", type: Brin)');
  expect(brin.evidence.some((e) => /^pg_stats\.correlation of "createdAt" is (0\.9\d\d|1\.000)/.test(e))).toBe(true);
  expect(brin.evidence).toContain(
    `append-only: ${ROWS.toLocaleString('en-US')} inserts, 0 updates, 0 deletes since the statistics were reset (0.00 %)`,
  );
  expect(
    brin.evidence.some(
      (e) => e.startsWith('query ') && e.includes('25 call(s), ranges on "createdAt" >=, "createdAt" <'),
    ),
  ).toBe(true);
  // The workload-index btree for the same reads is merged into it; the measured time ranks it.
  if (process.env.IDXGEN_SHOW) process.stderr.write(`${brin.evidence.join('\n')}\n`);
  expect(brin.evidence.some((e) => e.startsWith('estimated time saved: '))).toBe(true);
  const estimate = /estimated size: btree ([\d.]+) MB \(.*\), BRIN (\d+) kB/.exec(
    brin.evidence.find((e) => e.startsWith('estimated size:'))!,
  );
  expect(estimate).not.toBeNull();

  // The generated statement builds a BRIN index on PostgreSQL; compare its size and a btree's with the estimates.
  const up = brin.sql.map((s) => s.up).join('\n');
  expect(up).toContain(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_createdAt_idx" ON "Event" USING brin ("createdAt");',
  );
  for (const statement of up.split('\n').filter((l) => /^(CREATE|SET|RESET)/.test(l)))
    await ordered.client.query(statement);
  await ordered.client.query('CREATE INDEX "Event_createdAt_btree" ON "Event" ("createdAt")');
  const sizes = (
    await ordered.client.query<{ brin: string; btree: string; method: string }>(
      `SELECT pg_relation_size('"Event_createdAt_idx"')::text AS brin, pg_relation_size('"Event_createdAt_btree"')::text AS btree,
            (SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relname = 'Event_createdAt_idx') AS method`,
    )
  ).rows[0]!;
  expect(sizes.method).toBe('brin');
  const btreeMb = Number(sizes.btree) / 1024 / 1024;
  expect(Math.abs(Number(estimate![1]) - btreeMb) / btreeMb).toBeLessThan(0.1);
  expect(Number(estimate![2]) * 1024).toBe(Number(sizes.brin));
  if (process.env.IDXGEN_SHOW)
    process.stderr.write(
      `btree est ${estimate![1]} MB, real ${btreeMb.toFixed(2)} MB; brin est ${estimate![2]} kB, real ${Number(sizes.brin) / 1024} kB\n`,
    );
}, 120_000);

test('the same rows in shuffled order: no BRIN (the column is scattered on disk), the btree instead', () => {
  const entries = plan(connectionUrl(shuffled.target));
  expect(
    entries.map((e) => `${e.ruleId} ${e.spec.method} (${e.spec.columns.map((c) => c.column).join(', ')})`),
  ).toEqual(['workload-index btree (createdAt)']);
}, 120_000);
