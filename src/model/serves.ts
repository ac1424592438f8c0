/**
 * One decision, one function: does this index serve this read (`indexServes`), and on top of it,
 * does it cover this foreign key (`coversFk`). Every stage asks here: rules (declared indexes),
 * plan (declared and proposed), verify (catalog indexes read from pg_catalog).
 *
 * The FK rule (shared/FACTS.md, measured against pg_catalog on every corpus schema): a valid index
 * covers an FK when its first k key columns are exactly the FK's k columns, in any order, and it
 * has no predicate or only `fk IS NOT NULL`. INCLUDE columns do not count; a composite primary key
 * counts when the FK's columns lead it; a hash index covers a single-column FK; GIN, GiST, SP-GiST
 * and BRIN do not. It is the general rule applied to the FK's lookup `WHERE fk = $1`.
 */
import {
  conjuncts,
  type ContainmentOp,
  type ExpressionKey,
  type Predicate,
  type QueryShape,
  queryShape,
} from './query-shape';
import { describeExpression, equalExpressions, expressionToken, hasExpressionKey } from './expression';
import type { IndexDef, IndexMethod, SortOrder, Table } from './types';
import { impliedBy, predicateKey, readPredicate } from '../sql/predicate';
import { quoteIdent } from '../sql/quote';

/** An index as `indexServes` sees it, whatever it comes from (schema, proposal, catalog). */
export interface ServingIndex {
  table: string;
  /** Undefined means the default schema (`public`). */
  schema?: string;
  /** Access method; a catalog may name one idxgen does not know. */
  method: IndexMethod | (string & {});
  /** Key columns in key order; `column` is null for an expression key, `expression` says which when known. */
  keys: { column: string | null; sort: SortOrder; opclass?: string; expression?: ExpressionKey }[];
  /** INCLUDE columns: they never serve a filter or an order. */
  include: string[];
  predicate?: Predicate;
  /** The predicate as written or printed, for reasons. */
  predicateText?: string;
  /** False for an INVALID index (a failed CREATE INDEX CONCURRENTLY). */
  valid: boolean;
}

/** A part of a read, named in a partial verdict. */
export interface ShapePart {
  part: 'equal' | 'in' | 'range' | 'order' | 'operator' | 'text' | 'where' | 'expression';
  column?: string;
  /** For an `expression` part: the expression read (`lower(email) = $1`, `to_tsvector(...) @@ $1`). */
  expression?: ExpressionKey;
  op?: '=' | '@@';
}

export type ServesVerdict =
  | { verdict: 'serves'; reason: string }
  /** The index narrows the read (its leading part), the rest is filtered or sorted after. */
  | { verdict: 'partial'; served: ShapePart[]; unserved: ShapePart[]; reason: string }
  | { verdict: 'none'; reason: string };

/** Operators each GIN / GiST operator class serves, for the containment operators of a shape. */
const OPCLASS_OPERATORS: Record<string, readonly ContainmentOp[]> = {
  jsonb_path_ops: ['@>'],
  jsonb_ops: ['@>', '?', '?|', '?&'],
  array_ops: ['@>', '<@', '&&'],
};
const TRIGRAM_OPCLASSES: ReadonlySet<string> = new Set(['gin_trgm_ops', 'gist_trgm_ops']);

function columnList(columns: readonly string[]): string {
  return `(${columns.map(quoteIdent).join(', ')})`;
}

function sameSchema(a: string | undefined, b: string | undefined): boolean {
  return (a ?? 'public') === (b ?? 'public');
}

/** Columns a read compares with a strict operator: a row with NULL there is never read. */
export function comparedColumns(shape: QueryShape): Set<string> {
  return new Set([
    ...shape.equal,
    ...shape.in,
    ...shape.ranges.map((r) => r.column),
    ...shape.operators.map((o) => o.column),
    ...shape.text.map((t) => t.column),
    ...(shape.expressions ?? []).map((e) => e.expression.column),
  ]);
}

function isEqualityOnly(shape: QueryShape): boolean {
  return (
    shape.in.length + shape.ranges.length + shape.orderBy.length + shape.operators.length + shape.text.length === 0 &&
    (shape.expressions ?? []).every((e) => e.op === '=')
  );
}

/** Does `index` serve `shape`: the whole read, its leading part, or nothing (with the reason). */
export function indexServes(index: ServingIndex, shape: QueryShape): ServesVerdict {
  if (index.table !== shape.table || !sameSchema(index.schema, shape.schema))
    return { verdict: 'none', reason: 'on another table' };
  if (!index.valid)
    return { verdict: 'none', reason: 'invalid (a failed CREATE INDEX CONCURRENTLY): the planner never uses it' };
  const methodVerdict = servesByMethod(index, shape);
  if (methodVerdict.verdict === 'none') return methodVerdict;
  if (index.predicate !== undefined && !impliedBy(index.predicate, comparedColumns(shape), shape.where)) {
    // A partial index that leaves out rows the read needs serves none of it.
    const reason =
      methodVerdict.verdict === 'partial'
        ? methodVerdict.reason
        : `partial (WHERE ${index.predicateText ?? '…'}), does not hold every row`;
    return { verdict: 'none', reason };
  }
  // The read's constant predicate is served when the index holds only the rows it selects.
  if (shape.where === undefined) return methodVerdict;
  const held = new Set(conjuncts(index.predicate).map(predicateKey));
  const filtered = conjuncts(shape.where).filter((c) => !held.has(predicateKey(c)));
  if (filtered.length === 0) return methodVerdict;
  const whereParts: ShapePart[] = filtered.map((c) => ({
    part: 'where',
    ...(columnOf(c) !== undefined ? { column: columnOf(c) } : {}),
  }));
  const served = methodVerdict.verdict === 'serves' ? allParts(shape) : methodVerdict.served;
  const unserved = methodVerdict.verdict === 'serves' ? [] : methodVerdict.unserved;
  return {
    verdict: 'partial',
    served,
    unserved: [...unserved, ...whereParts],
    reason: `filters ${describeParts(whereParts)} row by row: the index also holds rows the read skips`,
  };
}

/** What each access method can serve; any other method (brin, spgist, ...) serves no read here. */
const SERVES_BY_METHOD: Readonly<
  Record<string, ((index: ServingIndex, shape: QueryShape) => ServesVerdict) | undefined>
> = {
  btree: servesBtree,
  hash: servesHash,
  gin: servesContainment,
  gist: servesContainment,
  brin: servesBrin,
};

function servesByMethod(index: ServingIndex, shape: QueryShape): ServesVerdict {
  const serves = Object.hasOwn(SERVES_BY_METHOD, index.method) ? SERVES_BY_METHOD[index.method] : undefined;
  return serves ? serves(index, shape) : { verdict: 'none', reason: `${index.method}, not btree or hash` };
}

/**
 * The verdict, its reason text built only when read: rules ask about every FK against every index
 * of its table in the latency-critical `check`, and mostly only want the verdict.
 */
class LazyReason {
  private text: string | undefined;
  constructor(private readonly explain: () => string) {}
  get reason(): string {
    return (this.text ??= this.explain());
  }
}

class Serves extends LazyReason {
  readonly verdict = 'serves' as const;
}

class None extends LazyReason {
  readonly verdict = 'none' as const;
}

class Partial extends LazyReason {
  readonly verdict = 'partial' as const;
  constructor(
    readonly served: ShapePart[],
    readonly unserved: ShapePart[],
    explain: () => string,
  ) {
    super(explain);
  }
}

function verdictOf(
  served: ShapePart[],
  unserved: ShapePart[],
  reasons: { all: () => string; some: () => string; none: () => string },
): ServesVerdict {
  if (unserved.length === 0) return new Serves(reasons.all);
  if (served.length === 0) return new None(reasons.none);
  return new Partial(served, unserved, reasons.some);
}

function servesBtree(index: ServingIndex, shape: QueryShape): ServesVerdict {
  // An expression key matches only the same expression compared by equality (its token).
  const keys = index.keys.map((k) => k.column ?? (k.expression ? (expressionToken(k.expression) ?? null) : null));
  const expressions = equalExpressions(shape);
  const equal = new Set([...shape.equal, ...expressions.flatMap((e) => (e.token ? [e.token] : []))]);
  let at = 0;
  while (at < keys.length && keys[at] !== null && equal.has(keys[at]!)) at++;
  const leading = keys.slice(0, at) as string[];
  const served: ShapePart[] = leading.map((key) => {
    const expression = expressions.find((e) => e.token === key);
    return expression ? expressionPart({ ...expression, op: '=' }) : { part: 'equal', column: key };
  });
  const unserved: ShapePart[] = [
    ...shape.equal.filter((c) => !leading.includes(c)).map((column) => ({ part: 'equal' as const, column })),
    ...expressions
      .filter((e) => e.token === undefined || !leading.includes(e.token))
      .map((e) => expressionPart({ ...e, op: '=' })),
  ];
  const equalityDone = unserved.length === 0;
  let orderBroken = !equalityDone;
  // After the equality prefix: IN lists (each key narrows, but breaks the order), then one range.
  const rest = [
    ...shape.in.map((column) => ({ part: 'in' as const, column })),
    ...shape.ranges.map((r) => ({ part: 'range' as const, column: r.column })),
  ];
  let rangeAt: number | undefined;
  for (const part of rest) {
    if (equalityDone && rangeAt === undefined && keys[at] === part.column) {
      served.push(part);
      if (part.part === 'in') orderBroken = true;
      else rangeAt = at;
      at++;
    } else if (part.part === 'range' && rangeAt !== undefined && keys[rangeAt] === part.column) {
      served.push(part); // the other bound of the same range (`>= $1 AND < $2`, BETWEEN)
    } else unserved.push(part);
  }
  if (shape.orderBy.length > 0) {
    const from = rangeAt ?? at;
    const orderServed = !orderBroken && orderMatches(index, from, shape.orderBy);
    (orderServed ? served : unserved).push(...shape.orderBy.map((o) => ({ part: 'order' as const, column: o.column })));
  }
  unserved.push(
    ...shape.operators.map((o) => ({ part: 'operator' as const, column: o.column })),
    ...shape.text.map((t) => ({ part: 'text' as const, column: t.column })),
    ...(shape.expressions ?? []).filter((e) => e.op === '@@').map(expressionPart),
  );
  if (isEqualityOnly(shape) && expressions.length === 0) {
    const none = () => {
      const k = shape.equal.length;
      const lead = index.keys.slice(0, k).map((key) => key.column ?? '(expression)');
      return shape.equal.some((c) => lead.includes(c))
        ? `its first ${k} column${k > 1 ? 's are' : ' is'} ${columnList(lead)}, not ${columnList(shape.equal)}`
        : `does not start with ${columnList(shape.equal)}`;
    };
    return verdictOf(served, unserved, { all: () => `starts with ${columnList(shape.equal)}`, some: none, none });
  }
  return verdictOf(served, unserved, {
    all: () => 'serves the whole read',
    some: () => `serves ${describeParts(served)}; not ${describeParts(unserved)}`,
    none: () => `does not start with a column the read filters or sorts on`,
  });
}

/** The keys from `from` on give `orderBy`, all in the index's direction or all reversed (a btree scans both ways). */
function orderMatches(index: ServingIndex, from: number, orderBy: QueryShape['orderBy']): boolean {
  if (from + orderBy.length > index.keys.length) return false;
  let flip: boolean | undefined;
  return orderBy.every((term, i) => {
    const key = index.keys[from + i]!;
    if (key.column !== term.column) return false;
    const reversed = key.sort !== term.direction;
    const defaultNulls = term.direction === 'asc' ? 'last' : 'first';
    if (term.nulls !== undefined && term.nulls !== defaultNulls) return false;
    flip ??= reversed;
    return flip === reversed;
  });
}

function servesHash(index: ServingIndex, shape: QueryShape): ServesVerdict {
  const only = index.keys.length === 1 ? index.keys[0]!.column : null;
  const why = 'hash, which serves only a single-column equality';
  if (only === null || !shape.equal.includes(only)) return { verdict: 'none', reason: why };
  const served: ShapePart[] = [{ part: 'equal', column: only }];
  const unserved = allParts(shape).filter((p) => !(p.part === 'equal' && p.column === only));
  return verdictOf(served, unserved, {
    all: () => `starts with ${columnList([only])}`,
    some: () => why,
    none: () => why,
  });
}

function servesContainment(index: ServingIndex, shape: QueryShape): ServesVerdict {
  const served: ShapePart[] = [];
  const unserved: ShapePart[] = [];
  for (const part of allParts(shape)) {
    const key = index.keys.find((k) => k.column === part.column);
    const opclass = key?.opclass?.toLowerCase() ?? '';
    let ok = false;
    if (key && part.part === 'operator') {
      const op = shape.operators.find((o) => o.column === part.column)!.op;
      ok = index.method === 'gin' && (OPCLASS_OPERATORS[opclass] ?? []).includes(op);
    } else if (key && part.part === 'text') ok = TRIGRAM_OPCLASSES.has(opclass);
    else if (part.part === 'expression' && part.op === '@@')
      // A GIN or GiST index on exactly this to_tsvector(...) expression serves its `@@`.
      ok = hasExpressionKey(index.keys, part.expression!);
    (ok ? served : unserved).push(part);
  }
  const why = `${index.method}, not btree or hash`;
  return verdictOf(served, unserved, {
    all: () => `${index.method} serves ${describeParts(served)}`,
    some: () => `${index.method} serves ${describeParts(served)}; not ${describeParts(unserved)}`,
    none: () => why,
  });
}

/**
 * BRIN keeps each block range's min and max: it narrows a range read on its column to the block
 * ranges that can hold matching rows (as tight as the rows' physical order is). It never gives an
 * order, and it is no lookup index: an equality (an FK lookup) is left to a btree.
 */
function servesBrin(index: ServingIndex, shape: QueryShape): ServesVerdict {
  const keys = new Set(index.keys.map((k) => k.column));
  const served: ShapePart[] = [];
  const unserved: ShapePart[] = [];
  for (const part of allParts(shape)) (part.part === 'range' && keys.has(part.column!) ? served : unserved).push(part);
  return verdictOf(served, unserved, {
    all: () => `brin serves ${describeParts(served)}`,
    some: () => `brin serves ${describeParts(served)}; not ${describeParts(unserved)}`,
    none: () => 'brin, which serves only ranges on its columns',
  });
}

function columnOf(predicate: Predicate): string | undefined {
  return predicate.kind === 'null-test' || predicate.kind === 'compare' || predicate.kind === 'in-list'
    ? predicate.column
    : undefined;
}

function allParts(shape: QueryShape): ShapePart[] {
  return [
    ...shape.equal.map((column) => ({ part: 'equal' as const, column })),
    ...shape.in.map((column) => ({ part: 'in' as const, column })),
    ...shape.ranges.map((r) => ({ part: 'range' as const, column: r.column })),
    ...shape.orderBy.map((o) => ({ part: 'order' as const, column: o.column })),
    ...shape.operators.map((o) => ({ part: 'operator' as const, column: o.column })),
    ...shape.text.map((t) => ({ part: 'text' as const, column: t.column })),
    ...(shape.expressions ?? []).map(expressionPart),
  ];
}

/** A read's `lower(email) = $1` or `to_tsvector(...) @@ $1` as a part of a verdict. */
function expressionPart(e: { expression: ExpressionKey; op: '=' | '@@' }): ShapePart {
  return { part: 'expression', column: e.expression.column, expression: e.expression, op: e.op };
}

function describeParts(parts: readonly ShapePart[]): string {
  return parts
    .map((p) =>
      p.expression ? `${describeExpression(p.expression)} ${p.op}` : `${p.part} ${columnList([p.column ?? ''])}`,
    )
    .join(', ');
}

// ---------------------------------------------------------------------------
// Foreign keys

export interface FkRef {
  table: string;
  schema?: string;
  columns: readonly string[];
}

/** The read every FK needs: the lookup of the referencing rows (`WHERE fk = $1`). */
export function fkLookup(fk: FkRef): QueryShape {
  return queryShape({
    table: fk.table,
    ...(fk.schema !== undefined ? { schema: fk.schema } : {}),
    equal: [...fk.columns],
  });
}

class FkCoverage extends LazyReason {
  constructor(
    readonly covers: boolean,
    explain: () => string,
  ) {
    super(explain);
  }
}

/** Does `index` cover the FK (FACTS.md's sound rule)? The reason is for evidence. */
export function coversFk(index: ServingIndex, fk: FkRef): { covers: boolean; reason: string } {
  if (fk.columns.length === 0) return { covers: false, reason: 'the foreign key has no columns' };
  const quick = coversFkWithoutPredicate(index, fk);
  if (quick !== undefined) return new FkCoverage(quick, () => indexServes(index, fkLookup(fk)).reason);
  const verdict = indexServes(index, fkLookup(fk));
  return new FkCoverage(verdict.verdict === 'serves', () => verdict.reason);
}

/**
 * `indexServes(index, fkLookup(fk)).verdict === 'serves'` for an index without a predicate (nearly
 * all), decided without building the read and its parts: rules ask it for every FK against every
 * index of its table, three times over (fk-index, fk-composite-index, the report's facts), which
 * on civitai was ~35 ms of `check` and a third of its garbage. Undefined: ask `indexServes`.
 * A test holds the two answers equal on every corpus schema.
 */
function coversFkWithoutPredicate(index: ServingIndex, fk: FkRef): boolean | undefined {
  if (index.predicate !== undefined) return undefined;
  if (index.table !== fk.table || !sameSchema(index.schema, fk.schema) || !index.valid) return false;
  const { keys } = index;
  // A hash index serves an equality on its one column.
  if (index.method === 'hash') return keys.length === 1 && fk.columns.every((c) => c === keys[0]!.column);
  if (index.method !== 'btree') return false;
  // A btree serves the equalities on its leading keys, as long as each is one the read compares.
  let leading = 0;
  while (leading < keys.length && keys[leading]!.column !== null && fk.columns.includes(keys[leading]!.column!))
    leading++;
  return fk.columns.every((c) => {
    for (let k = 0; k < leading; k++) if (keys[k]!.column === c) return true;
    return false;
  });
}

// ---------------------------------------------------------------------------
// Adapter: an index declared in schema.prisma (or a primary key / unique constraint)

/**
 * Key columns as a declared or a proposed index lists them (ascending unless it says otherwise);
 * an expression key (`lower("email")`, proposed only) has no column.
 */
export function servingKeys(
  columns: readonly { column: string; sort?: SortOrder; opclass?: string; expression?: ExpressionKey }[],
): ServingIndex['keys'] {
  return columns.map((c) => ({
    column: c.expression ? null : c.column,
    sort: c.sort ?? 'asc',
    ...(c.opclass ? { opclass: c.opclass } : {}),
    ...(c.expression ? { expression: c.expression } : {}),
  }));
}

const declared = new WeakMap<IndexDef, ServingIndex>();

export function servingDeclared(table: Pick<Table, 'name' | 'schema'>, index: IndexDef): ServingIndex {
  let serving = declared.get(index);
  if (serving === undefined || serving.table !== table.name) {
    serving = {
      table: table.name,
      method: index.method,
      keys: servingKeys(index.columns),
      include: [],
      valid: true,
    };
    if (table.schema !== undefined) serving.schema = table.schema;
    if (index.where !== undefined) {
      serving.predicate = readPredicate(index.where);
      serving.predicateText = index.where;
    }
    declared.set(index, serving);
  }
  return serving;
}
