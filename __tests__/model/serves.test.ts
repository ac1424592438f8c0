/**
 * indexServes / coversFk as table tests (eslint's RuleTester style): `serves` lists index + read
 * pairs the index serves whole, `partial` the ones it serves in part (with the parts left over),
 * `none` the ones it does not serve (with the reason).
 */
import { queryShape, type QueryShape } from '../../src/model/query-shape';
import { coversFk, indexServes, type ServingIndex } from '../../src/model/serves';
import { readPredicate } from '../../src/sql/predicate';

type Key = string | [string, 'asc' | 'desc', string?];

/** `idx('btree', ['a', ['b', 'desc']], { where: '...' })`: an index on table "t". */
function idx(
  method: string,
  keys: Key[],
  extra: { where?: string; include?: string[]; valid?: boolean; table?: string } = {},
): ServingIndex {
  const index: ServingIndex = {
    table: extra.table ?? 't',
    method,
    keys: keys.map((k) =>
      typeof k === 'string'
        ? { column: k, sort: 'asc' }
        : { column: k[0], sort: k[1], ...(k[2] ? { opclass: k[2] } : {}) },
    ),
    include: extra.include ?? [],
    valid: extra.valid ?? true,
  };
  if (extra.where !== undefined) {
    index.predicate = readPredicate(extra.where);
    index.predicateText = extra.where;
  }
  return index;
}

const read = (parts: Partial<QueryShape>): QueryShape => queryShape({ table: 't', ...parts });
const eq = (...columns: string[]) => read({ equal: columns });

interface Case {
  name: string;
  index: ServingIndex;
  shape: QueryShape;
}

const serves: Case[] = [
  { name: 'btree on the column', index: idx('btree', ['a']), shape: eq('a') },
  { name: 'btree led by the columns in another order', index: idx('btree', ['b', 'a', 'c']), shape: eq('a', 'b') },
  { name: 'hash on the one column', index: idx('hash', ['a']), shape: eq('a') },
  {
    name: 'partial on a IS NOT NULL for a = $1',
    index: idx('btree', ['a'], { where: '"a" IS NOT NULL' }),
    shape: eq('a'),
  },
  {
    name: 'partial, catalog form with parentheses',
    index: idx('btree', ['a', 'b'], { where: '((a IS NOT NULL) AND (b IS NOT NULL))' }),
    shape: eq('a', 'b'),
  },
  {
    name: 'partial on a quoted odd name',
    index: idx('btree', ['we"ird'], { where: '("we""ird" IS NOT NULL)' }),
    shape: eq('we"ird'),
  },
  {
    name: 'lower-case unquoted name is the same column',
    index: idx('btree', ['author_id'], { where: '((author_id IS NOT NULL))' }),
    shape: eq('author_id'),
  },
  { name: 'INCLUDE columns do not matter to the key', index: idx('btree', ['a'], { include: ['b'] }), shape: eq('a') },
  {
    name: 'feed read: equality then ORDER BY DESC LIMIT',
    index: idx('btree', ['a', ['createdAt', 'desc']]),
    shape: read({ equal: ['a'], orderBy: [{ column: 'createdAt', direction: 'desc' }], limit: 20 }),
  },
  {
    name: 'a btree scans backwards: ASC index, DESC read',
    index: idx('btree', ['a', 'createdAt']),
    shape: read({ equal: ['a'], orderBy: [{ column: 'createdAt', direction: 'desc' }] }),
  },
  {
    name: 'queue poll: partial on the constant predicate, range + order on the due time',
    index: idx('btree', ['due'], { where: `status = ANY (ARRAY['PENDING'::"JobStatus", 'RETRY'::"JobStatus"])` }),
    shape: read({
      ranges: [{ column: 'due', op: '<=' }],
      orderBy: [{ column: 'due', direction: 'asc' }],
      where: {
        kind: 'in-list',
        column: 'status',
        values: ['PENDING', 'RETRY'].map((value) => ({ kind: 'string', value, cast: { name: 'JobStatus' } })),
      },
    }),
  },
  {
    name: 'soft delete: partial on the constant predicate',
    index: idx('btree', ['a'], { where: '"deletedAt" IS NULL' }),
    shape: read({ equal: ['a'], where: { kind: 'null-test', column: 'deletedAt', isNull: true } }),
  },
  {
    name: 'GIN jsonb_path_ops for @>',
    index: idx('gin', [['data', 'asc', 'jsonb_path_ops']]),
    shape: read({ operators: [{ column: 'data', op: '@>' }] }),
  },
  {
    name: 'GIN jsonb_ops for ?',
    index: idx('gin', [['data', 'asc', 'jsonb_ops']]),
    shape: read({ operators: [{ column: 'data', op: '?' }] }),
  },
  {
    name: 'btree for both bounds of one range (BETWEEN)',
    index: idx('btree', ['at']),
    shape: read({
      ranges: [
        { column: 'at', op: '>=' },
        { column: 'at', op: '<' },
      ],
    }),
  },
  {
    name: 'BRIN for both bounds of a range on its column',
    index: idx('brin', ['at']),
    shape: read({
      ranges: [
        { column: 'at', op: '>=' },
        { column: 'at', op: '<=' },
      ],
    }),
  },
  {
    name: 'GIN array_ops for && (hasSome)',
    index: idx('gin', [['tags', 'asc', 'array_ops']]),
    shape: read({ operators: [{ column: 'tags', op: '&&' }] }),
  },
  {
    name: 'GIN trigram for contains, insensitive',
    index: idx('gin', [['title', 'asc', 'gin_trgm_ops']]),
    shape: read({ text: [{ column: 'title', match: 'contains', mode: 'insensitive' }] }),
  },
  {
    name: 'IN list after the equality prefix',
    index: idx('btree', ['a', 'b']),
    shape: read({ equal: ['a'], in: ['b'] }),
  },
];

const partial: (Case & { unserved: string[] })[] = [
  { name: 'hash for a two-column lookup', index: idx('hash', ['a']), shape: eq('a', 'b'), unserved: ['equal b'] },
  {
    name: 'btree on one column of a two-column lookup',
    index: idx('btree', ['a']),
    shape: eq('a', 'b'),
    unserved: ['equal b'],
  },
  { name: 'btree led by b, then x', index: idx('btree', ['b', 'x', 'a']), shape: eq('a', 'b'), unserved: ['equal a'] },
  {
    name: 'order on a column the index does not have next',
    index: idx('btree', ['a', 'b']),
    shape: read({ equal: ['a'], orderBy: [{ column: 'createdAt', direction: 'desc' }] }),
    unserved: ['order createdAt'],
  },
  {
    name: 'mixed directions that a backward scan cannot give',
    index: idx('btree', ['a', 'b', ['c', 'desc']]),
    shape: read({
      equal: ['a'],
      orderBy: [
        { column: 'b', direction: 'asc' },
        { column: 'c', direction: 'asc' },
      ],
    }),
    unserved: ['order b', 'order c'],
  },
  {
    name: 'an IN list breaks the order of what follows',
    index: idx('btree', ['a', 'b', 'c']),
    shape: read({ in: ['a'], orderBy: [{ column: 'b', direction: 'asc' }] }),
    unserved: ['order b'],
  },
  {
    name: 'a full index for a read of live rows filters the deleted ones row by row',
    index: idx('btree', ['a']),
    shape: read({ equal: ['a'], where: { kind: 'null-test', column: 'deletedAt', isNull: true } }),
    unserved: ['where deletedAt'],
  },
  {
    name: 'btree with a jsonb operator on another column',
    index: idx('btree', ['a']),
    shape: read({ equal: ['a'], operators: [{ column: 'data', op: '@>' }] }),
    unserved: ['operator data'],
  },
];

const none: (Case & { reason: string })[] = [
  { name: 'GIN on an FK column', index: idx('gin', ['a']), shape: eq('a'), reason: 'gin, not btree or hash' },
  { name: 'GiST on an FK column', index: idx('gist', ['a']), shape: eq('a'), reason: 'gist, not btree or hash' },
  {
    name: 'BRIN on an FK column',
    index: idx('brin', ['a']),
    shape: eq('a'),
    reason: 'brin, which serves only ranges on its columns',
  },
  {
    name: 'BRIN for the order of its column',
    index: idx('brin', ['at']),
    shape: read({ orderBy: [{ column: 'at', direction: 'desc' }] }),
    reason: 'brin, which serves only ranges on its columns',
  },
  {
    name: 'two-column hash',
    index: idx('hash', ['a', 'b']),
    shape: eq('a', 'b'),
    reason: 'hash, which serves only a single-column equality',
  },
  {
    name: 'hash on another column',
    index: idx('hash', ['x']),
    shape: eq('a'),
    reason: 'hash, which serves only a single-column equality',
  },
  {
    name: 'btree on another column',
    index: idx('btree', ['x', 'a']),
    shape: eq('a'),
    reason: 'does not start with ("a")',
  },
  {
    name: 'INCLUDE columns are not keys',
    index: idx('btree', ['x'], { include: ['a'] }),
    shape: eq('a'),
    reason: 'does not start with ("a")',
  },
  {
    name: 'an expression key is no column',
    index: { ...idx('btree', ['a']), keys: [{ column: null, sort: 'asc' }] },
    shape: eq('a'),
    reason: 'does not start with ("a")',
  },
  {
    name: 'INVALID index',
    index: idx('btree', ['a'], { valid: false }),
    shape: eq('a'),
    reason: 'invalid (a failed CREATE INDEX CONCURRENTLY): the planner never uses it',
  },
  { name: 'another table', index: idx('btree', ['a'], { table: 'u' }), shape: eq('a'), reason: 'on another table' },
  {
    name: 'partial on another column',
    index: idx('btree', ['a'], { where: '(x IS NOT NULL)' }),
    shape: eq('a'),
    reason: 'partial (WHERE (x IS NOT NULL)), does not hold every row',
  },
  {
    name: 'partial on IS NULL',
    index: idx('btree', ['a'], { where: '"a" IS NULL' }),
    shape: eq('a'),
    reason: 'partial (WHERE "a" IS NULL), does not hold every row',
  },
  {
    name: 'partial with OR',
    index: idx('btree', ['a', 'b'], { where: 'a IS NOT NULL OR b IS NOT NULL' }),
    shape: eq('a', 'b'),
    reason: 'partial (WHERE a IS NOT NULL OR b IS NOT NULL), does not hold every row',
  },
  {
    name: 'partial with a restriction',
    index: idx('btree', ['a'], { where: '((a IS NOT NULL) AND (x > 0))' }),
    shape: eq('a'),
    reason: 'partial (WHERE ((a IS NOT NULL) AND (x > 0))), does not hold every row',
  },
  {
    name: 'partial on a predicate idxgen does not read',
    index: idx('btree', ['a'], { where: '(NOT deleted)' }),
    shape: eq('a'),
    reason: 'partial (WHERE (NOT deleted)), does not hold every row',
  },
  // An unquoted identifier folds to lower case: authorId IS NOT NULL is about column "authorid".
  {
    name: 'unquoted mixed case is another column',
    index: idx('btree', ['authorId'], { where: 'authorId IS NOT NULL' }),
    shape: eq('authorId'),
    reason: 'partial (WHERE authorId IS NOT NULL), does not hold every row',
  },
  {
    name: 'jsonb_path_ops does not serve ?',
    index: idx('gin', [['data', 'asc', 'jsonb_path_ops']]),
    shape: read({ operators: [{ column: 'data', op: '?' }] }),
    reason: 'gin, not btree or hash',
  },
  {
    name: 'btree does not serve ILIKE',
    index: idx('btree', ['title']),
    shape: read({ text: [{ column: 'title', match: 'contains', mode: 'insensitive' }] }),
    reason: 'does not start with a column the read filters or sorts on',
  },
];

describe('indexServes', () => {
  test.each(serves.map((c) => [c.name, c] as const))('serves: %s', (_name, c) => {
    expect(indexServes(c.index, c.shape).verdict).toBe('serves');
  });
  test.each(partial.map((c) => [c.name, c] as const))('serves partially: %s', (_name, c) => {
    const verdict = indexServes(c.index, c.shape);
    expect(verdict.verdict).toBe('partial');
    if (verdict.verdict === 'partial') expect(verdict.unserved.map((p) => `${p.part} ${p.column}`)).toEqual(c.unserved);
  });
  test.each(none.map((c) => [c.name, c] as const))('does not serve: %s', (_name, c) => {
    const verdict = indexServes(c.index, c.shape);
    expect({ verdict: verdict.verdict, reason: verdict.reason }).toEqual({ verdict: 'none', reason: c.reason });
  });
});

describe('coversFk (FACTS.md sound rule)', () => {
  const fk = { table: 't', columns: ['a', 'b'] };
  const coverage = (index: ServingIndex) => {
    const c = coversFk(index, fk);
    return { covers: c.covers, reason: c.reason };
  };
  it('covers only when the index serves the whole lookup', () => {
    expect(coverage(idx('btree', ['b', 'a', 'c']))).toEqual({ covers: true, reason: 'starts with ("a", "b")' });
    expect(coversFk(idx('btree', ['a']), fk).covers).toBe(false);
    expect(coverage(idx('btree', ['a', 'c', 'b']))).toEqual({
      covers: false,
      reason: 'its first 2 columns are ("a", "c"), not ("a", "b")',
    });
    expect(coversFk(idx('hash', ['a', 'b']), fk).covers).toBe(false);
    expect(coversFk(idx('gin', ['a', 'b']), fk).covers).toBe(false);
    expect(coversFk(idx('gist', ['a', 'b']), fk).covers).toBe(false);
  });
  it('treats a missing schema as public', () => {
    expect(coversFk({ ...idx('btree', ['a', 'b']), schema: 'public' }, fk).covers).toBe(true);
    expect(coversFk({ ...idx('btree', ['a', 'b']), schema: 'other' }, fk).covers).toBe(false);
  });
});
