/**
 * The live database's indexes as `indexServes` sees them, with their expression keys read from
 * `pg_get_indexdef` by the real parser and the same reader as the workload's expressions
 * (expression-of.ts): an index on `lower(email)` the database has serves `lower(email) = $1`, so
 * no second one is proposed, whether or not schema.prisma declares it (Prisma cannot).
 */
import { servingCatalog, type IndexInfo } from '../db/catalog';
import type { ServingIndex } from '../model/serves';
import type { TableStats } from '../model/table-stats';
import { expressionOf } from './expression-of';
import type { SqlParser } from './sql-parser';

export function servingLive(index: IndexInfo, parser: SqlParser): ServingIndex {
  const serving = servingCatalog(index);
  if (!index.expressions.some(Boolean)) return serving;
  let params;
  try {
    const stmt = parser.parse(index.definition).stmts?.[0]?.stmt;
    params = stmt && 'IndexStmt' in stmt ? (stmt.IndexStmt.indexParams ?? []) : [];
  } catch {
    return serving; // a definition the parser refuses keeps its keys unknown: it serves no expression
  }
  serving.keys.forEach((key, k) => {
    const param = params[k];
    if (key.column !== null || !param || !('IndexElem' in param)) return;
    const found = expressionOf(param.IndexElem.expr, (node) => {
      const fields = 'ColumnRef' in node ? (node.ColumnRef.fields ?? []) : [];
      const only = fields.length === 1 ? fields[0]! : undefined;
      return only && 'String' in only && only.String.sval ? { column: only.String.sval } : undefined;
    });
    if (found) key.expression = found.expression;
  });
  return serving;
}

/** Each table's statistics with the indexes it has. */
export function withLiveIndexes(tables: TableStats[], indexes: readonly IndexInfo[], parser: SqlParser): TableStats[] {
  return tables.map((stats) => ({
    ...stats,
    indexes: indexes
      .filter((i) => i.schema === stats.schema && i.table === stats.table)
      .map((i) => servingLive(i, parser)),
  }));
}
