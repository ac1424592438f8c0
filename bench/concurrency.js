'use strict';
/**
 * Part 3, concurrent safety: while a generated migration runs, a second connection (loopback)
 * inserts and updates rows of the same table in a paced, bounded loop; we record every write's
 * latency. The control runs the same change the blocking way: CREATE INDEX without CONCURRENTLY,
 * and a CHECK added in one ALTER TABLE (no NOT VALID). Runs on a copy of the index-gains database
 * taken right after loading, before any migration.
 */
const { dist, median, percentile, round, sleep } = require('./lib');
const { prng } = require('./gen-schema');

const { connect, query } = dist('db/client.js');
const { applyMigrationSql, splitStatements } = dist('db/apply.js');
const { quoteIdent } = dist('sql/quote.js');

const MAX_GROWTH = 16;

/** The plan entries to run, found by rule, table and columns (names may change as idxgen evolves). */
const CASES = [
  { id: 'fk-index', label: 'FK index (btree userId)', rule: 'fk-index', table: 'GamificationEvent', column: 'userId' },
  { id: 'gin', label: 'GIN on tags (text[], @idxgen.gin)', rule: 'array-gin-index', table: 'Post', column: 'tags' },
  {
    id: 'queue',
    label: 'queue index (status, next_attempt_at)',
    rule: 'queue-partial-index',
    table: 'ingest_events',
    column: 'status',
  },
  { id: 'check', label: 'CHECK (attempts >= 0)', rule: 'check-constraint', table: 'ingest_events', column: 'attempts' },
];

function findEntry(c, entries) {
  return entries.find((e) => {
    if (e.ruleId !== c.rule || e.spec.table !== c.table) return false;
    const cols = e.spec.kind === 'check' ? e.spec.columns : e.spec.columns.map((x) => x.column);
    return cols[0] === c.column;
  });
}

/** What the writer does on each table: an INSERT of a new row, an UPDATE of an existing one. */
const WRITES = {
  GamificationEvent: {
    insert: (tag, i) => ({
      sql: `INSERT INTO "GamificationEvent" ("id", "userId", "journey", "type", "payload", "status", "retryCount", "createdAt") VALUES ($1, 'u0000042', 'ACADEMIC', 'xp_awarded', $2::jsonb, 'PENDING', 0, now())`,
      params: [`w${tag}_${i}`, JSON.stringify({ type: 'xp_awarded', points: i % 100, source: 'bench' })],
    }),
    update: (k) => ({
      sql: `UPDATE "GamificationEvent" SET "status" = 'PROCESSED', "processedAt" = now() WHERE "id" = $1`,
      params: [`g${String(k).padStart(8, '0')}`],
    }),
  },
  Post: {
    insert: (tag, i) => ({
      sql: `INSERT INTO "Post" ("id", "authorId", "title", "content", "tags", "published", "createdAt", "updatedAt") VALUES ($1, 'u0000042', 'bench write', '{"type": "text"}', ARRAY['bench', $2], true, now(), now())`,
      params: [`w${tag}_${i}`, `t${i % 50}`],
    }),
    update: (k) => ({
      sql: `UPDATE "Post" SET "tags" = array_append("tags", 'bench'), "updatedAt" = now() WHERE "id" = $1`,
      params: [`p${String(k).padStart(8, '0')}`],
    }),
  },
  ingest_events: {
    insert: (tag, i) => ({
      sql: `INSERT INTO "ingest_events" ("id", "event_id", "user_id", "source", "event_type", "payload", "status", "attempts", "next_attempt_at", "created_at", "updated_at") VALUES ($1, $2, 'u0000042', 'web', 'click', '{"type": "click"}', 'PENDING', 0, now(), now(), now())`,
      params: [`w${tag}_${i}`, `evt_w${tag}_${i}`],
    }),
    update: (k) => ({
      sql: `UPDATE "ingest_events" SET "attempts" = "attempts" + 1, "updated_at" = now() WHERE "id" = $1`,
      params: [`ie${String(k).padStart(8, '0')}`],
    }),
  },
};

/** Doubles a table (new ids) to make a blocking build long enough to see. */
const GROW = {
  GamificationEvent: (k) =>
    `INSERT INTO "GamificationEvent" ("id", "userId", "journey", "type", "payload", "status", "retryCount", "lastError", "createdAt", "processedAt")
     SELECT 'x${k}_' || "id", "userId", "journey", "type", "payload", "status", "retryCount", "lastError", "createdAt", "processedAt" FROM "GamificationEvent" WHERE "id" LIKE 'g%'`,
  Post: (k) =>
    `INSERT INTO "Post" ("id", "authorId", "title", "content", "tags", "published", "createdAt", "updatedAt", "deletedAt")
     SELECT 'x${k}_' || "id", "authorId", "title", "content", "tags", "published", "createdAt", "updatedAt", "deletedAt" FROM "Post" WHERE "id" LIKE 'p%'`,
  ingest_events: (k) =>
    `INSERT INTO "ingest_events" ("id", "event_id", "user_id", "source", "event_type", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at", "updated_at")
     SELECT 'x${k}_' || "id", 'x${k}_' || "event_id", "user_id", "source", "event_type", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at", "updated_at" FROM "ingest_events" WHERE "id" LIKE 'ie%'`,
};

/**
 * A paced writer (one INSERT or UPDATE every `intervalMs`), bounded by `maxMs` and `maxOps`.
 * Returns {stop(), done: Promise<ops[]>}, each op {start, end, ms, kind}.
 */
function startWriter(client, table, { tag, rows, intervalMs = 5, maxMs = 120_000, maxOps = 50_000 }) {
  const w = WRITES[table];
  const rnd = prng(0xbeef + tag.length);
  const ops = [];
  let stopped = false;
  const began = performance.now();
  const done = (async () => {
    let next = performance.now();
    for (let i = 0; !stopped && i < maxOps && performance.now() - began < maxMs; i++) {
      const op = i % 2 === 0 ? w.insert(tag, i) : w.update(1 + Math.floor(rnd() * rows));
      const start = performance.now();
      try {
        await client.query(op.sql, op.params);
      } catch (error) {
        ops.push({
          start,
          end: performance.now(),
          ms: performance.now() - start,
          kind: i % 2 === 0 ? 'insert' : 'update',
          error: String(error.message),
        });
        continue;
      }
      const end = performance.now();
      ops.push({ start, end, ms: end - start, kind: i % 2 === 0 ? 'insert' : 'update' });
      next += intervalMs;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now();
    }
    return ops;
  })();
  return {
    stop() {
      stopped = true;
    },
    done,
  };
}

function statsDuring(ops, from, to) {
  const during = ops.filter((o) => o.end >= from && o.start <= to);
  const before = ops.filter((o) => o.end < from);
  const ms = during.map((o) => o.ms);
  return {
    writes: during.length,
    errors: during.filter((o) => o.error).length,
    p50: round(median(ms), 2),
    p99: round(percentile(ms, 99), 2),
    max: round(Math.max(0, ...ms), 1),
    over100ms: ms.filter((x) => x > 100).length,
    baselineP50: round(median(before.map((o) => o.ms)), 2),
  };
}

const stripComments = (sql) =>
  splitStatements(sql)
    .map((s) => s.sql.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);

/** The generated statements for a case, the blocking control, and how to undo either. */
function caseSql(c, folders, entries) {
  const entry = findEntry(c, entries);
  const mine = entry ? folders.filter((f) => f.entryId === entry.id) : [];
  if (!entry || mine.length === 0) return null;
  const spec = entry.spec;
  const q = quoteIdent;
  if (spec.kind === 'check') {
    return {
      entryId: entry.id,
      table: spec.table,
      idxgen: mine.map((f) => ({ folder: f.name, sql: f.up })),
      control: [`ALTER TABLE ${q(spec.table)} ADD CONSTRAINT ${q(entry.name)} CHECK (${spec.expression})`],
      undo: `ALTER TABLE ${q(spec.table)} DROP CONSTRAINT IF EXISTS ${q(entry.name)}`,
    };
  }
  const statements = mine.flatMap((f) => stripComments(f.up));
  const create = statements.find((s) => /^CREATE (UNIQUE )?INDEX CONCURRENTLY/i.test(s));
  return {
    entryId: entry.id,
    table: spec.table,
    idxgen: mine.map((f) => ({ folder: f.name, sql: f.up })),
    control: [create.replace(/ CONCURRENTLY/i, '')],
    undo: `DROP INDEX IF EXISTS ${q(entry.name)}`,
  };
}

async function runOnce(main, writerClient, c, sqls, variant, ctx) {
  await main.query(sqls.undo);
  const tag = `${c.id}_${variant}_${ctx.rep}`;
  const writer = startWriter(writerClient, sqls.table, { tag, rows: ctx.baseRows });
  await sleep(300);
  const steps = [];
  const from = performance.now();
  if (variant === 'control') {
    for (const sql of sqls.control) {
      const t = performance.now();
      await main.query(sql);
      steps.push({ sql: sql.slice(0, 80), ms: round(performance.now() - t, 0) });
    }
  } else {
    for (const f of sqls.idxgen) {
      const r = await applyMigrationSql(main, f.sql, 'per-statement');
      if (!r.ok) throw new Error(`${f.folder}: ${r.error.code} ${r.error.message}`);
      steps.push({ folder: f.folder, ms: round(r.ms, 0) });
    }
  }
  const to = performance.now();
  await sleep(300);
  writer.stop();
  const ops = await writer.done;
  return { variant, ddlMs: round(to - from, 0), steps, ...statsDuring(ops, from, to) };
}

async function tableRows(client, table) {
  return Number((await query(client, `SELECT count(*)::int AS n FROM ${quoteIdent(table)}`))[0].n);
}

/**
 * @param {{pg: {connection: object}, database: string, folders: object[], entries: object[],
 *          quick: boolean, baseRows: number, log: (s: string) => void}} opts
 */
async function runConcurrency({ pg, database, folders, entries, quick, baseRows, log }) {
  // splitStatements (stripComments) reads SQL with PostgreSQL's parser, which loads asynchronously.
  await dist('workload/sql-parser.js').sqlParser();
  const target = { ...pg.connection, database };
  const main = await connect(target);
  const writerClient = await connect(target);
  const reps = quick ? 1 : 3;
  const minPlainMs = 1000;
  const out = { reps, minPlainMs, cases: [], growth: [] };
  // Every table a case writes to can be grown (WRITES and GROW name the same tables).
  const grownFactor = Object.fromEntries(Object.keys(GROW).map((table) => [table, 1]));
  try {
    for (const c of CASES) {
      const sqls = caseSql(c, folders, entries);
      if (!sqls) {
        out.cases.push({
          id: c.id,
          label: c.label,
          error: `no generated migration for ${c.rule} on ${c.table}.${c.column}`,
        });
        log(`  ${c.id}: no generated migration for ${c.rule} on ${c.table}.${c.column}`);
        continue;
      }
      // Calibrate: the plain build must take >= 1 s or the stall it causes is lost in the noise.
      await main.query(sqls.undo);
      let t = performance.now();
      for (const sql of sqls.control) await main.query(sql);
      let plainMs = performance.now() - t;
      await main.query(sqls.undo);
      // Aim at 1.3 s so the noise of a shared machine does not push the median under 1 s.
      while (!quick && plainMs < 1.3 * minPlainMs && grownFactor[sqls.table] < MAX_GROWTH) {
        const factor = Math.min(
          MAX_GROWTH,
          Math.max(grownFactor[sqls.table] + 1, Math.ceil((grownFactor[sqls.table] * 1.3 * minPlainMs) / plainMs)),
        );
        const g0 = performance.now();
        for (let k = grownFactor[sqls.table]; k < factor; k++) await main.query(GROW[sqls.table](k));
        await main.query(`VACUUM (ANALYZE) ${quoteIdent(sqls.table)}`);
        const growMs = performance.now() - g0;
        grownFactor[sqls.table] = factor;
        t = performance.now();
        for (const sql of sqls.control) await main.query(sql);
        plainMs = performance.now() - t;
        await main.query(sqls.undo);
        out.growth.push({
          table: sqls.table,
          factor,
          rows: await tableRows(main, sqls.table),
          growMs: Math.round(growMs),
          plainMsAfter: Math.round(plainMs),
        });
        log(
          `  grew ${sqls.table} to ${factor}× (${(growMs / 1000).toFixed(1)} s): plain build now ${Math.round(plainMs)} ms`,
        );
      }
      const rows = await tableRows(main, sqls.table);
      const runs = [];
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? ['control', 'idxgen'] : ['idxgen', 'control'];
        for (const variant of order)
          runs.push({ rep, ...(await runOnce(main, writerClient, c, sqls, variant, { rep, baseRows })) });
      }
      const summarize = (variant) => {
        const rs = runs.filter((r) => r.variant === variant);
        return {
          ddlMs: round(median(rs.map((r) => r.ddlMs)), 0),
          maxMs: round(median(rs.map((r) => r.max)), 1),
          maxOfRunsMs: round(Math.max(...rs.map((r) => r.max)), 1),
          p99Ms: round(median(rs.map((r) => r.p99)), 2),
          p50Ms: round(median(rs.map((r) => r.p50)), 2),
          writes: round(median(rs.map((r) => r.writes)), 0),
          over100ms: rs.reduce((s, r) => s + r.over100ms, 0),
          errors: rs.reduce((s, r) => s + r.errors, 0),
          baselineP50Ms: round(median(rs.map((r) => r.baselineP50)), 2),
        };
      };
      const row = {
        id: c.id,
        label: c.label,
        entryId: sqls.entryId,
        table: sqls.table,
        rows,
        folders: sqls.idxgen.map((f) => f.folder),
        controlSql: sqls.control,
        idxgen: summarize('idxgen'),
        control: summarize('control'),
        runs,
      };
      out.cases.push(row);
      log(
        `  ${c.id.padEnd(8)} ${rows.toLocaleString('en-US').padStart(10)} rows  idxgen: ${row.idxgen.ddlMs} ms, write max ${row.idxgen.maxMs} ms p99 ${row.idxgen.p99Ms} ms  |  control: ${row.control.ddlMs} ms, write max ${row.control.maxMs} ms p99 ${row.control.p99Ms} ms`,
      );
    }
  } finally {
    await writerClient.end().catch(() => undefined);
    await main.end().catch(() => undefined);
  }
  return out;
}

module.exports = { runConcurrency, CASES };
