/**
 * A parse-tree node (libpg-query) → the typed expression key it is, when it is one idxgen indexes:
 * `lower(col)`, `upper(col)`, `to_tsvector(<config>, col)` (and the one-argument
 * `to_tsvector(col)` / Prisma's `to_tsvector(concat_ws(' ', col))`, read only to say why no index
 * can serve it). Shared by the workload reader (from-sql.ts) and the catalog reader (an index's
 * `pg_get_indexdef`), so a query's expression and an index's are read by one function.
 */
import type { FuncCall, Node } from 'libpg-query';
import type { ExpressionKey, TsConfig } from '../model/query-shape';

/** The functions whose result an expression index holds; `pg_catalog.` qualified or not. */
const CASE_FUNCTIONS: ReadonlySet<string> = new Set(['lower', 'upper']);
/** Casts of a column argument that change nothing an index compares (pg_get_indexdef writes `(email)::text` for a varchar). */
const TEXT_TYPES: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar']);
/** Functions that make a tsquery from values: `to_tsvector(...) @@ to_tsquery($1)`. */
const TSQUERY_FUNCTIONS: ReadonlySet<string> = new Set([
  'to_tsquery',
  'plainto_tsquery',
  'phraseto_tsquery',
  'websearch_to_tsquery',
]);

/**
 * The expression `node` is, over the column `columnOf` resolves (with whatever the caller keeps
 * beside it: the relation of a statement, nothing for an index).
 */
export function expressionOf<R>(
  node: Node | undefined,
  columnOf: (node: Node) => (R & { column: string }) | undefined,
): { expression: ExpressionKey; ref: R & { column: string } } | undefined {
  const call = plainCall(node);
  if (!call) return undefined;
  const args = call.call.args ?? [];
  if (CASE_FUNCTIONS.has(call.name) && args.length === 1) {
    const ref = columnOf(textColumn(args[0]!));
    if (ref) return { expression: { fn: call.name as 'lower' | 'upper', column: ref.column }, ref };
    return undefined;
  }
  if (call.name !== 'to_tsvector') return undefined;
  if (args.length === 1) {
    // `to_tsvector(col)`, or Prisma's `to_tsvector(concat_ws(' ', col))`: the server's default configuration.
    const ref = columnOf(textColumn(concatOfOne(args[0]!) ?? args[0]!));
    return ref
      ? { expression: { fn: 'to_tsvector', config: { kind: 'default' }, column: ref.column }, ref }
      : undefined;
  }
  if (args.length !== 2) return undefined;
  const config = configOf(args[0]!);
  const ref = config ? columnOf(textColumn(args[1]!)) : undefined;
  return config && ref ? { expression: { fn: 'to_tsvector', config, column: ref.column }, ref } : undefined;
}

/** `to_tsquery($1)`, `plainto_tsquery('english', $1)`, a `$1::tsquery`: a tsquery made of values only. */
export function isTsQueryValue(node: Node | undefined, isValue: (node: Node) => boolean): boolean {
  if (!node) return false;
  const call = plainCall(node);
  if (!call) return isValue(node);
  const args = call.call.args ?? [];
  return TSQUERY_FUNCTIONS.has(call.name) && args.length >= 1 && args.length <= 2 && args.every(isValue);
}

/** A plain call of a built-in function (no aggregate, window, VARIADIC or FILTER), with its unqualified name. */
function plainCall(node: Node | undefined): { name: string; call: FuncCall } | undefined {
  if (!node || !('FuncCall' in node)) return undefined;
  const call = node.FuncCall;
  if (call.agg_star || call.agg_distinct || call.func_variadic || call.over || call.agg_filter || call.agg_order)
    return undefined;
  const names = (call.funcname ?? []).map((n) => ('String' in n ? n.String.sval : undefined));
  if (names.length === 2 && names[0] !== 'pg_catalog') return undefined;
  if (names.length < 1 || names.length > 2) return undefined;
  const name = names[names.length - 1];
  return name ? { name, call } : undefined;
}

/** A column argument, through a cast to a text type. */
function textColumn(node: Node): Node {
  let at = node;
  while ('TypeCast' in at && at.TypeCast.arg) {
    const names = (at.TypeCast.typeName?.names ?? []).map((n) => ('String' in n ? n.String.sval : ''));
    if (!TEXT_TYPES.has(names[names.length - 1] ?? '')) return at;
    at = at.TypeCast.arg;
  }
  return at;
}

/** `concat_ws(sep, col)` with one column: that column (Prisma's search on one field). */
function concatOfOne(node: Node): Node | undefined {
  const call = plainCall(node);
  const args = call?.call.args ?? [];
  return call?.name === 'concat_ws' && args.length === 2 ? args[1] : undefined;
}

/** The configuration argument: `'english'`, `'english'::regconfig`, or a `$n` (normalized, or bound). */
function configOf(node: Node): TsConfig | undefined {
  let at = node;
  if ('TypeCast' in at && at.TypeCast.arg) {
    const names = (at.TypeCast.typeName?.names ?? []).map((n) => ('String' in n ? n.String.sval : ''));
    if (names[names.length - 1] !== 'regconfig') return undefined;
    at = at.TypeCast.arg;
  }
  if ('ParamRef' in at) return { kind: 'parameter' };
  if ('A_Const' in at && at.A_Const.sval !== undefined && !at.A_Const.isnull)
    return { kind: 'named', name: at.A_Const.sval.sval ?? '' };
  return undefined;
}
