/**
 * The NOT VALID step of a CHECK constraint needs ACCESS EXCLUSIVE. Behind a session that holds any
 * lock on the table it would wait without limit, and every later SELECT on the table would queue
 * behind it. idxgen's migration.sql bounds that wait with SET lock_timeout ... RESET. Proven here on
 * real PostgreSQL, under both ways Prisma sends a file (statement by statement, Prisma >= 7.4, also
 * split on every ";" like adapter-pg, and as one query string = one implicit transaction, older
 * engines), and through Prisma's own migration engine (WASM, 7.10).
 */
import type { Client } from 'pg';
import { applyMigrationSql, type ApplyMode, type ApplyResult } from '../../src/db/apply';
import { connect, createScratchDatabase, query, type ScratchDatabase } from '../../src/db/client';
import { openSchemaEngine, type SchemaEngineSession } from '../../src/db/schema-engine';
import { renderMigrationFile } from '../../src/render/sql';
import type { CheckSpec } from '../../src/rules/types';
import { testDatabase } from '../support/pg';
import { entryFor } from '../support/render-fixtures';

const db = testDatabase('lock_timeout');

const TIMEOUT_MS = 1000;
/** Scheduling slack on a shared 2-core machine: the bound is TIMEOUT_MS + MARGIN_MS. */
const MARGIN_MS = 1500;

const spec: CheckSpec = {
  kind: 'check',
  table: 'Acct',
  name: 'Acct_n_check',
  expression: '"n" >= 0',
  columns: ['n'],
  lockTimeoutMs: TIMEOUT_MS,
};
const entry = entryFor(spec, 'Acct_n_check', { ruleId: 'check-constraint' });
const addCheck = renderMigrationFile(entry, 0);
const validate = renderMigrationFile(entry, 1);

let holder: Client;
let other: Client;

beforeAll(async () => {
  await db.client.query('CREATE TABLE "Acct" (id serial PRIMARY KEY, n int NOT NULL)');
  await db.client.query('INSERT INTO "Acct" (n) SELECT g FROM generate_series(1, 1000) g');
  holder = await connect(db.target);
  other = await connect(db.target);
});

afterAll(async () => {
  await holder?.end().catch(() => undefined);
  await other?.end().catch(() => undefined);
});

/** Opens a transaction on `holder` that has read the table: it holds ACCESS SHARE until released. */
async function holdAccessShare(): Promise<() => Promise<void>> {
  await holder.query('BEGIN');
  await holder.query('SELECT count(*) FROM "Acct"');
  return async () => {
    await holder.query('COMMIT');
  };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function constraintState(): Promise<string | null> {
  const rows = await query<{ convalidated: boolean }>(
    db.client,
    `SELECT convalidated FROM pg_constraint WHERE conname = 'Acct_n_check'`,
  );
  return rows.length === 0 ? null : rows[0].convalidated ? 'valid' : 'not valid';
}

test('the NOT VALID file sets a lock timeout around its ALTER and resets it', () => {
  const statements = addCheck.up.split('\n').filter((l) => !l.startsWith('--') && l.trim() !== '');
  expect(statements).toEqual([
    `SET lock_timeout = '${TIMEOUT_MS}ms';`,
    'ALTER TABLE "Acct" DROP CONSTRAINT IF EXISTS "Acct_n_check", ADD CONSTRAINT "Acct_n_check" CHECK ("n" >= 0) NOT VALID;',
    'RESET lock_timeout;',
  ]);
});

describe.each<ApplyMode>(['per-statement', 'naive-split', 'single-query'])(
  'applied %s behind an open transaction',
  (mode) => {
    test('gives up within the timeout, and a concurrent SELECT is never blocked longer', async () => {
      const release = await holdAccessShare();
      const applier = await connect(db.target);
      try {
        const applying = timed(applyMigrationSql(applier, addCheck.up, mode));
        await sleep(200); // the ALTER is now queued for ACCESS EXCLUSIVE
        const select = await timed(other.query('SELECT count(*) FROM "Acct"'));
        const { value: result, ms } = await applying;
        expect(result).toMatchObject({
          ok: false,
          error: { code: '55P03', message: 'canceling statement due to lock timeout' },
        });
        // As one query string the whole file is the failed "statement"; otherwise it is the ALTER.
        if (mode !== 'single-query')
          expect((result as Extract<ApplyResult, { ok: false }>).failedStatement.sql).toMatch(/^ALTER TABLE "Acct"/);
        if (process.env.IDXGEN_REPORT_TIMINGS)
          console.log(`${mode}: ALTER gave up after ${ms.toFixed(0)} ms, SELECT waited ${select.ms.toFixed(0)} ms`);
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        expect(select.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        expect(await constraintState()).toBeNull(); // atomic: nothing left behind
        // One implicit transaction: the failure rolls the SET back too. Statement by statement the
        // deploy stops at the failure, and only this connection keeps the bound.
        const left = (await applier.query('SHOW lock_timeout')).rows[0].lock_timeout;
        expect(left).toBe(mode === 'single-query' ? '0' : '1s');
      } finally {
        await release();
        await applier.end();
      }
    });

    test('once the transaction ends, the same file applies and leaves the session setting as it was', async () => {
      const applier = await connect(db.target);
      try {
        expect(await applyMigrationSql(applier, addCheck.up, mode)).toMatchObject({ ok: true });
        expect((await applier.query('SHOW lock_timeout')).rows[0].lock_timeout).toBe('0');
        expect(await constraintState()).toBe('not valid');
        expect(await applyMigrationSql(applier, validate.up, mode)).toMatchObject({ ok: true });
        expect(await constraintState()).toBe('valid');
        expect(await applyMigrationSql(applier, addCheck.down, mode)).toMatchObject({ ok: true });
        expect(await constraintState()).toBeNull();
      } finally {
        await applier.end();
      }
    });
  },
);

describe('why this form', () => {
  test('without the SET, the ALTER waits past the bound and queues a SELECT behind it', async () => {
    const release = await holdAccessShare();
    const applier = await connect(db.target);
    try {
      const bare = addCheck.up.split('\n').find((l) => l.startsWith('ALTER TABLE'))!;
      const applying = applyMigrationSql(applier, bare, 'per-statement');
      await sleep(200);
      const select = other.query('SELECT count(*) FROM "Acct"');
      let selectDone = false;
      void select.then(() => (selectDone = true));
      await sleep(TIMEOUT_MS + MARGIN_MS);
      expect(selectDone).toBe(false);
      const waiting = await query<{ n: string }>(
        db.client,
        `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
      );
      expect(Number(waiting[0].n)).toBe(2); // the ALTER and the SELECT queued behind it
      await db.client.query(`SELECT pg_cancel_backend(${(applier as unknown as { processID: number }).processID})`);
      expect(await applying).toMatchObject({ ok: false, error: { code: '57014' } });
      await select;
    } finally {
      await release();
      await applier.end();
    }
  });

  test('SET LOCAL would bound nothing statement by statement: outside a transaction block it is ignored', async () => {
    const applier = await connect(db.target);
    try {
      const local = `SET LOCAL lock_timeout = '${TIMEOUT_MS}ms';\nSHOW lock_timeout;`;
      await applier.query(local.split('\n')[0]);
      expect((await applier.query('SHOW lock_timeout')).rows[0].lock_timeout).toBe('0');
    } finally {
      await applier.end();
    }
  });
});

test('VALIDATE needs no bound: waiting for SHARE UPDATE EXCLUSIVE, it blocks neither reads nor writes', async () => {
  expect(await applyMigrationSql(db.target, addCheck.up, 'per-statement')).toMatchObject({ ok: true });
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE "Acct" IN SHARE UPDATE EXCLUSIVE MODE'); // what a running VACUUM or CREATE INDEX CONCURRENTLY holds
  const applier = await connect(db.target);
  try {
    const validating = timed(applyMigrationSql(applier, validate.up, 'per-statement'));
    await sleep(200);
    const read = await timed(other.query('SELECT count(*) FROM "Acct"'));
    const write = await timed(other.query('INSERT INTO "Acct" (n) VALUES (1)'));
    expect(read.ms).toBeLessThan(500);
    expect(write.ms).toBeLessThan(500);
    expect(await constraintState()).toBe('not valid'); // still waiting
    await holder.query('COMMIT');
    expect((await validating).value).toMatchObject({ ok: true });
    expect(await constraintState()).toBe('valid');
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await applier.end();
    await applyMigrationSql(db.target, addCheck.down, 'per-statement');
  }
});

describe("through Prisma's migration engine (applies statement by statement, like prisma migrate deploy 7.10)", () => {
  let session: SchemaEngineSession;
  let scratch: ScratchDatabase;
  let lockHolder: Client;
  let reader: Client;
  const init = {
    name: '20250101000000_init',
    sql: 'CREATE TABLE "Acct" (id serial PRIMARY KEY, n int NOT NULL);\nINSERT INTO "Acct" (n) VALUES (1);\n',
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase(db.connection, 't_lock_timeout_engine', { strategy: 'FILE_COPY' });
    const schema = [
      {
        path: 'schema.prisma',
        content:
          'datasource db {\n  provider = "postgresql"\n}\n\nmodel Acct {\n  id Int @id @default(autoincrement())\n  n  Int\n}\n',
      },
    ];
    const opened = await openSchemaEngine({ schema, target: scratch.target, shadowStrategy: 'FILE_COPY' });
    if (!opened.ok) throw new Error(opened.reason);
    session = opened.value;
    const applied = await session.applyMigrations({ baseDir: '/tmp/idxgen-lock-timeout', folders: [init] });
    if (!applied.ok) throw new Error(applied.reason);
    lockHolder = await connect(scratch.target);
    reader = await connect(scratch.target);
  });

  afterAll(async () => {
    await lockHolder?.end().catch(() => undefined);
    await reader?.end().catch(() => undefined);
    await session?.close();
    await scratch?.drop();
  });

  test('the deploy fails within the timeout with the lock timeout error, and reads go on', async () => {
    await lockHolder.query('BEGIN');
    await lockHolder.query('SELECT count(*) FROM "Acct"');
    const release = async () => {
      await lockHolder.query('COMMIT');
    };
    try {
      const migrations = {
        baseDir: '/tmp/idxgen-lock-timeout',
        folders: [init, { name: '20260101000000_check_acct_n', sql: addCheck.up }],
      };
      const deploying = timed(session.applyMigrations(migrations));
      await sleep(300);
      const select = await timed(reader.query('SELECT count(*) FROM "Acct"'));
      const { value: result, ms } = await deploying;
      if (process.env.IDXGEN_REPORT_TIMINGS)
        console.log(`engine: deploy failed after ${ms.toFixed(0)} ms, SELECT waited ${select.ms.toFixed(0)} ms`);
      expect(result).toMatchObject({ ok: false, kind: 'engine-error' });
      expect(!result.ok && result.reason).toMatch(/lock timeout/);
      expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS + 1000); // + the engine's own bookkeeping
      expect(select.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      const left = await query<{ n: string }>(
        scratch.target,
        `SELECT count(*) AS n FROM pg_constraint WHERE conname = 'Acct_n_check'`,
      );
      expect(left[0].n).toBe('0');
    } finally {
      await release();
    }
  });
});
