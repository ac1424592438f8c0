/**
 * The tree `generate` writes for the bundled example, applied to a real PostgreSQL:
 *   - statement by statement (Prisma >= 7.4) and as one query per file (older Prisma);
 *   - through Prisma's own migration engine (`migrate deploy`);
 * then pg_catalog must show every index valid and no foreign key without an index, Prisma must
 * see no drift between the migrations and the edited schema, and the down.sql files, run newest
 * first, must bring the catalog back to where the first migration left it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyMigrationSql, type ApplyMode } from '../../src/db/apply';
import { listIndexes, listUnindexedForeignKeys, snapshot, diffSnapshots } from '../../src/db/catalog';
import { connect, createScratchDatabase, type ScratchDatabase } from '../../src/db/client';
import {
  openSchemaEngine,
  readMigrationsDirectory,
  schemaFromEmptySql,
  type SchemaEngineSession,
} from '../../src/db/schema-engine';
import { testConnection } from '../support/pg';
import { BUNDLED_SCHEMA, project, type Project } from '../support/generate';

const INIT = '20240101000000_init';

function ok<T>(res: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!res.ok) throw new Error(res.reason);
  return res.value;
}

/**
 * Prisma's engine is an ES module loaded with a dynamic import, which jest only allows with
 * NODE_OPTIONS=--experimental-vm-modules (`npm test` sets it). Without it this suite is skipped,
 * visibly, instead of failing on something that is not generate's.
 */
const ENGINE_LOADABLE = /--experimental-vm-modules/.test(
  `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`,
);
const suite = ENGINE_LOADABLE ? describe : describe.skip;

let p: Project;
let folders: string[];
const scratches: ScratchDatabase[] = [];

async function scratch(prefix: string): Promise<ScratchDatabase> {
  const s = await createScratchDatabase(testConnection(), prefix);
  scratches.push(s);
  return s;
}

suite(
  'generated tree for the bundled example on PostgreSQL' +
    (ENGINE_LOADABLE ? '' : ' (skipped: needs NODE_OPTIONS=--experimental-vm-modules, as npm test sets)'),
  () => {
    beforeAll(async () => {
      // A project whose history is Prisma's own first migration of the example schema.
      const init = ok(await schemaFromEmptySql([{ path: 'schema.prisma', content: BUNDLED_SCHEMA }]));
      p = project(undefined, { keep: true });
      p.write(`prisma/migrations/${INIT}/migration.sql`, init);
      p.write('prisma/migrations/migration_lock.toml', 'provider = "postgresql"\n');
      expect(await p.cli('--timestamp', '20250601120000', '--include-info', '--preview-features')).toBe(0);
      folders = p.migrations();
      expect(folders[0]).toBe(INIT);
      expect(folders.length).toBeGreaterThan(15);
    });

    afterAll(async () => {
      for (const s of scratches) await s.drop().catch(() => undefined);
      p?.remove();
    });

    function sqlOf(folder: string, file: 'migration.sql' | 'down.sql' = 'migration.sql'): string {
      return fs.readFileSync(path.join(p.root, 'prisma/migrations', folder, file), 'utf8');
    }

    describe.each<ApplyMode>(['per-statement', 'single-query'])('applied %s', (mode) => {
      test('every folder applies; indexes valid; no unindexed foreign key; downs undo it all', async () => {
        const db = await scratch(`t_gen_apply_${mode.replace('-', '_')}`);
        const client = await connect(db.target);
        try {
          expect(await applyMigrationSql(client, sqlOf(INIT), 'per-statement')).toMatchObject({ ok: true });
          const base = await snapshot(client);
          for (const folder of folders.slice(1)) {
            const res = await applyMigrationSql(client, sqlOf(folder), mode);
            if (!res.ok) throw new Error(`${folder}: ${res.error.code} ${res.error.message}`);
            // One statement per folder: the shape that works under every Prisma version. The NOT VALID
            // step of a CHECK (no CONCURRENTLY) is its ALTER between SET and RESET lock_timeout.
            expect(res.queries).toBe(mode === 'per-statement' && /^SET lock_timeout = /m.test(sqlOf(folder)) ? 3 : 1);
          }
          const indexes = await listIndexes(client);
          expect(indexes.filter((i) => !i.valid)).toEqual([]);
          expect(await listUnindexedForeignKeys(client)).toEqual([]);
          const names = new Set(indexes.map((i) => i.name));
          for (const folder of folders.slice(1)) {
            const m = /CREATE (?:UNIQUE )?INDEX CONCURRENTLY IF NOT EXISTS "((?:[^"]|"")+)"/.exec(sqlOf(folder));
            if (m) expect(names).toContain(m[1]!.replace(/""/g, '"'));
          }
          for (const folder of [...folders.slice(1)].reverse()) {
            const res = await applyMigrationSql(client, sqlOf(folder, 'down.sql'), mode);
            if (!res.ok) throw new Error(`${folder}/down.sql: ${res.error.code} ${res.error.message}`);
          }
          const back = diffSnapshots(base, await snapshot(client));
          expect(back).toEqual(diffSnapshots(base, base));
        } finally {
          await client.end();
        }
      });
    });

    describe("through Prisma's migration engine", () => {
      let session: SchemaEngineSession | undefined;
      afterAll(async () => {
        await session?.close();
      });

      test('migrate deploy applies every folder, and the edited schema has no drift against the migrations', async () => {
        const db = await scratch('t_gen_apply_engine');
        const schema = [{ path: path.join(p.root, 'prisma/schema.prisma'), content: p.read('prisma/schema.prisma') }];
        session = ok(await openSchemaEngine({ schema, target: db.target }));
        const migrations = await readMigrationsDirectory(path.join(p.root, 'prisma/migrations'));
        expect(ok(await session.applyMigrations(migrations))).toEqual(folders);
        const client = await connect(db.target);
        try {
          expect((await listIndexes(client)).filter((i) => !i.valid)).toEqual([]);
          expect(await listUnindexedForeignKeys(client)).toEqual([]);
        } finally {
          await client.end();
        }
        // What Prisma would generate next from the edited schema: nothing (the soft-delete partial
        // indexes included: their predicates are written the way PostgreSQL prints them back).
        expect(folders.map((f) => sqlOf(f)).join('\n')).toContain(
          `ON "ingest_events" USING btree ("status", "next_attempt_at");`,
        );
        expect(folders.map((f) => sqlOf(f)).join('\n')).toContain(`WHERE "deletedAt" IS NULL;`);
        expect(ok(await session.diffMigrationsToSchema(migrations))).toBe('');
      });
    });

    describe('--group table (Prisma >= 7.4)', () => {
      let g: Project;
      let session: SchemaEngineSession | undefined;
      beforeAll(async () => {
        g = project(undefined, { keep: true });
        g.write(`prisma/migrations/${INIT}/migration.sql`, sqlOf(INIT));
        g.write('prisma/migrations/migration_lock.toml', 'provider = "postgresql"\n');
        g.write('node_modules/prisma/package.json', JSON.stringify({ name: 'prisma', version: '7.10.0' }));
        expect(
          await g.cli('--group', 'table', '--timestamp', '20250601120000', '--include-info', '--preview-features'),
        ).toBe(0);
      });
      afterAll(async () => {
        await session?.close();
        g?.remove();
      });

      test('migrate deploy (statements run one by one) applies every per-table folder', async () => {
        const db = await scratch('t_gen_apply_group');
        const schema = [{ path: path.join(g.root, 'prisma/schema.prisma'), content: g.read('prisma/schema.prisma') }];
        session = ok(await openSchemaEngine({ schema, target: db.target }));
        const migrations = await readMigrationsDirectory(path.join(g.root, 'prisma/migrations'));
        expect(ok(await session.applyMigrations(migrations))).toEqual(g.migrations());
        const client = await connect(db.target);
        try {
          expect((await listIndexes(client)).filter((i) => !i.valid)).toEqual([]);
          expect(await listUnindexedForeignKeys(client)).toEqual([]);
        } finally {
          await client.end();
        }
      });

      test('why it is refused before Prisma 7.4: sent as one query, a multi-statement folder fails with 25001', async () => {
        const db = await scratch('t_gen_apply_group_old');
        const client = await connect(db.target);
        try {
          expect(await applyMigrationSql(client, sqlOf(INIT), 'per-statement')).toMatchObject({ ok: true });
          const multi = g.migrations().find((f) => /_indexes_comment$/.test(f))!;
          const res = await applyMigrationSql(
            client,
            g.read(`prisma/migrations/${multi}/migration.sql`),
            'single-query',
          );
          expect(res).toMatchObject({ ok: false, error: { code: '25001' } });
        } finally {
          await client.end();
        }
      });
    });
  },
);

/**
 * Prisma's migrate diff compares a declared `where:` with the predicate PostgreSQL prints back.
 * Every partial-index predicate the rules write, generated into a project and applied through
 * Prisma's own engine, must leave nothing to diff: queue predicates (IN written as = ANY (ARRAY[...])
 * with casts, identifiers quoted the way PostgreSQL quotes them: mixed case, reserved word, a
 * lower-case mapped enum, enums in another schema and in public) and soft-delete predicates
 * (`"deletedAt" IS NULL`, `deleted_at IS NULL`, `"isDeleted" = false`: identifiers as PostgreSQL prints them).
 */
const PREDICATES_SCHEMA = `datasource db {
  provider = "postgresql"
}

generator client {
  provider = "prisma-client-js"
}

enum IngestStatus {
  PENDING
  RETRY
  DONE
}

enum MailStatus {
  QUEUED @map("queued")
  RETRY  @map("retry")
  SENT   @map("sent")

  @@map("mail_status")
}

enum TaskStatus {
  PENDING
  DONE
}

model Ingest {
  id            Int          @id
  status        IngestStatus
  nextAttemptAt DateTime
}

model Mail {
  id    Int        @id
  state MailStatus @map("order")
  runAt DateTime   @map("run_at")

  @@map("mails")
}

model Task {
  id          Int        @id
  status      TaskStatus @map("TaskStatus")
  scheduledAt DateTime
}

model User {
  id       Int       @id
  posts    Post[]
  comments Comment[]
  notes    Note[]
}

model Post {
  id        Int       @id
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  deletedAt DateTime?
}

model Comment {
  id        Int     @id
  userId    Int
  user      User    @relation(fields: [userId], references: [id])
  isDeleted Boolean @default(false)
}

model Note {
  id        Int       @id
  userId    Int       @map("user_id")
  user      User      @relation(fields: [userId], references: [id])
  deletedAt DateTime? @map("deleted_at")

  @@map("notes")
}
`;

const MULTI_SCHEMA = `datasource db {
  provider = "postgresql"
  schemas  = ["public", "app"]
}

generator client {
  provider = "prisma-client-js"
}

enum JobStatus {
  PENDING
  RETRY
  DONE

  @@schema("app")
}

enum PublicStatus {
  QUEUED
  DONE

  @@schema("public")
}

model Job {
  id    Int       @id
  status JobStatus
  runAt DateTime

  @@schema("app")
}

model Mail {
  id     Int          @id
  status PublicStatus
  runAt  DateTime

  @@schema("app")
}
`;

suite(
  "partial-index predicates through Prisma's migrate diff" +
    (ENGINE_LOADABLE ? '' : ' (skipped: needs NODE_OPTIONS=--experimental-vm-modules)'),
  () => {
    const sessions: SchemaEngineSession[] = [];
    afterAll(async () => {
      for (const s of sessions) await s.close();
      for (const s of scratches) await s.drop().catch(() => undefined);
    });

    test.each([
      [
        'queue and soft-delete predicates',
        PREDICATES_SCHEMA,
        [
          // Queue tables get (status, due time), no enum predicate (see enum-migration.test.ts).
          `USING btree ("status", "nextAttemptAt");`,
          `USING btree ("order", "run_at");`,
          `USING btree ("TaskStatus", "scheduledAt");`,
          `WHERE "deletedAt" IS NULL;`,
          `WHERE "isDeleted" = false;`,
          `WHERE deleted_at IS NULL;`,
        ],
      ],
      [
        'multiSchema: enum types in another schema and in public',
        MULTI_SCHEMA,
        [`ON "app"."Job" USING btree ("status", "runAt");`, `ON "app"."Mail" USING btree ("status", "runAt");`],
      ],
    ])('%s: generated, applied by migrate deploy, nothing to diff', async (_label, schemaText, predicates) => {
      const init = ok(await schemaFromEmptySql([{ path: 'schema.prisma', content: schemaText }]));
      // A Boolean is a soft-delete marker only when the user names it (booleanFields is empty by default).
      const config = {
        rules: { 'soft-delete-partial-index': { severity: 'info', options: { booleanFields: ['isDeleted'] } } },
      };
      const q = project({ 'prisma/schema.prisma': schemaText, 'idxgen.config.json': JSON.stringify(config) });
      q.write(`prisma/migrations/${INIT}/migration.sql`, init);
      q.write('prisma/migrations/migration_lock.toml', 'provider = "postgresql"\n');
      expect(await q.cli('--timestamp', '20250601120000', '--include-info', '--preview-features')).toBe(0);
      const written = q
        .migrations()
        .slice(1)
        .map((f) => q.read(`prisma/migrations/${f}/migration.sql`))
        .join('\n');
      for (const predicate of predicates) expect(written).toContain(predicate);
      // No index predicate compares an enum: it would break Prisma's migration that removes a value.
      expect(
        [...written.matchAll(/^CREATE INDEX .* WHERE (.*);$/gm)].map((m) => m[1]).filter((w) => /::/.test(w!)),
      ).toEqual([]);

      const db = await scratch('t_gen_predicates');
      const schema = [{ path: path.join(q.root, 'prisma/schema.prisma'), content: q.read('prisma/schema.prisma') }];
      const session = ok(await openSchemaEngine({ schema, target: db.target }));
      sessions.push(session);
      const migrations = await readMigrationsDirectory(path.join(q.root, 'prisma/migrations'));
      expect(ok(await session.applyMigrations(migrations))).toEqual(q.migrations());
      expect(ok(await session.diffMigrationsToSchema(migrations))).toBe('');
      expect(ok(await session.diffDatabaseToSchema())).toBe('');
    });
  },
);
