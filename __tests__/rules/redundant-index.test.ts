import { readPredicate, samePredicate } from '../../src/sql/predicate';

const same = (a: string, b: string) => samePredicate(readPredicate(a), readPredicate(b));
import { rule } from '../../src/rules/redundant-index';
import { fixture, ruleTester, runRule, schema } from '../support/rules';

ruleTester(rule, {
  valid: [
    {
      name: 'a unique constraint that is a prefix of an index is never dropped',
      schema: schema(`
model User {
  id    Int    @id
  email String
  name  String

  @@unique([email])
  @@index([email, name])
}`),
    },
    {
      name: 'different predicates: a partial (a) is not redundant with a full (a, b)',
      schema: schema(
        `
model Post {
  id        Int       @id
  authorId  Int
  title     String
  deletedAt DateTime?

  @@index([authorId], where: raw("\\"deletedAt\\" IS NULL"))
  @@index([authorId, title])
}`,
        { previewFeatures: ['partialIndexes'] },
      ),
    },
    {
      name: '(a, b) is not redundant with (b, a)',
      schema: schema(`
model Post {
  id Int @id
  a  Int
  b  Int

  @@index([a, b])
  @@index([b, a])
}`),
    },
    {
      name: 'a unique constraint on the primary key columns in another order is not a duplicate',
      schema: schema(`
model Membership {
  a Int
  b Int

  @@id([a, b])
  @@unique([b, a])
}`),
    },
  ],
  invalid: [
    {
      name: 'fixture: prefixes, key duplicates, exact duplicates, reversed sort, operator classes, hash',
      schema: fixture('redundant-index.prisma'),
      expected: [
        { table: 'Post', columns: ['authorId'], line: 18, column: 3 },
        { table: 'Post', columns: ['id'], line: 20, column: 3 },
        { table: 'Post', columns: ['slug'], line: 21, column: 3 },
        { table: 'Post', columns: ['title'], line: 23, column: 3 },
        { table: 'events', columns: ['event_kind DESC', 'at DESC'], line: 34, column: 3 },
        { table: 'events', columns: ['event_kind'], line: 36, column: 3 },
        { table: 'Token', columns: ['value'], method: 'hash', line: 48, column: 3 },
        { table: 'Token', columns: ['owner'], line: 51, column: 3 },
      ],
    },
    {
      name: 'same predicate written differently',
      schema: schema(
        `
model Post {
  id        Int       @id
  authorId  Int
  title     String
  deletedAt DateTime?

  @@index([authorId], where: raw("\\"deletedAt\\" IS NULL"))
  @@index([authorId, title], where: raw("(\\"deletedAt\\"   is null)"))
}`,
        { previewFeatures: ['partialIndexes'] },
      ),
      expected: [{ table: 'Post', columns: ['authorId'], where: '"deletedAt" IS NULL', line: 15, column: 3 }],
    },
    {
      name: '@id plus @unique on one field, @@unique on the @@id columns, and a second @@unique: reported at the duplicate attribute',
      schema: schema(`
model Account {
  id    String @id @unique @default(cuid())
  email String @unique

  @@unique([email], map: "account_email_again")
}
model Membership {
  a Int
  b Int

  @@id([a, b])
  @@unique([a, b])
}`),
      expected: [
        { table: 'Account', columns: ['id'], unique: true, line: 10, column: 20 },
        { table: 'Account', columns: ['email'], unique: true, line: 13, column: 3 },
        { table: 'Membership', columns: ['a', 'b'], unique: true, line: 20, column: 3 },
      ],
    },
  ],
});

describe('redundant-index details', () => {
  const found = runRule(rule, fixture('redundant-index.prisma'));
  const coveredBy = Object.fromEntries(
    found.map((p) => [
      p.spec.kind === 'drop-index' ? p.spec.name : '?',
      p.spec.kind === 'drop-index' ? p.spec.coveredBy : '?',
    ]),
  );

  it('names what covers each dropped index (keys first, then the longest, then the first declared)', () => {
    expect(coveredBy).toEqual({
      Post_authorId_idx: 'Post_authorId_createdAt_idx',
      Post_id_idx: 'Post_pkey',
      Post_slug_idx: 'Post_slug_key',
      title_b: 'title_a',
      events_event_kind_at_idx: 'events_event_kind_at_id_idx',
      events_event_kind_idx: 'events_event_kind_at_id_idx',
      token_value_hash2: 'Token_value_idx',
      Token_owner_idx: 'Token_owner_value_key',
    });
  });

  it('gives the exact drop spec with the index to re-create, and the message', () => {
    const p = found[0]!;
    expect(p.spec).toEqual({
      kind: 'drop-index',
      table: 'Post',
      name: 'Post_authorId_idx',
      coveredBy: 'Post_authorId_createdAt_idx',
      recreate: {
        kind: 'index',
        table: 'Post',
        columns: [{ column: 'authorId', field: 'authorId' }],
        method: 'btree',
        unique: false,
        include: [],
        extensions: [],
      },
    });
    expect(p.message).toEqual({
      title: 'Index "Post_authorId_idx" on "Post" is redundant with "Post_authorId_createdAt_idx"',
      cost: 'Every INSERT and DELETE on "Post", and every UPDATE of its columns, writes both indexes, and "Post_authorId_idx" takes disk and cache, while "Post_authorId_createdAt_idx" already serves every read "Post_authorId_idx" serves.',
      instead: 'Drop "Post_authorId_idx" (remove its @@index) and let "Post_authorId_createdAt_idx" serve those reads.',
      serves: 'SELECT … FROM "Post" WHERE "authorId" = $1',
    });
    expect(p.evidence).toEqual([
      '"Post_authorId_idx" is a left prefix of index "Post_authorId_createdAt_idx" ("authorId", "createdAt")',
      'both btree, neither partial',
    ]);
    const reversed = found.find((x) => x.spec.kind === 'drop-index' && x.spec.name === 'events_event_kind_at_idx')!;
    expect(reversed.spec.kind === 'drop-index' && reversed.spec.recreate.columns).toEqual([
      { column: 'event_kind', field: 'kind', sort: 'desc' },
      { column: 'at', field: 'at', sort: 'desc' },
    ]);
    const hash = found.find((x) => x.spec.kind === 'drop-index' && x.spec.name === 'token_value_hash2')!;
    expect(hash.evidence[0]).toBe(
      '"token_value_hash2" has the same key as index "Token_value_idx" ("value") using hash',
    );
  });

  it('tells to remove the @unique, and drops the unique index the primary key duplicates', () => {
    const [dup] = runRule(
      rule,
      schema(`
model Account {
  id String @id @unique
}`),
    );
    expect(dup!.spec).toMatchObject({ kind: 'drop-index', name: 'Account_id_key', coveredBy: 'Account_pkey' });
    expect(dup!.message.title).toBe('Unique constraint "Account_id_key" on "Account" duplicates "Account_pkey"');
    expect(dup!.message.instead).toBe(
      'Remove the @unique (it creates "Account_id_key"). "Account_pkey" already enforces the same uniqueness and serves every read "Account_id_key" serves.',
    );
  });

  it('normalizes predicates for comparison', () => {
    expect(same('("deleted_at"   IS NULL)', 'deleted_at is null')).toBe(true);
    expect(same('(("deletedAt" IS NULL))', '"deletedAt" is null')).toBe(true);
    expect(same('"deletedAt" IS NULL', 'deletedAt IS NULL')).toBe(false);
    expect(same(`status IN ('A',  'B')`, `"status" in ('A', 'B')`)).toBe(true);
    expect(same(`status IN ('A', 'B')`, `status = ANY (ARRAY['A'::text, 'B'::text])`)).toBe(true);
    expect(same(`status = 'a'`, `status = 'A'`)).toBe(false);
    // Text idxgen does not read is compared by its tokens.
    expect(same('lower(a) = b', '(LOWER(a)   = b)')).toBe(true);
    expect(same('lower(a) = b', 'lower(a) = c')).toBe(false);
  });

  it('has no options', () => {
    expect(rule.meta.validateOptions({ x: 1 })).toEqual(['x: unknown option (this rule takes no options)']);
  });
});
