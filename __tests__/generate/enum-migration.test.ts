/**
 * Every index predicate idxgen writes must survive the migrations Prisma itself writes later. The
 * one that matters: removing an enum value, which Prisma does by CREATE TYPE "X_new", ALTER COLUMN
 * ... TYPE "X_new", rename, drop. An index predicate holding a constant of the enum type (the old
 * queue-partial-index `status = ANY (ARRAY['PENDING'::"JobStatus", ...])`) makes that ALTER fail
 * with `operator does not exist: "JobStatus_new" = "JobStatus"`.
 *
 * Proven with Prisma's own migration engine (WASM 7.10): generate on a schema with a queue table
 * and soft-deleted tables, deploy, then let the engine write and apply the migrations that add an
 * enum value and remove one; each applies, and the migrations and the database stay drift-free.
 */
import * as path from 'node:path';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/client';
import {
  openSchemaEngine,
  readMigrationsDirectory,
  schemaFromEmptySql,
  type MigrationsInput,
  type SchemaEngineSession,
} from '../../src/db/schema-engine';
import { testConnection } from '../support/pg';
import { project, type Project } from '../support/generate';

const INIT = '20240101000000_init';

const BASE = `generator client {
  provider        = "prisma-client"
  previewFeatures = ["partialIndexes"]
}

datasource db {
  provider = "postgresql"
}

enum JobStatus {
  PENDING
  RUNNING
  RETRY
  DONE
  FAILED
}

model User {
  id        Int       @id @default(autoincrement())
  deletedAt DateTime?
  posts     Post[]
  jobs      Job[]
}

model Post {
  id        Int       @id @default(autoincrement())
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  deletedAt DateTime?
}

model Job {
  id            Int       @id @default(autoincrement())
  status        JobStatus @default(PENDING)
  nextAttemptAt DateTime?
  ownerId       Int
  owner         User      @relation(fields: [ownerId], references: [id])
  isDeleted     Boolean   @default(false)
}
`;

function ok<T>(res: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!res.ok) throw new Error(res.reason);
  return res.value;
}

let p: Project;
let scratch: ScratchDatabase;
const dir = () => path.join(p.root, 'prisma/migrations');

async function withEngine<T>(schema: string, fn: (session: SchemaEngineSession) => Promise<T>): Promise<T> {
  const session = ok(
    await openSchemaEngine({
      schema: [{ path: path.join(p.root, 'prisma/schema.prisma'), content: schema }],
      target: scratch.target,
      shadowStrategy: 'FILE_COPY',
    }),
  );
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** What `prisma migrate dev` does for a schema change: diff the migrations to the schema, write a folder, deploy. */
async function migrateDev(schema: string, name: string): Promise<string> {
  return withEngine(schema, async (session) => {
    const sql = ok(await session.diffMigrationsToSchema(await readMigrationsDirectory(dir())));
    p.write(`prisma/migrations/${name}/migration.sql`, sql);
    const applied = await session.applyMigrations(await readMigrationsDirectory(dir()));
    if (!applied.ok) throw new Error(`${name} failed to apply:\n${applied.reason}\n--- migration.sql:\n${sql}`);
    expect(applied.value).toEqual([name]);
    return sql;
  });
}

async function expectNoDrift(schema: string): Promise<void> {
  await withEngine(schema, async (session) => {
    const migrations: MigrationsInput = await readMigrationsDirectory(dir());
    expect(ok(await session.diffMigrationsToSchema(migrations))).toBe('');
    expect(ok(await session.diffDatabaseToSchema())).toBe('');
  });
}

beforeAll(async () => {
  scratch = await createScratchDatabase(testConnection(), 't_enum_migration', { strategy: 'FILE_COPY' });
  // Boolean soft-delete flags are opt-in (booleanFields): this schema's isDeleted is one.
  const config = { rules: { 'soft-delete-partial-index': { options: { booleanFields: ['isDeleted'] } } } };
  p = project({ 'prisma/schema.prisma': BASE, 'idxgen.config.json': JSON.stringify(config) }, { keep: true });
  p.write(
    `prisma/migrations/${INIT}/migration.sql`,
    ok(await schemaFromEmptySql([{ path: 'schema.prisma', content: BASE }])),
  );
  p.write('prisma/migrations/migration_lock.toml', 'provider = "postgresql"\n');
});

afterAll(async () => {
  await scratch?.drop();
  p?.remove();
});

test("idxgen's partial indexes survive Prisma's migrations that add and remove an enum value", async () => {
  expect(await p.cli('--timestamp', '20250601120000', '--include-info', '--preview-features')).toBe(0);
  const edited = p.read('prisma/schema.prisma');
  const written = p
    .migrations()
    .slice(1)
    .map((f) =>
      p
        .read(`prisma/migrations/${f}/migration.sql`)
        .split('\n')
        .filter((l) => !l.startsWith('--'))
        .join('\n'),
    );
  // Every predicate idxgen writes on this schema, and the queue index, which has none.
  expect(written.join('\n')).toContain('WHERE "deletedAt" IS NULL');
  expect(written.join('\n')).toContain('WHERE "isDeleted" = false');
  expect(written.join('\n')).toContain('ON "Job" USING btree ("status", "nextAttemptAt");');
  const predicates = written.flatMap((sql) => [...sql.matchAll(/ WHERE (.*);$/gm)].map((m) => m[1]));
  expect(predicates.length).toBeGreaterThan(0);
  expect(predicates.filter((w) => /status|JobStatus/.test(w!))).toEqual([]);

  await withEngine(edited, async (session) => {
    const applied = ok(await session.applyMigrations(await readMigrationsDirectory(dir())));
    expect(applied).toEqual(p.migrations());
  });
  await expectNoDrift(edited);

  const added = edited.replace('  FAILED\n', '  FAILED\n  PAUSED\n');
  expect(added).not.toBe(edited);
  expect(await migrateDev(added, '20260101000000_add_paused')).toContain(`ALTER TYPE "JobStatus" ADD VALUE 'PAUSED'`);
  await expectNoDrift(added);

  const removed = added.replace('  FAILED\n', '');
  expect(await migrateDev(removed, '20260101000001_remove_failed')).toContain('CREATE TYPE "JobStatus_new"');
  await expectNoDrift(removed);

  // Removing a pending value too (the queue index names no value, so nothing depends on it).
  const removedPending = removed.replace('  RETRY\n', '');
  expect(await migrateDev(removedPending, '20260101000002_remove_retry')).toContain('CREATE TYPE "JobStatus_new"');
  await expectNoDrift(removedPending);
});

test('the old enum predicate is what broke it: the same removal fails with an enum constant in a predicate', async () => {
  const { Client } = await import('pg');
  const client = new Client({ ...scratch.target });
  await client.connect();
  try {
    await client.query(`CREATE INDEX "Job_probe_idx" ON "Job" ("nextAttemptAt") WHERE status = 'PENDING'::"JobStatus"`);
    await client.query('BEGIN');
    await client.query(`CREATE TYPE "JobStatus_probe" AS ENUM ('PENDING', 'RUNNING', 'DONE')`);
    await expect(
      client.query(
        `ALTER TABLE "Job" ALTER COLUMN "status" DROP DEFAULT, ALTER COLUMN "status" TYPE "JobStatus_probe" USING ("status"::text::"JobStatus_probe")`,
      ),
    ).rejects.toThrow('operator does not exist: "JobStatus_probe" = "JobStatus"');
    await client.query('ROLLBACK');
    // And the text comparison that would survive it is refused in a predicate.
    await expect(
      client.query(`CREATE INDEX "Job_probe2_idx" ON "Job" ("nextAttemptAt") WHERE status::text = 'PENDING'`),
    ).rejects.toThrow('functions in index predicate must be marked IMMUTABLE');
  } finally {
    await client.query('DROP INDEX IF EXISTS "Job_probe_idx"').catch(() => undefined);
    await client.end();
  }
});

test('the planner uses the queue index for the poll, however the enum values are sent', async () => {
  const { Client } = await import('pg');
  const client = new Client({ ...scratch.target });
  await client.connect();
  try {
    await client.query(`INSERT INTO "User" (id) VALUES (1) ON CONFLICT DO NOTHING`);
    await client.query(
      `INSERT INTO "Job" (status, "nextAttemptAt", "ownerId") SELECT CASE WHEN g % 100 = 0 THEN 'PENDING'::"JobStatus" ELSE 'DONE'::"JobStatus" END, now() - (g % 1000) * interval '1 minute', 1 FROM generate_series(1, 50000) g`,
    );
    await client.query('ANALYZE "Job"');
    const forms: [string, string[]][] = [
      [`"status" IN ('PENDING', 'RUNNING')`, []],
      [`"status" IN ($1, $2)`, ['PENDING', 'RUNNING']],
      [`"status" IN (CAST($1::text AS "JobStatus"), CAST($2::text AS "JobStatus"))`, ['PENDING', 'RUNNING']],
    ];
    for (const [where, params] of forms) {
      const plan = await client.query(
        `EXPLAIN (FORMAT JSON) SELECT id FROM "Job" WHERE ${where} AND "nextAttemptAt" <= now() ORDER BY "nextAttemptAt" LIMIT 100`,
        params,
      );
      expect(JSON.stringify(plan.rows[0])).toContain('"Index Name":"Job_status_nextAttemptAt_idx"');
    }
  } finally {
    await client.end();
  }
});
