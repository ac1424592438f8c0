/**
 * redundant-index: a declared index that another index, unique constraint or primary key already
 * makes unnecessary (a left prefix of it, or an exact duplicate).
 */
import { exampleModel } from './docs-example';
import type { IndexColumn, IndexDef, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import { readPredicate, samePredicate } from '../sql/predicate';
import { allIndexes, describeIndex, equalityPredicate, indexDefToSpec, modelTables, tableRef } from './coverage';
import { defineRule } from './define-rule';
import type { DropIndexSpec, Proposal } from './types';

/** The model of the docs examples (RULES.md). */
const POST_FIELDS = [
  'id        Int      @id @default(autoincrement())',
  'authorId  Int',
  'createdAt DateTime @default(now())',
];

export const rule = defineRule({
  options: {},
  meta: {
    id: 'redundant-index',
    summary:
      'An index that is a left prefix (or a duplicate) of another index, unique constraint or primary key on the same table; a unique constraint that duplicates the primary key (@id + @unique).',
    defaultSeverity: 'warn',
    basis: 'structure',
    docs: {
      problem:
        'Every index is written on every INSERT, on every UPDATE that touches its columns (or prevents a HOT update), and on DELETE cleanup; it takes disk and cache. ' +
        'A btree index on (a) serves nothing that an index on (a, b) does not serve as well: the longer index answers every lookup and range scan on a, and orders by a. ' +
        "Prisma's drift check does not notice duplicates, so they stay.",
      proposal:
        "Drop a plain `@@index` when another index on the same table makes it redundant; the migration's down.sql re-creates it. " +
        'An index is redundant when it is a left prefix of the other (same column names in the same order, then more columns or none) with ' +
        'the same access method, the same operator classes on the shared columns and the same predicate (compared after normalizing whitespace, case and quoting). ' +
        'For btree, (a) is redundant with (a DESC, b): a single column can be scanned in either direction. With two or more shared columns the sort ' +
        'directions must be all equal or all reversed ((a, b) with (a DESC, b DESC, c): a backward scan gives the same order), so (a, b DESC) is not ' +
        'redundant with (a, b, c). Other methods (GIN, GiST, hash, ...) count only exact duplicates. ' +
        'The covering index is a unique constraint or primary key when there is one (they are never dropped), otherwise the longest covering index; ' +
        'of two identical plain indexes the one declared first is kept. Unique constraints and primary keys are never proposed for dropping ' +
        '(they enforce a rule, not just a lookup), and neither are full-text indexes, with one exception: a unique constraint with exactly the key of the primary key ' +
        '(`@id @unique` on one field, or `@@unique` on the `@@id` columns in the same order) or of an earlier unique constraint enforces nothing new: ' +
        'it is reported at the `@unique`, and the fix removes that attribute (PostgreSQL drops its index).',
      bad: exampleModel('Post', POST_FIELDS, ['@@index([authorId])', '@@index([authorId, createdAt])']),
      good: exampleModel('Post', POST_FIELDS, ['@@index([authorId, createdAt])']),
    },
  },

  check(ctx) {
    const proposals: Omit<Proposal, 'severity'>[] = [];
    for (const table of modelTables(ctx.tables)) {
      const all = allIndexes(table);
      for (const index of table.indexes) {
        if (index.kind !== 'index') continue;
        const coveredBy = bestCover(index, all);
        if (!coveredBy) continue;
        proposals.push(proposal(table, index, coveredBy));
      }
      // A unique constraint on exactly the primary key's columns (`@id` + `@unique` on one field)
      // or on exactly an earlier unique constraint's: a second unique index that enforces nothing new.
      for (const unique of table.uniques) {
        const twin = duplicateKey(unique, table);
        if (twin) proposals.push(proposal(table, unique, twin));
      }
    }
    return proposals;
  },
});

/** The primary key, or an earlier unique constraint, with exactly the same key as `unique` (same columns, same order). */
export function duplicateKey(unique: IndexDef, table: Table): IndexDef | undefined {
  const keys = [
    ...(table.primaryKey ? [table.primaryKey] : []),
    ...table.uniques.filter((u) => u !== unique && declaredBefore(u, unique)),
  ];
  return keys.find(
    (key) => key.columns.length === unique.columns.length && isPrefixOf(unique, key) && isPrefixOf(key, unique),
  );
}

/** Position of an index in declaration order (for "keep the first of two duplicates"). */
function declaredBefore(a: IndexDef, b: IndexDef): boolean {
  if (a.span.file !== b.span.file) return a.span.file < b.span.file;
  return a.span.offset < b.span.offset;
}

function isKey(i: IndexDef): boolean {
  return i.kind === 'primary' || i.kind === 'unique';
}

/**
 * The index that makes `index` redundant, or undefined. Candidates: every other index of which
 * `index` is a left prefix; a candidate of equal length must be a key, or a plain index declared
 * earlier (so exactly one of two duplicates is reported). Keys win, then the longest, then the earliest.
 */
export function bestCover(index: IndexDef, all: readonly IndexDef[]): IndexDef | undefined {
  const candidates = all.filter((other) => {
    if (other === index || !isPrefixOf(index, other)) return false;
    if (other.columns.length > index.columns.length) return true;
    return isKey(other) || (other.kind === 'index' && declaredBefore(other, index));
  });
  candidates.sort(
    (a, b) =>
      Number(isKey(b)) - Number(isKey(a)) ||
      b.columns.length - a.columns.length ||
      (declaredBefore(a, b) ? -1 : declaredBefore(b, a) ? 1 : 0),
  );
  return candidates[0];
}

function opclassOf(c: IndexColumn): string {
  return (c.opclass ?? c.prismaOps ?? '').toLowerCase();
}

function declaredPredicate(index: IndexDef) {
  return index.where === undefined ? undefined : readPredicate(index.where);
}

/** `short` is a left prefix of `long` (or equal to it), with matching method, predicate, opclasses and (btree) compatible sort directions. */
export function isPrefixOf(short: IndexDef, long: IndexDef): boolean {
  if (short.method !== long.method) return false;
  if (short.kind === 'fulltext' || long.kind === 'fulltext') return false;
  if (!samePredicate(declaredPredicate(short), declaredPredicate(long))) return false;
  if (short.columns.length > long.columns.length) return false;
  if (short.method !== 'btree' && short.columns.length !== long.columns.length) return false;
  for (let i = 0; i < short.columns.length; i++) {
    const a = short.columns[i]!;
    const b = long.columns[i]!;
    if (a.column !== b.column || opclassOf(a) !== opclassOf(b)) return false;
  }
  if (short.method !== 'btree' || short.columns.length === 1) return true;
  const flips = short.columns.map((c, i) => (c.sort ?? 'asc') !== (long.columns[i]!.sort ?? 'asc'));
  return flips.every((f) => f) || flips.every((f) => !f);
}

function proposal(table: Table, index: IndexDef, coveredBy: IndexDef): Omit<Proposal, 'severity'> {
  const t = tableRef(table);
  const name = quoteIdent(index.name);
  const other = quoteIdent(coveredBy.name);
  const spec: DropIndexSpec = {
    kind: 'drop-index',
    table: table.name,
    name: index.name,
    recreate: indexDefToSpec(table, index),
    coveredBy: coveredBy.name,
  };
  if (table.schema) spec.schema = table.schema;
  const duplicate = coveredBy.columns.length === index.columns.length;
  const what = duplicate
    ? `${name} has the same key as ${describeIndex(coveredBy)}`
    : `${name} is a left prefix of ${describeIndex(coveredBy)}`;
  const lookup = index.method === 'btree' ? equalityPredicate(index.columns.map((c) => c.column)) : undefined;
  const attribute = index.kind === 'unique' ? (index.fieldLevel ? '@unique' : '@@unique') : '@@index';
  const keeps =
    index.kind === 'unique'
      ? ` ${other} already enforces the same uniqueness and serves every read ${name} serves.`
      : '';
  const message: Proposal['message'] = {
    title:
      index.kind === 'unique'
        ? `Unique constraint ${name} on ${t} duplicates ${other}`
        : `Index ${name} on ${t} is redundant with ${other}`,
    cost: `Every INSERT and DELETE on ${t}, and every UPDATE of its columns, writes both indexes, and ${name} takes disk and cache, while ${other} already serves every read ${name} serves.`,
    instead:
      index.kind === 'unique'
        ? `Remove the ${attribute} (it creates ${name}).${keeps}`
        : `Drop ${name} (remove its @@index) and let ${other} serve those reads.`,
  };
  if (lookup) message.serves = `SELECT … FROM ${t} WHERE ${lookup}`;
  return {
    ruleId: 'redundant-index',
    spec,
    message,
    serves: [],
    evidence: [
      what,
      `both ${index.method}${index.where !== undefined ? `, both WHERE ${index.where}` : ', neither partial'}`,
    ],
    span: index.span,
    model: table.model,
  };
}
