/**
 * trigram-index: a GIN `gin_trgm_ops` index (extension pg_trgm) for substring search on a String
 * field: `WHERE "name" ILIKE '%term%'`, which no btree index serves.
 *
 * Only when asked: `/// @idxgen.trigram` on the field, or option `fields: ["Model.field"]`. Never a
 * guess: a trigram index is large and slows every write of the column. Skipped when a
 * gin_trgm_ops / gist_trgm_ops index already covers the column.
 */
import type { Column } from '../model/types';
import { fieldGinRule } from './field-gin';
import { readOf } from './coverage';
import { option, type OptionsOf } from './rule-options';

const OPTIONS = {
  /** `Model.field` entries to index, in addition to `/// @idxgen.trigram` fields. */
  fields: option.names('Model.field'),
};

export type TrigramIndexOptions = OptionsOf<typeof OPTIONS>;

const TRIGRAM_OPCLASSES = ['gin_trgm_ops', 'gist_trgm_ops'];

export const rule = fieldGinRule(
  OPTIONS,
  {
    id: 'trigram-index',
    summary:
      "Propose a GIN gin_trgm_ops index (pg_trgm) for String fields marked /// @idxgen.trigram, to serve ILIKE '%term%'.",
    defaultSeverity: 'info',
    basis: 'request',
    docs: {
      problem:
        "A substring search, WHERE \"name\" ILIKE '%term%' (Prisma's contains, with or without mode: 'insensitive'), cannot use a btree index because of the leading wildcard: every search reads the whole table.",
      proposal:
        'Only for fields you mark with /// @idxgen.trigram or list in the fields option: a GIN index with gin_trgm_ops from the pg_trgm extension, declared as @@index([name(ops: raw("gin_trgm_ops"))], type: Gin), built CONCURRENTLY after CREATE EXTENSION IF NOT EXISTS pg_trgm. To let Prisma manage the extension, enable the postgresqlExtensions preview feature and list extensions = [pg_trgm] in the datasource.',
      bad: ['model User {', '  id   Int    @id', '  name String', '}'].join('\n'),
      good: [
        'model User {',
        '  id   Int    @id',
        '  /// @idxgen.trigram',
        '  name String',
        '',
        '  @@index([name(ops: raw("gin_trgm_ops"))], type: Gin)',
        '}',
      ].join('\n'),
    },
  },
  {
    annotation: 'trigram',
    qualifies: isTrigramText, // annotation errors / diagnostics say why not
    whyNot: (column) =>
      `is ${column.type}${column.list ? '[]' : ''}${column.nativeType ? ` @db.${column.nativeType.name}` : ''}; gin_trgm_ops indexes String fields (text, varchar, citext)`,
    fields: (options) => options.fields,
    selected: (options, model, field) => options.fields.includes(`${model}.${field}`),
    serves: (_index, key) => TRIGRAM_OPCLASSES.some((o) => key.opclass === o || (key.prismaOps ?? '').includes(o)),
    opclass: 'gin_trgm_ops',
    extensions: ['pg_trgm'],
    reads: (table, column) => [
      readOf(table, { text: [{ column: column.name, match: 'contains', mode: 'insensitive' }] }),
    ],
    explain: ({ model, table, column, annotated, col, tableRef }) => {
      const declared = model.extensions.includes('pg_trgm');
      const preview = model.previewFeatures.includes('postgresqlExtensions');
      const extensionNote = declared
        ? 'pg_trgm is already listed in the datasource extensions, so Prisma creates it'
        : `the migration needs CREATE EXTENSION IF NOT EXISTS pg_trgm first. To let Prisma manage it, ${preview ? '' : 'enable the postgresqlExtensions preview feature and '}add extensions = [pg_trgm] to the datasource`;
      return {
        evidence: [
          annotated
            ? `requested by /// @idxgen.trigram on ${table.model}.${column.field}`
            : `requested by option fields: "${table.model}.${column.field}"`,
          `${table.model}.${column.field} is String${column.nativeType ? ` @db.${column.nativeType.name}` : ''}`,
          `no trigram index on ${col}`,
          declared ? 'datasource extensions include pg_trgm' : 'datasource extensions do not include pg_trgm',
        ],
        message: {
          title: `String field ${table.model}.${column.field} has no trigram index for ILIKE '%term%'`,
          cost: `A search with a leading wildcard on ${col} cannot use a btree index, so each one reads all of ${tableRef} today. The trigram index is not small (each value adds an entry per three-character window) and is updated on every INSERT and on every UPDATE of ${col}. Search terms shorter than three characters gain little from it.`,
          instead: `Declare @@index([${column.field}(ops: raw("gin_trgm_ops"))], type: Gin) and build it CONCURRENTLY. ${extensionNote[0]!.toUpperCase()}${extensionNote.slice(1)}.`,
          serves: `SELECT … FROM ${tableRef} WHERE ${col} ILIKE '%term%' (Prisma: contains / startsWith / endsWith, with or without mode: 'insensitive')`,
        },
      };
    },
  },
);

function isTrigramText(column: Column): boolean {
  const native = column.nativeType?.name;
  return (
    column.kind === 'scalar' &&
    column.type === 'String' &&
    !column.list &&
    (!native || ['Text', 'VarChar', 'Citext'].includes(native))
  );
}
