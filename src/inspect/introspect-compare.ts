/**
 * What `idxgen inspect` finds: the live database's facts (src/inspect/introspect.ts) compared with the
 * schema's model. Pure: no connection, no clock (the server's `now()` is the time).
 */
import type { SchemaModel, Table } from '../model/types';
import { coversFk, indexServes, servingDeclared } from '../model/serves';
import { queryShape } from '../model/query-shape';
import type { PrismaDeclaration } from '../plan/types';
import { renderDeclaration } from '../render/declaration';
import { partitionIndexName } from '../plan/partitions';
import { renderAttachIndexSql, renderCreateIndexSql } from '../render/sql';
import { renderTemplate } from '../render/templates';
import { indexName } from '../schema/names';
import {
  DEFAULT_CHECK_LOCK_TIMEOUT_MS,
  SEVERITY_RANK,
  type IndexSpec,
  type Level,
  type ProposedColumn,
} from '../rules/types';
import { predicateKey, readPredicate } from '../sql/predicate';
import { qualifiedName, quoteIdent } from '../sql/quote';
import { servingCatalog, type IndexInfo } from '../db/catalog';
import type { BtreeBloatInput, DatabaseFacts, ExtensionFacts, PartitionedIndex, TableFacts } from './introspect';

export type InspectSeverity = Level;

interface Base {
  severity: InspectSeverity;
  schema: string;
  table: string;
  /** Cost → instead → fix, in one paragraph. */
  message: string;
  /** Paste-ready SQL (each statement on its own, outside a transaction block), if any. */
  sql: string[];
}

export type InspectFinding =
  | (Base & { kind: 'undeclared-index'; index: string; definition: string; declaration: PrismaDeclaration })
  | (Base & { kind: 'invalid-index'; index: string; definition: string })
  | (Base & {
      kind: 'unused-index';
      index: string;
      bytes: number;
      scans: number;
      statsAgeDays: number;
      dropProposed: boolean;
      declared: boolean;
    })
  | (Base & {
      kind: 'duplicate-index';
      index: string;
      coveredBy: string;
      declared: boolean;
      coveredByDeclared: boolean;
    })
  | (Base & {
      kind: 'unindexed-fk';
      constraint: string;
      columns: string[];
      declaredCover: string | null;
      nullFrac: number | null;
    })
  | (Base & {
      kind: 'bloated-index';
      index: string;
      bytes: number;
      expectedBytes: number;
      /** False when pgstattuple measured it. */ estimate: boolean;
    })
  | (Base & { kind: 'partitioned-table'; partitions: number });

export interface InspectOptions {
  /** Unused indexes are proposed for dropping only when the statistics are at least this old. */
  minStatsAgeDays: number;
  /** A mostly-NULL FK (NULL fraction above this) gets `WHERE fk IS NOT NULL`. */
  nullFracPartial: number;
  /** A btree is reported bloated when the estimate says at least this much (bytes) and this share is waste. */
  bloatMinBytes: number;
  bloatMinRatio: number;
}

export const DEFAULT_INSPECT_OPTIONS: InspectOptions = {
  minStatsAgeDays: 7,
  nullFracPartial: 0.5,
  bloatMinBytes: 1024 * 1024,
  bloatMinRatio: 0.3,
};

export interface ServerSummary {
  /** Which `--database-url` (0 = primary), never the URL itself. */
  server: number;
  version: string;
  statsSince: string;
  statsAgeDays: number;
  statsWereReset: boolean;
}

export interface InspectReport {
  servers: ServerSummary[];
  extensions: ExtensionFacts[];
  tables: (TableFacts & { inSchema: boolean })[];
  findings: InspectFinding[];
}

const DAY_MS = 86_400_000;
const METHODS: ReadonlySet<string> = new Set(['btree', 'hash', 'gist', 'gin', 'spgist', 'brin']);

function key(schema: string | undefined, table: string): string {
  return `${schema ?? 'public'}.${table}`;
}

function declaredNames(table: Table): Set<string> {
  return new Set([
    ...(table.primaryKey ? [table.primaryKey.name] : []),
    ...table.uniques.map((u) => u.name),
    ...table.indexes.map((i) => i.name),
  ]);
}

function mib(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function days(d: number): string {
  return d < 1 ? `${(d * 24).toFixed(1)} hours` : `${d.toFixed(1)} days`;
}

/** The index as an IndexSpec Prisma could declare, or why it cannot. */
function declarableSpec(index: IndexInfo, table: Table): IndexSpec | string {
  const spec = specOf(index, (name) => table.columns.find((c) => c.name === name));
  if (typeof spec !== 'string' && table.schema !== undefined) spec.schema = table.schema;
  return spec;
}

/** The index as an IndexSpec (`columnOf` gives each key column's field), or why it is none. */
function specOf(
  index: IndexInfo,
  columnOf: (name: string) => { name: string; field: string } | undefined,
): IndexSpec | string {
  if (!METHODS.has(index.method)) return `its access method ${index.method} has no Prisma \`type:\``;
  if (index.expressions.some(Boolean)) return 'it has an expression key, which Prisma cannot declare';
  const columns: ProposedColumn[] = [];
  for (let k = 0; k < index.columns.length; k++) {
    const column = columnOf(index.columns[k]!);
    if (!column) return `its column ${index.columns[k]} is not in the model`;
    const col: ProposedColumn = { column: column.name, field: column.field };
    if (index.descending[k]) col.sort = 'desc';
    if (!index.defaultOpclass[k]) col.opclass = index.opclasses[k]!;
    columns.push(col);
  }
  const spec: IndexSpec = {
    kind: 'index',
    table: index.table,
    columns,
    method: index.method as IndexSpec['method'],
    unique: index.unique,
    include: index.include,
    extensions: [],
  };
  if (index.predicate !== null) spec.where = readPredicate(index.predicate);
  return spec;
}

function dropSql(index: IndexInfo): string {
  return renderTemplate('sql/drop-index', {
    concurrently: true,
    qualifiedName: qualifiedName(index.name, index.schema),
  }).trim();
}

/** An INVALID index left by a failed CREATE INDEX CONCURRENTLY: dropped and built again, both CONCURRENTLY. */
function failedBuildRepair(index: IndexInfo): { message: string; sql: string[] } {
  return {
    message:
      `${quoteIdent(index.name)} on ${qualifiedName(index.table, index.schema)} is INVALID (a CREATE INDEX CONCURRENTLY that failed): every write still maintains it, no read uses it, ` +
      `and CREATE INDEX IF NOT EXISTS accepts it as done. Instead, drop it and build it again, each statement on its own:`,
    sql: statementOf(
      renderTemplate('sql/introspect/repair-invalid', {
        qualifiedName: qualifiedName(index.name, index.schema),
        createConcurrently: concurrently(index.definition),
      }),
    ),
  };
}

/** A partitioned index is dropped without CONCURRENTLY (PostgreSQL refuses it), under a lock_timeout. */
function dropPartitionedSql(index: IndexInfo): string[] {
  return statementOf(
    renderTemplate('sql/drop-partitioned-index', {
      qualifiedName: qualifiedName(index.name, index.schema),
      lockTimeout: `${DEFAULT_CHECK_LOCK_TIMEOUT_MS}ms`,
    }),
  );
}

/**
 * An INVALID index of a partitioned table: not a failed build but one waiting for an index of each
 * partition, which CONCURRENTLY can neither drop nor build. The repair builds the missing ones on
 * the partitions CONCURRENTLY and attaches them, as generate's sequence would have.
 */
function partitionedRepair(
  index: IndexInfo,
  partitioned: PartitionedIndex,
  taken: Set<string>,
): { message: string; sql: string[] } {
  const head = `${quoteIdent(index.name)} on ${qualifiedName(index.table, index.schema)} is INVALID: it is a partitioned table's index, valid once every partition has an index attached to it`;
  const missing = partitioned.unattached;
  if (missing.length === 0)
    return {
      message: `${head}, and every partition has one: one of those is a partitioned table's index still INVALID itself (its own finding says which partitions it waits for). Every write maintains it; no read of the table uses it.`,
      sql: [],
    };
  const names = missing.map((p) => qualifiedName(p.table, p.schema)).join(', ');
  const cost = `${head}, and ${names} ${missing.length === 1 ? 'has' : 'have'} none (a partition created after the index, or an interrupted sequence): every write maintains it, no read of the table uses it, and neither DROP INDEX CONCURRENTLY nor CREATE INDEX CONCURRENTLY works on a partitioned table.`;
  const foreign = missing.filter((p) => p.kind === 'f');
  if (foreign.length > 0)
    return {
      message: `${cost} ${qualifiedName(foreign[0]!.table, foreign[0]!.schema)} is a foreign table: no index can be built there, so this one never becomes valid. Instead, drop it (ACCESS EXCLUSIVE on the table and its partitions for an instant, bounded by lock_timeout):`,
      sql: dropPartitionedSql(index),
    };
  const spec = specOf(index, (name) => ({ name, field: name }));
  const partitionedAgain = missing.find((p) => p.kind === 'p');
  // What keeps idxgen from writing the statements: then it says what to do by hand.
  const byHand =
    typeof spec === 'string'
      ? index.expressions.some(Boolean)
        ? 'it has an expression key'
        : `its access method is ${index.method}`
      : partitionedAgain
        ? `${qualifiedName(partitionedAgain.table, partitionedAgain.schema)} is partitioned itself: ON ONLY it, CONCURRENTLY on its partitions, attached`
        : undefined;
  if (typeof spec === 'string' || byHand !== undefined)
    return {
      message: `${cost} Instead, give each of them an index like this one (${byHand}) and attach it with ALTER INDEX ${qualifiedName(index.name, index.schema)} ATTACH PARTITION, each statement on its own.`,
      sql: [],
    };
  const parent = { name: index.name, schema: index.schema, index: { ...spec, schema: index.schema } };
  const sql = missing.flatMap((p) => {
    const name = partitionIndexName(index.name, index.table, { schema: p.schema, table: p.table }, taken);
    return [
      renderCreateIndexSql({ ...spec, table: p.table, schema: p.schema }, name),
      ...statementOf(
        renderAttachIndexSql({ name, table: p.table, schema: p.schema }, parent, DEFAULT_CHECK_LOCK_TIMEOUT_MS),
      ),
    ];
  });
  return {
    message: `${cost} Instead, build each one's index CONCURRENTLY and attach it, each statement on its own (the last attach makes it valid):`,
    sql,
  };
}

function statementOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => l.trim());
}

/** `CREATE [UNIQUE] INDEX name ON ...` (pg_get_indexdef) with CONCURRENTLY after INDEX. */
function concurrently(definition: string): string {
  const m = /^CREATE (UNIQUE )?INDEX /.exec(definition);
  if (!m) throw new Error(`unexpected index definition: ${JSON.stringify(definition.slice(0, 40))}`);
  return `CREATE ${m[1] ?? ''}INDEX CONCURRENTLY ${definition.slice(m[0].length)}`;
}

/** Compares the primary's facts (and the replicas' scan counts) with the model. */
export function inspectDatabase(
  model: SchemaModel,
  primary: DatabaseFacts,
  replicas: readonly DatabaseFacts[],
  options: InspectOptions = DEFAULT_INSPECT_OPTIONS,
): InspectReport {
  const all = [primary, ...replicas];
  const modelTables = new Map(model.tables.filter((t) => t.kind !== 'view').map((t) => [key(t.schema, t.name), t]));
  const findings: InspectFinding[] = [];
  const servers: ServerSummary[] = all.map((f, i) => ({
    server: i,
    version: f.server.version,
    statsSince: f.server.statsSince.toISOString(),
    statsAgeDays: (f.server.now.getTime() - f.server.statsSince.getTime()) / DAY_MS,
    statsWereReset: f.server.statsWereReset,
  }));
  const youngest = Math.min(...servers.map((s) => s.statsAgeDays));
  const scans = new Map<string, number>();
  for (const f of all)
    for (const u of f.usage)
      scans.set(`${u.schema}.${u.table}.${u.name}`, (scans.get(`${u.schema}.${u.table}.${u.name}`) ?? 0) + u.scans);
  const usage = new Map(primary.usage.map((u) => [`${u.schema}.${u.table}.${u.name}`, u]));
  const partitionedIndexes = new Map(primary.partitionedIndexes.map((p) => [`${p.schema}.${p.name}`, p]));
  // Index names per schema, as partitionIndexName counts them (a repair's new name must be free).
  const taken = new Set(primary.indexes.map((i) => `${i.schema}\u0000${i.name}`));

  for (const index of primary.indexes) {
    const table = modelTables.get(key(index.schema, index.table));
    const declared = table ? declaredNames(table).has(index.name) : false;
    const where = { schema: index.schema, table: index.table };
    const partitioned = partitionedIndexes.get(`${index.schema}.${index.name}`);
    if (!index.valid)
      findings.push({
        kind: 'invalid-index',
        severity: 'error',
        ...where,
        index: index.name,
        definition: index.definition,
        ...(partitioned ? partitionedRepair(index, partitioned, taken) : failedBuildRepair(index)),
      });
    if (table && !declared && !index.primary) {
      const spec = declarableSpec(index, table);
      const declaration: PrismaDeclaration =
        typeof spec === 'string'
          ? { kind: 'none', drift: true, reason: `Prisma cannot declare it: ${spec}.` }
          : renderDeclaration(spec, index.name);
      const keep =
        declaration.kind === 'attribute'
          ? `add \`${declaration.attribute}\` to model ${table.model}${declaration.previewFeatures.length > 0 ? ` (preview feature ${declaration.previewFeatures.join(', ')})` : ''}`
          : declaration.kind === 'none'
            ? declaration.reason
            : '';
      findings.push({
        kind: 'undeclared-index',
        severity: 'warn',
        ...where,
        index: index.name,
        definition: index.definition,
        declaration,
        message: `${quoteIdent(index.name)} exists in the database but not in schema.prisma: the next \`prisma migrate dev\` drops it. Instead, to keep it ${keep}; or drop it:`,
        sql: partitioned ? dropPartitionedSql(index) : [dropSql(index)],
      });
    }
    const u = usage.get(`${index.schema}.${index.table}.${index.name}`);
    if (
      index.valid &&
      u &&
      !index.unique &&
      !index.primary &&
      !u.backsConstraint &&
      (scans.get(`${index.schema}.${index.table}.${index.name}`) ?? 0) === 0
    ) {
      const onlyCover = soleFkCover(index, primary);
      const old = youngest >= options.minStatsAgeDays && onlyCover === undefined;
      const over = all.length > 1 ? ` on any of the ${all.length} servers` : '';
      findings.push({
        kind: 'unused-index',
        severity: old ? 'warn' : 'info',
        ...where,
        index: index.name,
        bytes: u.bytes,
        scans: 0,
        statsAgeDays: youngest,
        dropProposed: old,
        declared,
        message: old
          ? `${quoteIdent(index.name)} (${mib(u.bytes)}) has not been scanned${over} in ${days(youngest)} of statistics, yet every write maintains it. Instead, drop it${declared ? ' (and remove its declaration from schema.prisma)' : ''}:`
          : onlyCover !== undefined
            ? `${quoteIdent(index.name)} (${mib(u.bytes)}) has not been scanned${over} in ${days(youngest)} of statistics, but it is the only index covering foreign key ${quoteIdent(onlyCover)}: without it a delete on the referenced table scans ${qualifiedName(index.table, index.schema)}. No drop is proposed.`
            : `${quoteIdent(index.name)} (${mib(u.bytes)}) has not been scanned${over}, but the statistics are only ${days(youngest)} old (minimum ${options.minStatsAgeDays} days): no drop is proposed; look again later.`,
        sql: old ? [dropSql(index)] : [],
      });
    }
  }

  findings.push(...duplicates(primary.indexes, modelTables));

  const nullFrac = new Map(primary.nullFractions.map((n) => [`${n.schema}.${n.table}.${n.column}`, n.nullFrac]));
  for (const fk of primary.foreignKeys) {
    if (fk.coveredBy !== null) continue;
    const table = modelTables.get(key(fk.schema, fk.table));
    const ref = { schema: fk.schema, table: fk.table, columns: fk.columns };
    const declaredCover = table
      ? ([table.primaryKey, ...table.uniques, ...table.indexes].find(
          (d) => d !== undefined && coversFk(servingDeclared(table, d), ref).covers,
        )?.name ?? null)
      : null;
    const frac = fk.columns.length === 1 ? (nullFrac.get(`${fk.schema}.${fk.table}.${fk.columns[0]}`) ?? null) : null;
    const partial = frac !== null && frac > options.nullFracPartial;
    const cols = fk.columns.map(quoteIdent).join(', ');
    const spec: IndexSpec = {
      kind: 'index',
      table: fk.table,
      columns: fk.columns.map((column) => ({
        column,
        field: table?.columns.find((c) => c.name === column)?.field ?? column,
      })),
      method: 'btree',
      unique: false,
      include: [],
      extensions: [],
    };
    if (fk.schema !== 'public') spec.schema = fk.schema;
    if (partial) spec.where = { kind: 'null-test', column: fk.columns[0]!, isNull: false };
    const create = [renderCreateIndexSql(spec, indexName(fk.table, fk.columns))];
    findings.push({
      kind: 'unindexed-fk',
      severity: 'error',
      schema: fk.schema,
      table: fk.table,
      constraint: fk.name,
      columns: fk.columns,
      declaredCover,
      nullFrac: frac,
      message:
        `No index in the database covers foreign key ${quoteIdent(fk.name)} (${cols}) on ${qualifiedName(fk.table, fk.schema)}: every delete or key update on ${qualifiedName(fk.referencedTable, fk.referencedSchema)} scans the whole table. ` +
        (declaredCover !== null
          ? `schema.prisma declares ${quoteIdent(declaredCover)}, which covers it, but the database lacks it: apply the pending migration (prisma migrate deploy).`
          : `Instead, index it (idxgen generate writes the migration and the declaration)`) +
        (partial
          ? `; ${(frac * 100).toFixed(0)} % of its values are NULL, so index only the rest (WHERE ${quoteIdent(fk.columns[0]!)} IS NOT NULL):`
          : ':'),
      sql: declaredCover !== null ? [] : create,
    });
  }

  for (const b of primary.bloat) {
    const bloat = bloatOf(b);
    if (!bloat || !bloatFlagged(bloat, options)) continue;
    const { bytes, expectedBytes } = bloat;
    const how = b.measured
      ? `pgstattuple measures ${b.measured.leafDensity.toFixed(0)} % leaf density`
      : 'catalog estimate, not a measurement';
    findings.push({
      kind: 'bloated-index',
      severity: 'warn',
      schema: b.schema,
      table: b.table,
      index: b.name,
      bytes,
      expectedBytes,
      estimate: !b.measured,
      message: `${quoteIdent(b.name)} takes ${mib(bytes)}; a fresh build would take about ${mib(expectedBytes)} (${how}): about ${mib(bytes - expectedBytes)} to save. Instead, rebuild it without blocking writes:`,
      sql: statementOf(renderTemplate('sql/introspect/reindex', { qualifiedName: qualifiedName(b.name, b.schema) })),
    });
  }

  for (const t of primary.tables) {
    if (t.kind !== 'p') continue;
    findings.push({
      kind: 'partitioned-table',
      severity: 'info',
      schema: t.schema,
      table: t.table,
      partitions: t.partitions,
      message:
        `${qualifiedName(t.table, t.schema)} is partitioned (${t.partitions} partition${t.partitions === 1 ? '' : 's'}): CREATE INDEX CONCURRENTLY does not work on it. ` +
        `Instead, run idxgen generate with --database-url: it builds such an index with CREATE INDEX ... ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX ... ATTACH PARTITION, one folder each.`,
      sql: [],
    });
  }

  findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.kind.localeCompare(b.kind) ||
      key(a.schema, a.table).localeCompare(key(b.schema, b.table)) ||
      a.message.localeCompare(b.message),
  );
  return {
    servers,
    extensions: primary.extensions,
    tables: primary.tables
      .filter((t) => !t.isPartition)
      .map((t) => ({ ...t, inSchema: modelTables.has(key(t.schema, t.table)) })),
    findings,
  };
}

/** The FK (constraint name) that only this index covers, if any: dropping it would leave the FK unindexed. */
function soleFkCover(index: IndexInfo, facts: DatabaseFacts): string | undefined {
  const onTable = facts.indexes.filter(
    (i) => i !== index && i.valid && i.schema === index.schema && i.table === index.table,
  );
  return facts.foreignKeys.find((fk) => {
    if (fk.schema !== index.schema || fk.table !== index.table) return false;
    const ref = { schema: fk.schema, table: fk.table, columns: fk.columns };
    return (
      coversFk(servingCatalog(index), ref).covers &&
      !onTable.some((other) => coversFk(servingCatalog(other), ref).covers)
    );
  })?.name;
}

/** Duplicate or left-prefix indexes as the database has them, judged by `indexServes`. */
function duplicates(indexes: readonly IndexInfo[], modelTables: ReadonlyMap<string, Table>): InspectFinding[] {
  const out: InspectFinding[] = [];
  const isDeclared = (i: IndexInfo) => {
    const t = modelTables.get(key(i.schema, i.table));
    return t ? declaredNames(t).has(i.name) : false;
  };
  for (const a of indexes) {
    if (!a.valid || a.unique || a.primary || a.expressions.some(Boolean)) continue;
    const cover = indexes.find(
      (b) =>
        b !== a &&
        b.valid &&
        b.schema === a.schema &&
        b.table === a.table &&
        covers(b, a) &&
        !(sameIndex(a, b) && !(b.unique || b.primary) && b.name > a.name),
    );
    if (!cover) continue;
    const declared = isDeclared(a);
    const coveredByDeclared = isDeclared(cover);
    const where =
      declared && coveredByDeclared
        ? 'both are declared in schema.prisma'
        : !declared && !coveredByDeclared
          ? 'neither is declared in schema.prisma'
          : `only ${quoteIdent(declared ? a.name : cover.name)} is declared in schema.prisma`;
    out.push({
      kind: 'duplicate-index',
      severity: 'warn',
      schema: a.schema,
      table: a.table,
      index: a.name,
      coveredBy: cover.name,
      declared,
      coveredByDeclared,
      message: `${quoteIdent(a.name)} is ${sameIndex(a, cover) ? 'a duplicate' : 'a left prefix'} of ${quoteIdent(cover.name)} in the database (${where}): every write maintains both. Instead, drop it${declared ? ' and remove its declaration' : ''}:`,
      sql: [dropSql(a)],
    });
  }
  return out;
}

function sameIndex(a: IndexInfo, b: IndexInfo): boolean {
  return (
    a.method === b.method &&
    JSON.stringify([a.columns, a.opclasses, a.descending, a.include]) ===
      JSON.stringify([b.columns, b.opclasses, b.descending, b.include]) &&
    predicateKeyOf(a) === predicateKeyOf(b)
  );
}

function predicateKeyOf(i: IndexInfo): string {
  return i.predicate === null ? '' : predicateKey(readPredicate(i.predicate));
}

/** Does `b` serve every read `a` serves: same method and predicate, same operator classes, and `b` serves `a`'s key order. */
function covers(b: IndexInfo, a: IndexInfo): boolean {
  if (a.method !== b.method || predicateKeyOf(a) !== predicateKeyOf(b)) return false;
  if (a.method !== 'btree') return sameIndex(a, b);
  if (a.columns.some((c, k) => b.opclasses[k] !== a.opclasses[k] || b.columns[k] !== c)) return false;
  if (!a.include.every((c) => b.columns.includes(c) || b.include.includes(c))) return false;
  const shape = queryShape({
    table: a.table,
    schema: a.schema,
    orderBy: a.columns.map((column, k) => ({ column, direction: a.descending[k] ? 'desc' : 'asc' })),
  });
  return indexServes(servingCatalog(b), shape).verdict === 'serves';
}

/**
 * Size now and after a fresh build: pgstattuple's leaf density when measured, else the catalog
 * estimate (leaf tuple = 8-byte header + MAXALIGNed key + 4-byte line pointer; page = block less
 * its 24-byte header and 16-byte btree special space, filled to the fillfactor). Null when there
 * are no statistics to estimate from.
 */
export function bloatOf(b: BtreeBloatInput): { bytes: number; expectedBytes: number } | null {
  if (b.measured) {
    const expectedBytes = Math.min(b.measured.bytes, b.measured.bytes * (b.measured.leafDensity / b.fillfactor));
    return { bytes: b.measured.bytes, expectedBytes };
  }
  if (b.unanalyzed > 0 || b.tuples < 0 || b.pages < 2) return null;
  const tuple = 8 + Math.ceil(b.keyWidth / 8) * 8 + 4;
  const usable = (b.blockSize - 24 - 16) * (b.fillfactor / 100);
  const expectedPages = Math.max(1, Math.ceil((b.tuples * tuple) / usable)) + 1;
  return { bytes: b.pages * b.blockSize, expectedBytes: expectedPages * b.blockSize };
}

export function bloatFlagged(bloat: { bytes: number; expectedBytes: number }, options: InspectOptions): boolean {
  const waste = bloat.bytes - bloat.expectedBytes;
  return waste >= options.bloatMinBytes && waste / bloat.bytes >= options.bloatMinRatio;
}
