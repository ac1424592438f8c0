#!/usr/bin/env node
'use strict';
/**
 * `node bench/scratch-fidelity.js [rows]`: how faithfully the scratch copy (src/verify/scratch-planner.ts)
 * plans. A "live" table of `rows` rows (default 1,000,000) on one embedded server; the scratch
 * planner copies it to a second one (up to 100,000 sampled rows, the live statistics restored);
 * for four query shapes, the planner's cost reduction from a candidate index on each. The live
 * side builds the index in a transaction that is rolled back. Prints one line per shape.
 */
const path = require('node:path');
const dist = (p) => require(path.join(__dirname, '..', 'dist', p));
const { startEmbeddedPostgres } = dist('db/embedded');
const { connect, connectionUrl } = dist('db/client');
const { openLiveSession } = dist('db/live-session');
const { openScratchPlanner } = dist('verify/scratch-planner');

const rows = Number(process.argv[2] ?? 1_000_000);
const col = (c, sort) => ({ field: c, column: c, ...(sort ? { sort } : {}) });
const SHAPES = [
  {
    name: 'feed: author = $1 ORDER BY created DESC LIMIT 10',
    sql: 'SELECT * FROM live WHERE author = $1 ORDER BY created DESC LIMIT 10',
    columns: [col('author'), col('created', 'desc')],
  },
  {
    name: 'queue: status = $1 ORDER BY created LIMIT 50',
    sql: 'SELECT * FROM live WHERE status = $1 ORDER BY created LIMIT 50',
    columns: [col('status'), col('created')],
  },
  {
    name: 'range: created BETWEEN $1 AND $2',
    sql: 'SELECT * FROM live WHERE created > $1 AND created < $2',
    columns: [col('created')],
  },
  { name: 'lookup: title = $1', sql: 'SELECT * FROM live WHERE title = $1', columns: [col('title')] },
];

(async () => {
  const server = await startEmbeddedPostgres();
  const target = { ...server.connection, database: 'postgres' };
  const client = await connect(target);
  let live;
  let scratch;
  try {
    await client.query(`CREATE TYPE st AS ENUM ('open', 'done', 'failed')`);
    await client.query(
      'CREATE TABLE live (id int PRIMARY KEY, author int, created timestamp(3), status st, title text)',
    );
    await client.query(
      `INSERT INTO live SELECT g, g % 5000, timestamp '2024-01-01' + g * interval '1 second',
         (CASE WHEN g % 10 = 0 THEN 'open' WHEN g % 7 = 0 THEN 'failed' ELSE 'done' END)::st, md5(g::text)
       FROM generate_series(1, $1::int) g`,
      [rows],
    );
    await client.query('ANALYZE live');
    live = await openLiveSession(connectionUrl(target), {});
    const started = Date.now();
    scratch = await openScratchPlanner(live, [{ schema: 'public', table: 'live' }]);
    process.stdout.write(`scratch copy ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const explain = async (sql) =>
      (await client.query(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${sql}`)).rows[0]['QUERY PLAN'][0].Plan['Total Cost'];
    for (const shape of SHAPES) {
      const spec = {
        kind: 'index',
        table: 'live',
        schema: 'public',
        columns: shape.columns,
        method: 'btree',
        unique: false,
        include: [],
        extensions: [],
      };
      const liveBefore = await explain(shape.sql);
      await client.query('BEGIN');
      await client.query(
        `CREATE INDEX ON live (${shape.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' DESC' : ''}`).join(', ')})`,
      );
      const liveAfter = await explain(shape.sql);
      await client.query('ROLLBACK');
      const copyBefore = await scratch.planCost(shape.sql, true);
      const copyAfter = await scratch.planCostWith([{ spec, name: 'candidate' }], shape.sql, true);
      const cut = (b, a) => `${(100 * (1 - a / b)).toFixed(1)} %`;
      process.stdout.write(
        `${shape.name}: live ${liveBefore.toFixed(0)} → ${liveAfter.toFixed(1)} (${cut(liveBefore, liveAfter)}), ` +
          `copy ${copyBefore.toFixed(0)} → ${copyAfter.toFixed(1)} (${cut(copyBefore, copyAfter)})\n`,
      );
    }
  } finally {
    await scratch?.close();
    await live?.close();
    await client.end();
    await server.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
