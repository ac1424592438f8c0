/**
 * Expression keys (`lower(email)`, `to_tsvector('english', title)`) as `indexServes` compares them,
 * and in words for messages. The type lives in query-shape.ts; SQL is printed by src/render/.
 */
import { isIndexableExpression, sameExpression, type ExpressionKey, type QueryShape } from './query-shape';
import { quoteIdent, quoteLiteral } from '../sql/quote';

/**
 * A key of an index or a read, for matching: a column's name, or a token no column name can be
 * (it starts with NUL) that is equal for two expressions exactly when `sameExpression` holds. An
 * expression no index can hold (`to_tsvector(col)`, a `$n` configuration) has none: it matches nothing.
 */
export function expressionToken(expression: ExpressionKey): string | undefined {
  if (!isIndexableExpression(expression)) return undefined;
  const config = expression.fn === 'to_tsvector' && expression.config.kind === 'named' ? expression.config.name : '';
  return `\u0000${JSON.stringify([expression.fn, expression.column, config])}`;
}

/** The expressions a read compares by equality (`lower(email) = $1`), each with its token. */
export function equalExpressions(shape: QueryShape): { expression: ExpressionKey; token: string | undefined }[] {
  if (shape.expressions === undefined || shape.expressions.length === 0) return [];
  return shape.expressions
    .filter((e) => e.op === '=')
    .map((e) => ({ expression: e.expression, token: expressionToken(e.expression) }));
}

/** Does one of `keys` hold exactly `expression`? */
export function hasExpressionKey(keys: readonly { expression?: ExpressionKey }[], expression: ExpressionKey): boolean {
  return (
    isIndexableExpression(expression) &&
    keys.some((k) => k.expression !== undefined && sameExpression(k.expression, expression))
  );
}

/** The expression in words (`lower("email")`, `to_tsvector('english', "title")`), for messages only. */
export function describeExpression(expression: ExpressionKey): string {
  const column = quoteIdent(expression.column);
  if (expression.fn !== 'to_tsvector') return `${expression.fn}(${column})`;
  const config = expression.config;
  if (config.kind === 'default') return `to_tsvector(${column})`;
  if (config.kind === 'parameter') return `to_tsvector(?, ${column})`;
  return `to_tsvector(${quoteLiteral(config.name)}, ${column})`;
}

/**
 * What an index key is, for comparing keys: its column, or its expression's token (an expression
 * no index can hold gets a token of its own, equal to no other key).
 */
export function keyOf(key: { column: string; expression?: ExpressionKey }): string {
  if (key.expression === undefined) return key.column;
  return expressionToken(key.expression) ?? `\u0000unindexable:${JSON.stringify(key.expression)}`;
}

/** The part of an index name an expression key gives (`lower_email`, `to_tsvector_title`). */
export function expressionNamePart(expression: ExpressionKey): string {
  return `${expression.fn}_${expression.column}`;
}
