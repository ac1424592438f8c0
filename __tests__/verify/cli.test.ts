/**
 * verify through the CLI and on generated projects with awkward shapes: a server that refuses a
 * scratch database (exit 2), the text report, hostile names, relationMode = "prisma", and
 * `generate --group table` folders (Prisma >= 7.4 only).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateCommand } from '../../src/cli/commands/generate';
import { main } from '../../src/cli/main';
import { connectionUrl, query } from '../../src/db/client';
import { quoteIdent, quoteLiteral } from '../../src/sql/quote';
import { testConnection } from '../support/pg';
import {
  clusterUrl,
  EVERY_STEP_PASSED,
  expectEveryStepPassed,
  FIXTURES,
  statuses,
  stepOf,
  testIO,
  verifyJson,
} from '../support/verify';

const GENERATE = {
  dryRun: false,
  includeInfo: true,
  allowDrift: false,
  previewFeatures: true,
  group: 'statement' as const,
  format: 'text' as const,
  timestamp: '20250101000000',
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function projectWith(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-verify-cli-'));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

test('a role that cannot create a database: exit 2, a clear message, nothing touched', async () => {
  const admin = { ...testConnection(), database: 'postgres' };
  const role = `idxgen_nocreate_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(8).toString('hex');
  await query(admin, `CREATE ROLE ${quoteIdent(role)} LOGIN NOCREATEDB PASSWORD ${quoteLiteral(password)}`);
  try {
    const io = testIO(path.join(FIXTURES, 'pass'));
    const url = connectionUrl({ ...testConnection(), user: role, password, database: 'postgres' });
    expect(await main(['verify', '--database-url', url], io)).toBe(2);
    const err = io.err.join('');
    expect(err).toMatch(
      new RegExp(
        `cannot create a scratch database on postgresql://${role}:\\*\\*\\*@.* as "${role}": permission denied to create database`,
      ),
    );
    expect(err).toContain('never in existing ones');
    expect(err).not.toContain(password);
    expect(io.out.join('')).toBe('');
  } finally {
    await query(admin, `DROP ROLE ${quoteIdent(role)}`);
  }
});

test('text report: one PASS/FAIL line per step with its time, no colour codes, exit code in the last line', async () => {
  const io = testIO(path.join(FIXTURES, 'drift'));
  expect(await main(['verify', '--database-url', clusterUrl()], io)).toBe(1);
  const text = io.out.join('');
  expect(text).not.toMatch(/\u001b\[/);
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^idxgen verify on PostgreSQL 18\.\d+$/);
  expect(lines[1]).toMatch(
    /^ {2}scratch databases created and dropped on 127\.0\.0\.1:\d+; the database "postgres" and its data are not touched: scratch database idxgen_verify_main_[0-9a-f]{8} \(created and dropped; no existing data touched\)$/,
  );
  expect(lines[2]).toBe('  migrations: prisma/migrations (1 base folder, 1 idxgen folder, 1 later project folder)');
  const stepLines = lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
  expect(stepLines.map((l) => l.replace(/ +\d+ ms {2}.*$/, ''))).toEqual([
    'PASS a. base',
    'PASS b. apply',
    'PASS c. coverage',
    'PASS d. evidence',
    'PASS e. rollback',
    'FAIL f. drift',
  ]);
  expect(text).toContain('      ! prisma migrate dev would run: DROP INDEX "Post_title_idx";\n');
  expect(text).toMatch(
    /\n {6}drift judged by Prisma 7\.10's schema engine \(build [0-9a-f]{40}\), the project's Prisma major \(Prisma 7\.\d+\.\d+ \(.*\)\)\n/,
  );
  expect(lines.filter((l) => l !== '').pop()).toMatch(
    /^FAIL: 1 step did not pass: drift \(failed\) \((\d+ ms|\d+\.\d s) in all; exit code 1\)$/,
  );
  expect(text.endsWith('\n')).toBe(true);
});

test("a Prisma 6 project: verify says its drift was judged by Prisma 7.10's engine, not by the project's Prisma", async () => {
  const src = path.join(FIXTURES, 'pass');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-verify-p6-'));
  roots.push(root);
  fs.cpSync(src, root, { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ devDependencies: { prisma: '6.19.3' } }));
  const io = testIO(root);
  expect(await main(['verify', '--database-url', clusterUrl()], io)).toBe(0);
  expect(io.out.join('')).toMatch(
    /\n {6}drift judged by Prisma 7\.10's schema engine \(build [0-9a-f]{40}\), not by the project's Prisma 6\.19\.3 \(from package\.json devDependencies\.prisma \(6\.19\.3\)\): idxgen bundles no Prisma 6 schema engine, so Prisma 6's own verdict may differ\n/,
  );
  const json = JSON.parse(
    await (async () => {
      const j = testIO(root);
      await main(['verify', '--database-url', clusterUrl(), '--format', 'json'], j);
      return j.out.join('');
    })(),
  ) as { steps: { name: string; details: { judgedBy?: string } }[] };
  expect(json.steps.find((s) => s.name === 'drift')!.details.judgedBy).toMatch(
    /^drift judged by Prisma 7\.10's schema engine .*not by the project's Prisma 6\.19\.3/,
  );
});

test('hostile names (spaces, accents, mapped enum), uuid keys, varchar lengths: rows load and every index is proven', async () => {
  const root = projectWith({
    'prisma/schema.prisma': `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
}

enum PostStatus {
  DRAFT
  LIVE

  @@map("post status")
}

model Author {
  id    String @id @default(uuid()) @db.Uuid
  name  String @db.VarChar(40)
  email String @unique @db.VarChar(120)
  posts Post[]

  @@map("Author Table")
}

model Post {
  id        Int        @id @default(autoincrement())
  authorId  String     @map("author id") @db.Uuid
  author    Author     @relation(fields: [authorId], references: [id])
  title     String     @map("título")
  status    PostStatus @default(DRAFT)
  /// @idxgen.gin
  data      Json
  /// @idxgen.gin
  tags      String[]
  createdAt DateTime   @default(now()) @map("créé le")

  @@map("Blog Post")
}
`,
  });
  expect(await generateCommand(GENERATE, testIO(root))).toBe(0);
  const { report } = await verifyJson(root);
  expect(statuses(report)).toEqual(EVERY_STEP_PASSED);
  const evidence = stepOf(report, 'evidence');
  expect(evidence.details.tables).toEqual([expect.objectContaining({ table: 'Blog Post', rows: 20000 })]);
  expect(evidence.details.indexes.map((i) => i.shape).sort()).toEqual(
    expect.arrayContaining(['array-contains', 'jsonb-contains']),
  );
  const fk = evidence.details.indexes.find((i) => i.query.includes('"author id" = '));
  expect(fk).toMatchObject({ ok: true });
  expect(fk!.query).toMatch(/^SELECT \* FROM "Blog Post" WHERE "author id" = '[0-9a-f-]{36}'/);
});

test('relationMode = "prisma": no FK constraints, so coverage checks the model\'s relations against the indexes', async () => {
  const root = projectWith({
    'prisma/schema.prisma': `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider     = "postgresql"
  relationMode = "prisma"
}

model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
}

model Post {
  id       Int  @id @default(autoincrement())
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
`,
  });
  expect(await generateCommand({ ...GENERATE, includeInfo: false }, testIO(root))).toBe(0);
  const { report } = await verifyJson(root);
  expect(statuses(report)).toEqual(EVERY_STEP_PASSED);
  expect(stepOf(report, 'coverage').details).toEqual({ foreignKeys: 1, source: 'model', uncovered: [] });
  expect(stepOf(report, 'evidence').details.indexes).toEqual([
    expect.objectContaining({ index: 'Post_authorId_idx', shape: 'lookup', ok: true }),
  ]);
});

test.each(['foreignKeys', 'prisma'] as const)(
  'fk-index method "hash" (relationMode %s): one hash index per FK, generated, applied, counted as covering, used, rolled back',
  async (relationMode) => {
    const root = projectWith({
      'idxgen.config.json': JSON.stringify({ rules: { 'fk-index': { options: { method: 'hash' } } } }),
      'prisma/schema.prisma': `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider     = "postgresql"
  relationMode = "${relationMode}"
}

model User {
  id       String    @id @default(uuid()) @db.Uuid
  posts    Post[]
  comments Comment[]
}

model Post {
  id        String    @id @default(uuid()) @db.Uuid
  authorId  String    @db.Uuid
  author    User      @relation(fields: [authorId], references: [id])
  createdAt DateTime  @default(now())
  comments  Comment[]
}

model Comment {
  id       String @id @default(uuid()) @db.Uuid
  postId   String @db.Uuid
  post     Post   @relation(fields: [postId], references: [id])
  authorId String @db.Uuid
  author   User   @relation(fields: [authorId], references: [id])
}
`,
    });
    expect(await generateCommand({ ...GENERATE, includeInfo: false }, testIO(root))).toBe(0);
    const dir = path.join(root, 'prisma', 'migrations');
    const created = fs
      .readdirSync(dir)
      .filter((name) => name.startsWith('2025'))
      .map((name) =>
        fs
          .readFileSync(path.join(dir, name, 'migration.sql'), 'utf8')
          .trimEnd()
          .split('\n')
          .pop(),
      );
    // One folder per FK, each a hash index: never a btree beside it.
    expect(created.sort()).toEqual([
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Comment_authorId_idx" ON "Comment" USING hash ("authorId");',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Comment_postId_idx" ON "Comment" USING hash ("postId");',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_authorId_idx" ON "Post" USING hash ("authorId");',
    ]);
    expect(fs.readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8')).toContain(
      '@@index([authorId], map: "Post_authorId_idx", type: Hash)',
    );
    const { code, report } = await verifyJson(root);
    expectEveryStepPassed(report, code);
    expect(stepOf(report, 'coverage').details).toMatchObject({ foreignKeys: 3, uncovered: [] });
    expect(
      stepOf(report, 'evidence')
        .details.indexes.map((i) => [i.index, i.ok])
        .sort(),
    ).toEqual([
      ['Comment_authorId_idx', true],
      ['Comment_postId_idx', true],
      ['Post_authorId_idx', true],
    ]);
  },
);

test('--group table folders: applied statement by statement; the old-Prisma check says they need Prisma >= 7.4', async () => {
  const root = projectWith({
    'package.json': JSON.stringify({ name: 'x', devDependencies: { prisma: '^7.4.0' } }),
    'prisma/schema.prisma': fs
      .readFileSync(path.join(FIXTURES, 'pass', 'prisma', 'schema.prisma'), 'utf8')
      .replace(/\n {2}@@index\(\[authorId, createdAt\(sort: Desc\)\], map: "Post_authorId_createdAt_idx"\)\n/, '\n')
      .replace(
        /(\n\s*)createdAt DateTime @default\(now\(\)\)/,
        '$1createdAt DateTime @default(now())$1/// @idxgen.trigram$1summary   String',
      ),
  });
  expect(await generateCommand({ ...GENERATE, group: 'table' }, testIO(root))).toBe(0);
  const { report } = await verifyJson(root);
  const apply = stepOf(report, 'apply');
  const grouped = apply.details.oldPrisma.folders.filter((f) => f.result === 'needs-7.4');
  expect(grouped.length).toBeGreaterThan(0);
  expect(grouped[0]!.error).toMatchObject({ code: '25001' });
  expect(apply.details.oldPrisma.folders.filter((f) => f.result === 'fails')).toEqual([]);
  expect(apply.details.oldPrisma.sameCatalog).toBe(true);
  expect(statuses(report)).toMatchObject(EVERY_STEP_PASSED);
});
