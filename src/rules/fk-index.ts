/**
 * fk-index: every foreign key needs an index whose leading key columns are the FK's columns.
 */
import { exampleModel } from './docs-example';
import type { ForeignKey, ReferentialAction, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import {
  readOf,
  btreeSpec,
  columnList,
  isFkCovered,
  equalityPredicate,
  findCovering,
  proposedColumn,
  tablesWithForeignKeys,
  sameSet,
  tableRef,
} from './coverage';
import { defineRule } from './define-rule';
import { evidenceOnRead } from './evidence-on-read';
import { option, type OptionsOf } from './rule-options';
import type { Proposal } from './types';

const OPTIONS = {
  /** `hash` proposes a hash index for a single-column FK (PostgreSQL has no multicolumn hash index). */
  method: option.choice(
    ['btree', 'hash'],
    'btree',
    '`"hash"` proposes a hash index for a single-column FK (smaller for long keys such as UUIDs or cuid strings; it serves the equality lookup and nothing else); a composite FK still gets a btree index. The plan dedupes by need: when another proposal\'s index serves the FK lookup too (an `(fk, createdAt DESC)` btree), that one entry answers both.',
  ),
};

export type FkIndexOptions = OptionsOf<typeof OPTIONS>;

const ACTION_WORK: Record<ReferentialAction, string> = {
  Cascade: 'to find the rows ON DELETE CASCADE must delete',
  SetNull: 'to find the rows ON DELETE SET NULL must update',
  SetDefault: 'to find the rows ON DELETE SET DEFAULT must update',
  Restrict: 'to check that no row still references it',
  NoAction: 'to check that no row still references it',
};

/** The model of the docs examples (RULES.md). */
const POST_FIELDS = [
  'id       Int  @id @default(autoincrement())',
  'authorId Int',
  'author   User @relation(fields: [authorId], references: [id])',
];

export const rule = defineRule({
  options: OPTIONS,
  meta: {
    id: 'fk-index',
    summary: 'Every foreign key needs an index that starts with its columns.',
    defaultSeverity: 'error',
    basis: 'structure',
    docs: {
      problem:
        'PostgreSQL indexes the referenced side of a foreign key (its primary key or unique constraint) but never the referencing side. ' +
        'Without an index on the FK columns, every DELETE of a parent row (and every update of its key) scans the whole child table to enforce the constraint, ' +
        'while holding its locks, and every join or lookup from parent to children reads the whole child table. ' +
        'With `relationMode = "prisma"` there is no FK constraint at all, but Prisma emulates the referential actions with the same lookup, so the index is needed just the same. ' +
        'An FK counts as covered when one btree index, unique constraint or primary key has exactly the FK columns as its first key columns (in any order among them), ' +
        'with no predicate or only `col IS NOT NULL` on those columns. A composite primary key that starts with the FK covers it; ' +
        'a composite FK (a, b) is not covered by two single-column indexes on a and on b. ' +
        'A hash index on exactly the one FK column also counts: the constraint check and the join are equality lookups, which hash serves. ' +
        'GIN, GiST, SP-GiST and BRIN indexes do not count. ' +
        'Implicit many-to-many join tables are skipped: Prisma always creates their primary key (A, B) and an index on (B), which cover both sides, and nothing can be declared on them.',
      proposal:
        'A btree index on the FK columns, in the order of `fields: [...]`. ' +
        'If fk-composite-index proposes a wider index that starts with the same columns, the plan keeps only the wider one: the plan never holds both (a) and (a, b).',
      bad: exampleModel('Post', POST_FIELDS),
      good: exampleModel('Post', POST_FIELDS, ['@@index([authorId])']),
    },
  },

  check(ctx) {
    const proposals: Omit<Proposal, 'severity'>[] = [];
    const prismaMode = ctx.model.relationMode === 'prisma';
    for (const table of tablesWithForeignKeys(ctx.tables)) {
      // Column lists already proposed on this table: two FKs over the same columns get one index, in the first FK's order.
      const proposedSets: string[][] = [];
      for (const fk of table.foreignKeys) {
        if (fk.implicitManyToMany || fk.columns.length === 0) continue;
        if (isFkCovered(table, fk)) continue;
        const order = proposedSets.find((cols) => sameSet(cols, fk.columns)) ?? [...fk.columns];
        if (!proposedSets.includes(order)) proposedSets.push(order);
        const spec = btreeSpec(
          table,
          order.map((c) => proposedColumn(table, c)),
        );
        if (ctx.options.method === 'hash' && order.length === 1) spec.method = 'hash';
        const proposal = {
          ruleId: 'fk-index',
          spec,
          message: message(table, fk, prismaMode, spec.method),
          serves: [readOf(table, { equal: [...fk.columns] })],
          span: fk.span,
          model: table.model,
        };
        proposals.push(evidenceOnRead(proposal, () => evidence(table, fk, prismaMode)));
      }
    }
    return proposals;
  },
});

/** The FK, then why each index of the table does not serve its lookup (the reasons take work: read on demand). */
function evidence(table: Table, fk: ForeignKey, prismaMode: boolean): string[] {
  const { verdicts } = findCovering(table, fk.columns);
  return [
    prismaMode
      ? `relationMode = "prisma": no FK constraint in the database, Prisma emulates ${describeFk(fk)}`
      : `foreign key ${quoteIdent(fk.constraintName)}: ${describeFk(fk)}`,
    ...(verdicts.length > 0
      ? verdicts.map((v) => `considered ${v.reason}`)
      : [`no index, unique constraint or primary key on ${tableRef(table)}`]),
  ];
}

function describeFk(fk: ForeignKey): string {
  return `${quoteIdent(fk.table)} ${columnList(fk.columns)} → ${quoteIdent(fk.referencedTable)} ${columnList(fk.referencedColumns)}`;
}

function message(table: Table, fk: ForeignKey, prismaMode: boolean, method: string): Proposal['message'] {
  const child = tableRef(table);
  const parent = quoteIdent(fk.referencedTable);
  const cols = columnList(fk.columns);
  const joins = `joins and lookups from ${parent} to ${child} read the whole table`;
  const cost = prismaMode
    ? `relationMode = "prisma": the database has no FK constraint, so Prisma itself queries ${child} by ${cols} on every delete or key update of ${parent} to emulate the referential action, a sequential scan without an index. ${cap(joins)}.`
    : `Every DELETE on ${parent} (and every update of its key) scans ${child} ${ACTION_WORK[onDeleteAction(table, fk)]}, holding its locks for the whole scan. ${cap(joins)}.`;
  return {
    title: `Foreign key ${child} ${cols} → ${parent} has no index`,
    cost,
    instead: `Create a ${method} index on ${child} ${cols} so the ${prismaMode ? 'emulated referential actions' : 'FK checks'} and the joins use an index scan.`,
    serves: `SELECT … FROM ${child} WHERE ${equalityPredicate(fk.columns)}`,
  };
}

/** Prisma's default when `onDelete` is not written: SetNull for optional relations, Restrict for required ones. */
function onDeleteAction(table: Table, fk: ForeignKey): ReferentialAction {
  if (fk.onDelete) return fk.onDelete;
  const optional = fk.columns.some((c) => table.columns.find((col) => col.name === c)?.nullable);
  return optional ? 'SetNull' : 'Restrict';
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
