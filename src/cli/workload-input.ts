/**
 * The workload inputs of plan / check / generate: `--queries FILE...` (recorded shapes, `.sql`,
 * Prisma Client's query log) and `--database-url [URL]` (the top statements of
 * pg_stat_statements, and the planner that judges the proposals). The live session stays open
 * from reading the workload to judging the plan, and the caller closes it.
 */
import { openLiveSession, resolveDatabaseUrl, type LiveSession, type TableActivity } from '../db/live-session';
import { readStatementFiles } from '../io/read-queries';
import { INDEXES_SQL, type IndexInfo } from '../db/catalog';
import { expressionHints } from '../render/expression-hints';
import { withLiveIndexes } from '../workload/live-indexes';
import { sqlParser } from '../workload/sql-parser';
import type { TableStats } from '../model/table-stats';
import { readPartitionLayout } from '../inspect/introspect';
import { planPartitions } from '../plan/partitions';
import type { Plan } from '../plan/types';
import { renderCreateIndexSql } from '../render/sql';
import { openScratchPlanner } from '../verify/scratch-planner';
import { readsUserTables, type ParsedStatement } from '../workload/from-statements';
import { judgeByPlanner, tablesToJudge, type PlannerPort } from '../plan/judge';
import { confirmIncludes } from '../plan/include-pays';
import { renameEntries } from '../plan/plan';
import type { SchemaModel } from '../model/types';
import { rule as workloadIndexRule, type WorkloadIndexOptions } from '../rules/workload-index';

const workloadIndexDefaults = workloadIndexRule.meta.defaultOptions;
import type { Workload } from '../workload/workload';
import { discoverSchema } from '../io/discover';
import { readConfig } from '../io/read-config';
import { readSchemaFiles } from '../io/read-schema';
import { loadSchemaThen } from '../schema/load';
import { planLoaded, rememberValidSchema, rules, type Planned, type PlanInputOptions } from './context';
import type { CliIO } from './io';

export interface WorkloadFlags {
  /** Query-shape recordings (`--queries`): the workload the rules propose from. */
  queries?: string[];
  /** `--database-url [URL]` as given: '' when given without a value (then DATABASE_URL). */
  databaseUrl?: string;
  /** How many statements of pg_stat_statements, by total time, make the workload. */
  topStatements?: number;
  /** Without hypopg on the server, plan the proposals on a scratch copy of their tables (default true). */
  scratchCopy?: boolean;
}

export const DEFAULT_TOP_STATEMENTS = 500;

export interface WorkloadInput {
  /** `--queries` files holding recorded shapes (read by loadAndPlan). */
  recorded: string[];
  /** Statements from SQL files, Prisma's query log and pg_stat_statements, parsed. */
  statements: ParsedStatement[];
  notes: string[];
  live?: { session: LiveSession; activity: TableActivity[]; tables: TableStats[] };
}

export async function gatherWorkload(io: CliIO, flags: WorkloadFlags): Promise<WorkloadInput> {
  const queries = flags.queries ?? [];
  if (flags.databaseUrl === undefined) {
    const read = await readStatementFiles(io.cwd, queries);
    return {
      recorded: read.recorded,
      statements: read.parsed,
      notes: [...read.notes, ...expressionHints(read.parsed)],
    };
  }
  const session = await openLiveSession(resolveDatabaseUrl(flags.databaseUrl, io.env), io.env);
  try {
    const notes: string[] = [];
    let statements = [] as Awaited<ReturnType<LiveSession['topStatements']>>;
    if (session.server.statements || queries.length === 0)
      statements = await session.topStatements(flags.topStatements ?? DEFAULT_TOP_STATEMENTS);
    else
      notes.push(
        `pg_stat_statements is not installed on ${session.shown}: the workload is the --queries files only; the database judges their proposals`,
      );
    const activity = await session.tableActivity();
    const tables = withLiveIndexes(
      await session.tableStats(),
      await session.read<IndexInfo>(INDEXES_SQL, [null], 'the indexes (pg_index)'),
      await sqlParser(),
    );
    const read = await readStatementFiles(io.cwd, queries, statements);
    notes.push(...read.notes);
    // Statements of pg_stat_statements that read only the system catalogs, or nothing (INSERT, and
    // idxgen's own catalog reads when the server counted them): not the application's reads.
    const parsed = read.parsed.filter((p) => p.statement.origin !== 'pg_stat_statements' || readsUserTables(p));
    const reading = parsed.filter((p) => p.statement.origin === 'pg_stat_statements').length;
    const left = read.parsed.filter((p) => p.statement.origin === 'pg_stat_statements').length - reading;
    notes.push(
      `workload: ${reading} statement(s) from pg_stat_statements on ${session.shown} (PostgreSQL ${session.server.version}${session.server.hypopg ? ', hypopg' : ''})` +
        (left > 0 ? `; ${left} more read only system catalogs or no table (INSERT, DDL): left out` : ''),
    );
    notes.push(...expressionHints(parsed));
    return { recorded: read.recorded, statements: parsed, notes, live: { session, activity, tables } };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * With a live database: the planner judges and ranks the workload's proposals, with hypopg on the
 * server, else on a scratch copy of their tables (unless `--no-scratch-copy`), else by the
 * statements' measured time alone; proposals that save under `minSavedPercent` of the workload's
 * measured time are left out. Lines for stderr.
 */
export async function judgeWithDatabase(
  plan: Plan,
  workload: Workload | undefined,
  input: WorkloadInput,
  scratchCopy = true,
  minSavedPercent = workloadIndexDefaults.minSavedPercent,
  model?: SchemaModel,
): Promise<string[]> {
  if (!input.live || !workload) return [];
  const judge = async (planner: PlannerPort) => {
    // The planner's word on INCLUDE first: what is judged and ranked is the index that will be written.
    const { stripped } = await confirmIncludes(plan, { workload, planner, minSavedPercent });
    if (stripped.length > 0 && model) renameEntries(plan, model);
    return judgeByPlanner(plan, workload, planner, writeActivity, options);
  };
  const { session, activity } = input.live;
  const writeActivity = (table: string, schema: string | undefined) => {
    const found = activity.find((a) => a.table === table && a.schema === (schema ?? 'public'));
    if (!found) return undefined;
    return {
      indexes: found.indexes,
      writesPerSecond: (found.inserts + found.updates + found.deletes) / found.statsAgeSeconds,
    };
  };
  const liveOnly: PlannerPort = {
    kind: session.server.hypopg ? 'hypopg' : 'none',
    genericPlan: session.server.genericPlan,
    planCost: (query, generic) => session.planCost(query, generic),
    planCostWith: (indexes, query, generic) =>
      session.planCostWith(
        indexes.map((i) => renderCreateIndexSql(i.spec, i.name)),
        query,
        generic,
      ),
  };
  const options = { minSavedPercent };
  const tables = tablesToJudge(plan);
  if (session.server.hypopg || !scratchCopy || tables.length === 0) return judge(liveOnly);
  const scratch = await openScratchPlanner(session, tables);
  try {
    // "before" on the live server would mix two servers' costs: both sides are planned on the copy.
    return [...scratch.notes, ...(await judge(scratch))];
  } finally {
    await scratch.close();
  }
}

/**
 * loadAndPlan with the workload flags: gather (files, live database), plan, judge by the planner
 * when a database is given, close the session. Notes go to stderr. Prisma's validator works on the
 * worker the bin started (when it pays) while the workload is read; nothing is judged on the
 * database (a scratch copy is written there) before it has found the schema valid.
 */
export async function planWithWorkload(io: CliIO, options: PlanInputOptions): Promise<Planned> {
  const config = readConfig(io.cwd, rules, options.config);
  const location = discoverSchema(io.cwd, options.schema);
  let gathered: WorkloadInput | undefined;
  try {
    const sources = readSchemaFiles(location.files, io.cwd);
    const { planned, workload } = await loadSchemaThen(sources, options.cache, async (schema) => {
      const workload = await gatherWorkload(io, options);
      gathered = workload; // its session is closed below, whatever happens next
      const { recorded: queries, statements } = workload;
      const tables = workload.live?.tables;
      return {
        planned: planLoaded(
          io.cwd,
          { location, schema, config },
          { queries, statements, ...(tables ? { tables } : {}) },
        ),
        workload,
      };
    });
    rememberValidSchema(io, options, location);
    // Before anything reads an entry's SQL: an index on a partitioned table gets the safe sequence.
    const session = workload.live?.session;
    const partitioned = session
      ? planPartitions(
          planned.plan,
          await readPartitionLayout((sql, params) =>
            session.read(sql, params ?? [], 'the partitioned tables (pg_inherits, pg_partitioned_table)'),
          ),
        )
      : [];
    const ruleOptions = planned.config.rules['workload-index']?.options as Partial<WorkloadIndexOptions> | undefined;
    const judged = await judgeWithDatabase(
      planned.plan,
      planned.workload,
      workload,
      options.scratchCopy ?? true,
      ruleOptions?.minSavedPercent,
      planned.schema.model,
    );
    return { ...planned, notes: [...workload.notes, ...planned.notes, ...partitioned, ...judged] };
  } finally {
    await gathered?.live?.session.close();
  }
}
