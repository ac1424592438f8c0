/**
 * workload-index's INCLUDE columns (src/rules/include-columns.ts), both ways: proposed for the
 * planner to confirm when the reads return a few narrow columns of a wide table that is not
 * write-hot; otherwise the plain key index, saying why only when INCLUDE was considered.
 */
import { rule } from '../../src/rules/workload-index';
import { readsFromRecorded } from '../../src/workload/from-recorded';
import type { RecordedShape } from '../../src/workload/recorded-shape';
import type { TableStats } from '../../src/model/table-stats';
import { modelFrom, schema } from '../support/rules';

const model = modelFrom(
  schema(`
model Post {
  id        Int       @id
  teamId    Int
  title     String
  summary   String
  data      Json
  tags      String[]
  score     Int
  createdAt DateTime  @default(now())
  deletedAt DateTime?
}
`),
);

const OPTIONS = { minCalls: 1, maxPerTable: 3, minSharePercent: 5, minSavedPercent: 1 };

/** 1M rows of about 160 bytes, never updated: wide enough, not write-hot. */
function stats(over: Partial<TableStats> = {}): TableStats {
  return {
    schema: 'public',
    table: 'Post',
    rows: 1_000_000,
    pages: 20_000,
    blockSize: 8192,
    inserts: 1_000_000,
    updates: 1_000,
    deletes: 0,
    columns: [
      { name: 'id', avgWidth: 4, nullFraction: 0 },
      { name: 'teamId', avgWidth: 4, nullFraction: 0 },
      { name: 'title', avgWidth: 14, nullFraction: 0 },
      { name: 'summary', avgWidth: 180, nullFraction: 0 },
      { name: 'data', avgWidth: 40, nullFraction: 0 },
      { name: 'score', avgWidth: 4, nullFraction: 0 },
      { name: 'createdAt', avgWidth: 8, nullFraction: 0 },
      { name: 'deletedAt', avgWidth: 8, nullFraction: 0.9 },
    ],
    ...over,
  };
}

function feed(select: string[] | undefined, count = 1_000): Omit<RecordedShape, 'v'> {
  return {
    model: 'Post',
    operation: 'findMany',
    where: {
      and: [
        { field: 'deletedAt', op: 'isNull' },
        { field: 'teamId', op: 'equals' },
      ],
    },
    orderBy: [{ path: ['createdAt'], direction: 'desc' }],
    take: true,
    ...(select ? { select } : {}),
    count,
  };
}

/** `null`: no live statistics (a workload without --database-url). */
function run(records: Omit<RecordedShape, 'v'>[], tables: TableStats[] | null = [stats()]) {
  const { reads } = readsFromRecorded(
    records.map((r) => ({ v: 1, ...r })),
    model,
  );
  const [proposal, ...rest] = rule.check({
    model,
    tables: model.tables,
    options: OPTIONS,
    workload: { reads, origins: ['shapes.jsonl'], ...(tables !== null ? { tables } : {}) },
  });
  if (!proposal || proposal.spec.kind !== 'index') throw new Error('expected one index proposal');
  expect(rest).toEqual([]);
  expect(proposal.spec.columns.map((c) => `${c.column}${c.sort === 'desc' ? ' DESC' : ''}`)).toEqual([
    'teamId',
    'createdAt DESC',
  ]);
  const about = proposal.evidence.filter((e) => e.startsWith('INCLUDE ('));
  return { include: proposal.spec.include, about };
}

describe('workload-index: INCLUDE only where it pays', () => {
  test('a frequent read of two narrow columns of a wide, quiet table: key + INCLUDE, for the planner to confirm', () => {
    const r = run([feed(['id', 'title', 'createdAt'])]);
    expect(r.include).toEqual(['id', 'title']);
    expect(r.about).toEqual([
      'INCLUDE ("id", "title"): the reads that return only these besides the key make 100 % of the index\'s calls; a heap row takes 164 bytes, the index entry about 42; 0 % of the rows updated or deleted since the statistics were reset. Kept only if the planner confirms an index-only scan pays',
    ]);
  });

  test('a write-hot table (updates + deletes over 20 % of its rows): the plain key index, and why', () => {
    const r = run([feed(['id', 'title'])], [stats({ updates: 300_000, deletes: 50_000 })]);
    expect(r.include).toEqual([]);
    expect(r.about).toHaveLength(1);
    expect(r.about[0]).toMatch(
      /^INCLUDE \("id", "title"\) was considered for an index-only scan and not added: the table is write-hot: 350,000 rows updated or deleted since the statistics were reset \(n_tup_upd \+ n_tup_del\), 35 % of its 1,000,000 rows \(over 20 %\)/,
    );
  });

  test('a wide column: Json never, a String only when pg_stats measures it narrow', () => {
    expect(run([feed(['id', 'data'])]).about[0]).toMatch(/not added: "data" is Json, too wide to copy into the index$/);
    expect(run([feed(['id', 'summary'])]).about[0]).toMatch(
      /not added: "summary" is String of 180 bytes on average \(pg_stats\), over 32$/,
    );
    expect(run([feed(['id', 'tags'])]).about[0]).toMatch(/not added: "tags" is a list, too wide/);
    const noTitleStats = stats();
    noTitleStats.columns = noTitleStats.columns.filter((c) => c.name !== 'title');
    expect(run([feed(['title'])], [noTitleStats]).about[0]).toMatch(/"title" is String of unmeasured width/);
    expect(run([feed(['id', 'data'])]).include).toEqual([]);
  });

  test('a narrow table: the index entry would be as wide as the row', () => {
    const r = run([feed(['id', 'title'])], [stats({ pages: 6_000 })]);
    expect(r.include).toEqual([]);
    expect(r.about[0]).toMatch(
      /a heap row takes 49 bytes and the index entry would take about 42: the table is too narrow/,
    );
  });

  test('not frequent enough: the reads that would be index-only make under half the calls', () => {
    const r = run([feed(['id', 'title'], 400), feed(['id', 'score'], 350), feed(['score', 'data'], 250)]);
    expect(r.include).toEqual([]);
    expect(r.about[0]).toMatch(/make 40 % of the index's calls \(under 50 %\)$/);
  });

  test('not considered, and not mentioned: every column returned, too many columns, nothing to add, no live statistics', () => {
    expect(run([feed(undefined)])).toEqual({ include: [], about: [] });
    expect(run([feed(['id', 'title', 'score', 'data'])])).toEqual({ include: [], about: [] });
    expect(run([feed(['teamId', 'createdAt'])])).toEqual({ include: [], about: [] });
    expect(run([feed(['id', 'title'])], null)).toEqual({ include: [], about: [] });
  });
});
