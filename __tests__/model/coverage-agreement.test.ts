/**
 * Every stage judges FK coverage the same way: the rules (indexes declared in schema.prisma), the
 * plan / verify's explanation (proposed indexes) and verify's coverage step (catalog indexes, the
 * path taken with relationMode = "prisma", where the database has no FK constraint to ask about).
 * Before coversFk, verify counted a GIN, GiST or two-column hash index as covering an FK that the
 * rules counted as uncovered.
 */
import type { IndexInfo } from '../../src/db/catalog';
import type { IndexDef, IndexMethod, Table } from '../../src/model/types';
import { covers, servingProposed } from '../../src/rules/coverage';
import type { IndexSpec } from '../../src/rules/types';
import { coversFk } from '../../src/model/serves';
import { coveredByIndexes } from '../../src/verify/coverage';

const span = { file: 's', line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 };

interface Case {
  name: string;
  method: IndexMethod;
  columns: string[];
  fk: string[];
  where?: string;
  covered: boolean;
}

const cases: Case[] = [
  { name: 'btree on the FK', method: 'btree', columns: ['authorId'], fk: ['authorId'], covered: true },
  {
    name: 'btree led by the FK columns in another order',
    method: 'btree',
    columns: ['b', 'a', 'c'],
    fk: ['a', 'b'],
    covered: true,
  },
  { name: 'hash on the single FK column', method: 'hash', columns: ['authorId'], fk: ['authorId'], covered: true },
  {
    name: 'partial WHERE fk IS NOT NULL',
    method: 'btree',
    columns: ['authorId'],
    fk: ['authorId'],
    where: '"authorId" IS NOT NULL',
    covered: true,
  },
  { name: 'GIN on the FK column', method: 'gin', columns: ['authorId'], fk: ['authorId'], covered: false },
  { name: 'GiST on the FK column', method: 'gist', columns: ['authorId'], fk: ['authorId'], covered: false },
  { name: 'two-column hash on a two-column FK', method: 'hash', columns: ['a', 'b'], fk: ['a', 'b'], covered: false },
  { name: 'BRIN on the FK column', method: 'brin', columns: ['authorId'], fk: ['authorId'], covered: false },
  { name: 'btree on the second FK column only', method: 'btree', columns: ['b', 'x'], fk: ['a', 'b'], covered: false },
  {
    name: 'partial on the live rows',
    method: 'btree',
    columns: ['authorId'],
    fk: ['authorId'],
    where: '"deletedAt" IS NULL',
    covered: false,
  },
];

function declared(c: Case): { table: Table; def: IndexDef } {
  const def: IndexDef = {
    kind: 'index',
    name: 'Post_idx',
    explicitName: true,
    columns: c.columns.map((column) => ({ column, field: column })),
    method: c.method,
    fieldLevel: false,
    span,
    ...(c.where !== undefined ? { where: c.where } : {}),
  };
  const table: Table = {
    name: 'Post',
    model: 'Post',
    kind: 'model',
    ignored: false,
    columns: [],
    uniques: [],
    indexes: [def],
    foreignKeys: [],
    docs: [],
    span,
    closeSpan: span,
  };
  return { table, def };
}

function catalog(c: Case): IndexInfo {
  return {
    schema: 'public',
    table: 'Post',
    name: 'Post_idx',
    method: c.method,
    columns: c.columns,
    expressions: c.columns.map(() => false),
    include: [],
    opclasses: c.columns.map(() => 'int4_ops'),
    defaultOpclass: c.columns.map(() => true),
    descending: c.columns.map(() => false),
    predicate: c.where !== undefined ? `(${c.where})` : null,
    unique: false,
    primary: false,
    valid: true,
    definition: '',
  };
}

function proposed(c: Case): IndexSpec {
  return {
    kind: 'index',
    table: 'Post',
    columns: c.columns.map((column) => ({ column, field: column })),
    method: c.method,
    unique: false,
    include: [],
    extensions: [],
    ...(c.where !== undefined ? { where: { kind: 'sql', text: c.where } } : {}),
  };
}

describe('FK coverage: rules, proposals and verify (relationMode = "prisma") agree', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { table, def } = declared(c);
    const fk = { schema: 'public', table: 'Post', columns: c.fk };
    expect(covers(table, def, c.fk)).toBe(c.covered);
    expect(coversFk(servingProposed(proposed(c)), fk).covers).toBe(c.covered);
    expect(coveredByIndexes(fk, [catalog(c)])).toBe(c.covered ? 'Post_idx' : null);
  });
});
