/**
 * What the database really has, read from pg_catalog: indexes, constraints, and which foreign keys
 * no index covers.
 */
import type { Client } from 'pg';
import { coversFk, type FkRef, type ServingIndex } from '../model/serves';
import { readPredicate } from '../sql/predicate';
import { query, type DbTarget } from './client';

type Db = Client | DbTarget;

/** Restricts catalog reads to some schemas; default: every schema except the system ones. */
export interface CatalogFilter {
  schemas?: string[];
}

export interface IndexInfo {
  schema: string;
  table: string;
  name: string;
  /** Access method (`pg_am.amname`): btree, hash, gin, gist, spgist, brin, ... */
  method: string;
  /** Key columns in key order; an expression key holds its text (see `expressions`). */
  columns: string[];
  /** Per key column: true when it is an expression, not a plain column. */
  expressions: boolean[];
  /** INCLUDE (non-key) columns. */
  include: string[];
  /** Per key column: operator class name. */
  opclasses: string[];
  /** Per key column: true when the operator class is the type's default for the method. */
  defaultOpclass: boolean[];
  /** Per key column: DESC. */
  descending: boolean[];
  /** `pg_get_expr(indpred)` of a partial index, else null. */
  predicate: string | null;
  unique: boolean;
  primary: boolean;
  /** `pg_index.indisvalid`: false after a failed CREATE INDEX CONCURRENTLY. */
  valid: boolean;
  /** `pg_get_indexdef`. */
  definition: string;
}

export type ConstraintType = 'check' | 'foreign' | 'primary' | 'unique' | 'exclusion';

export interface ConstraintInfo {
  schema: string;
  table: string;
  name: string;
  type: ConstraintType;
  /** `pg_get_constraintdef(oid, true)`, e.g. `CHECK (price >= 0) NOT VALID`. */
  definition: string;
  /** `pg_constraint.convalidated`: false while a NOT VALID constraint awaits VALIDATE. */
  validated: boolean;
}

export interface ForeignKeyCoverage {
  schema: string;
  table: string;
  name: string;
  /** FK columns in constraint order. */
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  /** The first index found that covers the FK, or null when none does. */
  coveredBy: string | null;
}

export interface CatalogSnapshot {
  indexes: IndexInfo[];
  constraints: ConstraintInfo[];
}

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`;

/** Rows come back as `IndexInfo`: the key / INCLUDE split and the column names are made here. */
/** Every index on user tables; `$1` restricts to some schemas (null: all). */
export const INDEXES_SQL = `
SELECT n.nspname AS schema, t.relname AS table, i.relname AS name, am.amname AS method,
  kc.all_columns[1:x.indnkeyatts] AS columns,
  kc.all_expressions[1:x.indnkeyatts] AS expressions,
  kc.all_columns[x.indnkeyatts + 1:] AS include,
  ARRAY(SELECT oc.opcname::text FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS c(oid, ord)
        JOIN pg_opclass oc ON oc.oid = c.oid ORDER BY c.ord) AS opclasses,
  ARRAY(SELECT oc.opcdefault FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS c(oid, ord)
        JOIN pg_opclass oc ON oc.oid = c.oid ORDER BY c.ord) AS "defaultOpclass",
  (ARRAY(SELECT (o.opt & 1) = 1 FROM unnest(x.indoption::int2[]) WITH ORDINALITY AS o(opt, ord) ORDER BY o.ord))[1:x.indnkeyatts] AS descending,
  pg_get_expr(x.indpred, x.indrelid) AS predicate,
  x.indisunique AS unique, x.indisprimary AS primary, x.indisvalid AS valid,
  pg_get_indexdef(x.indexrelid) AS definition
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
CROSS JOIN LATERAL (
  SELECT ARRAY(SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(x.indexrelid, k.ord::int, true) ELSE a.attname::text END
               FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
               ORDER BY k.ord) AS all_columns,
         ARRAY(SELECT k.attnum = 0 FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord) AS all_expressions
) kc
WHERE t.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMA}
ORDER BY 1, 2, 3`;

/** Every index on user tables (and materialized views), ordered by schema, table, name. */
export async function listIndexes(db: Db, filter: CatalogFilter = {}): Promise<IndexInfo[]> {
  return query<IndexInfo>(db, INDEXES_SQL, [filter.schemas ?? null]);
}

const CONSTRAINT_TYPES: Record<string, ConstraintType> = {
  c: 'check',
  f: 'foreign',
  p: 'primary',
  u: 'unique',
  x: 'exclusion',
};

const CONSTRAINTS_SQL = `
SELECT n.nspname AS schema, t.relname AS table, c.conname AS name, c.contype::text AS type,
  pg_get_constraintdef(c.oid, true) AS definition, c.convalidated AS validated
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype IN ('c', 'f', 'p', 'u', 'x') AND ${USER_SCHEMA}
ORDER BY 1, 2, 3`;

interface ConstraintRow {
  schema: string;
  table: string;
  name: string;
  type: string;
  definition: string;
  validated: boolean;
}

/** Table constraints (CHECK, FOREIGN KEY, PRIMARY KEY, UNIQUE, EXCLUDE); NOT NULL is not listed. */
export async function listConstraints(db: Db, filter: CatalogFilter = {}): Promise<ConstraintInfo[]> {
  const rows = await query<ConstraintRow>(db, CONSTRAINTS_SQL, [filter.schemas ?? null]);
  return rows.map((r) => ({ ...r, type: CONSTRAINT_TYPES[r.type] }));
}

/** CHECK constraints only. */
export async function listCheckConstraints(db: Db, filter: CatalogFilter = {}): Promise<ConstraintInfo[]> {
  return (await listConstraints(db, filter)).filter((c) => c.type === 'check');
}

const FOREIGN_KEYS_SQL = `
SELECT n.nspname AS schema, t.relname AS table, c.conname AS name,
  ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
  rn.nspname AS "referencedSchema", rt.relname AS "referencedTable",
  ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "referencedColumns"
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class rt ON rt.oid = c.confrelid
JOIN pg_namespace rn ON rn.oid = rt.relnamespace
WHERE c.contype = 'f' AND ${USER_SCHEMA}
ORDER BY 1, 2, 3`;

/** A catalog index as `indexServes` sees it: expression keys have no column, INCLUDE columns are not keys. */
export function servingCatalog(index: IndexInfo): ServingIndex {
  const serving: ServingIndex = {
    table: index.table,
    schema: index.schema,
    method: index.method,
    keys: index.columns.map((column, k) => ({
      column: index.expressions[k] ? null : column,
      sort: index.descending[k] ? 'desc' : 'asc',
      ...(index.opclasses[k] !== undefined ? { opclass: index.opclasses[k] } : {}),
    })),
    include: [...index.include],
    valid: index.valid,
  };
  if (index.predicate !== null) {
    serving.predicate = readPredicate(index.predicate);
    serving.predicateText = index.predicate;
  }
  return serving;
}

/** The first catalog index (in name order) that covers the FK by `coversFk`, or null. */
export function coveringCatalogIndex(fk: FkRef, indexes: readonly IndexInfo[]): string | null {
  return (
    indexes.find(
      (i) => i.table === fk.table && i.schema === (fk.schema ?? 'public') && coversFk(servingCatalog(i), fk).covers,
    )?.name ?? null
  );
}

/** Every foreign key with the index that covers it (`coversFk`, the sound rule in shared/FACTS.md), if any. */
export async function listForeignKeyCoverage(
  db: Db,
  filter: CatalogFilter = {},
  indexes?: readonly IndexInfo[],
): Promise<ForeignKeyCoverage[]> {
  const rows = await query<Omit<ForeignKeyCoverage, 'coveredBy'>>(db, FOREIGN_KEYS_SQL, [filter.schemas ?? null]);
  const all = indexes ?? (await listIndexes(db, filter));
  return rows.map((r) => ({ ...r, coveredBy: coveringCatalogIndex(r, all) }));
}

/** Foreign keys no index covers. */
export async function listUnindexedForeignKeys(db: Db, filter: CatalogFilter = {}): Promise<ForeignKeyCoverage[]> {
  return (await listForeignKeyCoverage(db, filter)).filter((fk) => fk.coveredBy === null);
}

/** Indexes and constraints, for comparing a database before and after a migration round trip. */
export async function snapshot(db: Db, filter: CatalogFilter = {}): Promise<CatalogSnapshot> {
  return { indexes: await listIndexes(db, filter), constraints: await listConstraints(db, filter) };
}

export interface NamedChange<T> {
  key: string;
  before: T;
  after: T;
}

export interface SnapshotDiff {
  addedIndexes: IndexInfo[];
  removedIndexes: IndexInfo[];
  changedIndexes: NamedChange<IndexInfo>[];
  addedConstraints: ConstraintInfo[];
  removedConstraints: ConstraintInfo[];
  changedConstraints: NamedChange<ConstraintInfo>[];
  /** True when nothing differs. */
  same: boolean;
}

/** What changed between two snapshots, keyed by schema.table.name; compares definition and validity. */
export function diffSnapshots(before: CatalogSnapshot, after: CatalogSnapshot): SnapshotDiff {
  const idx = diffByKey(before.indexes, after.indexes, (i) => `${i.definition}|${i.valid}`);
  const con = diffByKey(before.constraints, after.constraints, (c) => `${c.type}|${c.definition}|${c.validated}`);
  return {
    addedIndexes: idx.added,
    removedIndexes: idx.removed,
    changedIndexes: idx.changed,
    addedConstraints: con.added,
    removedConstraints: con.removed,
    changedConstraints: con.changed,
    same: [idx.added, idx.removed, idx.changed, con.added, con.removed, con.changed].every((l) => l.length === 0),
  };
}

interface Named {
  schema: string;
  table: string;
  name: string;
}

function diffByKey<T extends Named>(before: T[], after: T[], signature: (item: T) => string) {
  const key = (item: T) => `${item.schema}.${item.table}.${item.name}`;
  const old = new Map(before.map((item) => [key(item), item]));
  const now = new Map(after.map((item) => [key(item), item]));
  const added = after.filter((item) => !old.has(key(item)));
  const removed = before.filter((item) => !now.has(key(item)));
  const changed: NamedChange<T>[] = [];
  for (const [k, item] of now) {
    const prev = old.get(k);
    if (prev && signature(prev) !== signature(item)) changed.push({ key: k, before: prev, after: item });
  }
  return { added, removed, changed };
}
