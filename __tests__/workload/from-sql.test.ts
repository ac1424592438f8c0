/**
 * SQL text → typed reads, through the real PostgreSQL parser (libpg-query): every part of a
 * QueryShape the issue names, Prisma's statement forms, joins and correlated subqueries.
 */
import { hasParameterRefs, isSingleSelect } from '../../src/workload/from-sql';
import { withSqlParser } from '../support/sql-reads';

const parsing = withSqlParser();
const reads = parsing.reads;

test('Prisma feed: equality, NULL test as a constant predicate, ORDER BY DESC, parameter LIMIT left unknown', () => {
  const [post] = reads(
    `SELECT "public"."Post"."id" FROM "public"."Post" WHERE ("public"."Post"."authorId" = $1 AND "public"."Post"."deletedAt" IS NULL) ORDER BY "public"."Post"."createdAt" DESC LIMIT $2 OFFSET $3`,
  );
  expect(post).toEqual({
    table: 'Post',
    schema: 'public',
    equal: ['authorId'],
    in: [],
    ranges: [],
    orderBy: [{ column: 'createdAt', direction: 'desc' }],
    operators: [],
    text: [],
    where: { kind: 'null-test', column: 'deletedAt', isNull: true },
    returns: { kind: 'columns', columns: ['id'] },
  });
});

test('ranges, BETWEEN, IN lists of parameters, = ANY, constant LIMIT, NULLS FIRST', () => {
  const [t] = reads(
    `SELECT * FROM t AS x WHERE x.a >= $1 AND $2 > x.b AND x.c BETWEEN $3 AND $4 AND x.d IN ($5, $6) AND x.e = ANY($7) ORDER BY x.f ASC NULLS FIRST, x.g LIMIT 10`,
  );
  expect(t!.ranges).toEqual([
    { column: 'a', op: '>=' },
    { column: 'b', op: '<' },
    { column: 'c', op: 'between' },
  ]);
  expect(t!.in).toEqual(['d', 'e']);
  expect(t!.orderBy).toEqual([
    { column: 'f', direction: 'asc', nulls: 'first' },
    { column: 'g', direction: 'asc' },
  ]);
  expect(t!.limit).toBe(10);
});

test('jsonb @> and ?, array @> and &&, ILIKE and LIKE with their match kinds', () => {
  const [t] = reads(
    `SELECT * FROM t WHERE data @> $1::jsonb AND data ? 'k' AND tags @> ARRAY[$2] AND tags && $3 AND name ILIKE $4 AND code LIKE 'ab%' AND slug LIKE '%z'`,
  );
  expect(t!.operators).toEqual([
    { column: 'data', op: '@>' },
    { column: 'data', op: '?' },
    { column: 'tags', op: '@>' },
    { column: 'tags', op: '&&' },
  ]);
  expect(t!.text).toEqual([
    { column: 'name', match: 'contains', mode: 'insensitive' },
    { column: 'code', match: 'startsWith', mode: 'default' },
    { column: 'slug', match: 'endsWith', mode: 'default' },
  ]);
});

test('constants are predicates: an enum cast, an IN list, a comparison; OR branches are not read', () => {
  const [t] = reads(
    `SELECT * FROM jobs WHERE status IN ('PENDING'::"JobStatus", 'RETRY'::"JobStatus") AND attempts < 5 AND (a = $1 OR b = $2)`,
  );
  expect(t!.equal).toEqual([]);
  expect(t!.where).toEqual({
    kind: 'and',
    terms: [
      {
        kind: 'in-list',
        column: 'status',
        values: [
          { kind: 'string', value: 'PENDING', cast: { name: 'JobStatus' } },
          { kind: 'string', value: 'RETRY', cast: { name: 'JobStatus' } },
        ],
      },
      { kind: 'compare', column: 'attempts', op: '<', value: { kind: 'number', value: '5' } },
    ],
  });
});

test('a join reads the joined table by its join column; a correlated EXISTS reads the inner table by its correlation column', () => {
  const shapes = reads(
    `SELECT 1 FROM "Post" p JOIN "User" u ON u.id = p."authorId" WHERE p.published = $1 AND EXISTS (SELECT 1 FROM "Comment" c WHERE c."postId" = p.id AND c."deletedAt" IS NULL)`,
  );
  const byTable = new Map(shapes.map((s) => [s.table, s]));
  expect(byTable.get('Post')!.equal).toEqual(['published']);
  expect(byTable.get('User')!.equal).toEqual(['id']);
  expect(byTable.get('Comment')!.equal).toEqual(['postId']);
  expect(byTable.get('Comment')!.where).toEqual({ kind: 'null-test', column: 'deletedAt', isNull: true });
});

test('an IN subquery reads the inner table; UPDATE and DELETE read their target by WHERE', () => {
  const inSub = reads(`SELECT * FROM "User" WHERE id IN (SELECT "authorId" FROM "Post" WHERE "createdAt" > $1)`);
  expect(inSub.find((s) => s.table === 'Post')!.ranges).toEqual([{ column: 'createdAt', op: '>' }]);
  expect(reads(`UPDATE "Job" SET status = $1 WHERE "workerId" = $2`)[0]!.equal).toEqual(['workerId']);
  expect(reads(`DELETE FROM "Session" WHERE "expiresAt" < $1`)[0]!.ranges).toEqual([{ column: 'expiresAt', op: '<' }]);
  expect(reads(`INSERT INTO t (a) VALUES ($1)`)).toEqual([]);
});

test('expressions and ambiguous bare columns are left out, never guessed', () => {
  const shapes = reads(`SELECT * FROM a, b WHERE lower(a.email) = $1 AND x = $2`);
  expect(shapes.every((s) => s.equal.length === 0)).toBe(true);
});

test('only one plain SELECT may be planned; parameters are found in the tree', () => {
  expect(isSingleSelect(parsing.parser().parse('SELECT 1 FROM t WHERE a = $1'))).toBe(true);
  expect(isSingleSelect(parsing.parser().parse('SELECT 1; DROP TABLE t'))).toBe(false);
  expect(isSingleSelect(parsing.parser().parse('SELECT * INTO t2 FROM t'))).toBe(false);
  expect(isSingleSelect(parsing.parser().parse('DELETE FROM t WHERE a = $1'))).toBe(false);
  expect(hasParameterRefs(parsing.parser().parse('SELECT 1 FROM t WHERE a = $1'))).toBe(true);
  expect(hasParameterRefs(parsing.parser().parse("SELECT '$1' FROM t WHERE a = 1"))).toBe(false);
});

test('a cast column is an expression (an index on the column does not serve it); a cast parameter is a parameter', () => {
  const [t] = reads(`SELECT * FROM t WHERE "id"::text = $1 AND "kind" = $2::text`);
  expect(t!.equal).toEqual(['kind']);
});

describe('returned columns (the SELECT list), from real parse trees', () => {
  test("Prisma's qualified SELECT list: each column once", () => {
    const [post] = reads(
      `SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."id" FROM "public"."Post" WHERE "public"."Post"."authorId" = $1`,
    );
    expect(post!.returns).toEqual({ kind: 'columns', columns: ['id', 'title'] });
  });

  test("* and alias.* return every column; a bare column of one table is that table's", () => {
    expect(reads('SELECT * FROM t WHERE a = $1')[0]!.returns).toEqual({ kind: 'all' });
    expect(reads('SELECT x.* FROM t AS x WHERE x.a = $1')[0]!.returns).toEqual({ kind: 'all' });
    expect(reads('SELECT b, c FROM t WHERE a = $1')[0]!.returns).toEqual({ kind: 'columns', columns: ['b', 'c'] });
  });

  test('columns inside casts, functions and operators count; an aggregate of * names none', () => {
    expect(reads('SELECT lower(b)::text, c + 1 AS d FROM t WHERE a = $1')[0]!.returns).toEqual({
      kind: 'columns',
      columns: ['b', 'c'],
    });
    expect(reads('SELECT count(*) FROM t WHERE a = $1')[0]!.returns).toEqual({ kind: 'columns', columns: [] });
  });

  test('a join: each table returns what its qualifier names', () => {
    const [p, u] = reads(
      'SELECT p.id, p.title, u.email FROM "Post" p JOIN "User" u ON u.id = p."authorId" WHERE p.x = $1',
    );
    expect(p!.returns).toEqual({ kind: 'columns', columns: ['id', 'title'] });
    expect(u!.returns).toEqual({ kind: 'columns', columns: ['email'] });
  });

  test('unknown (unset), never guessed: a subquery in the list, an unplaceable column, UPDATE / DELETE', () => {
    expect(reads('SELECT a, (SELECT max(z) FROM u) FROM t WHERE a = $1')[0]!.returns).toBeUndefined();
    expect(reads('SELECT b FROM t JOIN u ON t.id = u.tid WHERE t.a = $1')[0]!.returns).toBeUndefined();
    expect(reads('UPDATE t SET b = $1 WHERE a = $2')[0]!.returns).toBeUndefined();
    expect(reads('DELETE FROM t WHERE a = $1')[0]!.returns).toBeUndefined();
  });
});
