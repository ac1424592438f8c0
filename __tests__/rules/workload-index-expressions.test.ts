/**
 * workload-index and indexServes with expression keys, from statements read by the real parser:
 * `lower(email) = $1` gets a btree on lower("email"), `to_tsvector('english', title) @@ ...` a GIN
 * index on exactly that expression; an expression key serves only the same function, column and
 * configuration; `to_tsvector(title)` with no configuration gets no index.
 */
import { indexServes, type ServingIndex } from '../../src/model/serves';
import { queryShape, type ExpressionKey } from '../../src/model/query-shape';
import { servingProposed } from '../../src/rules/coverage';
import { rule } from '../../src/rules/workload-index';
import { renderDeclaration } from '../../src/render/declaration';
import { parseStatements, readsFromStatements } from '../../src/workload/from-statements';
import { sqlParser, type SqlParser } from '../../src/workload/sql-parser';
import type { IndexSpec } from '../../src/rules/types';
import { modelFrom, schema } from '../support/rules';

const model = modelFrom(
  schema(`
model Account {
  id     Int    @id
  teamId Int
  email  String
  title  String
}
`),
);

let parser: SqlParser;
beforeAll(async () => {
  parser = await sqlParser();
});

const OPTIONS = { minCalls: 1, maxPerTable: 3, minSharePercent: 5, minSavedPercent: 1 };

function propose(queries: string[], indexes: ServingIndex[] = []): IndexSpec[] {
  const { parsed } = parseStatements(
    queries.map((query, i) => ({
      fingerprint: String(i),
      query,
      calls: 10,
      origin: 'sql-file' as const,
      where: `q.sql:${i}`,
    })),
    parser,
  );
  const reads = readsFromStatements(parsed, model);
  const tables =
    indexes.length > 0
      ? [
          {
            schema: 'public',
            table: 'Account',
            rows: 1,
            pages: 1,
            blockSize: 8192,
            inserts: 0,
            updates: 0,
            deletes: 0,
            columns: [],
            indexes,
          },
        ]
      : undefined;
  return rule
    .check({
      model,
      tables: model.tables,
      options: OPTIONS,
      workload: { reads, origins: ['q.sql'], ...(tables ? { tables } : {}) },
    })
    .map((p) => p.spec as IndexSpec);
}

const LOWER: ExpressionKey = { fn: 'lower', column: 'email' };
const ENGLISH: ExpressionKey = { fn: 'to_tsvector', config: { kind: 'named', name: 'english' }, column: 'title' };

test('lower(email) = $1: a btree whose key is lower("email"), drift Prisma cannot declare', () => {
  const [spec, ...rest] = propose([`SELECT id FROM "Account" WHERE lower("email") = $1`]);
  expect(rest).toEqual([]);
  expect(spec!.method).toBe('btree');
  expect(spec!.columns).toEqual([{ column: 'email', field: 'email', expression: LOWER }]);
  expect(renderDeclaration(spec!, 'Account_lower_email_idx')).toMatchObject({ kind: 'none', drift: true });
});

test('an equality column and lower(email): both keys, the column first', () => {
  const [spec] = propose([`SELECT id FROM "Account" WHERE "teamId" = $1 AND lower("email") = $2`]);
  expect(spec!.columns.map((c) => c.expression ?? c.column)).toEqual(['teamId', LOWER]);
});

test("to_tsvector('english', title) @@ to_tsquery($1): a GIN index on exactly that expression", () => {
  const [spec] = propose([`SELECT id FROM "Account" WHERE to_tsvector('english', "title") @@ to_tsquery($1)`]);
  expect(spec!.method).toBe('gin');
  expect(spec!.columns).toEqual([{ column: 'title', field: 'title', expression: ENGLISH }]);
});

test('to_tsvector(title) with no configuration, or a $n one: no index (CREATE INDEX would refuse it, or guess)', () => {
  expect(
    propose([
      `SELECT id FROM "Account" WHERE to_tsvector(concat_ws(' ', "title")) @@ to_tsquery($1)`,
      `SELECT id FROM "Account" WHERE to_tsvector($1, "title") @@ to_tsquery($2)`,
    ]),
  ).toEqual([]);
});

test('an index the database has on the same expression serves the read: nothing proposed; on another configuration it does not', () => {
  const live = (expression: ExpressionKey, method: string): ServingIndex => ({
    table: 'Account',
    schema: 'public',
    method,
    keys: [{ column: null, sort: 'asc', expression }],
    include: [],
    valid: true,
  });
  const search = `SELECT id FROM "Account" WHERE to_tsvector('english', "title") @@ to_tsquery($1)`;
  expect(propose([search], [live(ENGLISH, 'gin')])).toEqual([]);
  const simple: ExpressionKey = { ...ENGLISH, config: { kind: 'named', name: 'simple' } };
  expect(propose([search], [live(simple, 'gin')]).map((s) => s.method)).toEqual(['gin']);
  expect(propose([`SELECT id FROM "Account" WHERE lower("email") = $1`], [live(LOWER, 'btree')])).toEqual([]);
});

describe('indexServes: an expression key serves exactly its expression', () => {
  const btree = (key: ServingIndex['keys'][number]): ServingIndex => ({
    table: 'Account',
    method: 'btree',
    keys: [key],
    include: [],
    valid: true,
  });
  const byLower = queryShape({ table: 'Account', expressions: [{ expression: LOWER, op: '=' }] });
  const byEmail = queryShape({ table: 'Account', equal: ['email'] });

  test('lower("email") serves lower(email) = $1 and nothing else', () => {
    expect(indexServes(btree({ column: null, sort: 'asc', expression: LOWER }), byLower).verdict).toBe('serves');
    expect(indexServes(btree({ column: null, sort: 'asc', expression: LOWER }), byEmail).verdict).toBe('none');
    const upper: ExpressionKey = { fn: 'upper', column: 'email' };
    expect(indexServes(btree({ column: null, sort: 'asc', expression: upper }), byLower).verdict).toBe('none');
    expect(
      indexServes(btree({ column: null, sort: 'asc', expression: { fn: 'lower', column: 'title' } }), byLower).verdict,
    ).toBe('none');
  });

  test('reasons name an expression key in words, never by its internal token', () => {
    const reason = indexServes(btree({ column: null, sort: 'asc', expression: LOWER }), byEmail).reason;
    expect(reason).not.toContain('\u0000');
    const both = queryShape({ table: 'Account', equal: ['teamId'], expressions: [{ expression: LOWER, op: '=' }] });
    const partial = indexServes(btree({ column: 'teamId', sort: 'asc' }), both);
    expect(partial.verdict).toBe('partial');
    expect(partial.reason).toBe('serves equal ("teamId"); not lower("email") =');
  });

  test('a plain index on email does not serve lower(email) = $1; an expression key of unknown form serves nothing', () => {
    expect(indexServes(btree({ column: 'email', sort: 'asc' }), byLower).verdict).toBe('none');
    expect(indexServes(btree({ column: null, sort: 'asc' }), byLower).verdict).toBe('none');
  });

  test('a GIN index on to_tsvector serves @@ only for the same configuration, never the default or a $n one', () => {
    const gin: ServingIndex = {
      table: 'Account',
      method: 'gin',
      keys: [{ column: null, sort: 'asc', expression: ENGLISH }],
      include: [],
      valid: true,
    };
    const search = (expression: ExpressionKey) =>
      queryShape({ table: 'Account', expressions: [{ expression, op: '@@' }] });
    expect(indexServes(gin, search(ENGLISH)).verdict).toBe('serves');
    expect(indexServes(gin, search({ ...ENGLISH, config: { kind: 'named', name: 'simple' } })).verdict).toBe('none');
    expect(indexServes(gin, search({ ...ENGLISH, config: { kind: 'default' } })).verdict).toBe('none');
    expect(indexServes(gin, search({ ...ENGLISH, config: { kind: 'parameter' } })).verdict).toBe('none');
    // A btree on the expression does not serve @@.
    expect(indexServes({ ...gin, method: 'btree' }, search(ENGLISH)).verdict).toBe('none');
  });

  test('the proposed index is read the same way (servingProposed)', () => {
    const spec: IndexSpec = {
      kind: 'index',
      table: 'Account',
      columns: [{ column: 'email', field: 'email', expression: LOWER }],
      method: 'btree',
      unique: false,
      include: [],
      extensions: [],
    };
    expect(indexServes(servingProposed(spec), byLower).verdict).toBe('serves');
    expect(indexServes(servingProposed(spec), byEmail).verdict).toBe('none');
  });
});
