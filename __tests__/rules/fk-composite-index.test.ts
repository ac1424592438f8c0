import { rule } from '../../src/rules/fk-composite-index';
import { rule as fkIndex } from '../../src/rules/fk-index';
import { corpusSchema, fixture, ruleTester, runRule, schema } from '../support/rules';

ruleTester(rule, {
  valid: [
    {
      name: 'FK already leading (fk, createdAt)',
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int      @id
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())

  @@index([authorId, createdAt(sort: Desc)])
}`),
    },
    {
      name: 'only kinds: ["enum"] and no enum column',
      options: { kinds: ['enum'] },
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int      @id
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())
}`),
    },
    {
      name: 'a status String (not an enum) does not count',
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id       Int    @id
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
  status   String
}`),
    },
    {
      name: 'join table with its own id and a unique over both FKs',
      schema: schema(`
model User {
  id    Int    @id
  stars Star[]
}
model Repo {
  id    Int    @id
  stars Star[]
}
model Star {
  id        Int      @id
  userId    Int
  user      User     @relation(fields: [userId], references: [id])
  repoId    Int
  repo      Repo     @relation(fields: [repoId], references: [id])
  createdAt DateTime @default(now())

  @@unique([userId, repoId])
}`),
    },
  ],
  invalid: [
    {
      // Event's happenedAt @default(now()) is no creation time by name (lastModifiedAt has @default(now()) too),
      // and the status enum widening is off by default (kinds: ["timestamp"]).
      name: 'fixture: only a creation time by name; an FK with its own index is left alone',
      schema: fixture('fk-composite-index.prisma'),
      expected: [{ table: 'Post', columns: ['authorId', 'createdAt DESC'], line: 36, column: 3 }],
    },
    {
      name: 'fixture with kinds timestamp + enum: the status enum too',
      options: { kinds: ['timestamp', 'enum'] },
      schema: fixture('fk-composite-index.prisma'),
      expected: [
        { table: 'Post', columns: ['authorId', 'createdAt DESC'], line: 36, column: 3 },
        { table: 'Notification', columns: ['userId', 'status'], line: 69, column: 3 },
      ],
    },
    {
      name: 'fixture with replaceExisting: also replaces the plain (postId) index',
      options: { replaceExisting: true, kinds: ['timestamp', 'enum'] },
      schema: fixture('fk-composite-index.prisma'),
      expected: [
        { table: 'Post', columns: ['authorId', 'createdAt DESC'], line: 36, column: 3 },
        { table: 'comments', columns: ['post_id', 'created_at DESC'], line: 46, column: 3 },
        { table: 'Notification', columns: ['userId', 'status'], line: 69, column: 3 },
      ],
    },
    {
      name: 'lastModifiedAt @default(now()) is not a creation time; createdAt is',
      schema: schema(`
model User {
  id    Int    @id
  posts Post[]
  notes Note[]
}
model Post {
  id             Int      @id
  authorId       Int
  author         User     @relation(fields: [authorId], references: [id])
  lastModifiedAt DateTime @default(now())
}
model Note {
  id        Int      @id
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())
}`),
      expected: [{ table: 'Note', columns: ['authorId', 'createdAt DESC'], line: 23, column: 3 }],
    },
    {
      name: 'kinds: ["enum"] skips the timestamp and uses the status',
      options: { kinds: ['enum'] },
      schema: schema(`
enum OrderStatus {
  OPEN
  PAID
}
model Customer {
  id     Int     @id
  orders Order[]
}
model Order {
  id         Int         @id
  customerId Int
  customer   Customer    @relation(fields: [customerId], references: [id])
  createdAt  DateTime    @default(now())
  state      OrderStatus
}`),
      expected: [{ table: 'Order', columns: ['customerId', 'state'], line: 20, column: 3 }],
    },
    {
      name: 'timestampFields option picks a differently named column',
      options: { timestampFields: ['placedAt'] },
      schema: schema(`
model Customer {
  id     Int     @id
  orders Order[]
}
model Order {
  id         Int      @id
  customerId Int
  customer   Customer @relation(fields: [customerId], references: [id])
  placedAt   DateTime
}`),
      expected: [{ table: 'Order', columns: ['customerId', 'placedAt DESC'], line: 16, column: 3 }],
    },
  ],
});

describe('fk-composite-index details', () => {
  it('gives the exact spec and message, and says it replaces the fk-index proposal', () => {
    const found = runRule(rule, fixture('fk-composite-index.prisma'));
    const post = found.find((p) => p.model === 'Post')!;
    expect(post.spec).toEqual({
      kind: 'index',
      table: 'Post',
      columns: [
        { column: 'authorId', field: 'authorId' },
        { column: 'createdAt', field: 'createdAt', sort: 'desc' },
      ],
      method: 'btree',
      unique: false,
      include: [],
      extensions: [],
    });
    expect(post.message).toEqual({
      title: 'Index "Post" ("authorId", "createdAt" DESC) for the newest rows per "User"',
      cost: 'With ("authorId") alone (or no index), reading a "User" row\'s newest "Post" rows fetches every one of its rows and sorts them, and the cost grows with the busiest "User".',
      instead:
        'Index "Post" ("authorId", "createdAt" DESC): it returns the newest rows already in order and stops after LIMIT. It also covers the foreign key, so it replaces the plain index fk-index proposes.',
      serves: 'SELECT … FROM "Post" WHERE "authorId" = $1 ORDER BY "createdAt" DESC LIMIT 20',
    });
    expect(post.evidence).toEqual([
      '"Post"."createdAt" is a creation timestamp (named createdAt)',
      'foreign key ("authorId") → "User" has no index',
      'no index on "Post" starts with ("authorId") followed by "createdAt"',
      'a guess from the column name: add /// @idxgen.feed above model Post if it is read newest first per "User", or declare the index yourself',
    ]);
    expect(post.basis).toBeUndefined(); // the rule's own basis: a guess
    // fk-index proposes the plain (authorId) for the same FK; the plan merger keeps only the wider one.
    const plain = runRule(fkIndex, fixture('fk-composite-index.prisma')).find((p) => p.model === 'Post')!;
    expect(plain.spec.kind === 'index' && plain.spec.columns.map((c) => c.column)).toEqual(['authorId']);
  });

  it('names the existing plain index it makes redundant (replaceExisting)', () => {
    const comment = runRule(rule, fixture('fk-composite-index.prisma'), { replaceExisting: true }).find(
      (p) => p.model === 'Comment',
    )!;
    expect(comment.message.instead).toBe(
      'Index "comments" ("post_id", "created_at" DESC): it returns the newest rows already in order and stops after LIMIT. It replaces "comments_post_id_idx", which becomes redundant: drop it once the new index is built.',
    );
    expect(comment.evidence[1]).toBe(
      'foreign key ("post_id") → "Post" is covered only by index "comments_post_id_idx" ("post_id")',
    );
  });

  it('serves WHERE fk AND status for the enum widening', () => {
    const n = runRule(rule, fixture('fk-composite-index.prisma'), { kinds: ['timestamp', 'enum'] }).find(
      (p) => p.model === 'Notification',
    )!;
    expect(n.message.serves).toBe('SELECT … FROM "Notification" WHERE "userId" = $1 AND "status" = $2');
    expect(n.evidence[0]).toBe('"Notification"."status" is a NotificationStatus enum column');
  });

  it('validates options', () => {
    expect(
      rule.meta.validateOptions({
        kinds: ['timestamp'],
        timestampFields: ['x'],
        enumFields: [],
        replaceExisting: true,
      }),
    ).toEqual([]);
    expect(
      rule.meta.validateOptions({ kinds: ['time'], enumFields: 'status', extra: 1, replaceExisting: 'yes' }),
    ).toEqual([
      'kinds[0]: expected one of "timestamp", "enum", got string "time"',
      'enumFields: expected a list of strings, got string "status"',
      'extra: unknown option (known: timestampFields, enumFields, kinds, replaceExisting)',
      'replaceExisting: expected true or false, got string "yes"',
    ]);
  });

  it('/// @idxgen.feed on the model makes it a request, with the annotation first in the evidence', () => {
    const found = runRule(
      rule,
      schema(`
model User {
  id    Int    @id
  posts Post[]
}
/// @idxgen.feed
model Post {
  id        Int      @id
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @default(now())
}`),
    );
    expect(found.map((p) => [p.model, p.basis, p.evidence[0]])).toEqual([
      ['Post', 'request', '/// @idxgen.feed on model Post: its rows are read newest first per parent'],
    ]);
  });

  it('civitai: ImageTool (join table keyed by both FKs) is not widened', () => {
    expect(runRule(rule, corpusSchema('civitai__civitai.prisma')).filter((p) => p.model === 'ImageTool')).toEqual([]);
  });
});
