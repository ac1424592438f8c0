/**
 * The one place identifiers and literals become SQL text. Schema names (including `@map`) are
 * hostile input: every identifier is double-quoted with embedded quotes doubled, and NUL is refused.
 *
 * Prisma 7.10's driver adapter splits a migration on every `;` (FACTS.md: the splitter is naive),
 * so a name holding `;` is written as a Unicode-escaped identifier (`U&"a\003Bb"`): the same name
 * to PostgreSQL, and no `;` in the file.
 */

export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('empty SQL identifier');
  if (name.includes('\u0000')) throw new Error(`SQL identifier contains a NUL byte: ${JSON.stringify(name)}`);
  if (!name.includes(';')) return doubleQuoted(name);
  return `U&"${name.replace(/\\/g, '\\\\').replace(/"/g, '""').replace(/;/g, '\\003B')}"`;
}

/**
 * The keywords of a boolean expression with NULL tests and IN lists (all reserved in PostgreSQL):
 * both readers of expression text (check-expression.ts, predicate.ts) take them as keywords, never
 * as a bare column name; each adds the keywords of its own grammar.
 */
export const EXPRESSION_KEYWORDS = ['and', 'or', 'not', 'is', 'null', 'true', 'false', 'in'] as const;

/**
 * PostgreSQL keywords that are not UNRESERVED (categories R, C, T of `pg_get_keywords()`,
 * PostgreSQL 18): PostgreSQL quotes an identifier spelled like one of them when it prints it.
 */
const NON_UNRESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast char ' +
    'character check coalesce collate collation column concurrently constraint create cross current_catalog current_date ' +
    'current_role current_schema current_time current_timestamp current_user dec decimal default deferrable desc distinct do ' +
    'else end except exists extract false fetch float for foreign freeze from full grant greatest group grouping having ilike ' +
    'in initially inner inout int integer intersect interval into is isnull join json json_array json_arrayagg json_exists ' +
    'json_object json_objectagg json_query json_scalar json_serialize json_table json_value lateral leading least left like ' +
    'limit localtime localtimestamp merge_action national natural nchar none normalize not notnull null nullif numeric offset ' +
    'on only or order out outer overlaps overlay placing position precision primary real references returning right row ' +
    'select session_user setof similar smallint some substring symmetric system_user table tablesample then time timestamp to ' +
    'trailing treat trim true union unique user using values varchar variadic verbose when where window with xmlattributes ' +
    'xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'
  ).split(' '),
);

/**
 * An identifier the way PostgreSQL prints it in `pg_get_expr` / `pg_get_indexdef` (ruleutils'
 * `quote_identifier`): bare when it is lower-case letters, digits and `_` (not starting with a
 * digit) and not a reserved keyword, else quoted exactly as `quoteIdent` does. Use it for text
 * that is compared with what PostgreSQL prints, such as a partial-index predicate Prisma's
 * migrate diff compares with the database's. A bare name is the same identifier as the quoted one.
 */
export function quoteIdentAsPrinted(name: string): string {
  return printsBare(name) ? name : quoteIdent(name);
}

/** Whether PostgreSQL prints the name without quotes (lower-case identifier, not a reserved keyword). */
function printsBare(name: string): boolean {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !NON_UNRESERVED_KEYWORDS.has(name);
}

/**
 * `"name"` with `"` doubled, never the `U&` form: for text that is not a migration file (a bound
 * `::regclass` parameter, a message, a search in Prisma's diff output).
 */
export function doubleQuoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A name as people read it in a message (not SQL to run): bare when PostgreSQL would print it
 * bare, else between double quotes with `"` doubled. Never the `U&` form, which only Prisma's
 * statement splitter needs.
 */
export function displayIdent(name: string): string {
  return printsBare(name) ? name : doubleQuoted(name);
}

/**
 * A relation's name as text for `to_regclass($1)` / `$1::text::regclass`: a bound parameter, never
 * spliced into SQL. Each part in plain double quotes with `"` doubled: regclass input knows no
 * `U&"..."` form (a `;` in a bound parameter is harmless). Without a schema the name resolves
 * through the search_path, as the statement that names it does.
 */
export function regclassText(name: string, schema?: string | null): string {
  return schema ? `${doubleQuoted(schema)}.${doubleQuoted(name)}` : doubleQuoted(name);
}

/** `"schema"."name"` when a schema is set, `"name"` otherwise. */
export function qualifiedName(name: string, schema?: string): string {
  return schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

/** A standard-conforming string literal: single quotes doubled, no backslash escapes. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error(`SQL literal contains a NUL byte: ${JSON.stringify(value)}`);
  return `'${value.replace(/'/g, "''")}'`;
}
