/**
 * brin-index: a large append-only table whose time column is physically ordered, and whose
 * workload reads that column by ranges, gets a BRIN index (`@@index([createdAt], type: Brin)`):
 * a few pages where a btree takes megabytes, written far less on every insert.
 *
 * It rests on what the live database says (`--database-url`): the table's size and write counts
 * (pg_class, pg_stat_user_tables) and the column's physical order (`pg_stats.correlation`), and on
 * the workload's range reads of the column. Without a workload it is at most an info hint.
 */
import type { TableStats } from '../model/table-stats';
import type { Column, Table } from '../model/types';
import { indexServes } from '../model/serves';
import { quoteIdent } from '../sql/quote';
import { readsOf, statsOf, type Workload, type WorkloadRead } from '../workload/workload';
import { allIndexes, modelTables, proposedColumn, servingProposed, tableRef } from './coverage';
import { servingDeclared } from '../model/serves';
import { defineRule } from './define-rule';
import { option, type OptionsOf } from './rule-options';
import type { IndexSpec, Proposal } from './types';

const OPTIONS = {
  minRows: option.integer(100_000, {
    min: 0,
    doc: 'tables with fewer rows (pg_class.reltuples) are left to a btree (default 100000: below it a btree on a timestamp is about 2 MB)',
  }),
  minCorrelationPercent: option.integer(90, {
    min: 1,
    max: 100,
    doc: 'the |pg_stats.correlation| of the column, × 100, that counts as physically ordered (default 90)',
  }),
  maxChurnPercent: option.integer(1, {
    min: 0,
    max: 100,
    doc: '(n_tup_upd + n_tup_del) as a share of n_tup_ins that still counts as append-only (default 1)',
  }),
};

export type BrinIndexOptions = OptionsOf<typeof OPTIONS>;

/** PostgreSQL's default `pages_per_range` (Prisma cannot declare another one). */
export const PAGES_PER_RANGE = 128;
/** A btree's leaf pages are filled to 90 % by CREATE INDEX (the default fillfactor). */
const BTREE_FILL = 0.9;
const MAX_CITED_READS = 5;

export const rule = defineRule({
  options: OPTIONS,
  meta: {
    id: 'brin-index',
    summary:
      "Propose a BRIN index, in place of a btree, for range reads of a large append-only table's physically ordered time column (needs --database-url).",
    defaultSeverity: 'warn',
    basis: 'workload',
    docs: {
      problem:
        'A btree on the time column of an events / audit / log table holds one entry per row: on a table of 100 million rows that is gigabytes, ' +
        'and every insert writes it. When rows arrive in time order, the table is already sorted on disk by that column, and a range read ' +
        '(`createdAt >= $1 AND createdAt < $2`) needs only to know which blocks hold which times.',
      proposal:
        'With `--database-url`, for each DateTime column of a model whose table has at least `minRows` rows, is append-only ' +
        '((n_tup_upd + n_tup_del) ≤ `maxChurnPercent` % of n_tup_ins, from pg_stat_user_tables) and is physically ordered by the column ' +
        "(|pg_stats.correlation| ≥ `minCorrelationPercent` / 100; PostgreSQL's own BRIN cost estimate divides the block ranges a read needs by " +
        'that correlation, so at 0.9 it expects at most 11 % more ranges than a perfect order), a BRIN index `@@index([col], type: Brin)`. ' +
        'It needs evidence: the workload (pg_stat_statements or `--queries`) reads the column by ranges, with no equality, IN list or ORDER BY ' +
        "a btree would serve better (a read that needs the order gets workload-index's btree, and then no BRIN is proposed). " +
        'With no workload at all it is an info hint; with a workload that never reads the column by ranges, nothing. ' +
        "Both sizes are estimated from the live statistics, with B the block size (8192), w the column's pg_stats.avg_width and MAXALIGN 8: " +
        'btree ≈ ⌈rows / ⌊0.9 × (B − 40) / (MAXALIGN(8 + w) + 4)⌋⌉ + 1 pages (leaf pages at the default fillfactor 90, 8-byte index tuple header, ' +
        '4-byte line pointer, plus the metapage; the few internal pages are left out); ' +
        'BRIN ≈ 1 + ⌈R / ⌊(B − 32) / 6⌋⌉ + ⌈R / ⌊(B − 32) / (8 + 2 × MAXALIGN(w) + 4)⌋⌉ pages, with R = ⌈relpages / 128⌉ block ranges ' +
        '(metapage, range map of 6-byte pointers, one min/max tuple per range). ' +
        'A workload-index btree that serves only the same range reads is replaced by the BRIN (the plan merges them); with hypopg the planner judges it.',
      bad: [
        '// 5,000,000 rows, inserts only, pg_stats.correlation of "createdAt" = 1.0',
        '// pg_stat_statements: SELECT ... FROM "AuditLog" WHERE "createdAt" >= $1 AND "createdAt" < $2',
        'model AuditLog {',
        '  id        BigInt   @id @default(autoincrement())',
        '  action    String',
        '  createdAt DateTime @default(now())',
        '}',
      ].join('\n'),
      good: [
        'model AuditLog {',
        '  id        BigInt   @id @default(autoincrement())',
        '  action    String',
        '  createdAt DateTime @default(now())',
        '',
        '  @@index([createdAt], type: Brin)',
        '}',
      ].join('\n'),
    },
  },

  check(ctx) {
    const workload = ctx.workload;
    if (!workload?.tables) return [];
    const proposals: Omit<Proposal, 'severity'>[] = [];
    for (const table of modelTables(ctx.tables)) {
      const stats = statsOf(workload, table.name, table.schema);
      if (!stats || stats.rows < ctx.options.minRows) continue;
      const churn = stats.updates + stats.deletes;
      if (churn * 100 > ctx.options.maxChurnPercent * stats.inserts) continue;
      for (const column of table.columns) {
        if (column.type !== 'DateTime' || column.list) continue;
        const columnStats = stats.columns.find((c) => c.name === column.name);
        const correlation = columnStats?.correlation;
        if (correlation === undefined || Math.abs(correlation) * 100 < ctx.options.minCorrelationPercent) continue;
        const proposal = brinFor(table, column, stats, correlation, columnStats!.avgWidth, workload);
        if (proposal) proposals.push(proposal);
      }
    }
    return proposals;
  },
});

function brinSpec(table: Table, column: string): IndexSpec {
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    columns: [proposedColumn(table, column)],
    method: 'brin',
    unique: false,
    include: [],
    extensions: [],
  };
  if (table.schema !== undefined) spec.schema = table.schema;
  return spec;
}

/** The read needs nothing a BRIN does not give: its range on the column (a constant predicate is filtered row by row). */
function brinServes(spec: IndexSpec, read: WorkloadRead): boolean {
  const verdict = indexServes(servingProposed(spec), read.shape);
  return (
    verdict.verdict === 'serves' || (verdict.verdict === 'partial' && verdict.unserved.every((p) => p.part === 'where'))
  );
}

function brinFor(
  table: Table,
  column: Column,
  stats: TableStats,
  correlation: number,
  width: number,
  workload: Workload,
): Omit<Proposal, 'severity'> | undefined {
  const spec = brinSpec(table, column.name);
  const reads = readsOf(workload, table.name, table.schema);
  const declared = allIndexes(table).map((index) => servingDeclared(table, index));
  const open = reads.filter((read) => !declared.some((index) => indexServes(index, read.shape).verdict === 'serves'));
  // A read that wants the column's order (a feed, `ORDER BY createdAt LIMIT n`) needs a btree on it,
  // which then serves the ranges too: no BRIN beside it.
  if (
    open.some(
      (read) =>
        read.shape.equal.length === 0 && read.shape.in.length === 0 && read.shape.orderBy[0]?.column === column.name,
    )
  )
    return undefined;
  const ranged = open.filter(
    (read) => read.shape.ranges.some((r) => r.column === column.name) && brinServes(spec, read),
  );
  const noWorkload = workload.reads.length === 0;
  if (ranged.length === 0 && !noWorkload) return undefined;
  const sizes = estimateSizes(stats, width);
  const calls = ranged.reduce((sum, r) => sum + r.calls, 0);
  const col = quoteIdent(column.name);
  const ref = tableRef(table);
  const order = correlation >= 0 ? 'in' : 'in reverse';
  const churn = stats.updates + stats.deletes;
  const evidence = [
    `${ref}: ${Math.round(stats.rows).toLocaleString('en-US')} rows in ${stats.pages.toLocaleString('en-US')} pages (pg_class, as of the last ANALYZE)`,
    `append-only: ${stats.inserts.toLocaleString('en-US')} inserts, ${stats.updates.toLocaleString('en-US')} updates, ${stats.deletes.toLocaleString('en-US')} deletes since the statistics were reset (${stats.inserts > 0 ? `${((churn * 100) / stats.inserts).toFixed(2)} %` : 'no inserts, no churn'})`,
    `pg_stats.correlation of ${col} is ${correlation.toFixed(3)}: the rows lie on disk ${order} ${col} order`,
    `estimated size: btree ${formatBytes(sizes.btreeBytes)} (${Math.round(stats.rows).toLocaleString('en-US')} entries of ${sizes.entryBytes} bytes), BRIN ${formatBytes(sizes.brinBytes)} (${sizes.ranges.toLocaleString('en-US')} block range(s) of ${PAGES_PER_RANGE} pages)`,
    ...ranged.slice(0, MAX_CITED_READS).map(citeRange),
    ...(ranged.length > MAX_CITED_READS ? [`and ${ranged.length - MAX_CITED_READS} more range read(s)`] : []),
    noWorkload
      ? `no workload read of ${ref} was given: a hint only (give pg_stat_statements or --queries to see whether ${col} is read by ranges)`
      : `${ranged.length} range read(s) of ${col}, ${calls.toLocaleString('en-US')} call(s), none needing the order a btree gives`,
  ];
  return {
    ruleId: 'brin-index',
    spec,
    ...(noWorkload ? { basis: 'guess' as const } : {}),
    message: {
      title: `${ref} is append-only and stored in ${col} order: a BRIN index serves its range reads at ${formatBytes(sizes.brinBytes)} instead of a ${formatBytes(sizes.btreeBytes)} btree`,
      cost: `A btree on ${ref} (${col}) would hold one ${sizes.entryBytes}-byte entry per row (about ${formatBytes(sizes.btreeBytes)}), written on every insert; without any index each range read scans the whole table.`,
      instead: `Create a BRIN index on ${ref} (${col}) (about ${formatBytes(sizes.brinBytes)}: the min and max of ${col} per ${PAGES_PER_RANGE}-page block range), which narrows a range read to the blocks that hold it as long as rows keep arriving in ${col} order.`,
      serves: `WHERE ${col} >= ? AND ${col} < ?`,
    },
    serves: ranged.map((r) => r.shape),
    evidence,
    span: column.span,
    model: table.model,
  };
}

function citeRange(read: WorkloadRead): string {
  const source = read.source;
  const what =
    source.kind === 'statement'
      ? `query ${source.fingerprint} (${source.origin}) "${source.text}"`
      : `${source.model}.${source.operation}`;
  return `${what}: ${read.calls.toLocaleString('en-US')} call(s), ranges on ${read.shape.ranges.map((r) => `${quoteIdent(r.column)} ${r.op}`).join(', ')}`;
}

function maxAlign(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export interface BrinSizes {
  /** Bytes one btree leaf entry takes: MAXALIGN(8-byte tuple header + key) + 4-byte line pointer. */
  entryBytes: number;
  btreeBytes: number;
  ranges: number;
  brinBytes: number;
}

/** The two size estimates of RULES.md (brin-index), from the live statistics. */
export function estimateSizes(stats: Pick<TableStats, 'rows' | 'pages' | 'blockSize'>, width: number): BrinSizes {
  const block = stats.blockSize;
  const key = Math.max(1, width);
  const entryBytes = maxAlign(8 + key) + 4;
  const perLeaf = Math.max(1, Math.floor((BTREE_FILL * (block - 40)) / entryBytes));
  const btreePages = Math.ceil(stats.rows / perLeaf) + 1;
  const ranges = Math.max(1, Math.ceil(stats.pages / PAGES_PER_RANGE));
  const revmapPages = Math.ceil(ranges / Math.floor((block - 32) / 6));
  const perBrinPage = Math.max(1, Math.floor((block - 32) / (8 + 2 * maxAlign(key) + 4)));
  const brinPages = 1 + revmapPages + Math.ceil(ranges / perBrinPage);
  return { entryBytes, btreeBytes: btreePages * block, ranges, brinBytes: brinPages * block };
}

/** `24 kB`, `21.3 MB`, `1.2 GB` (powers of 1024, as pg_size_pretty). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} kB`;
}
