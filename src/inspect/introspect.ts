/**
 * Reads a live database for `idxgen inspect`, read-only: one connection per URL,
 * `default_transaction_read_only = on`, a statement_timeout, `application_name = 'idxgen'`. Every
 * query is a template under templates/sql/introspect/ (PostgreSQL 13+ catalog columns only); the
 * comparison with the schema is pure (src/inspect/introspect-compare.ts).
 */
import { Client } from 'pg';
import { renderTemplate, type TemplateName } from '../render/templates';
import { listForeignKeyCoverage, listIndexes, type ForeignKeyCoverage, type IndexInfo } from '../db/catalog';
import { connect, type DbTarget } from '../db/client';
import type { PartitionLayout, PartitionNode } from '../model/partition-layout';

export interface ServerFacts {
  versionNum: number;
  version: string;
  /** Since when the statistics count: the last `pg_stat_database.stats_reset`, else server start. */
  statsSince: Date;
  statsWereReset: boolean;
  now: Date;
}

export interface IndexUsage {
  schema: string;
  table: string;
  name: string;
  scans: number;
  bytes: number;
  /** Backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint. */
  backsConstraint: boolean;
}

export interface TableFacts {
  schema: string;
  table: string;
  /** `r` plain table, `p` partitioned parent. */
  kind: 'r' | 'p';
  bytes: number;
  /** `pg_class.reltuples`: -1 (13: 0) until the first ANALYZE. */
  rows: number;
  inserts: number;
  updates: number;
  deletes: number;
  isPartition: boolean;
  partitions: number;
}

export interface ExtensionFacts {
  name: string;
  installedVersion: string | null;
  defaultVersion: string | null;
}

export interface NullFraction {
  schema: string;
  table: string;
  column: string;
  nullFrac: number;
}

export interface BtreeBloatInput {
  schema: string;
  table: string;
  name: string;
  pages: number;
  tuples: number;
  blockSize: number;
  keyWidth: number;
  /** Key columns without pg_stats (never analyzed): no estimate then. */
  unanalyzed: number;
  fillfactor: number;
  /** pgstattuple's measurement, when the extension is installed and the estimate flagged the index. */
  measured?: { bytes: number; leafDensity: number };
}

/** Everything inspect reads from one database. */
/** An index of a partitioned table, and the partitions of its table with no index attached to it. */
export interface PartitionedIndex {
  schema: string;
  name: string;
  /** `kind`: `r` a table, `p` partitioned again, `f` a foreign table. */
  unattached: { schema: string; table: string; kind: string }[];
}

export interface DatabaseFacts {
  server: ServerFacts;
  indexes: IndexInfo[];
  usage: IndexUsage[];
  foreignKeys: ForeignKeyCoverage[];
  tables: TableFacts[];
  extensions: ExtensionFacts[];
  nullFractions: NullFraction[];
  bloat: BtreeBloatInput[];
  partitionedIndexes: PartitionedIndex[];
}

export interface ReadOnlyOptions {
  /** statement_timeout for every query, ms. */
  statementTimeoutMs: number;
}

/** A read-only session: every transaction read-only, bounded statements, named `idxgen` in pg_stat_activity. */
export async function openReadOnly(target: DbTarget, options: ReadOnlyOptions): Promise<Client> {
  const client = await connect(target, { application_name: 'idxgen', connectionTimeoutMillis: 10_000 });
  try {
    await client.query('SET default_transaction_read_only = on');
    await client.query(`SET statement_timeout = ${Math.max(1, Math.floor(options.statementTimeoutMs))}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * The rows of one introspection query. Each query names its columns after the fields of the type it
 * fills (quoted camelCase aliases), so a row is that fact as read, with no mapping in between.
 */
async function rows<R extends object>(client: Client, name: TemplateName): Promise<R[]> {
  return (await client.query(renderTemplate(name, {}))).rows as R[];
}

/** Reads everything inspect needs, in one read-only transaction (one consistent snapshot). */
export async function readDatabaseFacts(client: Client): Promise<DatabaseFacts> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const [server] = await rows<ServerFacts>(client, 'sql/introspect/server');
    if (!server) throw new Error('pg_stat_database has no row for the current database');
    if (server.versionNum < 130000) throw new ServerTooOld(server.version);
    const indexes = await listIndexes(client);
    return {
      server,
      indexes,
      usage: await rows<IndexUsage>(client, 'sql/introspect/index-usage'),
      foreignKeys: await listForeignKeyCoverage(client, {}, indexes),
      tables: await rows<TableFacts>(client, 'sql/introspect/tables'),
      extensions: await rows<ExtensionFacts>(client, 'sql/introspect/extensions'),
      nullFractions: await rows<NullFraction>(client, 'sql/introspect/null-fractions'),
      bloat: await rows<BtreeBloatInput>(client, 'sql/introspect/btree-bloat'),
      partitionedIndexes: await rows<PartitionedIndex>(client, 'sql/introspect/partitioned-indexes'),
    };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** The server is older than PostgreSQL 13 (the oldest inspect supports). */
export class ServerTooOld extends Error {
  constructor(readonly version: string) {
    super(`the server runs PostgreSQL ${version}; inspect needs PostgreSQL 13 or newer`);
  }
}

/**
 * With pgstattuple installed, measures the indexes `flagged` (by the catalog estimate) with
 * pgstatindex; an index it cannot measure (no privilege, gone meanwhile) keeps its estimate.
 */
export async function measureBloat(
  client: Client,
  facts: DatabaseFacts,
  flagged: (b: BtreeBloatInput) => boolean,
): Promise<void> {
  if (!facts.extensions.some((e) => e.name === 'pgstattuple' && e.installedVersion !== null)) return;
  for (const b of facts.bloat) {
    if (!flagged(b)) continue;
    try {
      const [row] = (await client.query(renderTemplate('sql/introspect/pgstatindex', {}), [b.schema, b.name])).rows as {
        bytes: number;
        density: number;
      }[];
      if (row && Number.isFinite(row.density)) b.measured = { bytes: row.bytes, leafDensity: row.density };
    } catch {
      // Keep the estimate: the report labels it as one.
    }
  }
}

export type { PartitionLayout, PartitionNode } from '../model/partition-layout';

/** One query runner: the caller's read-only session. */
export type RunQuery = <R extends object>(sql: string, params?: unknown[]) => Promise<R[]>;

const KINDS: Record<string, PartitionNode['kind'] | undefined> = { r: 'table', p: 'partitioned', f: 'foreign' };

/** The partitioned tables of the database, as trees, and the names taken around their partitions. */
export async function readPartitionLayout(run: RunQuery): Promise<PartitionLayout> {
  const rows = await run<{
    schema: string;
    table: string;
    kind: string;
    parent_schema: string | null;
    parent_table: string | null;
    key_columns: string[] | null;
  }>(renderTemplate('sql/introspect/partitions', {}));
  const key = (schema: string, table: string) => `${schema}\u0000${table}`;
  const nodes = new Map<string, PartitionNode>();
  for (const r of rows) {
    const kind = KINDS[r.kind];
    // Another relkind (none exists today) cannot take an index: it shows as foreign, which refuses.
    nodes.set(key(r.schema, r.table), {
      schema: r.schema,
      table: r.table,
      kind: kind ?? 'foreign',
      keyColumns: r.kind === 'p' ? r.key_columns : null,
      partitions: [],
    });
  }
  for (const r of rows) {
    if (r.parent_schema === null || r.parent_table === null) continue;
    nodes.get(key(r.parent_schema, r.parent_table))?.partitions.push(nodes.get(key(r.schema, r.table))!);
  }
  const partitioned = [...nodes.values()].filter((n) => n.kind === 'partitioned');
  const schemas = [
    ...new Set(partitioned.flatMap((n) => n.partitions.map((p) => p.schema)).concat(partitioned.map((n) => n.schema))),
  ].sort();
  const names =
    schemas.length === 0
      ? []
      : await run<{ schema: string; name: string }>(renderTemplate('sql/introspect/relation-names', {}), [schemas]);
  return { partitioned, takenNames: new Set(names.map((n) => key(n.schema, n.name))) };
}
