/**
 * An expression key (src/model/query-shape.ts) as SQL: `lower("email")`,
 * `to_tsvector('english'::regconfig, "title")`, the way pg_get_indexdef prints it (up to quoting).
 * The text search configuration comes from a query or a catalog, so it is hostile text: it is a
 * string literal, its quotes doubled, and a `;` or `\` in it written in the U& form (Prisma's
 * driver adapter splits a migration on every `;`). An expression no index can hold is a bug here.
 */
import { isIndexableExpression, type ExpressionKey } from '../model/query-shape';
import { quoteIdent } from '../sql/quote';

export function renderExpressionSql(expression: ExpressionKey): string {
  const column = quoteIdent(expression.column);
  if (expression.fn !== 'to_tsvector') return `${expression.fn}(${column})`;
  if (!isIndexableExpression(expression) || expression.config.kind !== 'named')
    throw new Error(`to_tsvector on ${column} has no constant text search configuration: no index can hold it`);
  return `to_tsvector(${stringLiteral(expression.config.name)}::regconfig, ${column})`;
}

/** A string constant: `'x'` with `'` doubled; `U&'...'` when it holds `;` or `\` (or is not printable ASCII). */
export function stringLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error(`SQL literal contains a NUL byte: ${JSON.stringify(value)}`);
  if (/^[\x20-\x7e]*$/.test(value) && !/[;\\]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  let body = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "'") body += "''";
    else if (code >= 0x20 && code <= 0x7e && ch !== ';' && ch !== '\\') body += ch;
    else if (code <= 0xffff) body += `\\${code.toString(16).padStart(4, '0').toUpperCase()}`;
    else body += `\\+${code.toString(16).padStart(6, '0').toUpperCase()}`;
  }
  return `U&'${body}'`;
}
