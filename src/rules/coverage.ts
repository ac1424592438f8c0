/**
 * Shared helpers for the index rules: which existing index / unique constraint / primary key serves
 * a column list (through `coversFk`), how to describe an index in evidence.
 * Pure functions over the normalized model; no SQL is built here except through `quoteIdent`.
 */
import type { Column, ForeignKey, IndexColumn, IndexDef, SchemaModel, Table } from '../model/types';
import { queryShape, type Predicate, type QueryShape } from '../model/query-shape';
import { coversFk, servingDeclared, servingKeys, type ServingIndex } from '../model/serves';
import { renderPredicateSql } from '../render/predicate';
import { readPredicate } from '../sql/predicate';
import { quoteIdent } from '../sql/quote';
import type { IndexSpec, ProposedColumn } from './types';

/**
 * Every index-like structure on a table: primary key first, then uniques, then plain indexes
 * (declaration order within each). One list per table (rules ask for it per foreign key and per rule).
 */
export function allIndexes(table: Table): readonly IndexDef[] {
  let all = indexLists.get(table);
  if (all === undefined) {
    all = Object.freeze([...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques, ...table.indexes]);
    indexLists.set(table, all);
  }
  return all;
}

const indexLists = new WeakMap<Table, readonly IndexDef[]>();

/** Tables a rule looks at: real models, not views, not `@@ignore`d, not Prisma's implicit m:n join tables. */
export function modelTables(tables: readonly Table[]): Table[] {
  return tables.filter((t) => t.kind === 'model' && !t.ignored);
}

/**
 * Tables whose foreign keys exist in the database: `@@ignore`d models too, because Prisma Migrate
 * still creates their tables and constraints (the client merely hides them).
 */
export function tablesWithForeignKeys(tables: readonly Table[]): Table[] {
  return tables.filter((t) => t.kind === 'model');
}

export function columnByName(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** The first column (in `names` order, then declaration order) that matches one of `names` and `accept`. */
export function findColumnByNames(
  table: Table,
  names: readonly string[],
  accept: (c: Column) => boolean,
): Column | undefined {
  const byName = columnsByLowerName(table);
  for (const name of lowerCased(names)) {
    const hit = byName.get(name)?.find(accept);
    if (hit) return hit;
  }
  return undefined;
}

/** The columns of `table` named one of `names` (Prisma field or database name, case-insensitive). */
export function columnsNamed(table: Table, names: readonly string[]): ReadonlySet<Column> {
  const byName = columnsByLowerName(table);
  const found = new Set<Column>();
  for (const name of lowerCased(names)) for (const column of byName.get(name) ?? []) found.add(column);
  return found;
}

/** A table's columns by lower-cased field and database name, in declaration order; built once per table. */
const columnIndexes = new WeakMap<Table, Map<string, Column[]>>();

function columnsByLowerName(table: Table): Map<string, Column[]> {
  let index = columnIndexes.get(table);
  if (index === undefined) {
    index = new Map();
    for (const column of table.columns) {
      const field = column.field.toLowerCase();
      addColumn(index, field, column);
      if (column.name !== column.field && column.name.toLowerCase() !== field)
        addColumn(index, column.name.toLowerCase(), column);
    }
    columnIndexes.set(table, index);
  }
  return index;
}

function addColumn(index: Map<string, Column[]>, name: string, column: Column): void {
  const list = index.get(name);
  if (list) list.push(column);
  else index.set(name, [column]);
}

/** Each name lower-cased, in order; kept per list (rules ask with the same option lists for every table and column). */
const lowerCasedLists = new WeakMap<readonly string[], Set<string>>();

export function lowerCased(names: readonly string[]): ReadonlySet<string> {
  let lower = lowerCasedLists.get(names);
  if (lower === undefined) {
    lower = new Set(names.map((name) => name.toLowerCase()));
    lowerCasedLists.set(names, lower);
  }
  return lower;
}

/** A proposal column for a table column (database name + Prisma field name). */
export function proposedColumn(table: Table, column: string, sort?: 'asc' | 'desc'): ProposedColumn {
  const field = columnByName(table, column)?.field ?? column;
  return sort ? { column, field, sort } : { column, field };
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x)) && new Set(b).size === set.size;
}

/** The first `k` key columns of `index` are exactly `columns` (any order among them). */
export function leadsWith(index: IndexDef, columns: readonly string[]): boolean {
  if (columns.length === 0 || index.columns.length < columns.length) return false;
  return sameSet(
    index.columns.slice(0, columns.length).map((c) => c.column),
    columns,
  );
}

// ---------------------------------------------------------------------------
// Foreign-key coverage (FACTS.md "sound rule")
// ---------------------------------------------------------------------------

export interface CoverageVerdict {
  index: IndexDef;
  covers: boolean;
  /** Why it does or does not serve the lookup, for evidence. */
  reason: string;
}

/**
 * Does `index` serve the FK lookup on `columns` (`WHERE a = $1 AND b = $2`)? `coversFk` decides
 * (shared/FACTS.md's rule: a btree led by exactly those columns, in any order, or a hash index on
 * the one column; no predicate but `col IS NOT NULL`); this adds the index's description.
 */
export function judgeCoverage(table: Table, index: IndexDef, columns: readonly string[]): CoverageVerdict {
  const verdict = coversFk(servingDeclared(table, index), { table: table.name, schema: table.schema, columns });
  return { index, covers: verdict.covers, reason: `${describeIndex(index)}: ${verdict.reason}` };
}

/** `judgeCoverage(...).covers`, without building the evidence text (rules ask this for every FK). */
export function covers(table: Table, index: IndexDef, columns: readonly string[]): boolean {
  return coversFk(servingDeclared(table, index), { table: table.name, schema: table.schema, columns }).covers;
}

/** A proposed index as `indexServes` sees it (once built, it is valid). */
const proposedCache = new WeakMap<IndexSpec, ServingIndex>();

export function servingProposed(spec: IndexSpec): ServingIndex {
  const cached = proposedCache.get(spec);
  if (cached) return cached;
  const serving: ServingIndex = {
    table: spec.table,
    method: spec.method,
    keys: servingKeys(spec.columns),
    include: [...spec.include],
    valid: true,
  };
  if (spec.schema !== undefined) serving.schema = spec.schema;
  if (spec.where !== undefined) {
    // A re-created index keeps its declared text: read it like the declared index's.
    serving.predicate = spec.where.kind === 'sql' ? readPredicate(spec.where.text) : spec.where;
    serving.predicateText = renderPredicateSql(spec.where);
  }
  proposedCache.set(spec, serving);
  return serving;
}

/** Every index / unique / PK (in `allIndexes` order) that covers `columns`. */
export function coveringIndexes(table: Table, columns: readonly string[]): IndexDef[] {
  return allIndexes(table).filter((i) => covers(table, i, columns));
}

/** The first index / unique / PK (in `allIndexes` order) that covers `columns`, with the verdict for every index considered. */
export function findCovering(
  table: Table,
  columns: readonly string[],
): { covering?: IndexDef; verdicts: CoverageVerdict[] } {
  const verdicts = allIndexes(table).map((i) => judgeCoverage(table, i, columns));
  return { covering: verdicts.find((v) => v.covers)?.index, verdicts };
}

export function isFkCovered(table: Table, fk: ForeignKey): boolean {
  return allIndexes(table).some((i) => covers(table, i, fk.columns));
}

/** A unique constraint or primary key whose columns are exactly `columns` (any order), no predicate: at most one row per value. */
export function exactUnique(table: Table, columns: readonly string[]): IndexDef | undefined {
  const uniques = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques];
  return uniques.find(
    (u) =>
      u.where === undefined &&
      sameSet(
        u.columns.map((c) => c.column),
        columns,
      ),
  );
}

// ---------------------------------------------------------------------------
// Describing indexes (evidence) and turning them into specs
// ---------------------------------------------------------------------------

export function columnList(columns: readonly string[]): string {
  return `(${columns.map(quoteIdent).join(', ')})`;
}

function keyColumnText(c: IndexColumn): string {
  return [quoteIdent(c.column), c.opclass, c.sort === 'desc' ? 'DESC' : undefined].filter(Boolean).join(' ');
}

const KIND_LABEL: Record<IndexDef['kind'], string> = {
  primary: 'primary key',
  unique: 'unique',
  index: 'index',
  fulltext: 'fulltext index',
};

/** `primary key "Post_pkey" ("id")`, `index "Post_a_b_idx" ("a", "b" DESC) gin WHERE ...`. */
export function describeIndex(index: IndexDef): string {
  const cols = `(${index.columns.map(keyColumnText).join(', ')})`;
  const method = index.method === 'btree' ? '' : ` using ${index.method}`;
  const where = index.where !== undefined ? ` WHERE ${index.where}` : '';
  return `${KIND_LABEL[index.kind]} ${quoteIdent(index.name)} ${cols}${method}${where}`;
}

const TRGM_OPCLASSES = new Set(['gin_trgm_ops', 'gist_trgm_ops']);

/** The existing index as an `IndexSpec` (what `CREATE INDEX` would re-create it). */
export function indexDefToSpec(table: Table, index: IndexDef): IndexSpec {
  const columns: ProposedColumn[] = index.columns.map((c) => {
    const col: ProposedColumn = { column: c.column, field: c.field };
    if (c.sort) col.sort = c.sort;
    if (c.opclass) col.opclass = c.opclass;
    if (c.prismaOps) col.prismaOps = c.prismaOps;
    return col;
  });
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    columns,
    method: index.method,
    unique: index.kind === 'unique' || index.kind === 'primary',
    include: [],
    extensions: index.columns.some((c) => c.opclass && TRGM_OPCLASSES.has(c.opclass.toLowerCase())) ? ['pg_trgm'] : [],
  };
  if (table.schema) spec.schema = table.schema;
  if (index.where !== undefined) spec.where = { kind: 'sql', text: index.where };
  return spec;
}

/** A plain btree `IndexSpec` on `columns` of `table`. */
export function btreeSpec(
  table: Table,
  columns: ProposedColumn[],
  extra: { where?: Predicate; unique?: boolean } = {},
): IndexSpec {
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    columns,
    method: 'btree',
    unique: extra.unique ?? false,
    include: [],
    extensions: [],
  };
  if (table.schema) spec.schema = table.schema;
  if (extra.where !== undefined) spec.where = extra.where;
  return spec;
}

/** A read of `table` (its schema filled in), for a proposal's `serves`. */
export function readOf(
  table: Pick<Table, 'name' | 'schema'>,
  parts: Omit<Partial<QueryShape>, 'table' | 'schema'>,
): QueryShape {
  return queryShape({ table: table.name, ...(table.schema !== undefined ? { schema: table.schema } : {}), ...parts });
}

/** `"schema"."table"` or `"table"` for message text. */
export function tableRef(table: { name: string; schema?: string }): string {
  return table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
}

/** `"a" = $1 AND "b" = $2` */
export function equalityPredicate(columns: readonly string[], firstParam = 1): string {
  return columns.map((c, i) => `${quoteIdent(c)} = $${i + firstParam}`).join(' AND ');
}

/** The referenced (parent) table of an FK, by database name (and schema when known). */
export function referencedTable(model: SchemaModel, fk: ForeignKey): Table | undefined {
  return model.tables.find((t) => t.name === fk.referencedTable);
}
