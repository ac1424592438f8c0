#!/usr/bin/env node
/**
 * The workload-driven plan on "production": the bundled example (prisma/schema.prisma) with 1M rows
 * in each hot table (Post, Message, wallet_transactions), a Prisma-shaped parameterized workload
 * (the statements of __tests__/support/live-workload.ts, plus a ledger read by day and a wallet
 * history the schema already indexes), then `idxgen plan --database-url` through the real binary:
 * the workload proposals, their rank and estimated saving, and the wall time. Then the proposals'
 * own migration SQL is applied and the same workload is run again: the measured saving beside the
 * estimate. Embedded PostgreSQL 18 with pg_stat_statements, no hypopg (so the estimate is the
 * upper bound the output says it is). Loading takes about a minute: bench only, not `npm test`.
 *
 *   node bench/production.mjs [rows=1000000] [runs=3]
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CODE = process.env.IDXGEN_BENCH_CODE || ROOT;
const { schemaFromEmptySql } = require(join(CODE, 'dist', 'db', 'schema-engine.js'));
const { splitStatements } = require(join(CODE, 'dist', 'db', 'split.js'));
// splitStatements reads SQL with PostgreSQL's parser, which loads asynchronously (src/db/split.ts).
await require(join(CODE, 'dist', 'workload', 'sql-parser.js')).sqlParser();
const { Client } = require('pg');
const { startStatementsServer } = require('./lib.js');

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const USERS = 50_000;
const SCHEMA = join(ROOT, 'prisma', 'schema.prisma');
const log = (line) => process.stderr.write(`${line}\n`);

/** The application's statements as Prisma sends them: qualified names, `$n` parameters. */
const WORKLOAD = {
  postFeed: {
    sql: `SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."createdAt" FROM "public"."Post" WHERE ("public"."Post"."authorId" = $1 AND "public"."Post"."deletedAt" IS NULL) ORDER BY "public"."Post"."createdAt" DESC LIMIT $2 OFFSET $3`,
    params: (i) => [`u${1 + ((i * 7919) % USERS)}`, 20, 0],
    calls: 150,
  },
  messageQueue: {
    sql: `SELECT "public"."Message"."id", "public"."Message"."body" FROM "public"."Message" WHERE "public"."Message"."status" = CAST($1::text AS "public"."MessageStatus") ORDER BY "public"."Message"."createdAt" ASC LIMIT $2 OFFSET $3`,
    params: () => ['SENT', 50, 0],
    calls: 20,
  },
  ledgerDay: {
    sql: `SELECT "public"."wallet_transactions"."id", "public"."wallet_transactions"."amount" FROM "public"."wallet_transactions" WHERE ("public"."wallet_transactions"."created_at" >= $1 AND "public"."wallet_transactions"."created_at" < $2) OFFSET $3`,
    params: (i) => [new Date(Date.UTC(2025, 0, 1 + (i % 300))), new Date(Date.UTC(2025, 0, 2 + (i % 300))), 0],
    calls: 30,
  },
  walletHistory: {
    sql: `SELECT "public"."wallet_transactions"."id", "public"."wallet_transactions"."amount" FROM "public"."wallet_transactions" WHERE "public"."wallet_transactions"."wallet_id" = $1 ORDER BY "public"."wallet_transactions"."created_at" DESC LIMIT $2 OFFSET $3`,
    params: (i) => [`w${1 + ((i * 31) % USERS)}`, 20, 0],
    calls: 100,
  },
  gameProfile: {
    sql: `SELECT "public"."GameProfile"."id", "public"."GameProfile"."preferences" FROM "public"."GameProfile" WHERE "public"."GameProfile"."userId" = $1 LIMIT $2 OFFSET $3`,
    params: (i) => [`u${1 + (i % USERS)}`, 1, 0],
    calls: 50,
  },
  userById: {
    sql: `SELECT "public"."User"."id", "public"."User"."email" FROM "public"."User" WHERE "public"."User"."id" = $1 LIMIT $2 OFFSET $3`,
    params: (i) => [`u${1 + (i % USERS)}`, 1, 0],
    calls: 200,
  },
};

async function load(client) {
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: readFileSync(SCHEMA, 'utf8') }]);
  if (!sql.ok) throw new Error(sql.reason);
  await client.query(sql.value);
  await client.query(
    `INSERT INTO "User" (id, email, username, "displayName", "updatedAt")
     SELECT 'u' || g, 'u' || g || '@example.com', 'user' || g, 'Name ' || (g % 997), now() FROM generate_series(1, $1::int) g`,
    [USERS],
  );
  await client.query(
    `INSERT INTO "Post" (id, "authorId", title, content, tags, published, "createdAt", "updatedAt", "deletedAt")
     SELECT 'p' || g, 'u' || (1 + (g::bigint * 7919) % $2::int), 'Post ' || g, '{"blocks": []}'::jsonb, ARRAY['t' || (g % 50)], g % 3 = 0,
            timestamp '2025-01-01' + g * interval '30 seconds', now(), CASE WHEN g % 10 = 0 THEN now() END
       FROM generate_series(1, $1::int) g`,
    [ROWS, USERS],
  );
  await client.query(
    `INSERT INTO "Conversation" (id, "updatedAt") SELECT 'c' || g, now() FROM generate_series(1, 5000) g`,
  );
  await client.query(
    `INSERT INTO "Message" (id, "conversationId", "senderId", body, status, attachments, "createdAt")
     SELECT 'm' || g, 'c' || (1 + g % 5000), 'u' || (1 + g % $2::int), 'hello', (ARRAY['SENT','DELIVERED','READ'])[1 + g % 3]::"MessageStatus",
            '[]'::jsonb, timestamp '2025-01-01' + g * interval '30 seconds'
       FROM generate_series(1, $1::int) g`,
    [ROWS, USERS],
  );
  await client.query(
    `INSERT INTO wallets (id, user_id, updated_at) SELECT 'w' || g, 'u' || g, now() FROM generate_series(1, $1::int) g`,
    [USERS],
  );
  // A ledger: rows only ever appended, in time order.
  await client.query(
    `INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_after, idempotency_key, created_at)
     SELECT 't' || g, 'w' || (1 + (g * 31) % $2::int), 'EARN'::"TransactionType", g % 100, g % 1000, 'k' || g, timestamp '2025-01-01' + g * interval '30 seconds'
       FROM generate_series(1, $1::int) g`,
    [ROWS, USERS],
  );
  await client.query('VACUUM ANALYZE');
}

/** Runs every statement its number of calls; returns the wall time (ms). */
async function runWorkload(client) {
  const started = performance.now();
  for (const query of Object.values(WORKLOAD))
    for (let i = 0; i < query.calls; i++) await client.query(query.sql, query.params(i));
  return performance.now() - started;
}

/** Total execution time (ms) pg_stat_statements measured for each workload statement, by its text. */
async function measured(client) {
  const rows = (
    await client.query(
      `SELECT query, calls::int AS calls, total_exec_time AS total FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )
  ).rows;
  const out = {};
  for (const [name, q] of Object.entries(WORKLOAD)) {
    const row = rows.find((r) => r.query === q.sql);
    out[name] = row ? { calls: row.calls, totalMs: Number(row.total.toFixed(1)) } : null;
  }
  return out;
}

function plan(url, cwd) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      join(CODE, 'bin', 'idxgen.js'),
      'plan',
      '--schema',
      SCHEMA,
      '--format',
      'json',
      '--database-url',
      url,
      '--no-cache',
    ],
    { encoding: 'utf8', cwd, maxBuffer: 256 * 1024 * 1024 },
  );
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`plan exited ${r.status}: ${r.stderr}`);
  return { ms, exit: r.status, entries: JSON.parse(r.stdout).entries, stderr: r.stderr };
}

const { port, password, root, stop } = await startStatementsServer('idxgen-bench-prod-', [
  'max_parallel_workers_per_gather=0',
]);
try {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('CREATE EXTENSION pg_stat_statements');
  let t = performance.now();
  await load(client);
  const loadMs = performance.now() - t;
  log(`loaded ${ROWS.toLocaleString('en-US')} rows in each hot table in ${(loadMs / 1000).toFixed(1)} s`);
  await client.query('SELECT pg_stat_statements_reset()');
  const workloadMs = await runWorkload(client);
  const before = await measured(client);
  log(`workload: ${(workloadMs / 1000).toFixed(1)} s`);
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(plan(url, root));
  const last = runs[runs.length - 1];
  const judged = last.entries.filter((e) => e.workload).sort((a, b) => a.workload.rank - b.workload.rank);
  const proposals = judged.map((e) => ({
    rank: e.workload.rank,
    rule: e.ruleId,
    index: `${e.spec.table} ${e.spec.method} (${e.spec.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' DESC' : ''}`).join(', ')})${e.spec.where ? ' partial' : ''}`,
    declaration: e.declaration.attribute ?? null,
    savedMs: Math.round(e.workload.savedMs),
    method: e.workload.method,
    statements: e.workload.statements.map((s) => ({
      calls: s.calls,
      meanMs: s.meanMs === null || s.meanMs === undefined ? null : Number(s.meanMs.toFixed(2)),
      costBefore: s.costBefore ?? null,
    })),
    size: e.evidence.find((line) => line.startsWith('estimated size:')) ?? null,
  }));
  // Apply the proposals' own migration SQL, then the same workload again: the measured saving.
  t = performance.now();
  for (const entry of judged)
    for (const { up } of entry.sql) for (const s of splitStatements(up)) await client.query(s.sql);
  const buildMs = performance.now() - t;
  await client.query('ANALYZE');
  await client.query('SELECT pg_stat_statements_reset()');
  const workloadAfterMs = await runWorkload(client);
  const after = await measured(client);
  const sizes = (
    await client.query(
      `SELECT c.relname AS name, pg_relation_size(c.oid)::bigint AS bytes FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = ANY($1)`,
      [judged.map((e) => e.name)],
    )
  ).rows;
  await client.end();
  const sum = (m) => Object.values(m).reduce((s, x) => s + (x ? x.totalMs : 0), 0);
  const wall = runs.map((r) => Math.round(r.ms)).sort((a, b) => a - b);
  const result = {
    rows: ROWS,
    loadS: Number((loadMs / 1000).toFixed(1)),
    workloadStatements: Object.keys(WORKLOAD).length,
    workloadCalls: Object.values(WORKLOAD).reduce((s, q) => s + q.calls, 0),
    workloadMs: Math.round(workloadMs),
    planMs: wall,
    planMedianMs: wall[Math.floor(wall.length / 2)],
    planExit: last.exit,
    proposals,
    estimatedSavedMs: Math.round(judged.reduce((s, e) => s + e.workload.savedMs, 0)),
    measuredBeforeMs: Math.round(sum(before)),
    measuredAfterMs: Math.round(sum(after)),
    measuredSavedMs: Math.round(sum(before) - sum(after)),
    perStatement: Object.fromEntries(Object.keys(WORKLOAD).map((k) => [k, { before: before[k], after: after[k] }])),
    indexBytes: Object.fromEntries(sizes.map((r) => [r.name, Number(r.bytes)])),
    buildMs: Math.round(buildMs),
    workloadAfterMs: Math.round(workloadAfterMs),
    notes: last.stderr.trim().split('\n'),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await stop();
}
