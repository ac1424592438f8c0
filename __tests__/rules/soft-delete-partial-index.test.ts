import { readPredicate } from '../../src/sql/predicate';
import { rule as fkIndex } from '../../src/rules/fk-index';
import { rule } from '../../src/rules/soft-delete-partial-index';
import { fixture, ruleTester, runRule, schema } from '../support/rules';

ruleTester(rule, {
  valid: [
    {
      name: 'an existing partial index with the same predicate (quoting and parentheses differ)',
      schema: schema(
        `
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id         Int       @id
  authorId   Int       @map("author_id")
  author     User      @relation(fields: [authorId], references: [id])
  deleted_at DateTime?

  @@index([authorId], where: raw("(deleted_at is null)"))
}`,
        { previewFeatures: ['partialIndexes'] },
      ),
    },
    {
      name: '1:1 FK (unique) and optional FKs are not proposed by default',
      schema: schema(`
model User {
  id      Int       @id
  profile Profile?
  avatars Profile[] @relation("avatar")
}
model Profile {
  id        Int       @id
  userId    Int       @unique
  user      User      @relation(fields: [userId], references: [id])
  avatarOf  Int?
  avatar    User?     @relation("avatar", fields: [avatarOf], references: [id])
  deletedAt DateTime?
}`),
    },
    {
      name: 'an index (fk, deleted) already serves the live-row reads',
      schema: schema(`
model Thing {
  id       Int      @id
  deleted  Boolean
  children Child[]
}
model Child {
  id      Int     @id
  deleted Boolean
  thingId Int
  thing   Thing   @relation(fields: [thingId], references: [id])

  @@index([thingId, deleted])
}`),
    },
  ],
  invalid: [
    {
      name: 'fixture: required FKs only, already-served FK; a Boolean marker is not one by default',
      schema: fixture('soft-delete-partial-index.prisma'),
      expected: [
        { table: 'Document', columns: ['authorId'], where: '"deletedAt" IS NULL', line: 30, column: 3 },
        { table: 'Document', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 32, column: 3 },
        { table: 'Folder', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 55, column: 3 },
      ],
    },
    {
      name: 'fixture with booleanFields: the Boolean marker the user names',
      options: { booleanFields: ['is_deleted'] },
      schema: fixture('soft-delete-partial-index.prisma'),
      expected: [
        { table: 'Document', columns: ['authorId'], where: '"deletedAt" IS NULL', line: 30, column: 3 },
        { table: 'Document', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 32, column: 3 },
        { table: 'comments', columns: ['document_id'], where: 'is_deleted = false', line: 43, column: 3 },
        { table: 'Folder', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 55, column: 3 },
      ],
    },
    {
      name: 'maxPerModel: 1 keeps the first required FK',
      options: { maxPerModel: 1, booleanFields: ['is_deleted'] },
      schema: fixture('soft-delete-partial-index.prisma'),
      expected: [
        { table: 'Document', columns: ['authorId'], where: '"deletedAt" IS NULL', line: 30, column: 3 },
        { table: 'comments', columns: ['document_id'], where: 'is_deleted = false', line: 43, column: 3 },
        { table: 'Folder', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 55, column: 3 },
      ],
    },
    {
      name: 'optionalForeignKeys + maxPerModel: 3 reach the optional FK, after the required ones',
      options: { maxPerModel: 3, optionalForeignKeys: true, booleanFields: ['is_deleted'] },
      schema: fixture('soft-delete-partial-index.prisma'),
      expected: [
        { table: 'Document', columns: ['authorId'], where: '"deletedAt" IS NULL', line: 30, column: 3 },
        { table: 'Document', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 32, column: 3 },
        { table: 'Document', columns: ['reviewerId'], where: '"deletedAt" IS NULL', line: 28, column: 3 },
        { table: 'comments', columns: ['document_id'], where: 'is_deleted = false', line: 43, column: 3 },
        { table: 'Folder', columns: ['orgId'], where: '"deletedAt" IS NULL', line: 55, column: 3 },
      ],
    },
    {
      name: 'booleanFields / timestampFields options',
      options: { timestampFields: [], booleanFields: ['trashed'] },
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int       @id
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  deletedAt DateTime?
  trashed   Boolean?
}`),
      expected: [{ table: 'Post', columns: ['authorId'], where: 'trashed = false', line: 16, column: 3 }],
    },
    {
      name: 'a deletion time by name (removedAt), never archivedAt nor an archived Boolean',
      schema: schema(`
model User {
  id      Int      @id
  posts   Post[]
  results Result[]
}
model Post {
  id        Int       @id
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  removedAt DateTime?
}
model Result {
  id         Int       @id
  userId     Int
  user       User      @relation(fields: [userId], references: [id])
  archived   Boolean   @default(false)
  archivedAt DateTime?
}`),
      expected: [{ table: 'Post', columns: ['authorId'], where: '"removedAt" IS NULL', line: 17, column: 3 }],
    },
  ],
});

describe('soft-delete-partial-index details', () => {
  const found = runRule(rule, fixture('soft-delete-partial-index.prisma'));

  it('gives the exact spec and message (preview feature not enabled)', () => {
    const p = found[0]!;
    expect(p.spec).toEqual({
      kind: 'index',
      table: 'Document',
      columns: [{ column: 'authorId', field: 'authorId' }],
      method: 'btree',
      unique: false,
      where: readPredicate('"deletedAt" IS NULL'),
      include: [],
      extensions: [],
    });
    expect(p.message).toEqual({
      title: 'Partial index "Document" ("authorId") WHERE "deletedAt" IS NULL for live rows',
      cost: 'Reads of "Document" by ("authorId") skip soft-deleted rows ("deletedAt" IS NULL), but an index on ("authorId") holds the deleted rows too: it grows with them, and each lookup fetches deleted rows to discard them.',
      instead:
        'Index "Document" ("authorId") WHERE "deletedAt" IS NULL, which holds only live rows (the FK itself still needs its full index). ' +
        'Prisma declares partial indexes only with the partialIndexes preview feature: add `previewFeatures = ["partialIndexes"]` to the generator and declare it with `@@index([...], where: raw("..."))`.',
      serves: 'SELECT … FROM "Document" WHERE "authorId" = $1 AND "deletedAt" IS NULL',
    });
    expect(p.evidence).toEqual([
      '"Document"."deletedAt" (DateTime?) marks soft-deleted rows',
      'foreign key ("authorId") → "User" (required)',
      'no index on "Document" starts with ("authorId") and has WHERE "deletedAt" IS NULL or contains "deletedAt"',
    ]);
  });

  it('does not replace fk-index: the plain FK index is still proposed for the same columns', () => {
    const plain = runRule(fkIndex, fixture('soft-delete-partial-index.prisma'));
    const keys = plain.map(
      (p) => `${p.spec.table}:${p.spec.kind === 'index' ? p.spec.columns.map((c) => c.column).join(',') : ''}`,
    );
    expect(keys).toEqual(expect.arrayContaining(['Document:orgId', 'comments:document_id', 'Folder:orgId']));
  });

  it('says the preview feature is already on when it is', () => {
    const [p] = runRule(
      rule,
      schema(
        `
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int       @id
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  deletedAt DateTime?
}`,
        { previewFeatures: ['partialIndexes'] },
      ),
    );
    expect(p!.message.instead).toBe(
      'Index "Post" ("authorId") WHERE "deletedAt" IS NULL, which holds only live rows (the FK itself still needs its full index). Declare it with `@@index([...], where: raw("..."))` (the partialIndexes preview feature is on).',
    );
  });

  it('validates options', () => {
    expect(rule.meta.validateOptions({ maxPerModel: 0 })).toEqual(['maxPerModel: must be at least 1, got 0']);
    expect(rule.meta.validateOptions({ maxPerModel: 1.5 })).toEqual([
      'maxPerModel: expected an integer, got number 1.5',
    ]);
    expect(rule.meta.validateOptions({ booleanFields: ['ok', 3] })).toEqual([
      'booleanFields[1]: expected a non-empty string, got number 3',
    ]);
  });
});
