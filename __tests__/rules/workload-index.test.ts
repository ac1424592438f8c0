import { rule } from '../../src/rules/workload-index';
import { readsFromRecorded } from '../../src/workload/from-recorded';
import type { RecordedShape } from '../../src/workload/recorded-shape';
import type { Workload } from '../../src/workload/workload';
import { renderPredicateSql } from '../../src/render/predicate';
import { queryShape } from '../../src/model/query-shape';
import { modelFrom, schema } from '../support/rules';

const TEXT = schema(`
enum Status {
  PENDING
  DONE
}
model Team {
  id    Int    @id
  posts Post[]
}
model Post {
  id        Int       @id
  teamId    Int
  team      Team      @relation(fields: [teamId], references: [id])
  slug      String
  title     String
  status    Status
  data      Json
  tags      String[]
  createdAt DateTime  @default(now())
  deletedAt DateTime?

  @@unique([teamId, slug])
}
`);
const model = modelFrom(TEXT);

function workload(records: Omit<RecordedShape, 'v'>[]): Workload {
  const { reads } = readsFromRecorded(
    records.map((r) => ({ v: 1, ...r })),
    model,
  );
  return { reads, origins: ['shapes.jsonl'] };
}

const OPTIONS = { minCalls: 1, maxPerTable: 3, minSharePercent: 5, minSavedPercent: 1 };

function run(records: Omit<RecordedShape, 'v'>[], options: Partial<typeof OPTIONS> = {}) {
  return rule
    .check({
      model,
      tables: model.tables.filter((t) => t.kind !== 'view'),
      options: { ...OPTIONS, ...options },
      workload: workload(records),
    })
    .map((p) => {
      if (p.spec.kind !== 'index') throw new Error('workload-index proposes indexes only');
      const cols = p.spec.columns.map((c) =>
        [c.column, c.opclass, c.sort === 'desc' ? 'DESC' : undefined].filter(Boolean).join(' '),
      );
      return `${p.spec.table} ${p.spec.method} (${cols.join(', ')})${p.spec.where ? ` WHERE ${renderPredicateSql(p.spec.where)}` : ''}`;
    });
}

const feed = {
  model: 'Post',
  operation: 'findMany',
  where: {
    and: [
      { field: 'deletedAt', op: 'isNull' as const },
      { field: 'teamId', op: 'equals' as const },
    ],
  },
  orderBy: [{ path: ['createdAt'], direction: 'desc' as const }],
  take: true as const,
  count: 1200,
};

describe('workload-index', () => {
  test('without a workload it proposes nothing', () => {
    expect(rule.check({ model, tables: model.tables, options: OPTIONS })).toEqual([]);
  });

  test('the feed read gets (teamId, createdAt DESC) WHERE "deletedAt" IS NULL, citing its calls and call site', () => {
    const [proposal] = rule.check({
      model,
      tables: model.tables,
      options: OPTIONS,
      workload: workload([{ ...feed, callSites: ['src/feed.ts:12'] }]),
    });
    expect(run([feed])).toEqual(['Post btree (teamId, createdAt DESC) WHERE "deletedAt" IS NULL']);
    expect(proposal?.message.title).toBe(
      '1 recorded read of "Post" (1,200 calls, at src/feed.ts:12) has no index that serves it',
    );
    expect(proposal?.evidence[0]).toBe(
      'Post.findMany at src/feed.ts:12: 1,200 call(s), WHERE "teamId" = ? AND "deletedAt" IS NULL ORDER BY "createdAt" DESC',
    );
    expect(proposal?.serves).toHaveLength(1);
  });

  test('reads an existing index, unique or the FK index already serve need nothing', () => {
    expect(
      run([
        {
          model: 'Post',
          operation: 'findUnique',
          where: {
            and: [
              { field: 'slug', op: 'equals' },
              { field: 'teamId', op: 'equals' },
            ],
          },
          count: 50,
        },
        { model: 'Post', operation: 'findMany', where: { field: 'teamId', op: 'equals' }, count: 50 },
        {
          model: 'Post',
          operation: 'findMany',
          where: {
            and: [
              { field: 'teamId', op: 'equals' },
              { field: 'title', op: 'equals' },
            ],
          },
          count: 50,
        },
        { model: 'Team', operation: 'findUnique', where: { field: 'id', op: 'equals' }, count: 50 },
        { model: 'Post', operation: 'findMany', count: 50 },
      ]),
    ).toEqual([]);
  });

  test('one index for several reads: the widest candidate that serves the most calls wins', () => {
    expect(
      run([
        { model: 'Post', operation: 'findMany', where: { field: 'title', op: 'equals' }, count: 10 },
        {
          model: 'Post',
          operation: 'findMany',
          where: { field: 'title', op: 'equals' },
          orderBy: [{ path: ['createdAt'], direction: 'asc' }],
          count: 30,
        },
      ]),
    ).toEqual(['Post btree (title, createdAt)']);
  });

  test('text search gets trigram GIN, Json containment jsonb_path_ops GIN, list overlap GIN', () => {
    expect(
      run([
        {
          model: 'Post',
          operation: 'findMany',
          where: { field: 'title', op: 'contains', insensitive: true },
          count: 5,
        },
        { model: 'Post', operation: 'findMany', where: { field: 'data', op: 'array_contains' }, count: 4 },
        { model: 'Post', operation: 'findMany', where: { field: 'tags', op: 'hasSome' }, count: 3 },
      ]),
    ).toEqual(['Post gin (title gin_trgm_ops)', 'Post gin (data jsonb_path_ops)', 'Post gin (tags array_ops)']);
  });

  test("an enum IN list is a key column, never an index predicate (Prisma's enum migrations break on one)", () => {
    expect(
      run([
        {
          model: 'Post',
          operation: 'findMany',
          where: { field: 'status', op: 'in', values: ['DONE', 'PENDING'] },
          orderBy: [{ path: ['createdAt'], direction: 'asc' }],
          take: true,
          count: 99,
        },
      ]),
    ).toEqual(['Post btree (status, createdAt)']);
    expect(
      run([
        {
          model: 'Post',
          operation: 'findMany',
          where: {
            and: [
              { field: 'deletedAt', op: 'isNull' },
              { field: 'status', op: 'equals', values: ['DONE'] },
              { field: 'title', op: 'equals' },
            ],
          },
          count: 9,
        },
      ]),
    ).toEqual(['Post btree (status, title) WHERE "deletedAt" IS NULL']);
  });

  test('relation filters and nested reads are reads of the other table by its FK columns', () => {
    const { reads } = readsFromRecorded(
      [
        {
          v: 1,
          model: 'Team',
          operation: 'findMany',
          where: { relation: 'posts', quantifier: 'some', where: { field: 'title', op: 'equals' } },
          reads: [{ relation: 'posts', orderBy: [{ path: ['createdAt'], direction: 'desc' }] }],
          count: 7,
        },
      ],
      model,
    );
    expect(
      reads.map((r) => [r.shape.table, r.shape.equal, r.shape.orderBy.map((o) => o.column), r.shape.via?.relation]),
    ).toEqual([
      ['Team', [], [], undefined],
      ['Post', ['teamId', 'title'], [], 'posts'],
      ['Post', ['teamId'], ['createdAt'], 'posts'],
    ]);
    expect(reads.every((r) => r.calls === 7)).toBe(true);
  });

  test('minCalls leaves rare reads out', () => {
    expect(
      run([{ model: 'Post', operation: 'findMany', where: { field: 'title', op: 'equals' }, count: 2 }], {
        minCalls: 3,
      }),
    ).toEqual([]);
  });

  test('an index must earn its writes: at most maxPerTable a table, each serving minSharePercent of its read calls', () => {
    const reads = ['title', 'slug', 'createdAt', 'deletedAt', 'status'].map((field, i) => ({
      model: 'Post',
      operation: 'findMany',
      where: { field, op: field === 'deletedAt' ? ('gte' as const) : ('equals' as const) },
      count: [500, 300, 100, 60, 40][i]!,
    }));
    expect(run(reads)).toEqual(['Post btree (title)', 'Post btree (slug)', 'Post btree (createdAt)']);
    expect(run(reads, { maxPerTable: 10 })).toEqual([
      'Post btree (title)',
      'Post btree (slug)',
      'Post btree (createdAt)',
      'Post btree (deletedAt)',
    ]);
    expect(run(reads, { maxPerTable: 10, minSharePercent: 0 })).toHaveLength(5);
  });

  test('a recording naming a model the schema lacks is reported, not read', () => {
    expect(readsFromRecorded([{ v: 1, model: 'Ghost', operation: 'findMany', count: 1 }], model)).toEqual({
      reads: [],
      unknownModels: ['Ghost'],
    });
  });

  test('statements weigh by their measured time, but the share is of calls: a fast statement (total under 1 ms) is still indexed for', () => {
    const read = (column: string, totalMs: number, fingerprint: string) => ({
      shape: queryShape({ table: 'Post', equal: [column] }),
      calls: 1,
      source: {
        kind: 'statement' as const,
        origin: 'pg_stat_statements' as const,
        fingerprint,
        text: 'SELECT ...',
        query: 'SELECT ...',
        explainable: true,
        parameters: true,
        meanMs: totalMs,
        totalMs,
      },
    });
    const reads = [read('title', 0.004, '1'), read('slug', 0.9, '2')];
    const proposals = rule.check({
      model,
      tables: model.tables,
      options: OPTIONS,
      workload: { reads, origins: ['pg_stat_statements'] },
    });
    // The slower one first (it weighs more); both serve 50 % of the table's calls.
    expect(proposals.map((p) => (p.spec.kind === 'index' ? p.spec.columns.map((c) => c.column).join() : ''))).toEqual([
      'slug',
      'title',
    ]);
  });
});
