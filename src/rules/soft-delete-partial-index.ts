/**
 * soft-delete-partial-index: on soft-deleted models, index the hot lookups over live rows only.
 */
import { exampleModel } from './docs-example';
import type { Column, ForeignKey, Table } from '../model/types';
import type { Predicate } from '../model/query-shape';
import { renderPredicateSql } from '../render/predicate';
import { readPredicate, samePredicate } from '../sql/predicate';
import { quoteIdent } from '../sql/quote';
import {
  btreeSpec,
  readOf,
  columnByName,
  columnList,
  equalityPredicate,
  exactUnique,
  findColumnByNames,
  proposedColumn,
  sameSet,
  tableRef,
} from './coverage';
import { defineRule, eachModelTable } from './define-rule';
import { option, type OptionsOf } from './rule-options';
import type { Proposal } from './types';

const OPTIONS = {
  // Named like a deletion time. Not archivedAt: an archived row is still read (an archive view, a restore).
  /** Nullable DateTime columns that mark a row deleted when set (Prisma field or database name, case-insensitive). */
  timestampFields: option.strings(['deletedAt', 'deleted_at', 'removedAt', 'removed_at', 'trashedAt', 'trashed_at']),
  // None by default: a Boolean (`archived` on a job-result table) is a state more often than a soft delete.
  /** Boolean columns that mark a row deleted when true. */
  booleanFields: option.strings([]),
  /** At most this many proposals per model. */
  maxPerModel: option.integer(2, { min: 1, max: 100 }),
  /** Also index optional (nullable) FKs, after the required ones. */
  optionalForeignKeys: option.boolean(false),
};

export type SoftDeletePartialIndexOptions = OptionsOf<typeof OPTIONS>;

interface SoftDeleteMarker {
  column: Column;
  /** Predicate selecting live rows. */
  livePredicate: Predicate;
  /** The same as SQL, for messages. */
  live: string;
}

/** The model of the docs examples (RULES.md). */
const COMMENT_FIELDS = [
  'id        Int       @id @default(autoincrement())',
  'postId    Int',
  'post      Post      @relation(fields: [postId], references: [id])',
  'deletedAt DateTime?',
];

export const rule = defineRule({
  options: OPTIONS,
  meta: {
    id: 'soft-delete-partial-index',
    summary:
      'On soft-deleted models, index the foreign-key lookups over live rows only (partial index WHERE "deletedAt" IS NULL).',
    defaultSeverity: 'info',
    basis: 'guess',
    docs: {
      problem:
        'A soft-deleted model keeps its deleted rows, and every read adds `WHERE "deletedAt" IS NULL` (or `"isDeleted" = false`). ' +
        'A plain index on the lookup column holds the deleted rows too: as they pile up the index grows, and each lookup fetches deleted rows only to throw them away.',
      proposal:
        'For a model with a soft-delete marker (a nullable DateTime named like a deletion time in `timestampFields`: deletedAt, deleted_at, removedAt, removed_at, trashedAt, trashed_at; ' +
        'or a Boolean named in `booleanFields`, empty by default: `archived` or `deleted` flags are as often a state the application lists by as a soft delete), ' +
        'a partial btree index on each foreign key restricted to live rows: `(fk) WHERE "deletedAt" IS NULL`, or `WHERE "isDeleted" = false` ' +
        '(for a nullable Boolean, rows where it is NULL are left out, as `= false` leaves them out of the reads). ' +
        'Unique lookup fields are not proposed, nor FKs whose columns are unique (1:1): their unique index already finds the one row. ' +
        'Only required FKs by default: a required FK names the parent every row belongs to, and "the live rows of this parent" is the list the application shows; ' +
        'an optional FK is usually a pointer (a cover image, a license) that is not listed by. `optionalForeignKeys: true` adds them after the required ones. ' +
        'At most `maxPerModel` proposals per model (default 2), in declaration order (required first). An FK is skipped when an index with the same predicate already starts with its columns, ' +
        'or when a btree index starting with its columns already contains the marker column (it serves the live-row reads). ' +
        'This does not replace fk-index: a partial index does not hold every row, so it cannot serve the FK checks on DELETE of the parent, ' +
        'and the fk-index proposal for the same columns stays. The partial index pays off when deleted rows are a large share of the table. ' +
        'Prisma declares partial indexes only with the `partialIndexes` preview feature: `previewFeatures = ["partialIndexes"]` in the generator and ' +
        '`@@index([authorId], where: raw("\\"deletedAt\\" IS NULL"))`; without it, Prisma does not see the index (and drops it once the feature is turned on without the declaration). ' +
        'Prisma sends a Boolean filter value as a parameter (`"isDeleted" = $1`): PostgreSQL uses the partial index when it plans with the value (always for ' +
        'unnamed statements, which node-postgres uses), not with a generic plan; `IS NULL` filters are written literally and always match.',
      bad: exampleModel('Comment', COMMENT_FIELDS, ['@@index([postId])']),
      good: [
        'generator client {',
        '  provider        = "prisma-client-js"',
        '  previewFeatures = ["partialIndexes"]',
        '}',
        '',
        exampleModel('Comment', COMMENT_FIELDS, [
          '@@index([postId])',
          '@@index([postId], where: raw("\\"deletedAt\\" IS NULL"))',
        ]),
      ].join('\n'),
    },
  },

  check: eachModelTable((table, { model, options }) => {
    const marker = findMarker(table, options);
    if (!marker) return [];
    const candidates = orderForeignKeys(table, options.optionalForeignKeys).filter(
      (fk) =>
        !fk.columns.includes(marker.column.name) &&
        !exactUnique(table, fk.columns) &&
        !alreadyServed(table, fk, marker),
    );
    const seen: string[][] = [];
    const proposals: Omit<Proposal, 'severity'>[] = [];
    for (const fk of candidates) {
      if (seen.length >= options.maxPerModel) break;
      if (seen.some((cols) => sameSet(cols, fk.columns))) continue;
      seen.push(fk.columns);
      proposals.push(proposal(table, fk, marker, model.previewFeatures));
    }
    return proposals;
  }),
});

function findMarker(table: Table, options: SoftDeletePartialIndexOptions): SoftDeleteMarker | undefined {
  const ts = findColumnByNames(
    table,
    options.timestampFields,
    (c) => c.type === 'DateTime' && c.kind === 'scalar' && c.nullable && !c.list,
  );
  if (ts) return marker(ts, { kind: 'null-test', column: ts.name, isNull: true });
  const flag = findColumnByNames(
    table,
    options.booleanFields,
    (c) => c.type === 'Boolean' && c.kind === 'scalar' && !c.list,
  );
  if (flag)
    return marker(flag, { kind: 'compare', column: flag.name, op: '=', value: { kind: 'boolean', value: false } });
  return undefined;
}

function marker(column: Column, livePredicate: Predicate): SoftDeleteMarker {
  return { column, livePredicate, live: renderPredicateSql(livePredicate) };
}

/** Required FKs, then (if asked) optional ones; declaration order within each. */
function orderForeignKeys(table: Table, optional: boolean): ForeignKey[] {
  const fks = table.foreignKeys.filter((fk) => !fk.implicitManyToMany && fk.columns.length > 0);
  const required = (fk: ForeignKey): boolean => fk.columns.every((c) => columnByName(table, c)?.nullable === false);
  return [...fks.filter(required), ...(optional ? fks.filter((fk) => !required(fk)) : [])];
}

function alreadyServed(table: Table, fk: ForeignKey, marker: SoftDeleteMarker): boolean {
  const k = fk.columns.length;
  return [...table.uniques, ...table.indexes].some((index) => {
    if (
      index.method !== 'btree' ||
      !sameSet(
        index.columns.slice(0, k).map((c) => c.column),
        fk.columns,
      )
    )
      return false;
    if (index.where !== undefined) return samePredicate(readPredicate(index.where), marker.livePredicate);
    return index.columns.some((c) => c.column === marker.column.name);
  });
}

function proposal(
  table: Table,
  fk: ForeignKey,
  marker: SoftDeleteMarker,
  previewFeatures: string[],
): Omit<Proposal, 'severity'> {
  const child = tableRef(table);
  const cols = columnList(fk.columns);
  const hasPreview = previewFeatures.some((f) => f.toLowerCase() === 'partialindexes');
  const declare = hasPreview
    ? 'Declare it with `@@index([...], where: raw("..."))` (the partialIndexes preview feature is on).'
    : 'Prisma declares partial indexes only with the partialIndexes preview feature: add `previewFeatures = ["partialIndexes"]` to the generator and declare it with `@@index([...], where: raw("..."))`.';
  return {
    ruleId: 'soft-delete-partial-index',
    spec: btreeSpec(
      table,
      fk.columns.map((c) => proposedColumn(table, c)),
      { where: marker.livePredicate },
    ),
    serves: [readOf(table, { equal: [...fk.columns], where: marker.livePredicate })],
    message: {
      title: `Partial index ${child} ${cols} WHERE ${marker.live} for live rows`,
      cost: `Reads of ${child} by ${cols} skip soft-deleted rows (${marker.live}), but an index on ${cols} holds the deleted rows too: it grows with them, and each lookup fetches deleted rows to discard them.`,
      instead: `Index ${child} ${cols} WHERE ${marker.live}, which holds only live rows (the FK itself still needs its full index). ${declare}`,
      serves: `SELECT … FROM ${child} WHERE ${equalityPredicate(fk.columns)} AND ${marker.live}`,
    },
    evidence: [
      `${child}.${quoteIdent(marker.column.name)} (${marker.column.type}${marker.column.nullable ? '?' : ''}) marks soft-deleted rows`,
      `foreign key ${cols} → ${quoteIdent(fk.referencedTable)} (${fk.columns.every((c) => columnByName(table, c)?.nullable === false) ? 'required' : 'optional'})`,
      `no index on ${child} starts with ${cols} and has WHERE ${marker.live} or contains ${quoteIdent(marker.column.name)}`,
    ],
    span: fk.span,
    model: table.model,
  };
}
