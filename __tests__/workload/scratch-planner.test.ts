/**
 * The scratch copy that plans the workload's proposals when the live server has no hypopg: a
 * table with hostile names, an enum, an array, a domain and a unique index, copied from the
 * embedded "live" database to a second embedded server; planned before → after with a real index
 * there, and nothing written to the live database.
 */
import { connectionUrl } from '../../src/db/client';
import { openLiveSession, type LiveSession } from '../../src/db/live-session';
import type { IndexSpec } from '../../src/rules/types';
import { openScratchPlanner, qualifiedTables, type ScratchPlanner } from '../../src/verify/scratch-planner';
import { quoteIdent } from '../../src/sql/quote';
import { testDatabase } from '../support/pg';

const db = testDatabase('scratch_planner');
const TABLE = 'we"ird;table';
const SCHEMA = 'sch ema';
let live: LiveSession;
let scratch: ScratchPlanner;

beforeAll(async () => {
  await db.client.query(`
    CREATE SCHEMA "sch ema";
    CREATE TYPE "sch ema"."St""atus" AS ENUM ('open', 'it''s done');
    CREATE DOMAIN "sch ema".positive AS integer CHECK (VALUE > 0);
    CREATE TABLE "sch ema"."we""ird;table" (
      id integer PRIMARY KEY,
      "owner;id" integer NOT NULL,
      "created At" timestamp(3) NOT NULL,
      status "sch ema"."St""atus" NOT NULL,
      tags text[],
      score "sch ema".positive,
      email text UNIQUE
    );
    INSERT INTO "sch ema"."we""ird;table"
      SELECT g, g % 2000, timestamp '2024-01-01' + g * interval '1 minute',
             (CASE WHEN g % 20 = 0 THEN 'open' ELSE 'it''s done' END)::"sch ema"."St""atus",
             ARRAY['a' || (g % 7)], 1 + g % 50, 'user' || g || '@example.com'
        FROM generate_series(1, 200000) g;
    ANALYZE "sch ema"."we""ird;table";
  `);
  live = await openLiveSession(connectionUrl(db.target), {});
  scratch = await openScratchPlanner(live, [{ schema: SCHEMA, table: TABLE }]);
}, 300_000);

afterAll(async () => {
  await scratch?.close();
  await live?.close();
});

const feed = `SELECT * FROM "sch ema"."we""ird;table" WHERE "owner;id" = $1 ORDER BY "created At" DESC LIMIT 20`;
const candidate: IndexSpec = {
  kind: 'index',
  table: TABLE,
  schema: SCHEMA,
  columns: [
    { field: 'ownerId', column: 'owner;id' },
    { field: 'createdAt', column: 'created At', sort: 'desc' },
  ],
  method: 'btree',
  unique: false,
  include: [],
  extensions: [],
};

/** The live server's own before → after, with the index built in a transaction that is rolled back. */
async function liveRatio(): Promise<number> {
  const cost = async () =>
    (await db.client.query(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${feed}`)).rows[0]['QUERY PLAN'][0].Plan[
      'Total Cost'
    ] as number;
  const before = await cost();
  await db.client.query('BEGIN');
  try {
    await db.client.query(`CREATE INDEX ON "sch ema"."we""ird;table" ("owner;id", "created At" DESC)`);
    return 1 - (await cost()) / before;
  } finally {
    await db.client.query('ROLLBACK');
  }
}

test('the copy plans like the live server: the same cost reduction for the candidate index', async () => {
  const liveBefore = await live.planCost(feed, true);
  const before = await scratch.planCost(feed, true);
  const after = await scratch.planCostWith([{ spec: candidate, name: 'feed_idx' }], feed, true);
  expect(1 - after / before).toBeGreaterThan(0.9);
  expect(Math.abs(1 - after / before - (await liveRatio()))).toBeLessThan(0.05);
  // The copy holds at most SCRATCH_ROWS rows: its "before" is smaller than the live one, the same order.
  expect(before).toBeLessThan(liveBefore);
  expect(before).toBeGreaterThan(liveBefore / 10);
  // Asked again without the index, the copy has dropped it.
  expect(await scratch.planCost(feed, true)).toBeCloseTo(before, 5);
});

test('the live indexes are on the copy: a lookup by the unique email is cheap before any candidate', async () => {
  const cost = await scratch.planCost(`SELECT id FROM "sch ema"."we""ird;table" WHERE email = $1`, true);
  expect(cost).toBeLessThan(20);
});

test('a type the copy cannot make is said, the enum with a quote in a label is copied', () => {
  expect(scratch.notes.join('\n')).toContain('score have a type the copy cannot make');
  expect(scratch.notes[0]).toMatch(/planned on a scratch copy of 1 table\(s\) \(an embedded PostgreSQL, 100,000 rows/);
  expect(scratch.notes.join('\n')).not.toContain('status');
});

test('nothing was written to the live database', async () => {
  const indexes = await db.client.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'sch ema' ORDER BY 1`);
  expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).toEqual([
    'we"ird;table_email_key',
    'we"ird;table_pkey',
  ]);
  expect(scratch.notes.join('\n')).not.toContain(db.target.password);
});

test('an unqualified table gets the schema the live server resolves it to, whatever the search_path spells', async () => {
  // A schema named after the role comes first ("$user"), and a quoted schema name holds a comma:
  // the table is found where PostgreSQL finds it, not in the first schema of the path.
  const role = (await db.client.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
  await db.client.query(`CREATE SCHEMA ${quoteIdent(role)}`);
  await db.client.query(`ALTER DATABASE ${quoteIdent(db.name)} SET search_path = "$user", "a,b", "sch ema", public`);
  const session = await openLiveSession(connectionUrl(db.target), {});
  try {
    expect(session.server.searchPath).toBe('"$user", "a,b", "sch ema", public');
    expect(
      await qualifiedTables(session, [
        { schema: undefined, table: TABLE },
        { schema: undefined, table: 'no such table' },
        { schema: 'elsewhere', table: TABLE },
      ]),
    ).toEqual([
      { schema: SCHEMA, table: TABLE },
      { schema: role, table: 'no such table' },
      { schema: 'elsewhere', table: TABLE },
    ]);
  } finally {
    await session.close();
    await db.client.query(`ALTER DATABASE ${quoteIdent(db.name)} RESET search_path`);
  }
});
