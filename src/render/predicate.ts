/**
 * Predicate trees → SQL text: the one place a partial-index predicate (or a query's constant
 * predicate) becomes SQL (`prismaRawWhere` in declaration.ts prints it for Prisma's `where:`).
 *
 * The form is the one PostgreSQL prints back (`pg_get_expr`), so that Prisma's migrate diff finds
 * a declared `where:` equal to the database's: identifiers bare when PostgreSQL prints them bare,
 * `'v'::"Type"` for an enum value, `col = ANY (ARRAY[...])` for a list of two or more values and
 * `col = v` for one. Measured with Prisma 7.10: `"status" IN (...)`, `"status" = ANY (...)` (a
 * quoted column inside ANY), `'x'::"job_status"` (a quoted lower-case type) and `'x'::"public"."E"`
 * all drift; this form does not.
 */
import type { Literal, Predicate, TypeRef } from '../model/query-shape';
import { quoteIdentAsPrinted, quoteLiteral } from '../sql/quote';

function typeSql(type: TypeRef): string {
  return type.schema !== undefined
    ? `${quoteIdentAsPrinted(type.schema)}.${quoteIdentAsPrinted(type.name)}`
    : quoteIdentAsPrinted(type.name);
}

export function literalSql(value: Literal): string {
  switch (value.kind) {
    case 'string':
      return value.cast ? `${quoteLiteral(value.value)}::${typeSql(value.cast)}` : quoteLiteral(value.value);
    case 'number':
      if (!/^-?[0-9]+(\.[0-9]+)?$/.test(value.value))
        throw new Error(`not a number literal: ${JSON.stringify(value.value)}`);
      return value.value;
    case 'boolean':
      return value.value ? 'true' : 'false';
  }
}

function termSql(predicate: Predicate): string {
  const sql = renderPredicateSql(predicate);
  return predicate.kind === 'and' || predicate.kind === 'or' || predicate.kind === 'sql' ? `(${sql})` : sql;
}

/** The predicate as SQL (what follows `WHERE`). */
export function renderPredicateSql(predicate: Predicate): string {
  switch (predicate.kind) {
    case 'and':
      return predicate.terms.map(termSql).join(' AND ');
    case 'or':
      return predicate.terms.map(termSql).join(' OR ');
    case 'not':
      return `NOT ${termSql(predicate.term)}`;
    case 'null-test':
      return `${quoteIdentAsPrinted(predicate.column)} IS ${predicate.isNull ? '' : 'NOT '}NULL`;
    case 'compare':
      return `${quoteIdentAsPrinted(predicate.column)} ${predicate.op} ${literalSql(predicate.value)}`;
    case 'in-list': {
      if (predicate.values.length === 0) throw new Error(`empty value list for ${JSON.stringify(predicate.column)}`);
      const values = predicate.values.map(literalSql);
      const column = quoteIdentAsPrinted(predicate.column);
      return values.length === 1 ? `${column} = ${values[0]}` : `${column} = ANY (ARRAY[${values.join(', ')}])`;
    }
    case 'sql': {
      const text = predicate.text.trim();
      if (text.length === 0) throw new Error('empty SQL predicate');
      return text;
    }
  }
}
