/**
 * Rendered migration folders through Prisma's own migration engine (schema-engine WASM + the pg
 * driver adapter, see src/db/schema-engine.ts): `migrate deploy` applies them (it splits every
 * file on ";", so the headers must hold none), and with the rendered declarations added to the
 * schema, Prisma sees no drift. The INCLUDE index is the exception the declaration warns about.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCheckConstraints, listIndexes } from '../../src/db/catalog';
import { query } from '../../src/db/client';
import {
  openSchemaEngine,
  readMigrationsDirectory,
  schemaFromEmptySql,
  type SchemaEngineSession,
  type SchemaFile,
} from '../../src/db/schema-engine';
import type { PlanEntry } from '../../src/plan/types';
import { renderMigrationFile } from '../../src/render/sql';
import type { CheckSpec, IndexSpec } from '../../src/rules/types';
import { testDatabase } from '../support/pg';
import { entryFor } from '../support/render-fixtures';

const db = testDatabase('render_engine');

const schema = (declarations: Record<string, string[]>, previewFeatures: string[]): SchemaFile[] => [
  {
    path: 'schema.prisma',
    content: `datasource db {
  provider = "postgresql"
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = [${previewFeatures.map((f) => `"${f}"`).join(', ')}]
}

model User {
  id        Int       @id @default(autoincrement())
  email     String
  deletedAt DateTime?
  posts     Post[]
${(declarations.User ?? []).map((d) => `  ${d}\n`).join('')}}

model Post {
  id        Int      @id @default(autoincrement())
  authorId  Int      @map("author_id")
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())
  title     String
  payload   Json
${(declarations.Post ?? []).map((d) => `  ${d}\n`).join('')}}

model Job {
  id       Int      @id @default(autoincrement())
  status   String
  runAt    DateTime
  attempts Int      @default(0)
${(declarations.Job ?? []).map((d) => `  ${d}\n`).join('')}}
`,
  },
];

const index = (table: string, columns: IndexSpec['columns'], extra: Partial<IndexSpec> = {}): IndexSpec => ({
  kind: 'index',
  table,
  columns,
  method: 'btree',
  unique: false,
  include: [],
  extensions: [],
  ...extra,
});

const check: CheckSpec = {
  kind: 'check',
  table: 'Job',
  name: 'Job_attempts_check',
  expression: '"attempts" >= 0',
  columns: ['attempts'],
};

const ENTRIES: { model: string; entry: PlanEntry }[] = [
  {
    model: 'Post',
    entry: entryFor(
      index('Post', [
        { column: 'author_id', field: 'authorId' },
        { column: 'createdAt', field: 'createdAt', sort: 'desc' },
      ]),
      'Post_author_id_createdAt_idx',
    ),
  },
  {
    model: 'Post',
    entry: entryFor(
      index('Post', [{ column: 'payload', field: 'payload', opclass: 'jsonb_path_ops', prismaOps: 'JsonbPathOps' }], {
        method: 'gin',
      }),
      'Post_payload_idx',
    ),
  },
  {
    model: 'Post',
    entry: entryFor(
      index('Post', [{ column: 'title', field: 'title', opclass: 'gin_trgm_ops' }], {
        method: 'gin',
        extensions: ['pg_trgm'],
      }),
      'Post_title_idx',
    ),
  },
  {
    model: 'User',
    entry: entryFor(
      index('User', [{ column: 'email', field: 'email' }], {
        unique: true,
        where: { kind: 'null-test', column: 'deletedAt', isNull: true },
      }),
      'User_email_key',
    ),
  },
  { model: 'Job', entry: entryFor(check, check.name) },
  {
    model: 'Job',
    entry: entryFor(
      index('Job', [{ column: 'runAt', field: 'runAt' }], {
        where: { kind: 'sql', text: `"status" IN ('PENDING', 'RETRY')` },
        include: ['id'],
      }),
      'Job_runAt_idx',
    ),
  },
];

let tmp = '';
let session: SchemaEngineSession | undefined;

function ok<T>(res: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!res.ok) throw new Error(res.reason);
  return res.value;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'idxgen-render-engine-'));
});

afterAll(async () => {
  await session?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('prisma migrate deploy applies every rendered folder, and the declarations leave no drift but the INCLUDE one', async () => {
  // The schema as the user has it, and the one with idxgen's declarations added.
  const declarations: Record<string, string[]> = {};
  const previewFeatures = new Set<string>();
  for (const { model, entry } of ENTRIES) {
    if (entry.declaration.kind !== 'attribute') continue;
    (declarations[model] ??= []).push(entry.declaration.attribute);
    for (const f of entry.declaration.previewFeatures) previewFeatures.add(f);
  }
  const init = ok(await schemaFromEmptySql(schema({}, [])));

  // prisma/migrations: init, then one folder per rendered step.
  const dir = join(tmp, 'migrations');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  const folders = ['20240101000000_init'];
  await mkdir(join(dir, folders[0]));
  await writeFile(join(dir, folders[0], 'migration.sql'), init);
  let n = 0;
  for (const { entry } of ENTRIES) {
    for (let i = 0; i < entry.steps.length; i++) {
      const name = `202401020000${String(++n).padStart(2, '0')}_${entry.name.toLowerCase()}_${i + 1}`;
      const { up, down } = renderMigrationFile(entry, i);
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'migration.sql'), up);
      await writeFile(join(dir, name, 'down.sql'), down);
      folders.push(name);
    }
  }

  session = ok(await openSchemaEngine({ schema: schema(declarations, [...previewFeatures]), target: db.target }));
  const migrations = await readMigrationsDirectory(dir);
  expect(ok(await session.applyMigrations(migrations))).toEqual(folders);
  expect(ok(await session.applyMigrations(migrations))).toEqual([]);

  const indexes = await listIndexes(db.client);
  for (const name of [
    'Post_author_id_createdAt_idx',
    'Post_payload_idx',
    'Post_title_idx',
    'User_email_key',
    'Job_runAt_idx',
  ]) {
    expect(indexes.find((i) => i.name === name)).toMatchObject({ valid: true });
  }
  expect(await listCheckConstraints(db.client)).toMatchObject([{ name: 'Job_attempts_check', validated: true }]);
  const recorded = await query<{ n: number }>(
    db.client,
    'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
  );
  expect(recorded).toEqual([{ n: folders.length }]);

  // Drift: only the INCLUDE index (declared kind 'none', drift: true). The CHECK is invisible to Prisma.
  const include = ENTRIES[ENTRIES.length - 1].entry.declaration;
  expect(include).toMatchObject({ kind: 'none', drift: true });
  expect(ok(await session.diffDatabaseToSchema()).trim()).toBe('-- DropIndex\nDROP INDEX "Job_runAt_idx";');
});
