/**
 * SQL statements (pg_stat_statements, a `.sql` file, Prisma Client's query log) → the workload's
 * typed reads, in two steps: `parseStatements` reads each text with the real PostgreSQL parser
 * into shapes with the statement's own table names; `readsFromStatements` maps those to the
 * schema's tables and columns (database names), leaving out what the schema does not have
 * (pg_catalog, tables of other applications, columns it does not know).
 */
import { conjuncts, predicateColumns, type QueryShape } from '../model/query-shape';
import type { SchemaModel, Table } from '../model/types';
import { hasParameterRefs, isSingleSelect, readsOfParsed } from './from-sql';
import type { SqlParser } from './sql-parser';
import { parseErrorMessage } from './sql-parser';
import { shortenQuery, type Statement } from './statement';
import type { WorkloadRead } from './workload';

export interface ParsedStatement {
  statement: Statement;
  shapes: QueryShape[];
  /** One plain SELECT: the planner may be asked about it (EXPLAIN, never run). */
  explainable: boolean;
  /** It has `$n` parameters: planning it needs EXPLAIN (GENERIC_PLAN). */
  parameters: boolean;
}

export interface ParsedStatements {
  parsed: ParsedStatement[];
  /** Statements the parser rejected, one line each (`where: message`). */
  rejected: string[];
}

export function parseStatements(statements: readonly Statement[], parser: SqlParser): ParsedStatements {
  const parsed: ParsedStatement[] = [];
  const rejected: string[] = [];
  for (const statement of statements) {
    let tree;
    try {
      tree = parser.parse(statement.query);
    } catch (error) {
      rejected.push(`${statement.where}: not read (${parseErrorMessage(error)}): ${shortenQuery(statement.query)}`);
      continue;
    }
    parsed.push({
      statement,
      shapes: readsOfParsed(tree),
      explainable: isSingleSelect(tree),
      parameters: hasParameterRefs(tree),
    });
  }
  return { parsed, rejected };
}

const CATALOG_SCHEMAS: ReadonlySet<string> = new Set(['pg_catalog', 'information_schema']);

/**
 * The statement reads a table that is not a system catalog (by the parser's relation names): a
 * relation in pg_catalog or information_schema, or an unqualified `pg_*` one (pg_class,
 * pg_stat_statements, pg_stats), is the catalog. Statements that read nothing else (a monitoring
 * query, idxgen's own catalog reads when pg_stat_statements counted them) and statements that
 * read nothing at all (INSERT, SET, EXPLAIN) are no reads an index of the schema serves.
 */
export function readsUserTables(statement: ParsedStatement): boolean {
  return statement.shapes.some((shape) =>
    shape.schema === undefined ? !shape.table.startsWith('pg_') : !CATALOG_SCHEMAS.has(shape.schema),
  );
}

/** The reads of the schema's tables, each carrying its statement as the source. */
export function readsFromStatements(statements: readonly ParsedStatement[], model: SchemaModel): WorkloadRead[] {
  const reads: WorkloadRead[] = [];
  const tables = model.tables.filter((t) => t.kind !== 'view');
  for (const { statement, shapes, explainable, parameters } of statements) {
    const source = {
      kind: 'statement' as const,
      origin: statement.origin,
      fingerprint: statement.fingerprint,
      text: shortenQuery(statement.query),
      query: statement.query,
      explainable,
      parameters,
      ...(statement.meanMs !== undefined ? { meanMs: statement.meanMs } : {}),
      ...(statement.totalMs !== undefined ? { totalMs: statement.totalMs } : {}),
    };
    for (const shape of shapes) {
      const table = tableOf(tables, shape);
      if (!table) continue;
      reads.push({ shape: onTable(shape, table), calls: statement.calls, source });
    }
  }
  return reads;
}

function tableOf(tables: readonly Table[], shape: QueryShape): Table | undefined {
  const named = tables.filter((t) => t.name === shape.table);
  if (shape.schema === undefined)
    return named.length === 1 ? named[0] : named.find((t) => (t.schema ?? 'public') === 'public');
  return named.find((t) => (t.schema ?? 'public') === shape.schema);
}

/** The shape on the model's table, keeping only the columns the table has. */
function onTable(shape: QueryShape, table: Table): QueryShape {
  const known = new Set(table.columns.map((c) => c.name));
  const has = (column: string) => known.has(column);
  const out: QueryShape = {
    table: table.name,
    equal: [...new Set(shape.equal.filter(has))],
    in: [...new Set(shape.in.filter(has))],
    ranges: shape.ranges.filter((r) => has(r.column)),
    orderBy: [],
    operators: shape.operators.filter((o) => has(o.column)),
    text: shape.text.filter((t) => has(t.column)),
  };
  if (table.schema !== undefined) out.schema = table.schema;
  for (const term of shape.orderBy) {
    if (!has(term.column)) break;
    out.orderBy.push(term);
  }
  if (shape.limit !== undefined) out.limit = shape.limit;
  if (shape.returns?.kind === 'all') out.returns = shape.returns;
  else if (shape.returns && shape.returns.columns.every(has)) out.returns = shape.returns;
  const expressions = (shape.expressions ?? []).filter((e) => has(e.expression.column));
  if (expressions.length > 0) out.expressions = expressions;
  const where = conjuncts(shape.where).filter((p) => predicateColumns(p).every(has));
  // An enum value is a lookup too (as in recorded shapes): an index keyed on the column serves it.
  const enums = new Set(table.columns.filter((c) => c.kind === 'enum').map((c) => c.name));
  for (const term of where) {
    if (term.kind === 'compare' && term.op === '=' && enums.has(term.column) && !out.equal.includes(term.column))
      out.equal.push(term.column);
    if (term.kind === 'in-list' && enums.has(term.column) && !out.in.includes(term.column)) out.in.push(term.column);
  }
  if (where.length === 1) out.where = where[0]!;
  else if (where.length > 1) out.where = { kind: 'and', terms: where };
  return out;
}
