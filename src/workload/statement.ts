/**
 * A SQL statement the application runs, from pg_stat_statements, a `.sql` file or Prisma Client's
 * query log, before it is read into typed shapes. Text only crosses into the workload through the
 * real PostgreSQL parser (src/workload/from-sql.ts).
 */

export type StatementOrigin = 'pg_stat_statements' | 'sql-file' | 'prisma-log';

export interface Statement {
  /** pg_stat_statements' queryid, or libpg-query's fingerprint of the text. */
  fingerprint: string;
  /** The statement as run (normalized with `$n` parameters when it comes from pg_stat_statements). */
  query: string;
  calls: number;
  /** Measured mean time per call (ms), when the source measures it. */
  meanMs?: number;
  /** Measured total time (ms), when the source measures it. */
  totalMs?: number;
  origin: StatementOrigin;
  /** Where it came from, for messages (`pg_stat_statements on host:port/db`, `queries.sql:12`). */
  where: string;
}

const SHORT = 120;

/** The statement on one line, cut to a length a report line holds. */
export function shortenQuery(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length <= SHORT ? flat : `${flat.slice(0, SHORT - 1)}…`;
}
