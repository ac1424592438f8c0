/**
 * The workload: reads the application really makes, from whatever source gave them, as typed
 * `QueryShape`s with how often they ran. Rules propose from it, and the plan confirms or withdraws
 * the proposals that were guessed from names and types.
 */
import type { QueryShape } from '../model/query-shape';
import type { TableStats } from '../model/table-stats';
import type { StatementOrigin } from './statement';

export type WorkloadSource =
  /** A shape recorded by `idxgen/prisma`'s Prisma Client extension. */
  | { kind: 'recorded'; model: string; operation: string; callSites?: string[] }
  /**
   * A SQL statement (pg_stat_statements, a `.sql` file, Prisma Client's query log), read with the
   * real PostgreSQL parser; `text` is shortened for reports, `query` is the whole statement.
   */
  | {
      kind: 'statement';
      origin: StatementOrigin;
      /** pg_stat_statements' queryid, or libpg-query's fingerprint. */
      fingerprint: string;
      text: string;
      query: string;
      /** One plain SELECT: the planner may be asked about it. */
      explainable: boolean;
      /** It has `$n` parameters (planned with EXPLAIN (GENERIC_PLAN)). */
      parameters: boolean;
      /** Measured mean / total time (ms), when the source measures them. */
      meanMs?: number;
      totalMs?: number;
    };

export interface WorkloadRead {
  shape: QueryShape;
  /** How many calls made this read. */
  calls: number;
  source: WorkloadSource;
}

export interface Workload {
  reads: WorkloadRead[];
  /** The files (or servers) it was read from, for messages. */
  origins: string[];
  /** What the live database says about its tables (sizes, write counts, pg_stats), with `--database-url`. */
  tables?: TableStats[];
}

/** The live database's statistics of one table, when the workload came with them. */
export function statsOf(
  workload: Workload | undefined,
  table: string,
  schema: string | undefined,
): TableStats | undefined {
  return workload?.tables?.find((t) => t.table === table && t.schema === (schema ?? 'public'));
}

const byTable = new WeakMap<Workload, Map<string, WorkloadRead[]>>();

/** The reads of one table (database name, schema); indexed once per workload. */
export function readsOf(workload: Workload | undefined, table: string, schema: string | undefined): WorkloadRead[] {
  if (!workload) return [];
  let index = byTable.get(workload);
  if (!index) {
    index = new Map();
    for (const read of workload.reads) {
      const key = `${read.shape.schema ?? 'public'}\u0000${read.shape.table}`;
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(read);
    }
    byTable.set(workload, index);
  }
  return index.get(`${schema ?? 'public'}\u0000${table}`) ?? [];
}
