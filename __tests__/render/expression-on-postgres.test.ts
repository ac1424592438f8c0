/**
 * Expression keys rendered (src/render/expression.ts) and run on PostgreSQL 18:
 *   - lower / upper / to_tsvector('cfg'::regconfig, col) indexes build, hostile names quoted;
 *   - a hostile text search configuration name is one string literal: PostgreSQL reads back
 *     exactly the name (`;`, quotes, backslashes, non-ASCII), and an index on it fails only
 *     because no such configuration exists; nothing else runs;
 *   - `to_tsvector(col)` with no configuration cannot be indexed (not IMMUTABLE): why idxgen never
 *     proposes it (src/workload/expression-hints.ts says so instead).
 */
import { renderExpressionSql, stringLiteral } from '../../src/render/expression';
import { renderCreateIndexSql } from '../../src/render/sql';
import type { ExpressionKey } from '../../src/model/query-shape';
import type { IndexSpec } from '../../src/rules/types';
import { listIndexes } from '../../src/db/catalog';
import { servingLive } from '../../src/workload/live-indexes';
import { sqlParser } from '../../src/workload/sql-parser';
import { testDatabase } from '../support/pg';

const db = testDatabase('expression_sql');
const TABLE = 'Odd "table"; x';
const COLUMN = 'Mail\\addr;"';

beforeAll(async () => {
  await db.client.query(`CREATE TABLE "Odd ""table""; x" (id int PRIMARY KEY, "Mail\\addr;""" varchar(100))`);
  await db.client.query(`INSERT INTO "Odd ""table""; x" SELECT g, 'A' || g FROM generate_series(1, 100) g`);
});

function spec(expression: ExpressionKey, method: IndexSpec['method']): IndexSpec {
  return {
    kind: 'index',
    table: TABLE,
    columns: [{ column: COLUMN, field: 'mail', expression }],
    method,
    unique: false,
    include: [],
    extensions: [],
  };
}

const HOSTILE = [`english'); DROP TABLE "Odd ""table""; x"; --`, `a;b\\c'd`, 'ünïcode 🚀', `\\'; SELECT 1; --`];

test.each(HOSTILE)('the configuration %j is one literal: PostgreSQL reads back exactly that name', async (name) => {
  const literal = stringLiteral(name);
  expect(literal).not.toContain(';');
  const { rows } = await db.client.query<{ v: string }>(`SELECT ${literal} AS v`);
  expect(rows[0]!.v).toBe(name);
});

test('lower, upper and to_tsvector indexes build with hostile names, and pg_get_indexdef has the same expression', async () => {
  const cases: [ExpressionKey, IndexSpec['method'], string][] = [
    [{ fn: 'lower', column: COLUMN }, 'btree', 'expr_lower'],
    [{ fn: 'upper', column: COLUMN }, 'btree', 'expr_upper'],
    [{ fn: 'to_tsvector', config: { kind: 'named', name: 'english' }, column: COLUMN }, 'gin', 'expr_tsv'],
  ];
  for (const [expression, method, name] of cases) {
    await db.client.query(renderCreateIndexSql(spec(expression, method), name));
    const { rows } = await db.client.query<{ def: string }>(
      `SELECT pg_get_indexdef(c.oid) AS def FROM pg_class c WHERE c.relname = $1`,
      [name],
    );
    expect(rows[0]!.def).toContain(`USING ${method} (`);
  }
  const defs = (
    await db.client.query<{ def: string }>(
      `SELECT pg_get_indexdef(indexrelid, 1, true) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'expr_%' ORDER BY c.relname`,
    )
  ).rows.map((r) => r.def);
  expect(defs).toEqual([
    `lower("Mail\\addr;"""::text)`,
    `to_tsvector('english'::regconfig, "Mail\\addr;"""::text)`,
    `upper("Mail\\addr;"""::text)`,
  ]);
  // Read back from the catalog (pg_get_indexdef, the real parser): the same typed keys.
  const parser = await sqlParser();
  const live = (await listIndexes(db.client))
    .filter((i) => i.name.startsWith('expr_'))
    .map((i) => servingLive(i, parser).keys.map((k) => k.expression));
  expect(live).toEqual([
    [{ fn: 'lower', column: COLUMN }],
    [{ fn: 'to_tsvector', config: { kind: 'named', name: 'english' }, column: COLUMN }],
    [{ fn: 'upper', column: COLUMN }],
  ]);
  expect(renderExpressionSql({ fn: 'lower', column: COLUMN })).toBe(`lower(U&"Mail\\\\addr\\003B""")`);
});

test('an index on a hostile configuration fails on the name only: the table is intact', async () => {
  const name = HOSTILE[0]!;
  const sql = renderCreateIndexSql(
    spec({ fn: 'to_tsvector', config: { kind: 'named', name }, column: COLUMN }, 'gin'),
    'expr_hostile',
  );
  await expect(db.client.query(sql)).rejects.toThrow(/invalid name syntax|text search configuration .* does not exist/);
  const { rows } = await db.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Odd ""table""; x"`);
  expect(rows[0]!.n).toBe('100');
});

test('to_tsvector(col) with no configuration cannot be indexed: not IMMUTABLE', async () => {
  await expect(
    db.client.query(`CREATE INDEX expr_default ON "Odd ""table""; x" USING gin (to_tsvector("Mail\\addr;"""))`),
  ).rejects.toThrow(/functions in index expression must be marked IMMUTABLE/);
  // Prisma's fullTextSearchPostgres form too.
  await expect(
    db.client.query(
      `CREATE INDEX expr_prisma ON "Odd ""table""; x" USING gin (to_tsvector(concat_ws(' ', "Mail\\addr;""")))`,
    ),
  ).rejects.toThrow(/functions in index expression must be marked IMMUTABLE/);
  expect(() => renderExpressionSql({ fn: 'to_tsvector', config: { kind: 'default' }, column: 'x' })).toThrow(
    /no constant text search configuration/,
  );
});
