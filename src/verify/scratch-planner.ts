/**
 * The planner's "after" when the live server has no hypopg: a scratch copy of the tables the
 * workload's proposals touch, on an embedded PostgreSQL 18 started for the run. Each table gets
 * its live columns (no constraints), its valid live indexes, rows sampled from the live
 * statistics (at most SCRATCH_ROWS), and then the live statistics themselves
 * (`pg_restore_attribute_stats`, PostgreSQL 18): the rows give the table its pages, the restored
 * statistics give the planner the live selectivities, and the live share of all-visible pages
 * (`pg_restore_relation_stats`) costs an index-only scan's heap visits as on the live table. A
 * candidate index is built for real on the copy, planned with, and dropped.
 *
 * Measured (BENCHMARKS.md): on a 1M-row table the cost reduction planned on a 100k-row copy was
 * within 2 % of the live one for four query shapes, and an empty copy with restored statistics
 * does not work (the planner counts the table's real pages, not relpages).
 *
 * Weaker evidence than hypopg on the live server, and said so. Reads the live database only
 * through the read-only session; writes only to the throwaway server.
 */
import type { Client } from 'pg';
import { connect } from '../db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded';
import { explainCost, type LiveSession } from '../db/live-session';
import { renderCreateIndexSql } from '../render/sql';
import { renderTemplate } from '../render/templates';
import { qualifiedName, quoteIdent, quoteLiteral } from '../sql/quote';
import type { CandidateIndex, PlannerPort } from '../plan/judge';

/** Rows a copied table gets at most: enough pages for the planner to choose as on the live table. */
export const SCRATCH_ROWS = 100_000;
/** A table the live statistics call empty still gets rows: a plan over nothing says nothing. */
const MIN_ROWS = 1_000;

export interface ScratchPlanner extends PlannerPort {
  /** What was copied and what could not be, for stderr. */
  notes: string[];
  close(): Promise<void>;
}

interface ColumnSource {
  schema: string;
  table: string;
  rows: number;
  /** The live table's share of all-visible pages (relallvisible / relpages). */
  visible: number;
  column: string;
  builtin_type: string | null;
  enum_schema: string | null;
  enum_name: string | null;
  enum_labels: string[] | null;
  null_frac: number | null;
  avg_width: number | null;
  n_distinct: number | null;
  common_values: string | null;
  common_freqs: number[] | null;
  histogram: string | null;
  correlation: number | null;
}

interface IndexSource {
  schema: string;
  table: string;
  name: string;
  definition: string;
}

interface TableCopy {
  schema: string;
  table: string;
  rows: number;
  visible: number;
  columns: ColumnCopy[];
}

interface ColumnCopy {
  source: ColumnSource;
  /** The column's type on the copy; `text` (and no statistics) when the copy cannot make the live type. */
  type: string;
  supported: boolean;
}

/** A pg_catalog type as format_type prints it (`timestamp(3) without time zone`, `integer[]`, `"char"`). */
const BUILTIN_TYPE = /^[a-z0-9_ ",()[\]]+$/;

export async function openScratchPlanner(
  live: LiveSession,
  tables: readonly { schema: string | undefined; table: string }[],
): Promise<ScratchPlanner> {
  const wanted = await qualifiedTables(live, tables);
  const params = [wanted.map((t) => t.schema), wanted.map((t) => t.table)];
  const columns = await live.read<ColumnSource>(
    renderTemplate('sql/scratch/columns', {}),
    params,
    "the tables' columns and statistics (pg_attribute, pg_stats)",
  );
  const indexes = await live.read<IndexSource>(
    renderTemplate('sql/scratch/indexes', {}),
    params,
    "the tables' indexes (pg_index)",
  );
  const copies = tableCopies(columns);

  const started = performance.now();
  const server = await startEmbeddedPostgres();
  let client: Client | undefined;
  try {
    client = await connect({ ...server.connection, database: 'postgres' });
    const notes = await buildCopies(client, copies, indexes, live.server.searchPath);
    const rows = copies.reduce((sum, c) => sum + c.rows, 0);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    notes.unshift(
      `hypopg is not installed on ${live.shown}: the proposals were planned on a scratch copy of ${copies.length} table(s) ` +
        `(an embedded PostgreSQL, ${rows.toLocaleString('en-US')} rows sampled from the live statistics, which were then restored; ` +
        `ready in ${seconds(performance.now() - started)}, of which ${seconds(server.startMs)} starting the server): ` +
        'weaker evidence than hypothetical indexes on the live server. CREATE EXTENSION hypopg lets idxgen plan there; --no-scratch-copy skips the copy.',
    );
    return scratchPort(client, server, notes, copies);
  } catch (error) {
    await client?.end().catch(() => undefined);
    await server.stop().catch(() => undefined);
    throw error;
  }
}

/**
 * Each table with its schema: an unqualified one (a Prisma project's default schema) gets the
 * schema the live server resolves it to. One with no schema to resolve to cannot be copied.
 */
export async function qualifiedTables(
  live: LiveSession,
  tables: readonly { schema: string | undefined; table: string }[],
): Promise<{ schema: string; table: string }[]> {
  const unqualified = [...new Set(tables.flatMap((t) => (t.schema === undefined ? [t.table] : [])))];
  const resolved =
    unqualified.length === 0
      ? []
      : await live.read<{ table: string; schema: string | null }>(
          renderTemplate('sql/scratch/table-schemas', {}),
          [unqualified],
          'the schemas of the unqualified tables (search_path)',
        );
  const schemaOf = new Map(resolved.map((r) => [r.table, r.schema]));
  return tables.flatMap(({ schema, table }) => {
    const resolvedSchema = schema ?? schemaOf.get(table) ?? null;
    return resolvedSchema === null ? [] : [{ schema: resolvedSchema, table }];
  });
}

function tableCopies(columns: readonly ColumnSource[]): TableCopy[] {
  const byTable = new Map<string, TableCopy>();
  for (const source of columns) {
    const key = `${source.schema}\u0000${source.table}`;
    let copy = byTable.get(key);
    if (!copy)
      byTable.set(
        key,
        (copy = {
          schema: source.schema,
          table: source.table,
          rows: rowsFor(source.rows),
          visible: source.visible,
          columns: [],
        }),
      );
    const type = copyType(source);
    copy.columns.push({ source, type: type ?? 'text', supported: type !== undefined });
  }
  return [...byTable.values()];
}

function rowsFor(liveRows: number): number {
  return Math.min(SCRATCH_ROWS, Math.max(MIN_ROWS, Math.round(liveRows)));
}

function copyType(source: ColumnSource): string | undefined {
  if (source.enum_schema !== null && source.enum_name !== null)
    return qualifiedName(source.enum_name, source.enum_schema);
  if (source.builtin_type !== null && BUILTIN_TYPE.test(source.builtin_type)) return source.builtin_type;
  return undefined;
}

async function buildCopies(
  client: Client,
  copies: readonly TableCopy[],
  indexes: readonly IndexSource[],
  searchPath: string,
): Promise<string[]> {
  const notes: string[] = [];
  const run = (sql: string, params: unknown[] = []) => client.query(sql, params);
  await run('SELECT set_config($1, $2, false)', ['search_path', searchPath]);
  for (const schema of new Set(
    copies.flatMap((c) => [
      c.schema,
      ...c.columns.map((col) => col.source.enum_schema).filter((s): s is string => s !== null),
    ]),
  )) {
    await run(renderTemplate('sql/scratch/create-schema', { schema: quoteIdent(schema) }));
  }
  const enums = new Map<string, string[]>();
  for (const column of copies.flatMap((c) => c.columns)) {
    if (column.source.enum_labels) enums.set(column.type, column.source.enum_labels);
  }
  for (const [type, labels] of enums) {
    await run(renderTemplate('sql/scratch/create-enum', { type, labels: labels.map(quoteLiteral).join(', ') }));
  }
  for (const copy of copies) {
    const table = qualifiedName(copy.table, copy.schema);
    await run(
      renderTemplate('sql/scratch/create-table', {
        table,
        columns: copy.columns.map((c) => ({ name: quoteIdent(c.source.column), type: c.type })),
      }),
    );
    await fillTable(client, table, copy);
    const unsupported = copy.columns.filter((c) => !c.supported).map((c) => c.source.column);
    if (unsupported.length > 0)
      notes.push(
        `scratch copy of ${copy.schema}.${copy.table}: column(s) ${unsupported.join(', ')} have a type the copy cannot make; they are text without statistics there`,
      );
  }
  for (const index of indexes) {
    try {
      await run(index.definition);
    } catch (error) {
      notes.push(
        `scratch copy of ${index.schema}.${index.table}: its index ${index.name} could not be copied (${error instanceof Error ? error.message : String(error)}); plans there do not see it`,
      );
    }
  }
  for (const copy of copies) await restoreStatistics(client, copy);
  return notes;
}

async function fillTable(client: Client, table: string, copy: TableCopy): Promise<void> {
  const params: unknown[] = [copy.rows];
  const pools: { alias: string; type: string; common: string; histogram: string }[] = [];
  const columns = copy.columns.map((column) => {
    const { source } = column;
    // Array columns' statistics hold arrays of arrays, which the type's array input refuses: NULL.
    const hasPool =
      column.supported && !column.type.endsWith('[]') && (source.common_values !== null || source.histogram !== null);
    let pool: string | null = null;
    if (hasPool) {
      pool = `p${pools.length}`;
      params.push(source.common_values, source.histogram);
      pools.push({ alias: pool, type: column.type, common: `$${params.length - 1}`, histogram: `$${params.length}` });
    }
    return { name: quoteIdent(source.column), pool, nullFrac: String(source.null_frac ?? 0) };
  });
  await client.query(renderTemplate('sql/scratch/fill-table', { table, columns, pools }), params);
  await client.query(renderTemplate('sql/scratch/analyze', { table }));
}

async function restoreVisibility(client: Client, copy: TableCopy): Promise<void> {
  await client.query(renderTemplate('sql/scratch/restore-visibility', {}), [copy.schema, copy.table, copy.visible]);
}

async function restoreStatistics(client: Client, copy: TableCopy): Promise<void> {
  await restoreVisibility(client, copy);
  for (const { source, supported } of copy.columns) {
    if (!supported || source.null_frac === null) continue;
    await client.query(renderTemplate('sql/scratch/restore-column-stats', {}), [
      copy.schema,
      copy.table,
      source.column,
      source.null_frac,
      source.avg_width,
      source.n_distinct,
      source.common_values,
      source.common_freqs,
      source.histogram,
      source.correlation,
    ]);
  }
}

/**
 * The port over the copy. The candidate indexes of the last question stay built until another set
 * is asked for (judge plans each statement an index serves in turn: one build serves them all).
 */
function scratchPort(
  client: Client,
  server: EmbeddedPostgres,
  notes: string[],
  copies: readonly TableCopy[],
): ScratchPlanner {
  let built: { key: string; drops: string[] } | undefined;
  let serial = 0;
  const dropBuilt = async () => {
    for (const sql of built?.drops ?? []) await client.query(sql);
    built = undefined;
  };
  const build = async (indexes: readonly CandidateIndex[]) => {
    const key = JSON.stringify(indexes.map((i) => [i.spec, i.name]));
    if (built?.key === key) return;
    await dropBuilt();
    const drops: string[] = [];
    built = { key, drops };
    for (const { spec } of indexes) {
      const name = `idxgen_candidate_${++serial}`;
      // Sampled rows repeat values: a unique candidate is planned as a plain one (the restored statistics still say unique).
      await client.query(renderCreateIndexSql({ ...spec, unique: false }, name));
      drops.push(renderTemplate('sql/scratch/drop-index', { index: qualifiedName(name, spec.schema) }));
    }
    // CREATE INDEX counts the copy's all-visible pages again (none: no VACUUM ran there): the live share back.
    for (const copy of copies) await restoreVisibility(client, copy);
  };
  return {
    kind: 'scratch-copy',
    genericPlan: true,
    notes,
    async planCost(query, generic) {
      await dropBuilt();
      return explainCost(client, query, generic);
    },
    async planCostWith(indexes, query, generic) {
      await build(indexes);
      return explainCost(client, query, generic);
    },
    async close() {
      await client.end().catch(() => undefined);
      await server.stop().catch(() => undefined);
    },
  };
}
