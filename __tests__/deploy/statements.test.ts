import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifyStatement, folderShape } from '../../src/deploy/statements';
import { DEPLOY_TEMPLATE_NAMES, deploySql } from '../../src/render/deploy';
import { templatesDir } from '../../src/render/templates';
import { eventText, progressLine } from '../../src/deploy/render';
import { phasePercent } from '../../src/deploy/monitor';
import { sqlParser } from '../../src/workload/sql-parser';

// Statements are delimited by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

describe('classifyStatement', () => {
  test.each([
    [
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "a_b_idx" ON "a" USING btree ("b")',
      { kind: 'build-index', concurrently: true, unique: false, index: '"a_b_idx"', table: '"a"' },
    ],
    [
      'create unique index concurrently a_key on only public.a (x)',
      { kind: 'build-index', concurrently: true, unique: true, index: 'a_key', table: 'public.a' },
    ],
    [
      'CREATE INDEX ON "s"."t" ((lower(x)))',
      { kind: 'build-index', concurrently: false, unique: false, index: null, table: '"s"."t"' },
    ],
    [
      '/* c */ CREATE INDEX CONCURRENTLY "x" ON -- c\n "we""ird" (a)',
      { kind: 'build-index', concurrently: true, unique: false, index: '"x"', table: '"we""ird"' },
    ],
    [
      'ALTER TABLE "t" DROP CONSTRAINT IF EXISTS "c", ADD CONSTRAINT "c" CHECK ("n" >= 0) NOT VALID',
      { kind: 'strong-lock', table: '"t"', action: 'add-constraint-not-valid' },
    ],
    [
      'ALTER TABLE ONLY p ATTACH PARTITION p1 FOR VALUES IN (1)',
      { kind: 'strong-lock', table: 'p', action: 'attach-partition' },
    ],
    ['ALTER TABLE IF EXISTS "t" DROP CONSTRAINT "c"', { kind: 'strong-lock', table: '"t"', action: 'drop-constraint' }],
    ["SET lock_timeout = '5s'", { kind: 'session-setting' }],
    ['ALTER TABLE "t" VALIDATE CONSTRAINT "c"', { kind: 'other' }],
    ['ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (x > 0)', { kind: 'other' }],
    ['CREATE TABLE "index" (id int)', { kind: 'other' }],
  ])('%s', (sql, expected) => {
    expect(classifyStatement(sql)).toEqual(expected);
  });
});

test('a folder is atomic when it holds one statement besides SET/RESET', () => {
  expect(folderShape('-- header\nSET lock_timeout = \'1s\';\nCREATE INDEX CONCURRENTLY "i" ON "t" (a);\n').atomic).toBe(
    true,
  );
  const two = folderShape('CREATE TABLE "u" (id int);\nCREATE INDEX CONCURRENTLY "i" ON "u" (id);\n');
  expect(two.atomic).toBe(false);
  expect(two.builds.map((b) => b.index)).toEqual(['"i"']);
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
