/**
 * json-gin-index: a GIN `jsonb_path_ops` index for Json (jsonb) fields, to serve containment
 * (`@>`) filters.
 *
 * Considered: non-list `Json` fields without a native type or with `@db.JsonB`. `@db.Json` (type
 * json) is skipped: GIN needs jsonb (an `@idxgen.gin` on such a field is an annotation error that
 * says so). Skipped when any GIN index already covers the column (a jsonb_ops GIN serves `@>` too).
 *
 * Options: `fields` (allow-list of `Model.field`), `exclude` (`Model` / `Model.field`),
 * `onlyAnnotated` (only fields with `/// @idxgen.gin`). `/// @idxgen.gin` always selects a field,
 * whatever `fields` / `exclude` / `onlyAnnotated` say.
 */
import type { Column } from '../model/types';
import { ginEvidence, ginFieldRule, type GinFieldOptions } from './field-gin';
import { readOf } from './coverage';

/** `fields`, `exclude` and `onlyAnnotated` (only fields with `/// @idxgen.gin`; default true: a type says nothing about the queries; false considers every jsonb field, as guesses at info). */
export type JsonGinIndexOptions = GinFieldOptions;

const MEASURED_READ =
  'measured (PG 15, 1M rows): jsonb @> took 180.7 ms as a sequential scan, 2.66 ms with GIN jsonb_path_ops';

export const rule = ginFieldRule(
  {
    id: 'json-gin-index',
    summary: 'Propose a GIN jsonb_path_ops index for Json (jsonb) fields, to serve @> containment filters.',
    defaultSeverity: 'info',
    basis: 'guess',
    docs: {
      problem:
        'A containment filter on a jsonb column (WHERE "payload" @> \'{"type": "signup"}\', Prisma\'s array_contains) has no index to use: every query reads the whole table.',
      proposal:
        'A GIN index with the jsonb_path_ops operator class, declared as @@index([payload(ops: JsonbPathOps)], type: Gin) (with the ops argument, or Prisma sees drift) and built CONCURRENTLY. It serves @>, @? and @@; key-existence (?, ?|, ?&) needs the default jsonb_ops. It costs writes: GIN is updated on every insert and on every update of the column. @db.Json (type json) columns are skipped: GIN needs jsonb. Options: fields, exclude, onlyAnnotated; /// @idxgen.gin always selects a field.',
      bad: ['model Event {', '  id      Int  @id', '  payload Json', '}'].join('\n'),
      good: [
        'model Event {',
        '  id      Int  @id',
        '  payload Json',
        '',
        '  @@index([payload(ops: JsonbPathOps)], type: Gin)',
        '}',
      ].join('\n'),
    },
  },
  {
    qualifies: isJsonb,
    whyNot: (column) =>
      column.type === 'Json' && column.nativeType?.name === 'Json'
        ? 'is @db.Json (json): GIN needs jsonb'
        : `is ${column.type}${column.list ? '[]' : ''}, not Json`,
    opclass: 'jsonb_path_ops',
    prismaOps: 'JsonbPathOps',
    extensions: [],
    reads: (table, column) => [readOf(table, { operators: [{ column: column.name, op: '@>' }] })],
    explain: (target) => {
      const { table, column, col, tableRef } = target;
      return {
        evidence: [
          `${table.model}.${column.field} is Json (${column.nativeType ? '@db.JsonB' : 'jsonb by default'})`,
          ...ginEvidence(target, 'every jsonb field', MEASURED_READ),
        ],
        message: {
          title: `Json field ${table.model}.${column.field} has no GIN index for @> containment`,
          cost: `A containment filter on ${col} reads all of ${tableRef} today (a sequential scan: 180.7 ms on 1M rows in our measurement, 2.66 ms with the index). The index costs writes: GIN is updated on every INSERT and on every UPDATE of ${col} (with fastupdate, entries wait in a pending list, up to gin_pending_list_limit = 4 MB by default, that VACUUM or an unlucky write flushes), and it takes disk in proportion to the keys and values stored.`,
          instead: `Declare @@index([${column.field}(ops: JsonbPathOps)], type: Gin) (with the ops argument, or Prisma sees drift) and build it CONCURRENTLY, if something filters ${col} by containment: jsonb_path_ops serves @>, @? and @@ only (key existence ?, ?|, ?& needs the default jsonb_ops, and Prisma's path + equals filters extract a value and use neither).`,
          serves: `SELECT … FROM ${tableRef} WHERE ${col} @> '{"key": "value"}' (Prisma: array_contains, or raw SQL)`,
        },
      };
    },
  },
);

function isJsonb(column: Column): boolean {
  return column.kind === 'scalar' && column.type === 'Json' && !column.list && column.nativeType?.name !== 'Json';
}
