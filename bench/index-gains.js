'use strict';
/**
 * Part 2, what the indexes buy: the bundled example on embedded PostgreSQL, filled with realistic
 * skewed data (bench/data.js) before any FK index exists; each proposal's target query timed
 * before and after applying the migrations `idxgen generate --include-info --preview-features --allow-drift`
 * wrote, folder by folder, statement by statement (like Prisma >= 7.4).
 */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, CODE, dist, median, measureNode, round } = require('./lib');
const { loadExampleData, QUERY_VALUES, FK_ORDER_RULES } = require('./data');

const { loadSchema } = dist('schema/load.js');
const { readSchemaFiles } = dist('io/read-schema.js');
const { schemaFromEmptySql } = dist('db/schema-engine.js');
const { createScratchDatabase, connect, query } = dist('db/client.js');
const { applyMigrationSql } = dist('db/apply.js');
const { requiredExtensions } = dist('model/extensions.js');
const { quoteIdent } = dist('sql/quote.js');

const IDXGEN_BIN = path.join(CODE, 'bin', 'idxgen.js');
const EXAMPLE = path.join(ROOT, 'prisma', 'schema.prisma');
const TIMESTAMP = '20260101000000';

/**
 * The plan entry a migration folder carries: the one whose index or constraint its statements (the
 * lines that are not comments) name. Migration headers no longer name the entry's id.
 */
function entryOf(up, entries) {
  const statements = up
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n');
  return entries.find((entry) => statements.includes(`"${entry.name}"`));
}

/** `idxgen plan --format json` + `idxgen generate` on a copy of the example (generate edits the schema). */
async function generateMigrations(work) {
  const dir = path.join(work, 'example');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const schema = path.join(dir, 'schema.prisma');
  fs.copyFileSync(EXAMPLE, schema);
  const plan = await measureNode([IDXGEN_BIN, 'plan', '--schema', EXAMPLE, '--format', 'json']);
  if (plan.code !== 0 && plan.code !== 1) throw new Error(`idxgen plan failed (exit ${plan.code}): ${plan.stderr}`);
  const entries = JSON.parse(plan.stdout).entries;
  const migrations = path.join(dir, 'migrations');
  const args = [
    IDXGEN_BIN,
    'generate',
    '--schema',
    schema,
    '--migrations',
    migrations,
    '--timestamp',
    TIMESTAMP,
    '--include-info',
    '--preview-features',
    // The covering index on Post (INCLUDE, which Prisma cannot declare) is the FK + ORDER BY shape measured.
    '--allow-drift',
  ];
  const gen = await measureNode(args);
  if (gen.code !== 0) throw new Error(`idxgen generate failed (exit ${gen.code}): ${gen.stderr || gen.stdout}`);
  const folders = fs
    .readdirSync(migrations)
    .filter((f) => fs.statSync(path.join(migrations, f)).isDirectory())
    .sort()
    .map((name) => {
      const up = fs.readFileSync(path.join(migrations, name, 'migration.sql'), 'utf8');
      const downFile = path.join(migrations, name, 'down.sql');
      return {
        name,
        up,
        down: fs.existsSync(downFile) ? fs.readFileSync(downFile, 'utf8') : null,
        rule: /^-- Rule: (\S+)/m.exec(up)?.[1] ?? null,
        entryId: entryOf(up, entries)?.id ?? null,
      };
    });
  return {
    entries,
    folders,
    migrationsDir: migrations,
    command: `idxgen ${args
      .slice(1)
      .map((a) => (a.startsWith('/') ? path.relative(work, a) : a))
      .join(' ')}`,
    skipped: /skipped \d+:[\s\S]*?(?=\nnext:|$)/.exec(gen.stdout)?.[0] ?? null,
  };
}

/** "Limit → Index Scan using X" from an EXPLAIN (FORMAT JSON) plan. */
function planShape(node) {
  const parts = [];
  (function walk(n) {
    let s = n['Node Type'];
    if (n['Node Type'] === 'ModifyTable') s = `${n.Operation}`;
    if (n['Index Name']) s += ` using ${n['Index Name']}`;
    else if (n['Relation Name'] && /Scan/.test(n['Node Type'])) s += ` on ${n['Relation Name']}`;
    parts.push(s);
    for (const c of n.Plans ?? []) walk(c);
  })(node);
  return parts.join(' → ');
}

const USER_FKS = new Set([
  'Post.authorId',
  'Comment.authorId',
  'Message.senderId',
  'GamificationEvent.userId',
  'ingest_events.user_id',
]);
const FIXED_VALUES = { 'GamificationEvent.status': 'RETRY' };
const JSON_VALUES = {
  'GamificationEvent.payload': QUERY_VALUES.rareGameType,
  'Post.content': QUERY_VALUES.rarePostType,
  'Message.attachments': QUERY_VALUES.rareAttachment,
  'ingest_events.payload': { json: { type: 'purchase' }, share: 0.05 },
};

/** The query each proposal serves, with concrete values from the loaded data. */
async function buildQueries(client, entries, folders, loaded, ctx) {
  const q = quoteIdent;
  const sampleCache = new Map();
  const valueFor = async (table, column) => {
    const key = `${table}.${column}`;
    if (FIXED_VALUES[key] !== undefined) return FIXED_VALUES[key];
    if (USER_FKS.has(key)) return ctx.typicalUser;
    if (!sampleCache.has(key)) {
      // A deterministic row a third of the way into the rows that have a value.
      const rows = await query(
        client,
        `SELECT ${q(column)}::text AS v FROM ${q(table)} WHERE ${q(column)} IS NOT NULL OFFSET (SELECT count(*) / 3 FROM ${q(table)} WHERE ${q(column)} IS NOT NULL) LIMIT 1`,
      );
      sampleCache.set(key, rows[0]?.v ?? null);
    }
    return sampleCache.get(key);
  };
  const byEntry = new Map();
  for (const f of folders) if (f.entryId) byEntry.set(f.entryId, [...(byEntry.get(f.entryId) ?? []), f.name]);

  const out = [];
  for (const entry of entries) {
    const spec = entry.spec;
    const table = spec.table;
    const generated = byEntry.get(entry.id) ?? [];
    const base = { entryId: entry.id, rule: entry.ruleId, table, name: entry.name, folders: generated };
    if (generated.length === 0) {
      out.push({ ...base, skip: 'not generated (see generate’s "skipped")' });
      continue;
    }
    if (!loaded.has(table)) {
      out.push({ ...base, skip: 'table not loaded' });
      continue;
    }
    if (spec.kind === 'check') {
      out.push({ ...base, skip: 'CHECK constraint: guards writes, no read query' });
      continue;
    }
    const cols = (spec.kind === 'drop-index' ? spec.recreate.columns : spec.columns).map((c) => c.column);
    const eq = async (columns) => {
      const params = [];
      const parts = [];
      for (const c of columns) {
        params.push(await valueFor(table, c));
        parts.push(`${q(c)} = $${params.length}`);
      }
      return { where: parts.join(' AND '), params };
    };
    let sql;
    let params = [];
    let note = null;
    switch (entry.ruleId) {
      case 'fk-index':
      case 'unique-key':
      case 'redundant-index': {
        const e = await eq(cols);
        sql = `SELECT * FROM ${q(table)} WHERE ${e.where}`;
        params = e.params;
        break;
      }
      case 'fk-composite-index':
      case 'covering-index': {
        const last = spec.columns[spec.columns.length - 1];
        const e = await eq(cols.slice(0, -1));
        // The newest rows first (an index in ascending order serves it backwards).
        sql = `SELECT * FROM ${q(table)} WHERE ${e.where} ORDER BY ${q(last.column)}${last.sort === 'asc' ? '' : ' DESC'} LIMIT 20`;
        params = e.params;
        break;
      }
      case 'soft-delete-partial-index': {
        const e = await eq(cols);
        sql = `SELECT * FROM ${q(table)} WHERE ${e.where} AND ${spec.where}`;
        params = e.params;
        break;
      }
      case 'queue-partial-index': {
        const due = cols[cols.length - 1];
        // The waiting rows: the index's predicate, or (an index led by the status column) its pending values.
        const waiting = spec.where ?? `${q(cols[0])} IN ('PENDING', 'RETRY')`;
        sql = `SELECT * FROM ${q(table)} WHERE ${waiting} AND ${q(due)} <= now() ORDER BY ${q(due)} LIMIT 50`;
        break;
      }
      case 'json-gin-index': {
        const v = JSON_VALUES[`${table}.${cols[0]}`];
        if (!v) {
          out.push({ ...base, skip: 'no query value for this column' });
          continue;
        }
        sql = `SELECT * FROM ${q(table)} WHERE ${q(cols[0])} @> $1::jsonb`;
        params = [JSON.stringify(v.json)];
        note = `value matches ~${(v.share * 100).toFixed(1)}% of rows`;
        break;
      }
      case 'array-gin-index':
        sql = `SELECT * FROM ${q(table)} WHERE ${q(cols[0])} @> ARRAY[$1]::text[]`;
        params = [QUERY_VALUES.rareTag];
        break;
      case 'trigram-index':
        sql = `SELECT * FROM ${q(table)} WHERE ${q(cols[0])} ILIKE $1`;
        params = [`%${QUERY_VALUES.rareWord}%`];
        break;
      default:
        out.push({ ...base, skip: `no query for rule ${entry.ruleId}` });
        continue;
    }
    out.push({ ...base, sql, params, note });
  }

  // Extras: the same shapes with other values, and the write an unindexed FK slows down most.
  const post = out.find((x) => FK_ORDER_RULES.has(x.rule) && x.table === 'Post' && x.sql);
  if (post)
    out.push({
      ...post,
      entryId: `${post.entryId} (heavy author)`,
      params: [QUERY_VALUES.heavyUser],
      note: 'one of the 10 heaviest authors',
      extra: true,
    });
  const game = out.find((x) => x.rule === 'json-gin-index' && x.table === 'GamificationEvent' && x.sql);
  if (game)
    out.push({
      ...game,
      entryId: `${game.entryId} (common type)`,
      params: [JSON.stringify(QUERY_VALUES.commonGameType.json)],
      note: `value matches ~${QUERY_VALUES.commonGameType.share * 100}% of rows`,
      extra: true,
    });
  out.push({
    entryId: 'DELETE one user (ON DELETE CASCADE into Post, Comment, Message, GamificationEvent, …)',
    rule: 'fk-index (cascade)',
    table: 'User',
    sql: 'DELETE FROM "User" WHERE "id" = $1',
    params: [ctx.typicalUser],
    inTransaction: true,
    note: 'in a transaction rolled back after each run',
    extra: true,
  });
  return out;
}

async function timeOne(client, item) {
  if (!item.inTransaction) {
    const t = performance.now();
    const r = await client.query(item.sql, item.params);
    return { ms: performance.now() - t, rows: r.rowCount };
  }
  await client.query('BEGIN');
  try {
    const t = performance.now();
    const r = await client.query(item.sql, item.params);
    return { ms: performance.now() - t, rows: r.rowCount };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** EXPLAIN ANALYZE (no per-node timing): the plan shape, server-side execution time, buffers. */
async function explainAnalyze(client, item) {
  const run = async () => {
    const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${item.sql}`, item.params);
    return r.rows[0]['QUERY PLAN'][0];
  };
  let plan;
  if (item.inTransaction) {
    await client.query('BEGIN');
    try {
      plan = await run();
    } finally {
      await client.query('ROLLBACK');
    }
  } else {
    plan = await run();
  }
  return {
    shape: planShape(plan.Plan),
    serverMs: plan['Execution Time'],
    buffers: (plan.Plan['Shared Hit Blocks'] ?? 0) + (plan.Plan['Shared Read Blocks'] ?? 0),
  };
}

/**
 * Warm-up, then timed runs on the client (fewer when a run takes seconds), then one
 * EXPLAIN ANALYZE for the plan and the server-side time (same cache state).
 */
async function measureQuery(client, item, reps) {
  const first = await timeOne(client, item);
  const n = first.ms > 300 ? 2 : first.ms > 100 ? Math.min(5, reps) : reps;
  const times = [];
  let rows = first.rows;
  for (let i = 0; i < n; i++) {
    const r = await timeOne(client, item);
    times.push(r.ms);
    rows = r.rows;
  }
  const ex = await explainAnalyze(client, item);
  return { ms: median(times), runs: times.length, rows, plan: ex.shape, serverMs: ex.serverMs, buffers: ex.buffers };
}

async function typicalUser(client) {
  // The author with the median number of posts among everyone who posted.
  const rows = await query(
    client,
    `SELECT "authorId" AS id, n FROM (SELECT "authorId", count(*) AS n FROM "Post" GROUP BY 1) s
     ORDER BY n, "authorId" OFFSET (SELECT count(DISTINCT "authorId") / 2 FROM "Post") LIMIT 1`,
  );
  return { id: rows[0].id, posts: Number(rows[0].n) };
}

/**
 * @param {{pg: {connection: object}, quick: boolean, work: string, log: (s: string) => void,
 *          beforeMigrations?: (db: {name: string, target: object}) => Promise<void>}} opts
 */
async function runIndexGains({ pg, quick, work, log, beforeMigrations }) {
  const n = quick ? 100_000 : 1_000_000;
  const reps = quick ? 5 : 7;
  const gen = await generateMigrations(work);
  log(
    `index gains: ${gen.folders.length} migration folders generated; loading ${n.toLocaleString('en-US')} rows per main table`,
  );

  const loadedSchema = loadSchema(readSchemaFiles([EXAMPLE], '/'));
  const fromEmpty = await schemaFromEmptySql(loadedSchema.validated);
  if (!fromEmpty.ok) throw new Error(`schema engine: ${fromEmpty.reason ?? fromEmpty.kind}`);
  const extensions = requiredExtensions(loadedSchema.model)
    .map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)};`)
    .join('\n');

  const db = await createScratchDatabase(pg.connection, 'bench_gains', { strategy: 'FILE_COPY' });
  const result = {
    rowsPerMainTable: n,
    reps,
    command: gen.command,
    folders: gen.folders.length,
    skippedByGenerate: gen.skipped,
  };
  try {
    const applied = await applyMigrationSql(db.target, `${extensions}\n${fromEmpty.value}`, 'per-statement');
    if (!applied.ok) throw new Error(`base schema did not apply: ${applied.error.message}`);
    let client = await connect(db.target);
    const t0 = performance.now();
    const load = await loadExampleData(client, n, log);
    result.load = { ...load, totalMs: Math.round(performance.now() - t0) };
    const loaded = new Map(load.timings.map((t) => [t.table, t.rows]));
    const user = await typicalUser(client);
    result.typicalUser = user;
    log(`  typical author ${user.id} (${user.posts} posts); heavy author ${QUERY_VALUES.heavyUser}`);

    if (beforeMigrations) {
      await client.end();
      await beforeMigrations(db);
      client = await connect(db.target);
    }

    const queries = await buildQueries(client, gen.entries, gen.folders, loaded, { typicalUser: user.id });
    const measured = queries.filter((x) => x.sql);
    log(`  before: ${measured.length} queries`);
    for (const item of measured) item.before = await measureQuery(client, item, reps);

    const applyLog = [];
    const t1 = performance.now();
    for (const f of gen.folders) {
      const r = await applyMigrationSql(client, f.up, 'per-statement');
      applyLog.push({
        folder: f.name,
        rule: f.rule,
        ms: Math.round(r.ms),
        ok: r.ok,
        error: r.ok ? null : `${r.error.code} ${r.error.message}`,
      });
      if (!r.ok) log(`  migration ${f.name} FAILED: ${r.error.code} ${r.error.message}`);
    }
    result.apply = {
      totalMs: Math.round(performance.now() - t1),
      failed: applyLog.filter((a) => !a.ok).length,
      folders: applyLog,
    };
    log(
      `  applied ${gen.folders.length} folders in ${(result.apply.totalMs / 1000).toFixed(1)} s (${result.apply.failed} failed)`,
    );

    log(`  after: ${measured.length} queries`);
    for (const item of measured) item.after = await measureQuery(client, item, reps);

    await client.end();

    result.queries = queries.map((x) => ({
      entryId: x.entryId,
      rule: x.rule,
      table: x.table,
      folders: x.folders,
      extra: Boolean(x.extra),
      skip: x.skip ?? null,
      sql: x.sql ?? null,
      params: x.params ?? null,
      note: x.note ?? null,
      before: x.before
        ? {
            ms: round(x.before.ms, 3),
            serverMs: round(x.before.serverMs, 3),
            buffers: x.before.buffers,
            rows: x.before.rows,
            runs: x.before.runs,
            plan: x.before.plan,
          }
        : null,
      after: x.after
        ? {
            ms: round(x.after.ms, 3),
            serverMs: round(x.after.serverMs, 3),
            buffers: x.after.buffers,
            rows: x.after.rows,
            runs: x.after.runs,
            plan: x.after.plan,
          }
        : null,
      speedup: x.before && x.after ? round(x.before.ms / x.after.ms, 1) : null,
      serverSpeedup: x.before && x.after ? round(x.before.serverMs / x.after.serverMs, 1) : null,
    }));
    for (const x of result.queries.filter((y) => y.speedup !== null)) {
      log(
        `  ${x.entryId.slice(0, 70).padEnd(70)} ${x.before.ms.toFixed(2).padStart(9)} → ${x.after.ms.toFixed(2).padStart(8)} ms  ${String(x.speedup).padStart(7)}×  (server ${x.serverSpeedup}×)`,
      );
    }
  } finally {
    await db.drop();
  }
  return { result, folders: gen.folders, entries: gen.entries };
}

module.exports = { runIndexGains, generateMigrations, planShape };
