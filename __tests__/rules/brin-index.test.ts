import { rule, estimateSizes } from '../../src/rules/brin-index';
import type { TableStats } from '../../src/model/table-stats';
import { buildPlan } from '../../src/plan/plan';
import { parseConfig } from '../../src/config/config';
import { allRules } from '../../src/rules/registry';
import type { ProposalSpec, Rule } from '../../src/rules/types';
import { readsFromRecorded } from '../../src/workload/from-recorded';
import type { RecordedShape } from '../../src/workload/recorded-shape';
import type { Workload } from '../../src/workload/workload';
import { modelFrom, schema } from '../support/rules';

const model = modelFrom(
  schema(`
model AuditLog {
  id        Int      @id
  action    String
  actorId   Int
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
}
`),
);

const OPTIONS = { minRows: 100_000, minCorrelationPercent: 90, maxChurnPercent: 1 };

function stats(over: Partial<TableStats> = {}, correlation = 0.999): TableStats {
  return {
    schema: 'public',
    table: 'AuditLog',
    rows: 1_000_000,
    pages: 12_500,
    blockSize: 8192,
    inserts: 1_000_000,
    updates: 0,
    deletes: 0,
    columns: [
      { name: 'createdAt', correlation, avgWidth: 8, nullFraction: 0 },
      { name: 'updatedAt', correlation: 0.02, avgWidth: 8, nullFraction: 0 },
    ],
    ...over,
  };
}

const range = {
  model: 'AuditLog',
  operation: 'findMany',
  where: {
    and: [
      { field: 'createdAt', op: 'gte' as const },
      { field: 'createdAt', op: 'lt' as const },
    ],
  },
  count: 40,
};

function workload(records: Omit<RecordedShape, 'v'>[], tables: TableStats[]): Workload {
  const { reads } = readsFromRecorded(
    records.map((r) => ({ v: 1, ...r })),
    model,
  );
  return { reads, origins: ['shapes.jsonl'], tables };
}

function run(
  records: Omit<RecordedShape, 'v'>[],
  tables: TableStats[] = [stats()],
  options: Partial<typeof OPTIONS> = {},
) {
  return rule.check({
    model,
    tables: model.tables,
    options: { ...OPTIONS, ...options },
    workload: workload(records, tables),
  });
}

const key = (p: { spec: ProposalSpec }) =>
  p.spec.kind === 'index' ? `${p.spec.method} (${p.spec.columns.map((c) => c.column).join(', ')})` : p.spec.kind;

describe('brin-index', () => {
  test('without database statistics it proposes nothing (a recording alone does not know the physical order)', () => {
    const { reads } = readsFromRecorded([{ v: 1, ...range }], model);
    expect(rule.check({ model, tables: model.tables, options: OPTIONS, workload: { reads, origins: ['x'] } })).toEqual(
      [],
    );
    expect(rule.check({ model, tables: model.tables, options: OPTIONS })).toEqual([]);
  });

  test('a large append-only table read by ranges of its ordered time column gets BRIN, with both sizes', () => {
    const [p, ...rest] = run([range]);
    expect(rest).toEqual([]);
    expect(key(p!)).toBe('brin (createdAt)');
    expect(p!.basis).toBeUndefined(); // the rule's basis: workload
    expect(p!.serves).toHaveLength(1);
    expect(p!.message.title).toBe(
      '"AuditLog" is append-only and stored in "createdAt" order: a BRIN index serves its range reads at 24 kB instead of a 21.4 MB btree',
    );
    expect(p!.evidence).toContain(
      'pg_stats.correlation of "createdAt" is 0.999: the rows lie on disk in "createdAt" order',
    );
    expect(p!.evidence).toContain(
      'estimated size: btree 21.4 MB (1,000,000 entries of 20 bytes), BRIN 24 kB (98 block range(s) of 128 pages)',
    );
  });

  test('reverse physical order counts too (|correlation|): BRIN keeps min and max, direction does not matter', () => {
    expect(run([range], [stats({}, -0.97)]).map(key)).toEqual(['brin (createdAt)']);
  });

  test('not when the column is scattered, the table small, or rows are updated / deleted', () => {
    expect(run([range], [stats({}, 0.5)])).toEqual([]);
    expect(run([range], [stats({}, 0.899)])).toEqual([]);
    expect(run([range], [stats({ rows: 99_999 })])).toEqual([]);
    expect(run([range], [stats({ updates: 10_001 })])).toEqual([]);
    expect(run([range], [stats({ deletes: 6_000, updates: 5_000 })])).toEqual([]);
    expect(run([range], [stats({ updates: 10_000 })]).map(key)).toEqual(['brin (createdAt)']);
    expect(run([range], [stats({}, 0.5)], { minCorrelationPercent: 50 }).map(key)).toEqual(['brin (createdAt)']);
  });

  test("needs range reads: equality, ORDER BY or other columns are a btree's work", () => {
    expect(
      run([{ model: 'AuditLog', operation: 'findMany', where: { field: 'actorId', op: 'equals' }, count: 99 }]),
    ).toEqual([]);
    expect(
      run([
        {
          model: 'AuditLog',
          operation: 'findMany',
          where: {
            and: [
              { field: 'actorId', op: 'equals' },
              { field: 'createdAt', op: 'gte' },
            ],
          },
          count: 99,
        },
      ]),
    ).toEqual([]);
    // A feed needs the btree's order; that btree serves the ranges too.
    expect(
      run([
        range,
        {
          model: 'AuditLog',
          operation: 'findMany',
          orderBy: [{ path: ['createdAt'], direction: 'desc' }],
          take: true,
          count: 5,
        },
      ]),
    ).toEqual([]);
    // updatedAt is read by ranges, but it is scattered on disk.
    expect(
      run([{ model: 'AuditLog', operation: 'findMany', where: { field: 'updatedAt', op: 'gte' }, count: 9 }]),
    ).toEqual([]);
  });

  test('an index that already serves the ranges leaves nothing to do', () => {
    const indexed = modelFrom(
      schema(`
model AuditLog {
  id        Int      @id
  action    String
  actorId   Int
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt

  @@index([createdAt], type: Brin)
}
`),
    );
    const { reads } = readsFromRecorded([{ v: 1, ...range }], indexed);
    expect(
      rule.check({
        model: indexed,
        tables: indexed.tables,
        options: OPTIONS,
        workload: { reads, origins: ['x'], tables: [stats()] },
      }),
    ).toEqual([]);
  });

  test('with no workload read at all it is a hint (a guess, so info), never a warning', () => {
    const [p] = run([]);
    expect(p!.basis).toBe('guess');
    expect(p!.evidence[p!.evidence.length - 1]).toMatch(/^no workload read of "AuditLog" was given: a hint only/);
  });

  test("in the plan the BRIN takes the place of workload-index's btree for the same range reads, and is declared type: Brin", () => {
    const rules = allRules as unknown as readonly Rule<never>[];
    const parsed = parseConfig(undefined, rules);
    if (!('config' in parsed)) throw new Error(parsed.errors.join('; '));
    const plan = buildPlan({ model, config: parsed.config, rules, workload: workload([range], [stats()]) });
    const entries = plan.entries.filter((e) => e.spec.kind === 'index' && e.spec.table === 'AuditLog');
    expect(
      entries.map((e) => [
        e.ruleId,
        e.severity,
        e.declaration.kind === 'attribute' ? e.declaration.attribute : e.declaration.kind,
      ]),
    ).toEqual([['brin-index', 'warn', '@@index([createdAt], map: "AuditLog_createdAt_idx", type: Brin)']]);
    expect(entries[0]!.satisfies.map((p) => p.ruleId)).toEqual(['workload-index']);
  });

  test('size formulas: btree entries of MAXALIGN(8 + w) + 4 bytes at fillfactor 90; BRIN one min/max tuple per 128 pages', () => {
    expect(estimateSizes({ rows: 1_000_000, pages: 12_500, blockSize: 8192 }, 8)).toEqual({
      entryBytes: 20,
      btreeBytes: (Math.ceil(1_000_000 / 366) + 1) * 8192,
      ranges: 98,
      brinBytes: 3 * 8192,
    });
    // A text key of 20 bytes: MAXALIGN(28) = 32, + 4.
    expect(estimateSizes({ rows: 10, pages: 1, blockSize: 8192 }, 20).entryBytes).toBe(36);
    // 100 million rows: 1.25 M pages → 9,766 ranges → 8 range-map pages and 34 tuple pages.
    const big = estimateSizes({ rows: 100_000_000, pages: 1_250_000, blockSize: 8192 }, 8);
    expect(big.ranges).toBe(9766);
    expect(big.brinBytes).toBe((1 + 8 + 34) * 8192);
  });
});
