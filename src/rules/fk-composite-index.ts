/**
 * fk-composite-index: when children are read newest first per parent, index (fk..., createdAt DESC)
 * instead of (fk) alone.
 *
 * A name is not a workload: without `/// @idxgen.feed` on the model the proposal is a guess
 * (info), which the plan keeps as an alternative to fk-index's plain index and never generates by
 * default. With the annotation the user has said the table is read as a feed, and the composite
 * replaces the plain index.
 */
import type { Column, ForeignKey, IndexDef, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import {
  readOf,
  btreeSpec,
  columnList,
  coveringIndexes,
  describeIndex,
  equalityPredicate,
  findColumnByNames,
  modelTables,
  proposedColumn,
  tableRef,
} from './coverage';
import { parseAnnotations } from './annotations';
import { defineRule } from './define-rule';
import { option, type OptionsOf } from './rule-options';
import type { Proposal } from './types';

export type WideningKind = 'timestamp' | 'enum';

const OPTIONS = {
  /** Names (Prisma field or database column, case-insensitive) of creation timestamps, in order of preference. Only these count: `lastModifiedAt @default(now())` is not a creation time. */
  timestampFields: option.strings(['createdAt', 'created_at', 'insertedAt', 'inserted_at']),
  /** Names of status/type enum columns, in order of preference. */
  enumFields: option.strings(['status', 'state', 'type', 'kind']),
  /** Which widenings to propose. */
  kinds: option.choices<WideningKind>(['timestamp', 'enum'], ['timestamp']),
  /** Also propose replacing an existing plain (fk) index (off: only FKs that have no index yet). */
  replaceExisting: option.boolean(false),
};

export type FkCompositeIndexOptions = OptionsOf<typeof OPTIONS>;

export const rule = defineRule({
  options: OPTIONS,
  meta: {
    id: 'fk-composite-index',
    summary: 'Widen a foreign-key index with the column children are read by: (fk, createdAt DESC) or (fk, status).',
    defaultSeverity: 'info',
    basis: 'guess',
    docs: {
      problem:
        'A plain index on a foreign key finds all of a parent\'s children, but the usual read is "the newest 20 children of this parent" ' +
        '(`WHERE fk = $1 ORDER BY createdAt DESC LIMIT 20`) or "this parent\'s children in a given status". With (fk) alone PostgreSQL fetches every child of the parent ' +
        'and sorts or filters them, and the cost grows with the biggest parent (measured on 1M rows: 81.6 ms with (fk), 0.64 ms with (fk, createdAt)).',
      proposal:
        'When the child model has a creation timestamp (a DateTime named in `timestampFields`: createdAt, created_at, insertedAt, inserted_at; never `@updatedAt`, and never another ' +
        'DateTime just because it has `@default(now())`: lastModifiedAt is no creation time), an index on (fk..., createdAt DESC). ' +
        '(`kinds: ["timestamp", "enum"]` also widens with a status/type enum column named in `enumFields`: (fk..., status).) ' +
        "A column name says nothing about how the table is read, so by default the proposal is a guess (info): the plan keeps fk-index's plain (fk) index and lists " +
        'the composite as its alternative, with the reason, and generate never writes it. Choose it with `/// @idxgen.feed` above the model (its rows are read newest first per parent): ' +
        'the composite then replaces the plain index (one index, never both (a) and (a, b)), or declare the index you want yourself. ' +
        'An existing plain (fk) index becomes redundant once the wider one is declared (redundant-index reports it). ' +
        'By default the rule only shapes an index that has to be built anyway: it proposes only for FKs that have no index yet (the ones fk-index reports), ' +
        'so it never adds an index of its own. An FK that already has an index is read well enough today, and nothing in the schema measures how hot the ordered read is; ' +
        'with `replaceExisting: true` it also proposes replacing a plain index on exactly the FK columns (one index for one index; the old one then becomes redundant). ' +
        'It never proposes when the FK is covered by a unique constraint, a primary key ' +
        'or a wider index (the schema has already chosen how the children are read), when the FK columns are unique (1:1: one child per parent, nothing to order), ' +
        "or on join tables (a primary key or unique constraint made only of the columns of two or more FKs: they are read by one side to get the other side's ids).",
      bad: [
        'model Post {',
        '  id        Int      @id @default(autoincrement())',
        '  authorId  Int',
        '  author    User     @relation(fields: [authorId], references: [id])',
        '  createdAt DateTime @default(now())',
        '}',
      ].join('\n'),
      good: [
        '/// @idxgen.feed',
        'model Post {',
        '  id        Int      @id @default(autoincrement())',
        '  authorId  Int',
        '  author    User     @relation(fields: [authorId], references: [id])',
        '  createdAt DateTime @default(now())',
        '',
        '  @@index([authorId, createdAt(sort: Desc)])',
        '}',
      ].join('\n'),
    },
  },

  check(ctx) {
    const { options } = ctx;
    const feeds = new Set(parseAnnotations(ctx.model).annotations.feed.map((a) => a.model));
    const proposals: Omit<Proposal, 'severity'>[] = [];
    for (const table of modelTables(ctx.tables)) {
      if (isJoinTable(table)) continue;
      for (const fk of table.foreignKeys) {
        if (fk.implicitManyToMany || fk.columns.length === 0) continue;
        const covering = coveringIndexes(table, fk.columns);
        // Widen only where it costs no extra index: nothing covers the FK yet, or (replaceExisting) only plain (fk) indexes that the
        // wider one replaces. A unique constraint or PK that covers the FK ends it here too, including the 1:1 case (FK columns unique).
        if (covering.length > 0 && !options.replaceExisting) continue;
        if (!covering.every((i) => i.kind === 'index' && i.columns.length === fk.columns.length)) continue;
        const widening = chooseWidening(table, fk, options);
        if (!widening) continue;
        const p = proposal(table, fk, widening, covering);
        if (feeds.has(table.model)) {
          p.basis = 'request';
          p.evidence.unshift(`/// @idxgen.feed on model ${table.model}: its rows are read newest first per parent`);
        } else {
          p.evidence.push(
            `a guess from the column name: add /// @idxgen.feed above model ${table.model} if it is read newest first per ${quoteIdent(fk.referencedTable)}, or declare the index yourself`,
          );
        }
        proposals.push(p);
      }
    }
    return proposals;
  },
});

interface Widening {
  kind: WideningKind;
  column: Column;
  why: string;
}

function chooseWidening(table: Table, fk: ForeignKey, options: FkCompositeIndexOptions): Widening | undefined {
  const usable = (c: Column): boolean => !c.list && !fk.columns.includes(c.name);
  if (options.kinds.includes('timestamp')) {
    const isTimestamp = (c: Column): boolean =>
      usable(c) && c.type === 'DateTime' && c.kind === 'scalar' && !c.updatedAt;
    const named = findColumnByNames(table, options.timestampFields, isTimestamp);
    // By name only: `@default(now())` also sits on lastModifiedAt / lastSeenAt, which are no creation times.
    if (named)
      return {
        kind: 'timestamp',
        column: named,
        why: `${quoteIdent(table.name)}.${quoteIdent(named.name)} is a creation timestamp (named ${named.field})`,
      };
  }
  if (options.kinds.includes('enum')) {
    const isEnum = (c: Column): boolean => usable(c) && c.kind === 'enum';
    const named = findColumnByNames(table, options.enumFields, isEnum);
    if (named)
      return {
        kind: 'enum',
        column: named,
        why: `${quoteIdent(table.name)}.${quoteIdent(named.name)} is a ${named.type} enum column`,
      };
  }
  return undefined;
}

/** A primary key or unique constraint made only of the columns of two or more FKs: a join table. */
export function isJoinTable(table: Table): boolean {
  const keys = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques];
  return keys.some((key) => {
    const touched = new Set<ForeignKey>();
    for (const col of key.columns) {
      const fk = table.foreignKeys.find((f) => f.columns.includes(col.column));
      if (!fk) return false;
      touched.add(fk);
    }
    return touched.size >= 2;
  });
}

function proposal(table: Table, fk: ForeignKey, widening: Widening, replaced: IndexDef[]): Omit<Proposal, 'severity'> {
  const child = tableRef(table);
  const parent = quoteIdent(fk.referencedTable);
  const col = quoteIdent(widening.column.name);
  const fkCols = columnList(fk.columns);
  const columns = [
    ...fk.columns.map((c) => proposedColumn(table, c)),
    proposedColumn(table, widening.column.name, widening.kind === 'timestamp' ? 'desc' : undefined),
  ];
  const keyText = `(${[...fk.columns.map(quoteIdent), widening.kind === 'timestamp' ? `${col} DESC` : col].join(', ')})`;
  const where = equalityPredicate(fk.columns);
  const replaces =
    replaced.length > 0
      ? ` It replaces ${replaced.map((i) => quoteIdent(i.name)).join(' and ')}, which becomes redundant: drop it once the new index is built.`
      : ' It also covers the foreign key, so it replaces the plain index fk-index proposes.';
  const message: Proposal['message'] =
    widening.kind === 'timestamp'
      ? {
          title: `Index ${child} ${keyText} for the newest rows per ${parent}`,
          cost: `With ${fkCols} alone (or no index), reading a ${parent} row's newest ${child} rows fetches every one of its rows and sorts them, and the cost grows with the busiest ${parent}.`,
          instead: `Index ${child} ${keyText}: it returns the newest rows already in order and stops after LIMIT.${replaces}`,
          serves: `SELECT … FROM ${child} WHERE ${where} ORDER BY ${col} DESC LIMIT 20`,
        }
      : {
          title: `Index ${child} ${keyText} for rows per ${parent} by ${col}`,
          cost: `With ${fkCols} alone (or no index), reading a ${parent} row's ${child} rows in one ${col} fetches all of its rows and filters them.`,
          instead: `Index ${child} ${keyText} so the ${col} filter is part of the index scan.${replaces}`,
          serves: `SELECT … FROM ${child} WHERE ${where} AND ${col} = $${fk.columns.length + 1}`,
        };
  const evidence = [
    widening.why,
    replaced.length > 0
      ? `foreign key ${fkCols} → ${parent} is covered only by ${replaced.map(describeIndex).join(', ')}`
      : `foreign key ${fkCols} → ${parent} has no index`,
    `no index on ${child} starts with ${fkCols} followed by ${col}`,
  ];
  return {
    ruleId: 'fk-composite-index',
    spec: btreeSpec(table, columns),
    message,
    // The FK's own lookup, and the read the second column is for.
    serves: [
      readOf(table, { equal: [...fk.columns] }),
      widening.kind === 'timestamp'
        ? readOf(table, {
            equal: [...fk.columns],
            orderBy: [{ column: widening.column.name, direction: 'desc' }],
            limit: 20,
          })
        : readOf(table, { equal: [...fk.columns, widening.column.name] }),
    ],
    evidence,
    span: fk.span,
    model: table.model,
  };
}
