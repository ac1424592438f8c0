#!/usr/bin/env node
/**
 * `plan --database-url` wall time on a generated 100-model schema with 500 distinct statements in
 * pg_stat_statements (target: ≤ 5 s). Embedded PostgreSQL 18 with pg_stat_statements preloaded;
 * tables created by Prisma's own from-empty SQL, a few rows each, five parameterized statements
 * per table. Needs `npm run build`.
 *
 *   node bench/live-workload.mjs [models=100] [statementsPerTable=5] [runs=3]
 */
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The idxgen under test (run.js's snapshot when run from there). */
const CODE = process.env.IDXGEN_BENCH_CODE || ROOT;
const { generateSchema } = require('./gen-schema.js');
const { schemaFromEmptySql } = require(join(CODE, 'dist', 'db', 'schema-engine.js'));
const { Client } = require('pg');
const { startStatementsServer } = require('./lib.js');

const models = Number(process.argv[2] ?? 100);
const perTable = Number(process.argv[3] ?? 5);
const runs = Number(process.argv[4] ?? 3);

const { port, password, root, stop } = await startStatementsServer('idxgen-bench-live-', [
  'pg_stat_statements.max=5000',
]);
try {
  const schema = generateSchema(models, 42);
  const schemaFile = join(root, 'schema.prisma');
  await writeFile(schemaFile, schema);
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: schema }]);
  if (!sql.ok) throw new Error(sql.reason);
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  await client.query('CREATE EXTENSION pg_stat_statements');
  await client.query(sql.value);
  const columns = (
    await client.query(
      `SELECT table_name AS t, array_agg(column_name::text ORDER BY ordinal_position) AS cols FROM information_schema.columns WHERE table_schema = 'public' GROUP BY table_name`,
    )
  ).rows;
  await client.query('SELECT pg_stat_statements_reset()');
  let statements = 0;
  const q = (s) => `"${s.replace(/"/g, '""')}"`;
  for (const { t, cols } of columns) {
    for (let i = 0; i < perTable && i < cols.length; i++) {
      const filter = cols[i];
      const shown = cols[(i + 1) % cols.length];
      // Distinct normalized texts: the filter column and the select list differ per statement.
      await client.query(
        `SELECT ${q(shown)} FROM ${q(t)} WHERE ${q(filter)} = $1 ORDER BY ${q(cols[0])} DESC LIMIT 20`,
        [null],
      );
      statements++;
    }
  }
  await client.end();
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
  // The same plan at other saving thresholds (workload-index minSavedPercent; 0 is off): how many each leaves.
  const thresholdConfig = async (percent) => {
    const file = join(root, `min-saved-${percent}.json`);
    await writeFile(file, JSON.stringify({ rules: { 'workload-index': { options: { minSavedPercent: percent } } } }));
    return file;
  };
  const plan = (extra) => {
    const r = spawnSync(
      process.execPath,
      [
        join(CODE, 'bin', 'idxgen.js'),
        'plan',
        '--schema',
        schemaFile,
        '--format',
        'json',
        '--database-url',
        url,
        '--top-statements',
        '1000',
        '--no-cache',
        ...extra,
      ],
      { encoding: 'utf8', cwd: root, maxBuffer: 512 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`plan exited ${r.status}: ${r.stderr}`);
    return r;
  };
  const times = [];
  let last;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    last = plan([]);
    times.push(performance.now() - started);
  }
  if (process.env.SHOW) process.stderr.write(last.stderr);
  const isWorkload = (e) => e.ruleId === 'workload-index' || e.ruleId === 'brin-index';
  const byThreshold = {};
  for (const percent of [0, 1, 2, 5]) {
    const r = plan(['--config', await thresholdConfig(percent)]);
    byThreshold[percent] = JSON.parse(r.stdout).entries.filter(isWorkload).length;
  }
  const entries = JSON.parse(last.stdout).entries;
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const result = {
    models,
    tables: columns.length,
    statementsRun: statements,
    statementsRead: Number(/workload: (\d+) statement/.exec(last.stderr)?.[1] ?? 0),
    workloadProposals: entries.filter(isWorkload).length,
    workloadProposalsByMinSavedPercent: byThreshold,
    thresholdNote: /\d+ workload proposal\(s\) left out[^\n]*/.exec(last.stderr)?.[0] ?? null,
    wallMs: times.map((t) => Math.round(t)),
    medianMs: Math.round(median),
    targetMs: 5000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await stop();
}
