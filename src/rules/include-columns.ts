/**
 * INCLUDE only where it pays: which non-key columns workload-index may add to the key index it
 * chose, so that the reads it serves become index-only scans (no heap visit per row).
 *
 * Considered only when the live database's statistics of the table are known (`--database-url`),
 * and when the read the index is chosen for is a lookup (equality or IN on the leading key column)
 * that returns a known, small set of columns beyond the key.
 * Then it is proposed only when the reads that would become index-only carry most of the index's
 * calls, every added column is narrow, a heap row is much wider than the index entry (the heap
 * visits saved are worth the index's extra size), and the table is not write-hot. The planner has
 * the last word (src/plan/include-pays.ts): it keeps the INCLUDE only when it lowers the plan cost
 * below the key index alone. Pure: reads the model, the reads and the statistics, nothing else.
 */
import { comparedColumns } from '../model/serves';
import { conjuncts, predicateColumns, type QueryShape } from '../model/query-shape';
import type { TableStats } from '../model/table-stats';
import type { Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import type { WorkloadRead } from '../workload/workload';
import { columnByName } from './coverage';
import type { IndexSpec } from './types';

/** At most this many INCLUDE columns: beyond that the index is a second copy of the table. */
export const MAX_INCLUDE_COLUMNS = 3;
/** A text / numeric column is narrow when pg_stats measures its average width at most this (bytes). */
export const MAX_INCLUDE_WIDTH = 32;
/** The reads that become index-only must make at least this share (percent) of the index's calls. */
export const MIN_INDEX_ONLY_SHARE = 50;
/** A heap row must be at least this many times as wide as the index entry with its INCLUDE columns. */
export const MIN_ROW_TO_ENTRY = 2;
/**
 * Write-hot: rows updated or deleted since the statistics were reset, over the table's rows. Every
 * update (HOT ones too) and delete clears its page's all-visible bit, and an index-only scan visits
 * the heap for every row on such a page until VACUUM sets it again. Autovacuum's default scale
 * factor lets 20 % of the rows change between two vacuums: a table that changed more than that is
 * not all-visible most of the time.
 */
export const MAX_CHURN_PERCENT = 20;

/** Types whose values are stored out of line or have no bound width: never INCLUDEd. */
const WIDE_TYPES: ReadonlySet<string> = new Set(['Json', 'Bytes']);
/** Types of variable width: INCLUDEd only when pg_stats measures them narrow. */
const VARIABLE_TYPES: ReadonlySet<string> = new Set(['String', 'Decimal']);
/** Index tuple header and line pointer (bytes). */
const ENTRY_OVERHEAD = 12;

export type IncludeDecision =
  /** Proposed, for the planner to confirm. */
  | { kind: 'include'; columns: string[]; evidence: string }
  /** Considered and not added, with the reason (said in the proposal). */
  | { kind: 'not-added'; columns: string[]; reason: string };

/**
 * The INCLUDE columns for `spec` (a btree key index chosen for `reads`), or why not; undefined
 * when INCLUDE was not considered (no statistics, columns unknown or too many, nothing to add).
 */
export function includeFor(
  table: Table,
  spec: IndexSpec,
  reads: readonly WorkloadRead[],
  stats: TableStats | undefined,
): IncludeDecision | undefined {
  if (!stats || spec.method !== 'btree' || spec.unique || reads.length === 0) return undefined;
  const key = new Set(spec.columns.map((c) => c.column));
  const inPredicate = new Set(conjuncts(spec.where).flatMap(predicateColumns));
  const extrasOf = (shape: QueryShape) => {
    if (shape.returns === undefined || shape.returns.kind === 'all') return undefined;
    const needed = new Set([
      ...shape.returns.columns,
      ...comparedColumns(shape),
      ...shape.orderBy.map((o) => o.column),
    ]);
    for (const column of conjuncts(shape.where).flatMap(predicateColumns))
      if (!inPredicate.has(column)) needed.add(column);
    return [...needed].filter((c) => !key.has(c) && !inPredicate.has(c)).sort();
  };
  const [first] = reads;
  // A lookup (the key leads with an equality or IN column): a range-only scan of a large table is
  // brin-index's (a BRIN has no index-only scan), and the two proposals must stay one plan entry.
  const lead = spec.columns[0]!.column;
  if (!first!.shape.equal.includes(lead) && !first!.shape.in.includes(lead)) return undefined;
  const columns = extrasOf(first!.shape);
  if (columns === undefined || columns.length === 0 || columns.length > MAX_INCLUDE_COLUMNS) return undefined;
  const list = columns.map(quoteIdent).join(', ');
  const notAdded = (reason: string): IncludeDecision => ({
    kind: 'not-added',
    columns,
    reason: `INCLUDE (${list}) was considered for an index-only scan and not added: ${reason}`,
  });

  const calls = reads.reduce((sum, r) => sum + r.calls, 0);
  const onlyCalls = reads
    .filter((r) => extrasOf(r.shape)?.every((c) => columns.includes(c)) === true)
    .reduce((sum, r) => sum + r.calls, 0);
  const share = (onlyCalls * 100) / Math.max(1, calls);
  if (share < MIN_INDEX_ONLY_SHARE)
    return notAdded(
      `the reads it would serve from the index alone make ${Math.round(share)} % of the index's calls (under ${MIN_INDEX_ONLY_SHARE} %)`,
    );

  const widths = new Map(stats.columns.map((c) => [c.name, c.avgWidth]));
  for (const name of columns) {
    const column = columnByName(table, name);
    const width = widths.get(name);
    if (!column || column.list || WIDE_TYPES.has(column.type))
      return notAdded(
        `${quoteIdent(name)} is ${column?.list ? 'a list' : (column?.type ?? 'unknown')}, too wide to copy into the index`,
      );
    if (VARIABLE_TYPES.has(column.type) && (width === undefined || width > MAX_INCLUDE_WIDTH))
      return notAdded(
        `${quoteIdent(name)} is ${column.type} ${width === undefined ? 'of unmeasured width (no pg_stats)' : `of ${width} bytes on average (pg_stats), over ${MAX_INCLUDE_WIDTH}`}`,
      );
  }

  if (stats.rows <= 0 || stats.pages <= 0) return notAdded('the table has no size statistics yet (never analyzed)');
  const rowBytes = (stats.pages * stats.blockSize) / stats.rows;
  const entryBytes =
    ENTRY_OVERHEAD + [...key, ...columns].reduce((sum, c) => sum + (widths.get(c) ?? MAX_INCLUDE_WIDTH), 0);
  if (rowBytes < entryBytes * MIN_ROW_TO_ENTRY)
    return notAdded(
      `a heap row takes ${Math.round(rowBytes)} bytes and the index entry would take about ${entryBytes}: the table is too narrow for the heap visits saved to be worth the larger index`,
    );

  const churn = ((stats.updates + stats.deletes) * 100) / stats.rows;
  if (churn > MAX_CHURN_PERCENT)
    return notAdded(
      `the table is write-hot: ${(stats.updates + stats.deletes).toLocaleString('en-US')} rows updated or deleted since the statistics were reset (n_tup_upd + n_tup_del), ${Math.round(churn)} % of its ${Math.round(stats.rows).toLocaleString('en-US')} rows (over ${MAX_CHURN_PERCENT} %), so its pages are seldom all-visible and an index-only scan would still visit the heap`,
    );

  return {
    kind: 'include',
    columns,
    evidence:
      `INCLUDE (${list}): the reads that return only these besides the key make ${Math.round(share)} % of the index's calls; ` +
      `a heap row takes ${Math.round(rowBytes)} bytes, the index entry about ${entryBytes}; ${Math.round(churn)} % of the rows updated or deleted since the statistics were reset. ` +
      'Kept only if the planner confirms an index-only scan pays',
  };
}
