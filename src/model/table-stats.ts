/**
 * What a live database says about one of its tables (read with `--database-url`, from pg_class,
 * pg_stat_user_tables and pg_stats): its size on disk, its write counts since the statistics were
 * reset, and per column how physically ordered the rows are. Plain data: rules read it from the
 * workload (src/workload/workload.ts), never from a connection.
 */
import type { ServingIndex } from './serves';

export interface TableStats {
  /** Schema name as the database has it (`public` by default). */
  schema: string;
  table: string;
  /** `pg_class.reltuples` (the planner's estimate, as of the last ANALYZE / VACUUM). */
  rows: number;
  /** `pg_class.relpages`: heap pages, as of the last ANALYZE / VACUUM. */
  pages: number;
  /** The server's page size (`block_size`, 8192 unless compiled otherwise). */
  blockSize: number;
  /** Rows inserted, updated and deleted since the statistics were reset. */
  inserts: number;
  updates: number;
  deletes: number;
  /** Per column, from pg_stats (only the columns ANALYZE has seen). */
  columns: ColumnStats[];
  /**
   * The indexes the table has in the database (pg_index), as `indexServes` sees them, expression
   * keys read (`lower(email)`): hand-made indexes too, which the schema does not declare.
   */
  indexes?: ServingIndex[];
}

export interface ColumnStats {
  name: string;
  /**
   * `pg_stats.correlation`: how well the column's order matches the rows' physical order, from
   * -1 (reversed) through 0 (scattered) to 1 (in order). Undefined when ANALYZE gave none.
   */
  correlation?: number;
  /** `pg_stats.avg_width`: average stored width in bytes. */
  avgWidth: number;
  /** `pg_stats.null_frac`: the share of rows where the column is NULL. */
  nullFraction: number;
}
