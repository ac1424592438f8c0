/**
 * Expressions an index can hold, read from real parse trees (libpg-query): `lower(col) = $1`,
 * `to_tsvector('cfg', col) @@ to_tsquery($1)`, the forms pg_stat_statements and Prisma write, and
 * the expressions of a catalog index's definition (read by the same function).
 */
import { expressionOf } from '../../src/workload/expression-of';
import { withSqlParser } from '../support/sql-reads';

const parsing = withSqlParser();
const reads = parsing.reads;

test('lower(col) = $1 is an equality on the expression, either side, qualified or not; the column equality stays a column', () => {
  const [user] = reads(
    `SELECT "public"."User"."id" FROM "public"."User" WHERE lower("public"."User"."email") = $1 AND $2 = upper(handle) AND "public"."User"."teamId" = $3`,
  );
  expect(user!.equal).toEqual(['teamId']);
  expect(user!.expressions).toEqual([
    { expression: { fn: 'lower', column: 'email' }, op: '=' },
    { expression: { fn: 'upper', column: 'handle' }, op: '=' },
  ]);
});

test('to_tsvector with a constant configuration @@ a tsquery of values: the configuration is kept as written', () => {
  const [post] = reads(
    `SELECT id FROM "Post" WHERE to_tsvector('english', title) @@ to_tsquery($1) AND to_tsvector('simple'::regconfig, body) @@ websearch_to_tsquery('simple', $2)`,
  );
  expect(post!.expressions).toEqual([
    { expression: { fn: 'to_tsvector', config: { kind: 'named', name: 'english' }, column: 'title' }, op: '@@' },
    { expression: { fn: 'to_tsvector', config: { kind: 'named', name: 'simple' }, column: 'body' }, op: '@@' },
  ]);
});

test("pg_stat_statements' normalized text has $n for the configuration; Prisma's search has none (the default configuration)", () => {
  const [normalized] = reads(`SELECT id FROM "Post" WHERE to_tsvector($1, title) @@ to_tsquery($2)`);
  expect(normalized!.expressions).toEqual([
    { expression: { fn: 'to_tsvector', config: { kind: 'parameter' }, column: 'title' }, op: '@@' },
  ]);
  // Prisma's fullTextSearchPostgres (one field): to_tsvector(concat_ws(' ', col)) @@ to_tsquery($1).
  const [prisma] = reads(
    `SELECT "public"."Post"."id" FROM "public"."Post" WHERE to_tsvector(concat_ws(' ', "public"."Post"."title")) @@ to_tsquery($1) OFFSET $2`,
  );
  expect(prisma!.expressions).toEqual([
    { expression: { fn: 'to_tsvector', config: { kind: 'default' }, column: 'title' }, op: '@@' },
  ]);
});

test('other expressions, other operators and column-to-expression comparisons are left out', () => {
  const [t] = reads(
    `SELECT * FROM t WHERE lower(a) = lower(b) AND trim(c) = $1 AND lower(d) > $2 AND lower(e || f) = $3 AND lower(g::int) = $4 AND count_me(h) = $5 AND to_tsvector('english', i) = $6 AND x.lower(j) = $7`,
  );
  expect(t!.expressions).toBeUndefined();
  expect(t!.equal).toEqual([]);
});

test("a catalog index's definition (pg_get_indexdef) is read by the same function: casts to text are no difference", () => {
  const keyOf = (sql: string) => {
    const stmt = parsing.parser().parse(sql).stmts![0]!.stmt!;
    if (!('IndexStmt' in stmt)) throw new Error('not an index');
    const elem = stmt.IndexStmt.indexParams![0]!;
    if (!('IndexElem' in elem)) throw new Error('not an index element');
    return expressionOf(elem.IndexElem.expr, (node) =>
      'ColumnRef' in node && node.ColumnRef.fields?.length === 1 && 'String' in node.ColumnRef.fields[0]!
        ? { column: node.ColumnRef.fields[0].String.sval! }
        : undefined,
    )?.expression;
  };
  expect(keyOf(`CREATE INDEX x ON public."User" USING btree (lower((email)::text))`)).toEqual({
    fn: 'lower',
    column: 'email',
  });
  expect(keyOf(`CREATE INDEX x ON public."Post" USING gin (to_tsvector('english'::regconfig, title))`)).toEqual({
    fn: 'to_tsvector',
    config: { kind: 'named', name: 'english' },
    column: 'title',
  });
});
