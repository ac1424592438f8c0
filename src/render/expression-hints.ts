/**
 * Reads through an expression no index can hold, said once per statement (cost → instead → fix):
 *   - `to_tsvector(col)` with no configuration (Prisma's fullTextSearchPostgres writes
 *     `to_tsvector(concat_ws(' ', col)) @@ to_tsquery($1)`): it depends on
 *     default_text_search_config, so it is not IMMUTABLE and CREATE INDEX refuses it;
 *   - `to_tsvector($1, col)`: pg_stat_statements replaced the configuration by `$n`, so which
 *     configuration the index must hold is unknown.
 * Pure: the statements in, lines for the user out. No SQL is printed here but the expression an
 * index would hold (src/render/expression.ts, run on PostgreSQL by the tests).
 */
import type { ParsedStatement } from '../workload/from-statements';
import { renderExpressionSql } from './expression';
import { quoteIdent } from '../sql/quote';

/** The configuration the fix names: the one most servers default to (the user picks theirs). */
const EXAMPLE_CONFIG = 'english';

export function expressionHints(statements: readonly ParsedStatement[]): string[] {
  const out: string[] = [];
  for (const { statement, shapes } of statements) {
    for (const shape of shapes) {
      for (const read of shape.expressions ?? []) {
        const e = read.expression;
        if (e.fn !== 'to_tsvector' || e.config.kind === 'named') continue;
        const table = quoteIdent(shape.table);
        const column = quoteIdent(e.column);
        const indexed = renderExpressionSql({ ...e, config: { kind: 'named', name: EXAMPLE_CONFIG } });
        const calls = `${statement.calls.toLocaleString('en-US')} call(s)`;
        const cost =
          e.config.kind === 'default'
            ? `to_tsvector(${column}) has no text search configuration (the form Prisma's fullTextSearchPostgres writes): it depends on default_text_search_config, so it is not IMMUTABLE, no index can hold it, and each of its ${calls} reads ${table} in full`
            : `to_tsvector(?, ${column}) has its text search configuration as a parameter (pg_stat_statements normalizes constants to $n): idxgen cannot tell which configuration an index must hold, nor whether an index the database has serves its ${calls}`;
        const proposes = `idxgen then proposes the GIN index on ${indexed} (drift Prisma cannot declare: --allow-drift)`;
        const instead =
          e.config.kind === 'default'
            ? `Instead, search with a constant configuration (prisma.$queryRaw): WHERE ${indexed} @@ to_tsquery('${EXAMPLE_CONFIG}', $1), ` +
              `and give that statement with --queries: ${proposes}; or keep the tsvector in a generated column and index that column.`
            : `Instead, give the statement as the application writes it, its configuration included (WHERE ${indexed} @@ ...), in a --queries .sql file: ` +
              `${proposes}, or counts the one the database has.`;
        out.push(`${statement.where}: ${table}.${column}: ${cost}. ${instead}`);
      }
    }
  }
  return [...new Set(out)];
}
