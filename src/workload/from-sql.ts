/**
 * A statement's parse tree (libpg-query: the real PostgreSQL parser) → the typed reads it makes,
 * one `QueryShape` per table it reads, with database names as written in the statement.
 *
 * What is read: the AND-ed terms of WHERE (and of JOIN ... ON): `col = $n` (equal), `col IN
 * ($1, $2)` / `col = ANY ($1)` (in), `<`, `<=`, `>`, `>=`, BETWEEN (ranges), `@>` `<@` `?` `?|`
 * `?&` `&&` (operators), LIKE / ILIKE (text), comparisons, IN lists and NULL tests with constants
 * (a `Predicate`), ORDER BY with directions, a constant LIMIT. A join or a correlated subquery
 * (`EXISTS (SELECT ... WHERE c."postId" = p.id)`, Prisma's relation filters) reads the joined
 * table by its join columns. The expressions an index can hold are read as typed keys
 * (expression-of.ts): `lower(email) = $1`, `to_tsvector('english', title) @@ to_tsquery($1)`. OR /
 * NOT branches, other expressions and unqualified columns of a multi-table statement are left out:
 * no index decision rests on a guess.
 *
 * Pure: no parser here (the caller parses, src/workload/sql-parser.ts), no model (names are
 * mapped to the schema's tables in src/workload/from-statements.ts).
 */
import type { A_Const, A_Expr, JoinExpr, Node, ParseResult, RangeVar, SelectStmt, SortBy } from 'libpg-query';
import {
  queryShape,
  type CompareOp,
  type ContainmentOp,
  type Literal,
  type Predicate,
  type QueryShape,
  type RangeOp,
} from '../model/query-shape';
import { expressionOf, isTsQueryValue } from './expression-of';

/** One table of a statement, under the name its columns are qualified with. */
interface Relation {
  alias: string;
  table: string;
  schema?: string;
  shape: QueryShape;
  constants: Predicate[];
  /** Columns it is joined by to another relation (its read as the inner side of a join). */
  joinedBy: string[];
  /** The first relation of a FROM list drives; the others are read through their join columns. */
  driving: boolean;
}

interface Scope {
  relations: Relation[];
  parent?: Scope;
}

/** The kinds of statement read; anything else (INSERT, DDL, SET) makes no read an index serves. */
export function readsOfParsed(parsed: ParseResult): QueryShape[] {
  const out: QueryShape[] = [];
  for (const raw of parsed.stmts ?? []) {
    const stmt = raw.stmt;
    if (!stmt) continue;
    if ('SelectStmt' in stmt) out.push(...readSelect(stmt.SelectStmt, undefined));
    else if ('UpdateStmt' in stmt) out.push(...readTarget(stmt.UpdateStmt.relation, stmt.UpdateStmt.whereClause));
    else if ('DeleteStmt' in stmt) out.push(...readTarget(stmt.DeleteStmt.relation, stmt.DeleteStmt.whereClause));
  }
  return out;
}

/** Is the parse one plain SELECT (what the planner may be asked about: EXPLAIN never runs it)? */
export function isSingleSelect(parsed: ParseResult): boolean {
  const stmts = parsed.stmts ?? [];
  const only = stmts[0]?.stmt;
  return stmts.length === 1 && only !== undefined && 'SelectStmt' in only && only.SelectStmt.intoClause === undefined;
}

/** Does the statement have `$n` parameters (pg_stat_statements' normalized text, a Prisma query)? */
export function hasParameterRefs(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasParameterRefs);
  if (node === null || typeof node !== 'object') return false;
  return Object.entries(node).some(([key, value]) => key === 'ParamRef' || hasParameterRefs(value));
}

function readTarget(relation: RangeVar | undefined, where: Node | undefined): QueryShape[] {
  if (!relation?.relname) return [];
  const scope: Scope = { relations: [relationOf(relation, true)] };
  const out: QueryShape[] = [];
  readWhere(where, scope, out);
  return [...finish(scope), ...out];
}

function readSelect(select: SelectStmt, parent: Scope | undefined): QueryShape[] {
  const out: QueryShape[] = [];
  if (select.op && select.op !== 'SETOP_NONE') {
    if (select.larg) out.push(...readSelect(select.larg, parent));
    if (select.rarg) out.push(...readSelect(select.rarg, parent));
    return out;
  }
  for (const cte of select.withClause?.ctes ?? []) {
    if ('CommonTableExpr' in cte) {
      const query = cte.CommonTableExpr.ctequery;
      if (query && 'SelectStmt' in query) out.push(...readSelect(query.SelectStmt, parent));
    }
  }
  const scope: Scope = { relations: [], ...(parent ? { parent } : {}) };
  const joins: Node[] = [];
  for (const item of select.fromClause ?? []) collectFrom(item, scope, joins, out);
  for (const quals of joins) readWhere(quals, scope, out);
  readWhere(select.whereClause, scope, out);
  readReturned(select.targetList, scope);
  const driving = scope.relations[0];
  if (driving && scope.relations.length === 1) {
    for (const node of select.sortClause ?? []) {
      if (!('SortBy' in node)) break;
      const term = orderTerm(node.SortBy, scope, driving);
      if (!term) break; // a sort the index cannot give ends the usable prefix
      driving.shape.orderBy.push(term);
    }
    const limit = constantInt(select.limitCount);
    if (limit !== undefined) driving.shape.limit = limit;
  }
  return [...finish(scope), ...out];
}

function collectFrom(item: Node, scope: Scope, joins: Node[], out: QueryShape[]): void {
  if ('RangeVar' in item) {
    // A subquery's tables are read through its correlation with the outer query, when it has one.
    if (item.RangeVar.relname)
      scope.relations.push(relationOf(item.RangeVar, scope.relations.length === 0 && scope.parent === undefined));
  } else if ('JoinExpr' in item) {
    const join: JoinExpr = item.JoinExpr;
    if (join.larg) collectFrom(join.larg, scope, joins, out);
    if (join.rarg) collectFrom(join.rarg, scope, joins, out);
    if (join.quals) joins.push(join.quals);
  } else if ('RangeSubselect' in item) {
    const sub = item.RangeSubselect.subquery;
    if (sub && 'SelectStmt' in sub) out.push(...readSelect(sub.SelectStmt, scope));
  }
}

function relationOf(range: RangeVar, driving: boolean): Relation {
  const table = range.relname!;
  const shape = queryShape({ table, ...(range.schemaname ? { schema: range.schemaname } : {}) });
  return {
    alias: range.alias?.aliasname ?? table,
    table,
    ...(range.schemaname ? { schema: range.schemaname } : {}),
    shape,
    constants: [],
    joinedBy: [],
    driving,
  };
}

/** The relations' shapes: each with its own filters; a joined one also read by its join columns. */
function finish(scope: Scope): QueryShape[] {
  const out: QueryShape[] = [];
  for (const relation of scope.relations) {
    const shape = relation.shape;
    if (relation.constants.length === 1) shape.where = relation.constants[0]!;
    else if (relation.constants.length > 1) shape.where = { kind: 'and', terms: relation.constants };
    if (!relation.driving && relation.joinedBy.length > 0) {
      // The inner side of a join (or a correlated subquery) is looked up by its join columns.
      for (const column of relation.joinedBy) if (!shape.equal.includes(column)) shape.equal.push(column);
    }
    out.push(shape);
  }
  return out;
}

function conjunctsOf(node: Node | undefined): Node[] {
  if (!node) return [];
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(conjunctsOf);
  return [node];
}

function readWhere(where: Node | undefined, scope: Scope, out: QueryShape[]): void {
  for (const term of conjunctsOf(where)) readTerm(term, scope, out);
}

const COMPARE: Record<string, CompareOp> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};
const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const CONTAINMENT: ReadonlySet<string> = new Set(['@>', '<@', '?', '?|', '?&', '&&']);

function readTerm(term: Node, scope: Scope, out: QueryShape[]): void {
  if ('NullTest' in term) {
    const ref = columnOf(term.NullTest.arg, scope);
    if (ref)
      ref.relation.constants.push({
        kind: 'null-test',
        column: ref.column,
        isNull: term.NullTest.nulltesttype === 'IS_NULL',
      });
    return;
  }
  if ('SubLink' in term) {
    const sub = term.SubLink.subselect;
    if (!sub || !('SelectStmt' in sub)) return;
    if (term.SubLink.subLinkType === 'ANY_SUBLINK' && term.SubLink.testexpr) {
      // `col IN (SELECT other FROM t WHERE ...)`: the subquery's table is read by `other`.
      out.push(...readInSubquery(sub.SelectStmt, scope));
      return;
    }
    out.push(...readSelect(sub.SelectStmt, scope));
    return;
  }
  if ('A_Expr' in term) readExpr(term.A_Expr, scope);
}

function readInSubquery(select: SelectStmt, scope: Scope): QueryShape[] {
  const reads = readSelect(select, scope);
  const target = select.targetList?.[0];
  const val = target && 'ResTarget' in target ? target.ResTarget.val : undefined;
  const first = reads[0];
  const column = val ? lastName(val) : undefined;
  if (first && column && !first.equal.includes(column)) first.equal.push(column);
  return reads;
}

function readExpr(expr: A_Expr, scope: Scope): void {
  const op = operatorName(expr);
  switch (expr.kind) {
    case 'AEXPR_OP': {
      if (op === undefined) return;
      const left = columnOf(expr.lexpr, scope);
      const right = columnOf(expr.rexpr, scope);
      if (!left && !right) {
        readExpressionTerm(op, expr.lexpr, expr.rexpr, scope);
        return;
      }
      if (left && right) {
        if (op === '=' && left.relation !== right.relation) {
          left.relation.joinedBy.push(left.column);
          right.relation.joinedBy.push(right.column);
        }
        return;
      }
      const ref = left ?? right;
      const value = left ? expr.rexpr : expr.lexpr;
      if (!ref || !value) return;
      if (CONTAINMENT.has(op)) {
        if (left && isValue(value)) ref.relation.shape.operators.push({ column: ref.column, op: op as ContainmentOp });
        return;
      }
      const compare = COMPARE[op];
      if (!compare) return;
      const oriented = left ? compare : FLIPPED[compare];
      const literal = literalOf(value);
      if (literal) {
        ref.relation.constants.push({ kind: 'compare', column: ref.column, op: oriented, value: literal });
        return;
      }
      if (!isParameter(value)) return;
      if (oriented === '=') ref.relation.shape.equal.push(ref.column);
      else if (oriented !== '<>') ref.relation.shape.ranges.push({ column: ref.column, op: oriented as RangeOp });
      return;
    }
    case 'AEXPR_OP_ANY': {
      const ref = columnOf(expr.lexpr, scope);
      if (ref && op === '=' && expr.rexpr && isValue(expr.rexpr)) ref.relation.shape.in.push(ref.column);
      return;
    }
    case 'AEXPR_IN': {
      const ref = columnOf(expr.lexpr, scope);
      if (!ref || op !== '=') return;
      const items = expr.rexpr && 'List' in expr.rexpr ? (expr.rexpr.List.items ?? []) : [];
      const literals = items.map(literalOf);
      if (items.length > 0 && literals.every((l): l is Literal => l !== undefined)) {
        ref.relation.constants.push({ kind: 'in-list', column: ref.column, values: literals });
      } else if (items.length > 0 && items.every(isValue)) ref.relation.shape.in.push(ref.column);
      return;
    }
    case 'AEXPR_BETWEEN': {
      const ref = columnOf(expr.lexpr, scope);
      if (ref) ref.relation.shape.ranges.push({ column: ref.column, op: 'between' });
      return;
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE': {
      const ref = columnOf(expr.lexpr, scope);
      if (!ref || (op !== '~~' && op !== '~~*') || !expr.rexpr) return;
      const pattern = literalOf(expr.rexpr);
      let match: 'contains' | 'startsWith' | 'endsWith' = 'contains';
      if (pattern?.kind === 'string') {
        const leading = pattern.value.startsWith('%');
        const trailing = pattern.value.endsWith('%');
        match = leading && !trailing ? 'endsWith' : !leading && trailing ? 'startsWith' : 'contains';
      } else if (!isParameter(expr.rexpr)) return;
      ref.relation.shape.text.push({ column: ref.column, match, mode: op === '~~*' ? 'insensitive' : 'default' });
      return;
    }
    default:
      return;
  }
}

/** `lower(email) = $1` (either side), `to_tsvector('english', title) @@ to_tsquery($1)`: a read through an expression. */
function readExpressionTerm(op: string, lexpr: Node | undefined, rexpr: Node | undefined, scope: Scope): void {
  for (const [side, other] of [
    [lexpr, rexpr],
    [rexpr, lexpr],
  ] as const) {
    const found = expressionOf(side, (node) => columnOf(node, scope));
    if (!found || !other) continue;
    const tsvector = found.expression.fn === 'to_tsvector';
    const read =
      op === '=' && !tsvector && isValue(other)
        ? ('=' as const)
        : op === '@@' && tsvector && isTsQueryValue(other, isValue)
          ? ('@@' as const)
          : undefined;
    if (read) (found.ref.relation.shape.expressions ??= []).push({ expression: found.expression, op: read });
    return;
  }
}

function operatorName(expr: A_Expr): string | undefined {
  const names = expr.name ?? [];
  const last = names[names.length - 1];
  return last && 'String' in last ? last.String.sval : undefined;
}

/** A cast's argument (`$1::text`, `CAST($1 AS "Status")`, `'x'::"Status"`), or the node itself. */
function uncast(node: Node): Node {
  let at = node;
  while ('TypeCast' in at && at.TypeCast.arg) at = at.TypeCast.arg;
  return at;
}

function isParameter(node: Node): boolean {
  const inner = uncast(node);
  if ('ParamRef' in inner) return true;
  // `ARRAY[$1, $2]` (an array compared with @> or &&) is as good as one parameter.
  if ('A_ArrayExpr' in inner) return (inner.A_ArrayExpr.elements ?? []).every(isValue);
  return false;
}

/** A parameter or a constant: something the row is compared against, not another column. */
function isValue(node: Node): boolean {
  return isParameter(node) || literalOf(node) !== undefined;
}

function literalOf(node: Node): Literal | undefined {
  const cast = 'TypeCast' in node ? castType(node.TypeCast.typeName?.names) : undefined;
  const inner = uncast(node);
  if (!('A_Const' in inner)) return undefined;
  const c: A_Const = inner.A_Const;
  if (c.isnull) return undefined;
  if (c.sval !== undefined) return { kind: 'string', value: c.sval.sval ?? '', ...(cast ? { cast } : {}) };
  if (c.ival !== undefined) return { kind: 'number', value: String(c.ival.ival ?? 0) };
  if (c.fval !== undefined) return { kind: 'number', value: c.fval.fval ?? '0' };
  if (c.boolval !== undefined) return { kind: 'boolean', value: c.boolval.boolval ?? false };
  return undefined;
}

const BUILTIN_TYPES: ReadonlySet<string> = new Set([
  'pg_catalog',
  'text',
  'varchar',
  'int4',
  'int8',
  'int2',
  'bool',
  'numeric',
  'timestamp',
  'timestamptz',
  'date',
  'uuid',
  'jsonb',
  'json',
]);

/** The type a string constant is cast to, when it is a user type (an enum); built-in casts say nothing. */
function castType(names: Node[] | undefined): { name: string; schema?: string } | undefined {
  const parts = (names ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : ''));
  if (parts.length === 0 || parts.some((p) => BUILTIN_TYPES.has(p))) return undefined;
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  return schema && schema !== 'public' ? { name, schema } : { name };
}

function constantInt(node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const literal = literalOf(node);
  if (literal?.kind !== 'number' || !/^\d+$/.test(literal.value)) return undefined;
  return Number(literal.value);
}

function lastName(node: Node): string | undefined {
  const inner = uncast(node);
  if (!('ColumnRef' in inner)) return undefined;
  const fields = inner.ColumnRef.fields ?? [];
  const last = fields[fields.length - 1];
  return last && 'String' in last ? last.String.sval : undefined;
}

/**
 * The relation and column a column reference names: `"t0"."col"`, `"public"."Post"."col"`, or a
 * bare `"col"` when exactly one relation is in scope. A reference to an outer query's relation
 * (a correlated subquery) resolves there.
 */
function columnOf(node: Node | undefined, scope: Scope): { relation: Relation; column: string } | undefined {
  // A cast column (`"id"::text = $1`) is an expression: an index on the column does not serve it.
  if (!node || !('ColumnRef' in node)) return undefined;
  const names = (node.ColumnRef.fields ?? []).map((f) => ('String' in f ? f.String.sval : undefined));
  if (names.some((n) => n === undefined) || names.length === 0 || names.length > 3) return undefined;
  const parts = names as string[];
  const column = parts[parts.length - 1]!;
  for (let at: Scope | undefined = scope; at; at = at.parent) {
    if (parts.length === 1) {
      if (at.relations.length === 1) return { relation: at.relations[0]!, column };
      if (at.relations.length > 1) return undefined;
      continue;
    }
    const qualifier = parts[parts.length - 2]!;
    const schema = parts.length === 3 ? parts[0] : undefined;
    const relation = at.relations.find((r) =>
      schema !== undefined ? r.table === qualifier && (r.schema ?? 'public') === schema : r.alias === qualifier,
    );
    if (relation) return { relation, column };
  }
  return undefined;
}

function orderTerm(sort: SortBy, scope: Scope, driving: Relation): QueryShape['orderBy'][number] | undefined {
  const ref = columnOf(sort.node, scope);
  if (!ref || ref.relation !== driving) return undefined;
  if (sort.sortby_dir === 'SORTBY_USING') return undefined;
  const direction = sort.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'asc';
  const term: QueryShape['orderBy'][number] = { column: ref.column, direction };
  if (sort.sortby_nulls === 'SORTBY_NULLS_FIRST') term.nulls = 'first';
  else if (sort.sortby_nulls === 'SORTBY_NULLS_LAST') term.nulls = 'last';
  return term;
}

/**
 * What each relation of a SELECT returns: the columns its target list names (`t.*` / `*`: every
 * column), through casts, functions and operators. A subquery in the list, or a column idxgen
 * cannot place, leaves every relation's `returns` unset: unknown, never guessed.
 */
function readReturned(targets: Node[] | undefined, scope: Scope): void {
  const found = new Map<Relation, Set<string> | 'all'>(scope.relations.map((r) => [r, new Set<string>()]));
  const add = (relation: Relation, column: string | 'all') => {
    const seen = found.get(relation);
    if (seen === undefined || seen === 'all') return;
    if (column === 'all') found.set(relation, 'all');
    else seen.add(column);
  };
  let known = true;
  const visit = (node: unknown): void => {
    if (!known || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if ('SubLink' in node) {
      known = false;
      return;
    }
    if ('ColumnRef' in node) {
      const ref = node as { ColumnRef: { fields?: Node[] } };
      const fields = ref.ColumnRef.fields ?? [];
      if (fields.length > 0 && 'A_Star' in fields[fields.length - 1]!) {
        const qualifier = fields.length > 1 ? fields[fields.length - 2] : undefined;
        const name = qualifier && 'String' in qualifier ? qualifier.String.sval : undefined;
        const matching = name === undefined ? scope.relations : scope.relations.filter((r) => r.alias === name);
        if (matching.length === 0) known = false;
        for (const relation of matching) add(relation, 'all');
        return;
      }
      const column = columnOf(node as Node, scope);
      if (!column || !found.has(column.relation)) known = false;
      else add(column.relation, column.column);
      return;
    }
    Object.values(node).forEach(visit);
  };
  for (const target of targets ?? []) visit('ResTarget' in target ? target.ResTarget.val : target);
  if (!known || (targets ?? []).length === 0) return;
  for (const [relation, columns] of found)
    relation.shape.returns = columns === 'all' ? { kind: 'all' } : { kind: 'columns', columns: [...columns] };
}
