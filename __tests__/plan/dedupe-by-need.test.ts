/**
 * The plan dedupes by need: two rules' indexes that serve the same read become one entry, and the
 * entry lists the other proposal in `satisfies`. Proven with fk-index's `method: "hash"`: a hash
 * index for the FK and fk-composite-index's (fk, createdAt DESC) btree both serve the FK lookup,
 * which the plan used to answer with two indexes on the same FK.
 */
import { parseConfig } from '../../src/config/config';
import { planModel, rules } from '../../src/cli/context';
import { modelFrom } from '../support/rules';

const schema = `
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
}

model User {
  id       String    @id
  posts    Post[]
  comments Comment[]
}

model Post {
  id        String    @id
  authorId  String
  author    User      @relation(fields: [authorId], references: [id])
  createdAt DateTime  @default(now())
  comments  Comment[]
}

model Comment {
  id       String @id
  postId   String
  post     Post   @relation(fields: [postId], references: [id])
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}
`;

function plan(rulesConfig: Record<string, unknown>) {
  const parsed = parseConfig({ rules: rulesConfig }, rules);
  if (!('config' in parsed)) throw new Error(parsed.errors.join('; '));
  return planModel(modelFrom(schema), parsed.config);
}

const summary = (p: ReturnType<typeof plan>) =>
  p.entries
    .filter((e) => e.spec.kind === 'index')
    .map((e) => ({
      table: e.spec.table,
      method: e.spec.kind === 'index' ? e.spec.method : '',
      columns: e.spec.kind === 'index' ? e.spec.columns.map((c) => c.column) : [],
      rules: [e.ruleId, ...e.satisfies.map((s) => s.ruleId)],
    }));

test('fk-index with method "hash" proposes one hash index per single-column FK', () => {
  expect(summary(plan({ 'fk-composite-index': 'off', 'fk-index': { options: { method: 'hash' } } }))).toEqual([
    { table: 'Comment', method: 'hash', columns: ['authorId'], rules: ['fk-index'] },
    { table: 'Comment', method: 'hash', columns: ['postId'], rules: ['fk-index'] },
    { table: 'Post', method: 'hash', columns: ['authorId'], rules: ['fk-index'] },
  ]);
});

test('one entry per FK: the hash index answers the FK, the guessed (fk, createdAt DESC) btree is its listed alternative', () => {
  const p = plan({ 'fk-index': { options: { method: 'hash' } } });
  const post = summary(p).filter((e) => e.table === 'Post');
  // The severity policy: a guess never replaces what the schema proves; it is offered beside it.
  expect(post).toEqual([{ table: 'Post', method: 'hash', columns: ['authorId'], rules: ['fk-index'] }]);
  const entry = p.entries.find((e) => e.spec.table === 'Post')!;
  expect(entry.severity).toBe('error');
  expect(entry.alternatives.map((a) => a.ruleId)).toEqual(['fk-composite-index']);
  // Every FK has exactly one entry whose index serves its lookup.
  for (const [table, column] of [
    ['Post', 'authorId'],
    ['Comment', 'postId'],
    ['Comment', 'authorId'],
  ] as const) {
    expect(summary(p).filter((e) => e.table === table && e.columns[0] === column)).toHaveLength(1);
  }
});

test('chosen by /// @idxgen.feed, the (fk, createdAt DESC) btree answers the hash proposal for the same lookup', () => {
  const parsed = parseConfig({ rules: { 'fk-index': { options: { method: 'hash' } } } }, rules);
  if (!('config' in parsed)) throw new Error(parsed.errors.join('; '));
  const p = planModel(modelFrom(schema.replace('model Post {', '/// @idxgen.feed\nmodel Post {')), parsed.config);
  expect(summary(p).filter((e) => e.table === 'Post')).toEqual([
    { table: 'Post', method: 'btree', columns: ['authorId', 'createdAt'], rules: ['fk-composite-index', 'fk-index'] },
  ]);
});

test('an unknown method is an option error naming the path', () => {
  expect(parseConfig({ rules: { 'fk-index': { options: { method: 'gin' } } } }, rules)).toEqual({
    errors: [expect.stringMatching(/fk-index.*method: expected "btree" or "hash", got "gin"/)],
  });
});
