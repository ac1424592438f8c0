/**
 * The hint for reads through a to_tsvector no index can hold (cost → instead → fix), from real
 * parse trees: Prisma's one-argument form and pg_stat_statements' `$n` configuration get one line
 * each; a constant configuration gets none (workload-index proposes its index instead).
 */
import { expressionHints } from '../../src/render/expression-hints';
import { parseStatements } from '../../src/workload/from-statements';
import { sqlParser, type SqlParser } from '../../src/workload/sql-parser';

let parser: SqlParser;
beforeAll(async () => {
  parser = await sqlParser();
});

function hints(queries: string[]): string[] {
  const statements = queries.map((query, i) => ({
    fingerprint: String(i),
    query,
    calls: 1200,
    origin: 'pg_stat_statements' as const,
    where: 'pg_stat_statements on db',
  }));
  return expressionHints(parseStatements(statements, parser).parsed);
}

test("Prisma's to_tsvector(concat_ws(' ', col)): not IMMUTABLE, so no index; the fix queries with a constant configuration", () => {
  expect(
    hints([
      `SELECT "public"."Post"."id" FROM "public"."Post" WHERE to_tsvector(concat_ws($1, "public"."Post"."title")) @@ to_tsquery($2)`,
    ]),
  ).toEqual([
    `pg_stat_statements on db: "Post"."title": to_tsvector("title") has no text search configuration (the form Prisma's fullTextSearchPostgres writes): ` +
      `it depends on default_text_search_config, so it is not IMMUTABLE, no index can hold it, and each of its 1,200 call(s) reads "Post" in full. ` +
      `Instead, search with a constant configuration (prisma.$queryRaw): WHERE to_tsvector('english'::regconfig, "title") @@ to_tsquery('english', $1), ` +
      `and give that statement with --queries: idxgen then proposes the GIN index on to_tsvector('english'::regconfig, "title") (drift Prisma cannot declare: --allow-drift); ` +
      `or keep the tsvector in a generated column and index that column.`,
  ]);
});

test('a $n configuration: unknown, the fix gives the statement with its constant; a constant one and other reads: no hint', () => {
  const [line, ...rest] = hints([
    `SELECT id FROM "Odd;""name" WHERE to_tsvector($1, "ti;tle") @@ to_tsquery($2)`,
    `SELECT id FROM "Post" WHERE to_tsvector('english', title) @@ to_tsquery($1)`,
    `SELECT id FROM "Post" WHERE lower(email) = $1`,
  ]);
  expect(rest).toEqual([]);
  expect(line).toContain(
    `U&"Odd\\003B""name".U&"ti\\003Btle": to_tsvector(?, U&"ti\\003Btle") has its text search configuration as a parameter`,
  );
  expect(line).toContain('in a --queries .sql file');
});
