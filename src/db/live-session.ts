/**
 * `--database-url`: one read-only session on the user's live database. It reads
 * pg_stat_statements, the tables' write rates, and asks the planner (EXPLAIN, never ANALYZE; with
 * hypopg, hypothetical indexes that live only in this session). It never writes: the session is
 * `default_transaction_read_only`, every statement has a timeout, and it shows up as
 * `application_name = 'idxgen'`.
 *
 * Every failure is a UserError (exit 2) naming what is missing, with the password scrubbed from
 * the message: the password never reaches any output.
 */
import type { Client } from 'pg';
import { pg } from './pg';
import { UserError } from '../errors';
import { parseDatabaseUrl, redactUrl } from './url';
import type { TableStats } from '../model/table-stats';
import type { Statement } from '../workload/statement';

/**
 * Statements that are never a read an index serves, whoever runs them: transaction control, session
 * settings, EXPLAIN (idxgen's own, when pg_stat_statements counted them), cursor and maintenance
 * commands. Left out in the query so they take none of the top-N places; what starts otherwise (a
 * comment first) is still judged by the parser, which reads shapes only from SELECT, UPDATE and
 * DELETE. A keyword of the grammar, never idxgen's own text, so the application's BEGIN, a
 * pooler's DISCARD ALL and idxgen's SET and EXPLAIN go alike.
 */
const UTILITY_COMMANDS =
  '^\\s*(explain|set|show|reset|begin|start|commit|end|rollback|abort|savepoint|release|prepare|execute|deallocate|discard|listen|unlisten|notify|vacuum|analyze|checkpoint|lock|fetch|move|close|declare)\\y';
/** Per statement (ms): catalog reads and EXPLAINs are quick; a slow one is a sick server. */
const STATEMENT_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** pg_stat_statements' columns as read here (`total_exec_time`) exist from PostgreSQL 13. */
const MIN_SERVER = 130000;
/** `EXPLAIN (GENERIC_PLAN)` plans `$1` queries without values from PostgreSQL 16. */
const GENERIC_PLAN_SERVER = 160000;

export interface ServerFacts {
  versionNum: number;
  version: string;
  /** pg_stat_statements is installed and readable in this database. */
  statements: boolean;
  /** hypopg is installed in this database (hypothetical indexes). */
  hypopg: boolean;
  /** EXPLAIN (GENERIC_PLAN) is available (PostgreSQL 16+). */
  genericPlan: boolean;
  /** The session's search_path: how the statements' unqualified names resolve. */
  searchPath: string;
  /** This session's own statements are not counted by pg_stat_statements (`pg_stat_statements.track = none` was allowed). */
  untracked: boolean;
}

export interface TableActivity {
  schema: string;
  table: string;
  /** Rows inserted, updated, deleted since the statistics were reset. */
  inserts: number;
  updates: number;
  deletes: number;
  /** Indexes on the table now (each one is written on every insert). */
  indexes: number;
  estimatedRows: number;
  /** Seconds the counters cover (since stats_reset or server start). */
  statsAgeSeconds: number;
}

export interface LiveSession {
  /** `host:port/database`, never the password. */
  readonly shown: string;
  readonly server: ServerFacts;
  /** The top `limit` statements of this database by total execution time. */
  topStatements(limit: number): Promise<Statement[]>;
  tableActivity(): Promise<TableActivity[]>;
  /** Sizes, write counts and pg_stats of the user tables (pg_stats shows only what the role may SELECT). */
  tableStats(): Promise<TableStats[]>;
  /** The planner's total cost for one SELECT (generic plan when it has `$n` parameters). */
  planCost(query: string, generic: boolean): Promise<number>;
  /** The same with hypothetical indexes (hypopg) in place; they are removed afterwards. */
  planCostWith(createIndexSql: readonly string[], query: string, generic: boolean): Promise<number>;
  /** One catalog read (the session is read-only); a failure says `what` could not be read. */
  read<R extends object>(sql: string, params: unknown[], what: string): Promise<R[]>;
  close(): Promise<void>;
}

/** `--database-url` given without a value: `DATABASE_URL`, as Prisma users expect. */
export function resolveDatabaseUrl(flag: string, env: NodeJS.ProcessEnv): string {
  if (flag !== '') return flag;
  const fromEnv = env.DATABASE_URL;
  if (!fromEnv)
    throw new UserError(
      '--database-url was given without a URL and DATABASE_URL is not set: pass --database-url postgresql://user@host:5432/db or set DATABASE_URL',
    );
  return fromEnv;
}

export async function openLiveSession(url: string, env: NodeJS.ProcessEnv): Promise<LiveSession> {
  const parsed = parseDatabaseUrl(url, env);
  const secrets = [parsed.password, encodeURIComponent(parsed.password), url].filter((s) => s.length > 0);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);
  const shown = `${parsed.host}:${parsed.port}/${parsed.database}`;
  const fail = (what: string, error?: unknown): UserError =>
    new UserError(
      scrub(`--database-url ${redactUrl(url)}: ${what}${error === undefined ? '' : `: ${messageOf(error)}`}`),
    );

  const client = new (pg().Client)({
    host: parsed.host,
    port: parsed.port,
    user: parsed.user,
    password: parsed.password,
    database: parsed.database,
    application_name: 'idxgen',
    statement_timeout: STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...sslOf(url),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw fail(`cannot connect as "${parsed.user}"`, error);
  }
  const run = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await client.query<R & Record<string, unknown>>(sql, params)).rows;
  try {
    // idxgen's own statements (these SETs, its catalog reads, its EXPLAINs) must not become the
    // workload it reads back, nor crowd the application's out of pg_stat_statements: a superuser
    // (or a role granted SET ON PARAMETER pg_stat_statements.track, PostgreSQL 15+) stops them
    // being counted at all. Others may not; topStatements leaves such statements out instead.
    const untracked = await run("SET pg_stat_statements.track = 'none'").then(
      () => true,
      () => false,
    );
    await run('SET default_transaction_read_only = on');
    await run(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    const [info] = await run<{ num: string; version: string; search_path: string }>(
      "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version, current_setting('search_path') AS search_path",
    );
    const versionNum = Number(info!.num);
    if (versionNum < MIN_SERVER)
      throw fail(`PostgreSQL ${info!.version} is too old: idxgen reads pg_stat_statements of PostgreSQL 13 or later`);
    const extensions = new Set(
      (await run<{ extname: string }>('SELECT extname FROM pg_extension')).map((r) => r.extname),
    );
    const server: ServerFacts = {
      versionNum,
      version: info!.version,
      statements: extensions.has('pg_stat_statements'),
      hypopg: extensions.has('hypopg'),
      genericPlan: versionNum >= GENERIC_PLAN_SERVER,
      searchPath: info!.search_path,
      untracked,
    };
    return {
      shown,
      server,
      async topStatements(limit) {
        if (!server.statements) {
          throw fail(
            `pg_stat_statements is not installed in database "${parsed.database}": idxgen reads the workload from it. ` +
              'Add pg_stat_statements to shared_preload_libraries, restart, run CREATE EXTENSION pg_stat_statements (as its owner), or give the workload with --queries FILE',
          );
        }
        const [role] = await run<{ allowed: boolean }>(
          "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS allowed",
        );
        if (!role?.allowed) {
          throw fail(
            `role "${parsed.user}" may not read other roles' statements in pg_stat_statements (it would see only its own): GRANT pg_read_all_stats TO "${parsed.user}"`,
          );
        }
        let rows: { queryid: string | null; query: string | null; calls: string; total: number; mean: number }[];
        try {
          rows = await run(
            `SELECT queryid::text AS queryid, query, calls::text AS calls, total_exec_time AS total, mean_exec_time AS mean
               FROM pg_stat_statements
              WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
                AND query !~* $2
              ORDER BY total_exec_time DESC
              LIMIT $1`,
            [limit, UTILITY_COMMANDS],
          );
        } catch (error) {
          throw fail('cannot read pg_stat_statements', error);
        }
        const readable = rows.filter((r) => r.query !== null && r.query !== '<insufficient privilege>');
        if (rows.length > 0 && readable.length === 0) {
          throw fail(
            `role "${parsed.user}" may not read other roles' statements in pg_stat_statements: GRANT pg_read_all_stats TO "${parsed.user}"`,
          );
        }
        return readable.map((r) => ({
          fingerprint: r.queryid ?? 'unknown',
          query: r.query!,
          calls: Number(r.calls),
          meanMs: r.mean,
          totalMs: r.total,
          origin: 'pg_stat_statements' as const,
          where: `pg_stat_statements on ${shown}`,
        }));
      },
      async tableActivity() {
        try {
          const rows = await run<{
            schema: string;
            table: string;
            ins: string;
            upd: string;
            del: string;
            indexes: number;
            estimate: number;
            age: number;
          }>(
            `SELECT s.schemaname AS schema, s.relname AS table, s.n_tup_ins::text AS ins, s.n_tup_upd::text AS upd, s.n_tup_del::text AS del,
                    (SELECT count(*)::int FROM pg_index i WHERE i.indrelid = s.relid) AS indexes,
                    GREATEST(c.reltuples, 0)::float8 AS estimate,
                    EXTRACT(EPOCH FROM now() - COALESCE((SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), pg_postmaster_start_time()))::float8 AS age
               FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid`,
          );
          return rows.map((r) => ({
            schema: r.schema,
            table: r.table,
            inserts: Number(r.ins),
            updates: Number(r.upd),
            deletes: Number(r.del),
            indexes: r.indexes,
            estimatedRows: r.estimate,
            statsAgeSeconds: Math.max(1, r.age),
          }));
        } catch (error) {
          throw fail('cannot read pg_stat_user_tables', error);
        }
      },
      async tableStats() {
        try {
          const [setting] = await run<{ size: string }>("SELECT current_setting('block_size') AS size");
          const tables = await run<{
            schema: string;
            table: string;
            rows: number;
            pages: number;
            ins: string;
            upd: string;
            del: string;
          }>(
            `SELECT s.schemaname AS schema, s.relname AS table, GREATEST(c.reltuples, 0)::float8 AS rows, c.relpages::int AS pages,
                    s.n_tup_ins::text AS ins, s.n_tup_upd::text AS upd, s.n_tup_del::text AS del
               FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid`,
          );
          const columns = await run<{
            schema: string;
            table: string;
            name: string;
            correlation: number | null;
            width: number;
            nulls: number;
          }>(
            `SELECT schemaname AS schema, tablename AS table, attname AS name, correlation::float8 AS correlation, avg_width AS width, null_frac::float8 AS nulls
               FROM pg_stats
              WHERE NOT inherited AND schemaname NOT IN ('pg_catalog', 'information_schema')`,
          );
          const byTable = new Map<string, TableStats['columns']>();
          for (const c of columns) {
            const key = `${c.schema}\u0000${c.table}`;
            let list = byTable.get(key);
            if (!list) byTable.set(key, (list = []));
            list.push({
              name: c.name,
              ...(c.correlation !== null ? { correlation: c.correlation } : {}),
              avgWidth: c.width,
              nullFraction: c.nulls,
            });
          }
          return tables.map((t) => ({
            schema: t.schema,
            table: t.table,
            rows: t.rows,
            pages: t.pages,
            blockSize: Number(setting!.size),
            inserts: Number(t.ins),
            updates: Number(t.upd),
            deletes: Number(t.del),
            columns: byTable.get(`${t.schema}\u0000${t.table}`) ?? [],
          }));
        } catch (error) {
          throw fail('cannot read pg_stat_user_tables and pg_stats', error);
        }
      },
      async planCost(query, generic) {
        return explainCost(client, query, generic);
      },
      async planCostWith(createIndexSql, query, generic) {
        try {
          for (const sql of createIndexSql) await run('SELECT indexrelid FROM hypopg_create_index($1)', [sql]);
          return await explainCost(client, query, generic);
        } finally {
          await run('SELECT hypopg_reset()').catch(() => undefined);
        }
      },
      async read(sql, params, what) {
        try {
          return await run(sql, params);
        } catch (error) {
          throw fail(`cannot read ${what}`, error);
        }
      },
      async close() {
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    if (error instanceof UserError) throw error;
    throw fail('cannot read the server settings', error);
  }
}

/**
 * `EXPLAIN (FORMAT JSON)` of a statement the caller checked is one plain SELECT (the parser said
 * so): it is planned, never run. `GENERIC_PLAN` plans `$n` parameters without values.
 */
export async function explainCost(client: Client, query: string, generic: boolean): Promise<number> {
  const rows = (
    await client.query<{ 'QUERY PLAN': { Plan: { 'Total Cost': number } }[] }>(
      `EXPLAIN (${generic ? 'GENERIC_PLAN, ' : ''}FORMAT JSON) ${query}`,
    )
  ).rows;
  const cost = rows[0]?.['QUERY PLAN'][0]?.Plan['Total Cost'];
  if (typeof cost !== 'number') throw new Error('EXPLAIN returned no cost');
  return cost;
}

function sslOf(url: string): { ssl?: { rejectUnauthorized: boolean } } {
  const mode = new URL(url).searchParams.get('sslmode');
  if (mode === 'require' || mode === 'prefer') return { ssl: { rejectUnauthorized: false } };
  if (mode === 'verify-ca' || mode === 'verify-full') return { ssl: { rejectUnauthorized: true } };
  return {};
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
