/**
 * Typed descriptions of the reads an index serves, and of partial-index predicates.
 *
 * A `QueryShape` is what a rule says its index is for (`WHERE "authorId" = $1`), what verify's
 * evidence step runs, and what a workload source (pg_stat_statements, a Prisma Client recording)
 * produces. Values never appear in a shape, only where they are compared: `$n` parameters stay
 * parameters; constants (a queue's pending statuses, `deletedAt IS NULL`) are a typed `Predicate`.
 *
 * No SQL text here: `src/render/predicate.ts` prints predicates, `src/render/query.ts` prints shapes.
 */
import type { SortOrder } from './types';

/** A type a literal is cast to (`'PENDING'::"JobStatus"`): an enum, schema-qualified when not on the search path. */
export interface TypeRef {
  name: string;
  schema?: string;
}

export type Literal =
  | { kind: 'string'; value: string; cast?: TypeRef }
  /** The number as written (`0`, `-1.5`): never a JavaScript number, so no precision is lost. */
  | { kind: 'number'; value: string }
  | { kind: 'boolean'; value: boolean };

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * A boolean expression over one table's columns, with constants only (a partial-index predicate,
 * or the constant part of a query's WHERE clause).
 */
export type Predicate =
  | { kind: 'and'; terms: Predicate[] }
  | { kind: 'or'; terms: Predicate[] }
  | { kind: 'not'; term: Predicate }
  /** `col IS NULL` (`isNull`) or `col IS NOT NULL`. */
  | { kind: 'null-test'; column: string; isNull: boolean }
  | { kind: 'compare'; column: string; op: CompareOp; value: Literal }
  /** `col = ANY (ARRAY[...])` (PostgreSQL's form of `col IN (...)`). */
  | { kind: 'in-list'; column: string; values: Literal[] }
  /**
   * A predicate idxgen does not read (a user's `where: raw("...")`, a catalog predicate beyond the
   * subset above), kept as written. Compared by its tokens, never rewritten.
   */
  | { kind: 'sql'; text: string };

export type RangeOp = '<' | '<=' | '>' | '>=' | 'between';

/** jsonb and array operators; Prisma's `has`/`hasEvery`/`array_contains` are `@>`, `hasSome` is `&&`. */
export type ContainmentOp = '@>' | '<@' | '?' | '?|' | '?&' | '&&';

export interface OrderTerm {
  column: string;
  direction: SortOrder;
  /** Unset: PostgreSQL's default (NULLS LAST for ASC, NULLS FIRST for DESC). */
  nulls?: 'first' | 'last';
}

/** `contains` / `startsWith` / `endsWith` (`ILIKE '%x%'` when `mode` is insensitive). */
export interface TextMatch {
  column: string;
  match: 'contains' | 'startsWith' | 'endsWith';
  mode: 'default' | 'insensitive';
}

/**
 * The text search configuration of `to_tsvector`: a constant (`'english'`, the only form an index
 * can hold), a `$n` parameter (pg_stat_statements replaces every constant by one), or none given
 * (`to_tsvector(col)`: it depends on `default_text_search_config`, so it is not IMMUTABLE and no
 * index can be built on it).
 */
export type TsConfig = { kind: 'named'; name: string } | { kind: 'parameter' } | { kind: 'default' };

/**
 * An expression of one column an index key can be (a typed tree, never SQL text): `lower(col)`,
 * `upper(col)`, `to_tsvector('english', col)`. Two are the same key only when every part is equal
 * (`sameExpression`): the planner uses an expression index only for exactly its expression.
 */
export type ExpressionKey =
  { fn: 'lower' | 'upper'; column: string } | { fn: 'to_tsvector'; config: TsConfig; column: string };

/** What a read does with an expression: `lower(email) = $1`, `to_tsvector('english', title) @@ to_tsquery($1)`. */
export type ExpressionOp = '=' | '@@';

export interface ExpressionRead {
  expression: ExpressionKey;
  op: ExpressionOp;
}

/** Whether `a` and `b` are the same expression (function, column, constant configuration). */
export function sameExpression(a: ExpressionKey, b: ExpressionKey): boolean {
  if (a.fn !== b.fn || a.column !== b.column) return false;
  if (a.fn !== 'to_tsvector' || b.fn !== 'to_tsvector') return true;
  if (a.config.kind !== 'named' || b.config.kind !== 'named') return false;
  return a.config.name === b.config.name;
}

/** Whether an index can hold the expression: IMMUTABLE, with every constant known. */
export function isIndexableExpression(expression: ExpressionKey): boolean {
  return expression.fn !== 'to_tsvector' || expression.config.kind === 'named';
}

/**
 * One read of one table. Columns are database names. A read through a relation filter (`where:
 * { posts: { some: {...} } }`) or a nested `include` is a shape on the other table whose `equal`
 * holds the join columns, and `via` says where it came from.
 */
export interface QueryShape {
  table: string;
  schema?: string;
  /** `col = $n`. */
  equal: string[];
  /** `col = ANY ($n)` / `col IN (...)` with parameters. */
  in: string[];
  ranges: { column: string; op: RangeOp }[];
  orderBy: OrderTerm[];
  limit?: number;
  operators: { column: string; op: ContainmentOp }[];
  text: TextMatch[];
  /** Reads through an expression of one column (`lower(email) = $1`); absent when there are none. */
  expressions?: ExpressionRead[];
  /** Constant predicates every row read satisfies (`"deletedAt" IS NULL`, `status = ANY (...)`). */
  where?: Predicate;
  /** The relation this read follows from another table (a join), when it does. */
  via?: { table: string; schema?: string; relation: string };
  /**
   * The columns the read returns from each row (its SELECT list; a Prisma read without `select`
   * returns every scalar column). Unset when unknown (an UPDATE, a DELETE, a list idxgen does not
   * read). What an INCLUDE index must hold for an index-only scan, besides the filter columns.
   */
  returns?: ReturnedColumns;
}

/** What a read returns: some columns (database names, each once), or every column of the table. */
export type ReturnedColumns = { kind: 'columns'; columns: string[] } | { kind: 'all' };

/** A shape with the parts not given left empty. */
export function queryShape(parts: Pick<QueryShape, 'table'> & Partial<QueryShape>): QueryShape {
  const shape: QueryShape = {
    table: parts.table,
    equal: parts.equal ?? [],
    in: parts.in ?? [],
    ranges: parts.ranges ?? [],
    orderBy: parts.orderBy ?? [],
    operators: parts.operators ?? [],
    text: parts.text ?? [],
  };
  if (parts.schema !== undefined) shape.schema = parts.schema;
  if (parts.limit !== undefined) shape.limit = parts.limit;
  if (parts.where !== undefined) shape.where = parts.where;
  if (parts.expressions !== undefined && parts.expressions.length > 0) shape.expressions = parts.expressions;
  if (parts.via !== undefined) shape.via = parts.via;
  if (parts.returns !== undefined) shape.returns = parts.returns;
  return shape;
}

/** The conjuncts of a predicate (`a AND (b AND c)` → a, b, c); an absent predicate has none. */
export function conjuncts(predicate: Predicate | undefined): Predicate[] {
  if (predicate === undefined) return [];
  if (predicate.kind === 'and') return predicate.terms.flatMap(conjuncts);
  return [predicate];
}

/** The columns a predicate names (a raw `sql` predicate names none idxgen can read). */
export function predicateColumns(predicate: Predicate): string[] {
  switch (predicate.kind) {
    case 'and':
    case 'or':
      return predicate.terms.flatMap(predicateColumns);
    case 'not':
      return predicateColumns(predicate.term);
    case 'sql':
      return [];
    default:
      return [predicate.column];
  }
}
