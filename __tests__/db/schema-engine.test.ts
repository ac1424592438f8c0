import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrationSql } from '../../src/db/apply';
import { listUnindexedForeignKeys } from '../../src/db/catalog';
import { createScratchDatabase, query, type ScratchDatabase } from '../../src/db/client';
import {
  loadSchemaEngine,
  openSchemaEngine,
  readMigrationsDirectory,
  schemaFromEmptySql,
  type MigrationsInput,
  type SchemaEngineSession,
  type SchemaFile,
} from '../../src/db/schema-engine';
import { testDatabase } from '../support/pg';

const db = testDatabase('schema_engine');

const SCHEMA: SchemaFile[] = [
  {
    path: 'schema.prisma',
    content: `datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}
`,
  },
  {
    path: 'post.prisma',
    content: `model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([authorId])
}
`,
  },
];

const INDEX_BLOCK = /-- CreateIndex\nCREATE INDEX "Post_authorId_idx" ON "Post"\("authorId"\);\n\n?/;

let fromEmpty = '';
let tmp = '';

function ok<T>(res: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!res.ok) throw new Error(res.reason);
  return res.value;
}

async function writeMigrations(dir: string, folders: Record<string, string>): Promise<MigrationsInput> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  for (const [name, sql] of Object.entries(folders)) {
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return readMigrationsDirectory(dir);
}

async function shadowDatabases(): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    db.client,
    `SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db%'`,
  );
  return rows.map((r) => r.datname);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'idxgen-engine-test-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('loads the WASM engine', async () => {
  expect(ok(await loadSchemaEngine())).toMatch(/^[0-9a-f]{40}$/);
});

test('from-empty SQL offline, for a schema split over two files', async () => {
  fromEmpty = ok(await schemaFromEmptySql(SCHEMA));
  expect(fromEmpty).toContain('CREATE TABLE "Post"');
  expect(fromEmpty).toMatch(INDEX_BLOCK);
  expect(fromEmpty).toContain('CREATE UNIQUE INDEX "User_email_key" ON "User"("email");');
  expect(fromEmpty).toContain('ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id")');
});

test("an invalid schema is an engine-error with Prisma's message", async () => {
  const bad = [
    {
      path: 'schema.prisma',
      content: 'datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\nmodel A {\n  id Int @id\n}\n',
    },
  ];
  const res = await schemaFromEmptySql(bad);
  expect(res).toMatchObject({ ok: false, kind: 'engine-error' });
  expect(!res.ok && res.reason).toMatch(/`url` is no longer supported/);
});

test('an unreachable database is reported as unavailable, not faked', async () => {
  const target = { ...db.target, port: 1 };
  const res = await openSchemaEngine({ schema: SCHEMA, target });
  expect(res).toMatchObject({ ok: false, kind: 'unavailable' });
  expect(!res.ok && res.reason).toMatch(/cannot start the schema engine/);
});

describe('against a database', () => {
  let session: SchemaEngineSession;

  beforeAll(async () => {
    session = ok(await openSchemaEngine({ schema: SCHEMA, target: db.target, shadowStrategy: 'FILE_COPY' }));
  });

  afterAll(async () => {
    await session?.close();
  });

  test('from-empty SQL with a database equals the offline one', async () => {
    expect(ok(await session.fromEmptySql())).toBe(fromEmpty);
  });

  test('the from-empty SQL applies, and leaves no unindexed FK', async () => {
    expect(await applyMigrationSql(db.target, fromEmpty, 'per-statement')).toMatchObject({ ok: true });
    expect(await listUnindexedForeignKeys(db.client)).toEqual([]);
  });

  test('migrations dir that matches the schema: no drift; shadow database dropped', async () => {
    const migrations = await writeMigrations(join(tmp, 'match'), { '20240101000000_init': fromEmpty });
    expect(ok(await session.diffMigrationsToSchema(migrations))).toBe('');
    expect(await shadowDatabases()).toEqual([]);
  });

  test('migrations dir that lacks the declared index: the diff creates it', async () => {
    const withoutIndex = fromEmpty.replace(INDEX_BLOCK, '');
    expect(withoutIndex).not.toContain('Post_authorId_idx');
    const migrations = await writeMigrations(join(tmp, 'missing'), { '20240101000000_init': withoutIndex });
    const diff = ok(await session.diffMigrationsToSchema(migrations));
    expect(diff.trim()).toBe('-- CreateIndex\nCREATE INDEX "Post_authorId_idx" ON "Post"("authorId");');
    expect(await shadowDatabases()).toEqual([]);
  });

  test('a migration that fails in the shadow database is an engine-error naming it', async () => {
    const migrations = await writeMigrations(join(tmp, 'broken'), {
      '20240101000000_init': fromEmpty,
      '20240102000000_bad': 'CREATE INDEX "x" ON "Nope"("a");\n',
    });
    const res = await session.diffMigrationsToSchema(migrations);
    expect(res).toMatchObject({ ok: false, kind: 'engine-error' });
    expect(!res.ok && res.reason).toMatch(
      /Migration `20240102000000_bad` failed to apply cleanly to the shadow database[\s\S]*No such table: Nope/,
    );
    expect(await shadowDatabases()).toEqual([]);
  });

  test('live database vs schema: no drift, then drift once the index is dropped', async () => {
    // Needs the "char" (OID 18) workaround: the engine reads pg_constraint.contype and friends.
    expect(ok(await session.diffDatabaseToSchema())).toBe('');
    await db.client.query('DROP INDEX "Post_authorId_idx"');
    expect(ok(await session.diffDatabaseToSchema()).trim()).toBe(
      '-- CreateIndex\nCREATE INDEX "Post_authorId_idx" ON "Post"("authorId");',
    );
    await db.client.query('CREATE INDEX "Post_authorId_idx" ON "Post"("authorId")');
  });

  test('an extra index in the database is drift the other way (Prisma would drop it)', async () => {
    await db.client.query('CREATE INDEX "Post_title_idx" ON "Post"("title")');
    expect(ok(await session.diffDatabaseToSchema())).toContain('DROP INDEX "Post_title_idx"');
    await db.client.query('DROP INDEX "Post_title_idx"');
  });
});

describe('applyMigrations', () => {
  let scratch: ScratchDatabase;
  let session: SchemaEngineSession;

  beforeAll(async () => {
    scratch = await createScratchDatabase(db.connection, 't_engine_apply', { strategy: 'FILE_COPY' });
    session = ok(await openSchemaEngine({ schema: SCHEMA, target: scratch.target }));
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.drop();
  });

  test('applies pending folders once, records them, sends CIC + SET one statement at a time', async () => {
    const cic = `-- idxgen\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY "Post_title_idx" ON "Post"("title");\n`;
    const migrations = await writeMigrations(join(tmp, 'apply'), {
      '20240101000000_init': fromEmpty,
      '20240102000000_title': cic,
    });
    expect(ok(await session.applyMigrations(migrations))).toEqual(['20240101000000_init', '20240102000000_title']);
    expect(ok(await session.applyMigrations(migrations))).toEqual([]);
    const rows = await query<{ migration_name: string }>(
      scratch.target,
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(['20240101000000_init', '20240102000000_title']);
  });

  test('the engine splits on every ";" (like naiveSplit): a ";" inside a string breaks the migration', async () => {
    const migrations = await writeMigrations(join(tmp, 'apply'), {
      '20240103000000_semicolon': `INSERT INTO "User"("email") VALUES ('a;b');\n`,
    });
    const res = await session.applyMigrations(migrations);
    expect(res).toMatchObject({ ok: false, kind: 'engine-error' });
    expect(!res.ok && res.reason).toMatch(/unterminated quoted string/);
  });
});

describe('partial indexes (preview partialIndexes)', () => {
  const PARTIAL: SchemaFile[] = [
    {
      path: 'schema.prisma',
      content: `generator client {
  provider        = "prisma-client"
  previewFeatures = ["partialIndexes"]
}

datasource db {
  provider = "postgresql"
}

model Doc {
  id      Int  @id
  ownerId Int?
  data    Json

  @@index([ownerId], where: raw("\\"ownerId\\" IS NOT NULL"))
  @@index([data(ops: JsonbPathOps)], type: Gin)
}
`,
    },
  ];
  let scratch: ScratchDatabase;
  let session: SchemaEngineSession;

  beforeAll(async () => {
    scratch = await createScratchDatabase(db.connection, 't_engine_partial', { strategy: 'FILE_COPY' });
    session = ok(await openSchemaEngine({ schema: PARTIAL, target: scratch.target }));
  });

  afterAll(async () => {
    await session?.close();
    await scratch?.drop();
  });

  test('a hand-written CONCURRENTLY index with the same name, predicate and opclass is not drift', async () => {
    const sql = ok(await session.fromEmptySql());
    expect(sql).toContain(`CREATE INDEX "Doc_ownerId_idx" ON "Doc"("ownerId") WHERE ("ownerId" IS NOT NULL);`);
    expect(sql).toContain(`CREATE INDEX "Doc_data_idx" ON "Doc" USING GIN ("data" jsonb_path_ops);`);
    const tableOnly = sql.split('-- CreateIndex')[0];
    expect(await applyMigrationSql(scratch.target, tableOnly, 'per-statement')).toMatchObject({ ok: true });
    const handWritten = `CREATE INDEX CONCURRENTLY "Doc_ownerId_idx" ON "Doc" ("ownerId") WHERE "ownerId" IS NOT NULL;
CREATE INDEX CONCURRENTLY "Doc_data_idx" ON "Doc" USING gin ("data" jsonb_path_ops);`;
    expect(await applyMigrationSql(scratch.target, handWritten, 'per-statement')).toMatchObject({ ok: true });
    expect(ok(await session.diffDatabaseToSchema())).toBe('');
  });

  test('the same GIN index without its opclass is drift (drop + create)', async () => {
    await applyMigrationSql(
      scratch.target,
      `DROP INDEX "Doc_data_idx";\nCREATE INDEX "Doc_data_idx" ON "Doc" USING gin ("data");`,
      'per-statement',
    );
    const diff = ok(await session.diffDatabaseToSchema());
    expect(diff).toContain('DROP INDEX "Doc_data_idx"');
    expect(diff).toContain('CREATE INDEX "Doc_data_idx" ON "Doc" USING GIN ("data" jsonb_path_ops);');
  });
});

test('an offline session refuses database work as unavailable', async () => {
  const session = ok(await openSchemaEngine({ schema: SCHEMA }));
  try {
    const res = await session.diffDatabaseToSchema();
    expect(res).toMatchObject({ ok: false, kind: 'unavailable' });
    expect(!res.ok && res.reason).toMatch(/offline/);
    expect(await session.diffMigrationsToSchema({ baseDir: tmp, folders: [] })).toMatchObject({
      ok: false,
      kind: 'unavailable',
    });
  } finally {
    await session.close();
  }
});
