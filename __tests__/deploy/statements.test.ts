import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { displayRelation, folderShape, regclassOf } from '../../src/deploy/statements';
import { DEPLOY_TEMPLATE_NAMES, deploySql } from '../../src/render/deploy';
import { templatesDir } from '../../src/render/templates';
import { eventText, progressLine } from '../../src/deploy/render';
import { phasePercent } from '../../src/deploy/monitor';
import { sqlParser } from '../../src/workload/sql-parser';

// Statements are read by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

const FILE = 'f/migration.sql';
/** The one statement of `sql`, as deploy reads it. */
const what = (sql: string) => {
  const shape = folderShape(sql, FILE);
  expect(shape.problems).toEqual([]);
  expect(shape.statements).toHaveLength(1);
  return shape.statements[0]!.what;
};
const rel = (name: string, schema: string | null = null) => ({ schema, name });
const build = (index: string | null, table: { schema: string | null; name: string }, over = {}) => ({
  kind: 'build-index',
  concurrently: true,
  unique: false,
  index,
  table,
  only: false,
  ...over,
});

describe('statements are read from the parse tree', () => {
  test.each([
    ['CREATE INDEX CONCURRENTLY IF NOT EXISTS "a_b_idx" ON "a" USING btree ("b")', build('a_b_idx', rel('a'))],
    [
      'create unique index concurrently a_key on only public.a (x)',
      build('a_key', rel('a', 'public'), { unique: true, only: true }),
    ],
    ['CREATE INDEX ON "s"."t" ((lower(x)))', build(null, rel('t', 's'), { concurrently: false })],
    ['/* c */ CREATE INDEX CONCURRENTLY "x" ON -- c\n "we""ird" (a)', build('x', rel('we"ird'))],
    // Comments between the words (the word reader skipped them too; the parser never sees them).
    ['CREATE /* UNIQUE */ INDEX -- CONCURRENTLY\n "i" ON "t" (a)', build('i', rel('t'), { concurrently: false })],
    // Unquoted names fold to lower case, as PostgreSQL folds them.
    ['CREATE INDEX CONCURRENTLY I ON Public.Item (v)', build('i', rel('item', 'public'))],
    // A U&"..." name: the word reader took the table to be `U`.
    ['CREATE INDEX CONCURRENTLY "i" ON U&"t\\0061b" (x)', build('i', rel('tab'))],
    // Dots, quotes and letters outside ASCII inside quoted names; a schema-qualified name.
    ['CREATE INDEX CONCURRENTLY "ix.1" ON "my schema"."Tä""b.le表" (x)', build('ix.1', rel('Tä"b.le表', 'my schema'))],
    [
      'ALTER TABLE "t" DROP CONSTRAINT IF EXISTS "c", ADD CONSTRAINT "c" CHECK ("n" >= 0) NOT VALID',
      { kind: 'strong-lock', table: rel('t'), actions: ['drop-constraint', 'add-constraint-not-valid'] },
    ],
    [
      'ALTER TABLE ONLY p ATTACH PARTITION p1 FOR VALUES IN (1)',
      { kind: 'strong-lock', table: rel('p'), actions: ['attach-partition'] },
    ],
    [
      'ALTER TABLE IF EXISTS ONLY "s"."t" DROP CONSTRAINT "c"',
      { kind: 'strong-lock', table: rel('t', 's'), actions: ['drop-constraint'] },
    ],
    // Several actions: the word reader looked only at the first one, or at the last two words.
    [
      'ALTER TABLE "t" VALIDATE CONSTRAINT "a", DROP CONSTRAINT "b"',
      { kind: 'strong-lock', table: rel('t'), actions: ['drop-constraint'] },
    ],
    [
      'ALTER TABLE "t" ADD CONSTRAINT "a" CHECK (x > 0) NOT VALID, ADD CONSTRAINT "b" CHECK (y > 0)',
      { kind: 'strong-lock', table: rel('t'), actions: ['add-constraint-not-valid'] },
    ],
    // `--` and `/*` inside a string: the word reader took them for comments and lost NOT VALID.
    [
      'ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (s <> \'--\') NOT VALID',
      { kind: 'strong-lock', table: rel('t'), actions: ['add-constraint-not-valid'] },
    ],
    [
      'ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (s <> \'/*\') NOT VALID',
      { kind: 'strong-lock', table: rel('t'), actions: ['add-constraint-not-valid'] },
    ],
    // A boolean column named `valid`: the last two words are NOT VALID, the constraint is validated.
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (NOT valid)', { kind: 'other' }],
    // NOT VALID inside a comment at the end is no NOT VALID.
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (x > 0) /* NOT VALID */', { kind: 'other' }],
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (x > 0) -- NOT VALID', { kind: 'other' }],
    ["SET lock_timeout = '5s'", { kind: 'session-setting' }],
    ["/* x */ set local statement_timeout = '1min'", { kind: 'session-setting' }],
    ['RESET ALL', { kind: 'session-setting' }],
    ['ALTER TABLE "t" VALIDATE CONSTRAINT "c"', { kind: 'other' }],
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (x > 0)', { kind: 'other' }],
    [
      'CREATE INDEX IF NOT EXISTS "p_idx" ON ONLY "p" USING btree ("x")',
      build('p_idx', rel('p'), { concurrently: false, only: true }),
    ],
    [
      'ALTER INDEX "p_idx" ATTACH PARTITION "s"."p1_idx"',
      { kind: 'attach-index', index: rel('p_idx'), partition: rel('p1_idx', 's') },
    ],
    ['ALTER INDEX "p_idx" RENAME TO "q_idx"', { kind: 'other' }],
    ['CREATE TABLE "index" (id int)', { kind: 'other' }],
    ["SELECT set_config('lock_timeout', '1s', false)", { kind: 'other' }],
  ])('%s', (sql, expected) => {
    expect(what(sql)).toEqual(expected);
  });
});

test('names reach to_regclass quoted part by part, and messages show them as PostgreSQL would', () => {
  expect(regclassOf(rel('Tä"b.le表', 'my schema'))).toBe('"my schema"."Tä""b.le表"');
  expect(regclassOf(rel('a;b'))).toBe('"a;b"');
  expect(displayRelation(rel('item', 'public'))).toBe('public.item');
  expect(displayRelation(rel('we"ird'))).toBe('"we""ird"');
});

test('a folder is read as Prisma sends it: cut at every ";", each piece parsed', () => {
  const setThenBuild = folderShape(
    '-- header\nSET lock_timeout = \'1s\';\nCREATE INDEX CONCURRENTLY "i" ON "t" (a);\n',
    FILE,
  );
  expect(setThenBuild.atomic).toBe(true);
  expect(setThenBuild.statements.map((s) => s.line)).toEqual([2, 3]);
  const two = folderShape('CREATE TABLE "u" (id int);\nCREATE INDEX CONCURRENTLY "i" ON "u" (id);\n', FILE);
  expect(two.atomic).toBe(false);
  expect(two.builds.map((b) => b.index)).toEqual(['i']);
  // The whole file does not parse (the comment swallows the rest of line 1), but each piece Prisma sends does.
  const swallowed = folderShape('SELECT 1 -- x; CREATE TABLE "a" (\n  "id" int);\n', FILE);
  expect(swallowed.problems).toEqual([]);
  expect(swallowed.statements.map((s) => s.sql)).toEqual(['SELECT 1 -- x', 'CREATE TABLE "a" (\n  "id" int)']);
  expect(swallowed.atomic).toBe(false);
});

test('a piece PostgreSQL would reject is a problem at file:line:col, and says why', () => {
  const line2 = 'CREATE INDEX CONCURRENTLY "i" ON "t" (a); -- see notes; rebuild later';
  const cut = folderShape(`-- Build it\n${line2}\n`, FILE);
  expect(cut.problems).toHaveLength(1);
  expect(cut.problems[0]).toMatchObject({ file: FILE, line: 2, column: line2.indexOf('rebuild') + 1 });
  expect(cut.problems[0]!.message).toMatch(
    /^PostgreSQL cannot parse this statement as Prisma sends it: syntax error at or near "rebuild"\. The file parses as a whole, but .* cuts it at every ";"/,
  );
  const body = folderShape('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n', FILE);
  expect(body.problems.map((p) => [p.line, p.column])).toEqual([
    [1, 36],
    [1, 49],
  ]);
  const broken = folderShape('CREATE TABLE "t" (id int;\n', FILE);
  expect(broken.problems).toEqual([
    {
      file: FILE,
      line: 1,
      column: 25,
      message:
        'PostgreSQL cannot parse this statement as Prisma sends it: syntax error at end of input. Prisma would run the statements before it, then leave the folder failed. Nothing was applied: fix the statement, then run idxgen deploy again.',
    },
  ]);
});

test('every templates/deploy file is listed and renders', () => {
  const files = readdirSync(join(templatesDir(), 'deploy'))
    .filter((f) => f.endsWith('.sql.hbs'))
    .map((f) => f.slice(0, -'.sql.hbs'.length))
    .sort();
  expect([...DEPLOY_TEMPLATE_NAMES].sort()).toEqual(files);
  expect(deploySql('duplicate-keys', { table: '"t"', keys: ['a', 'lower(b)'], predicate: 'c > 0' })).toBe(
    'SELECT count(*)::float8 AS duplicate_keys\n  FROM (SELECT 1\n          FROM "t"\n         WHERE (a) IS NOT NULL AND (lower(b)) IS NOT NULL AND (c > 0)\n         GROUP BY (a), (lower(b))\n        HAVING count(*) > 1) AS d',
  );
});

test('percent follows the counter the phase advances', () => {
  const zero = { blocksDone: 0, blocksTotal: 0, tuplesDone: 0, tuplesTotal: 0, lockersDone: 0, lockersTotal: 0 };
  expect(phasePercent({ ...zero, blocksDone: 25, blocksTotal: 200, tuplesDone: 1, tuplesTotal: 2 })).toBe(12.5);
  expect(phasePercent({ ...zero, tuplesDone: 1, tuplesTotal: 3 })).toBe(33.3);
  expect(phasePercent({ ...zero, lockersDone: 1, lockersTotal: 2 })).toBe(50);
  expect(phasePercent(zero)).toBeNull();
});

test('text lines name the blocker and the summary gives the next command', () => {
  const build = {
    pid: 7,
    table: 'item',
    index: 'item_v_idx',
    command: 'CREATE INDEX CONCURRENTLY',
    phase: 'waiting for writers before build',
    blocksDone: 0,
    blocksTotal: 0,
    tuplesDone: 0,
    tuplesTotal: 0,
    lockersDone: 0,
    lockersTotal: 1,
    currentLockerPid: 9,
    percent: 0,
    blockedBy: [{ pid: 9, application: 'psql', state: 'idle in transaction', ageSeconds: 312, queryStart: null }],
    runningSeconds: 4.2,
    waitEvent: 'Lock:virtualxid',
  };
  expect(progressLine('f1', build)).toBe(
    'f1: pid 7 item_v_idx on item: waiting for writers before build 0.0% (blocks 0/0, tuples 0/0, lockers 0/1, 4.2 s); waiting for pid 9, application "psql", idle in transaction, open 312 s',
  );
  expect(eventText({ event: 'summary', outcome: 'failed', folders: [], state: 'S', next: 'idxgen deploy' })).toBe(
    'Deploy stopped.\nState: S\nNext: idxgen deploy',
  );
});

test('the plan says when PostgreSQL has no row estimate instead of printing 0 rows', () => {
  const text = eventText({
    event: 'plan',
    pending: [
      {
        folder: 'f',
        atomic: true,
        strongLocks: [],
        builds: [
          {
            index: 'i',
            table: 't',
            unique: false,
            tableBytes: 52 * 1024 * 1024,
            rowEstimate: null,
            expectedSeconds: 1,
          },
        ],
      },
    ],
    oldTransactions: [],
    oldTransactionSeconds: 60,
    buildRateMBps: 50,
    invalidIndexes: [],
  });
  expect(text).toBe(
    '1 pending folder:\n  f\n    index i on t: table 52.0 MB, rows unknown (never analyzed), expected ~1 s at 50 MB/s',
  );
});

test("an INVALID index left: a failed build is dropped CONCURRENTLY; a partitioned table's index is finished by attaching, which CONCURRENTLY cannot drop", () => {
  expect(eventText({ event: 'invalid-index-left', index: 'public.i', table: 't', partitioned: false })).toBe(
    'INVALID index left in the database: public.i on t. Drop it: DROP INDEX CONCURRENTLY IF EXISTS public.i;',
  );
  const partitioned = eventText({ event: 'invalid-index-left', index: 'public.p_idx', table: 'p', partitioned: true });
  expect(partitioned).toContain('valid once each partition has an index attached to it');
  expect(partitioned).toContain('ALTER INDEX public.p_idx ATTACH PARTITION');
  expect(partitioned).not.toContain('DROP INDEX CONCURRENTLY');
});
