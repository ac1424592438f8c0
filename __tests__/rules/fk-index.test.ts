import { findCovering } from '../../src/rules/coverage';
import { rule } from '../../src/rules/fk-index';
import { corpusSchema, fixture, modelFrom, ruleTester, runRule, schema } from '../support/rules';

/**
 * What does not cover: hash indexes on each column of a composite FK (hash serves a single-column
 * equality only); a hash index on another column; a partial btree whose predicate is not `fk IS NOT NULL`.
 */
const HASH_AND_PARTIAL = schema(
  `
model Tenant {
  tenantId Int
  id       Int
  docs     Doc[]

  @@id([tenantId, id])
}
model Doc {
  id        Int    @id
  tenantId  Int
  projectId Int
  tenant    Tenant @relation(fields: [tenantId, projectId], references: [tenantId, id])

  @@index([tenantId], type: Hash)
  @@index([projectId], type: Hash)
}
model Item {
  id        Int       @id
  code      String
  liveId    Int?
  live      Live?     @relation(fields: [liveId], references: [id])
  deletedAt DateTime?

  @@index([code], type: Hash)
  @@index([liveId], where: raw("\\"deletedAt\\" IS NULL"), map: "item_live_idx")
}
model Live {
  id    Int    @id
  items Item[]
}`,
  { previewFeatures: ['partialIndexes'] },
);

ruleTester(rule, {
  valid: [
    {
      name: 'FK leading a composite @@index',
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int      @id
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime

  @@index([authorId, createdAt(sort: Desc)])
}`),
    },
    {
      name: '1:1 relation whose FK is @unique',
      schema: schema(`
model User {
  id      Int      @id
  profile Profile?
}
model Profile {
  id     Int  @id
  userId Int  @unique
  user   User @relation(fields: [userId], references: [id])
}`),
    },
    {
      name: 'FK that is the primary key',
      schema: schema(`
model User {
  id       Int       @id
  settings Settings?
}
model Settings {
  userId Int  @id
  user   User @relation(fields: [userId], references: [id])
}`),
    },
    {
      name: 'implicit many-to-many: Prisma creates PK (A, B) and an index on (B)',
      schema: schema(`
model Post {
  id   Int   @id
  tags Tag[]
}
model Tag {
  id    Int    @id
  posts Post[]
}`),
    },
    {
      name: '@@ignore model is skipped',
      schema: schema(`
model User {
  id    Int    @id
  posts Post[] @ignore
}
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])

  @@ignore
}`),
    },
    {
      name: 'single-column FK covered by a hash index (equality lookups; civitai does this on purpose)',
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])

  @@index([authorId], type: Hash)
}`),
    },
    {
      name: 'composite FK covered by a unique constraint in another column order',
      schema: schema(`
model Project {
  tenantId Int
  id       Int
  docs     Doc[]

  @@id([tenantId, id])
}
model Doc {
  id        Int     @id
  tenantId  Int
  projectId Int
  slug      String
  project   Project @relation(fields: [tenantId, projectId], references: [tenantId, id])

  @@unique([projectId, tenantId, slug])
}`),
    },
  ],
  invalid: [
    {
      name: 'blog fixture: self-relation, FK behind another column, plain uncovered FK',
      schema: fixture('fk-index-blog.prisma'),
      expected: [
        { table: 'User', columns: ['managerId'], line: 14, column: 3 },
        { table: 'Post', columns: ['authorId'], line: 26, column: 3 },
        { table: 'Comment', columns: ['postId'], line: 46, column: 3 },
      ],
    },
    {
      // Gadget: its single-column hash index covers ownerId (the partial index beside it would not).
      name: 'composite fixture: composite FKs, hash / partial / BRIN indexes, @map',
      schema: fixture('fk-index-composite.prisma'),
      expected: [
        { table: 'Document', columns: ['tenantId', 'projectId'], line: 32, column: 3 },
        { table: 'Sheet', columns: ['tenantId', 'projectId'], line: 55, column: 3 },
        { table: 'Gizmo', columns: ['ownerId'], line: 100, column: 3 },
        { table: 'Doohickey', columns: ['ownerId'], line: 107, column: 3 },
      ],
    },
    {
      name: 'hash does not cover a composite FK, nor another column; a partial index with another predicate does not count',
      schema: HASH_AND_PARTIAL,
      expected: [
        { table: 'Doc', columns: ['tenantId', 'projectId'], line: 20, column: 3 },
        { table: 'Item', columns: ['liveId'], line: 29, column: 3 },
      ],
    },
    {
      name: 'relationMode = "prisma" still needs the index',
      schema: schema(
        `
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id       Int  @id
  authorId Int  @map("author_id")
  author   User @relation(fields: [authorId], references: [id])

  @@map("posts")
}`,
        { relationMode: 'prisma' },
      ),
      expected: [{ table: 'posts', columns: ['author_id'], line: 16, column: 3 }],
    },
    {
      name: 'two relations over the same columns get one index shape (first FK order)',
      schema: schema(`
model Account {
  orgId  Int
  id     Int
  a      Pair[] @relation("a")
  b      Pair[] @relation("b")

  @@id([orgId, id])
}
model Pair {
  id     Int     @id
  orgId  Int
  accId  Int
  first  Account @relation("a", fields: [orgId, accId], references: [orgId, id])
  second Account @relation("b", fields: [accId, orgId], references: [id, orgId])
}`),
      expected: [
        { table: 'Pair', columns: ['orgId', 'accId'], line: 21, column: 3 },
        { table: 'Pair', columns: ['orgId', 'accId'], line: 22, column: 3 },
      ],
    },
  ],
});

describe('fk-index details', () => {
  it('gives the exact spec, message and evidence', () => {
    const [p] = runRule(rule, fixture('fk-index-blog.prisma')).filter((x) => x.model === 'Post');
    expect(p).toBeDefined();
    expect(p!.spec).toEqual({
      kind: 'index',
      table: 'Post',
      columns: [{ column: 'authorId', field: 'authorId' }],
      method: 'btree',
      unique: false,
      include: [],
      extensions: [],
    });
    expect(p!.message).toEqual({
      title: 'Foreign key "Post" ("authorId") → "User" has no index',
      cost:
        'Every DELETE on "User" (and every update of its key) scans "Post" to find the rows ON DELETE CASCADE must delete, holding its locks for the whole scan. ' +
        'Joins and lookups from "User" to "Post" read the whole table.',
      instead: 'Create a btree index on "Post" ("authorId") so the FK checks and the joins use an index scan.',
      serves: 'SELECT … FROM "Post" WHERE "authorId" = $1',
    });
    expect(p!.evidence).toEqual([
      'foreign key "Post_authorId_fkey": "Post" ("authorId") → "User" ("id")',
      'considered primary key "Post_pkey" ("id"): does not start with ("authorId")',
      'considered index "Post_title_idx" ("title"): does not start with ("authorId")',
    ]);
    expect(p!.model).toBe('Post');
  });

  it('explains which indexes count: hash on the one FK column does; hash under a composite FK, partial and BRIN do not', () => {
    const found = runRule(rule, fixture('fk-index-composite.prisma'));
    // Gadget has a hash index on ownerId (and a partial index that would not count): covered.
    expect(found.find((p) => p.model === 'Gadget')).toBeUndefined();
    const gadget = modelFrom(fixture('fk-index-composite.prisma')).tables.find((t) => t.model === 'Gadget')!;
    const { covering, verdicts } = findCovering(gadget, ['ownerId']);
    expect(covering?.name).toBe('Gadget_ownerId_idx');
    expect(verdicts.map((v) => [v.covers, v.reason])).toEqual([
      [false, 'primary key "Gadget_pkey" ("id"): does not start with ("ownerId")'],
      [true, 'index "Gadget_ownerId_idx" ("ownerId") using hash: starts with ("ownerId")'],
      [
        false,
        'index "gadget_live_owner_idx" ("ownerId") WHERE "deletedAt" IS NULL: partial (WHERE "deletedAt" IS NULL), does not hold every row',
      ],
    ]);

    const sheet = found.find((p) => p.model === 'Sheet')!;
    expect(sheet.evidence[1]).toBe(
      'considered primary key "Sheet_pkey" ("number", "tenantId", "projectId"): its first 2 columns are ("number", "tenantId"), not ("tenantId", "projectId")',
    );
    const doohickey = found.find((p) => p.model === 'Doohickey')!;
    expect(doohickey.evidence[2]).toBe(
      'considered index "Doohickey_ownerId_idx" ("ownerId") using brin: brin, which serves only ranges on its columns',
    );
    // optional relation without onDelete: Prisma's default is SET NULL
    expect(found.find((p) => p.model === 'Gizmo')!.message.cost).toContain(
      'to find the rows ON DELETE SET NULL must update',
    );

    const other = runRule(rule, HASH_AND_PARTIAL);
    expect(other.find((p) => p.model === 'Doc')!.evidence).toEqual([
      'foreign key "Doc_tenantId_projectId_fkey": "Doc" ("tenantId", "projectId") → "Tenant" ("tenantId", "id")',
      'considered primary key "Doc_pkey" ("id"): does not start with ("tenantId", "projectId")',
      'considered index "Doc_tenantId_idx" ("tenantId") using hash: hash, which serves only a single-column equality',
      'considered index "Doc_projectId_idx" ("projectId") using hash: hash, which serves only a single-column equality',
    ]);
    const item = other.find((p) => p.model === 'Item')!;
    expect(item.evidence).toHaveLength(4);
    expect(item.evidence[3]).toBe(
      'considered index "item_live_idx" ("liveId") WHERE "deletedAt" IS NULL: partial (WHERE "deletedAt" IS NULL), does not hold every row',
    );
    const itemTable = modelFrom(HASH_AND_PARTIAL).tables.find((t) => t.model === 'Item')!;
    expect(findCovering(itemTable, ['liveId']).verdicts.map((v) => [v.index.name, v.covers])).toEqual([
      ['Item_pkey', false],
      ['Item_code_idx', false], // a hash index on another column
      ['item_live_idx', false],
    ]);
  });

  it('says relationMode = "prisma" in the message and evidence', () => {
    const [p] = runRule(
      rule,
      schema(
        `
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}`,
        { relationMode: 'prisma' },
      ),
    );
    expect(p!.message.cost).toBe(
      'relationMode = "prisma": the database has no FK constraint, so Prisma itself queries "Post" by ("authorId") on every delete or key update of "User" ' +
        'to emulate the referential action, a sequential scan without an index. Joins and lookups from "User" to "Post" read the whole table.',
    );
    expect(p!.evidence[0]).toBe(
      'relationMode = "prisma": no FK constraint in the database, Prisma emulates "Post" ("authorId") → "User" ("id")',
    );
  });

  it('judges the implicit m:n join table covered from the model (PK (A, B), index (B))', () => {
    const model = modelFrom(fixture('fk-index-blog.prisma'));
    const join = model.tables.find((t) => t.kind === 'implicitJoin')!;
    expect(join.name).toBe('_PostToTag');
    expect(join.foreignKeys.map((fk) => fk.columns)).toEqual([['A'], ['B']]);
    for (const fk of join.foreignKeys) expect(findCovering(join, fk.columns).covering).toBeDefined();
    expect(runRule(rule, model).filter((p) => p.spec.table === '_PostToTag')).toEqual([]);
  });

  it('does not touch views', () => {
    const found = runRule(
      rule,
      schema(
        `
model User {
  id Int @id
}
view UserInfo {
  id     Int  @unique
  userId Int
}`,
        { previewFeatures: ['views'] },
      ),
    );
    expect(found).toEqual([]);
  });

  it('takes one option, method, and rejects others', () => {
    expect(rule.meta.validateOptions({})).toEqual([]);
    expect(rule.meta.validateOptions(undefined)).toEqual([]);
    expect(rule.meta.validateOptions({ method: 'hash' })).toEqual([]);
    expect(rule.meta.validateOptions({ method: 'gin' })).toEqual(['method: expected "btree" or "hash", got "gin"']);
    expect(rule.meta.validateOptions({ strict: true })).toEqual([expect.stringMatching(/^strict: unknown option/)]);
    expect(rule.meta.validateOptions([])).toEqual(['options: expected an object, got an array']);
  });
});

describe('fk-index on the corpus', () => {
  it('civitai: ImageTool.imageId is covered by @@id([imageId, toolId]), toolId by @@index([toolId])', () => {
    const model = modelFrom(corpusSchema('civitai__civitai.prisma'));
    const imageTool = model.tables.find((t) => t.model === 'ImageTool')!;
    const byColumn = (c: string) => imageTool.foreignKeys.find((fk) => fk.columns[0] === c)!;
    expect(findCovering(imageTool, byColumn('imageId').columns).covering?.name).toBe('ImageTool_pkey');
    expect(findCovering(imageTool, byColumn('toolId').columns).covering?.name).toBe('ImageTool_toolId_idx');
    expect(runRule(rule, model).filter((p) => p.model === 'ImageTool')).toEqual([]);
  });

  // Cross-checked against an independent count from Prisma's own DMMF (get_dmmf: relationFromFields vs
  // the model's @@id/@@unique/@@index lists: btree, or hash on a single-column FK) and against pg_catalog
  // (npm run corpus: Prisma's from-empty SQL applied to PostgreSQL); a change here needs an explanation.
  // civitai was 212 while hash indexes did not count: 62 of its FKs are indexed only by `type: Hash`.
  it.each([
    ['amplication__amplication.prisma', 38],
    ['boxyhq__saas-starter-kit.prisma', 2],
    ['civitai__civitai.prisma', 150],
    ['hoppscotch__hoppscotch.prisma', 13],
    ['jitsucom__jitsu.prisma', 13],
    ['langfuse__langfuse.prisma', 37],
    ['teableio__teable.prisma', 7],
    ['triggerdotdev__trigger.dev.prisma', 76],
    ['umami-software__umami.prisma', 0],
  ])('%s: %i findings', (file, count) => {
    expect(runRule(rule, corpusSchema(file)).length).toBe(count);
  });
});
