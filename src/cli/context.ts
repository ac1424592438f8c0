import type { Config } from '../config/config';
import { UserError } from '../errors';
import { discoverSchema, type SchemaLocation } from '../io/discover';
import * as path from 'node:path';
import { readPrismaVersion } from '../compat/prisma-version';
import { readMigrations, resolveMigrationsDir } from '../io/read-migrations';
import { readConfig } from '../io/read-config';
import { readSchemaFiles } from '../io/read-schema';
import { rememberValidated } from '../io/validation-cache';
import type { TableStats } from '../model/table-stats';
import type { SchemaModel } from '../model/types';
import { foldersFor, needsMigrations, settleByMigrations } from '../plan/in-migrations';
import { replayMigrations } from '../generate/migration-sql';
import { sqlParser } from '../workload/sql-parser';
import { buildPlan } from '../plan/plan';
import type { Plan, PlanEntry } from '../plan/types';
import { isSuppressed, parseAnnotations, unusedSuppressions } from '../rules/annotations';
import { allRules } from '../rules/registry';
import { loadSchema, loadSchemaThen, type LoadedSchema } from '../schema/load';
import type { ValidationCache } from '../schema/validate';
import type { Workload } from '../workload/workload';
import type { CliIO } from './io';
import type { WorkloadFlags } from './workload-input';
import type { ParsedStatement } from '../workload/from-statements';

export interface Planned {
  location: SchemaLocation;
  schema: LoadedSchema;
  config: Config;
  plan: Plan;
  /** Lines to tell the user about the inputs (query shapes naming models the schema lacks). */
  notes: string[];
  /** The workload the plan was made from, when one was given. */
  workload?: Workload;
}

export const rules = allRules;

/** The shared front half of every command: find, read, validate, model, configure, plan. */
export function loadAndPlan(
  cwd: string,
  options: {
    schema?: string;
    config?: string;
    cache?: ValidationCache;
    queries?: readonly string[];
    statements?: readonly ParsedStatement[];
    tables?: readonly TableStats[];
  },
): Planned {
  const config = readConfig(cwd, rules, options.config);
  const location = discoverSchema(cwd, options.schema);
  const schema = loadSchema(readSchemaFiles(location.files, cwd), options.cache);
  return planLoaded(cwd, { location, schema, config }, options);
}

/** loadAndPlan's second half: the plan of a loaded schema, with the workload given. */
export function planLoaded(
  cwd: string,
  { location, schema, config }: Pick<Planned, 'location' | 'schema' | 'config'>,
  workload: {
    queries?: readonly string[];
    statements?: readonly ParsedStatement[];
    tables?: readonly TableStats[];
  },
): Planned {
  const given =
    (workload.queries?.length ?? 0) > 0 || (workload.statements?.length ?? 0) > 0 || workload.tables !== undefined;
  const loaded = given
    ? (require('../io/read-queries') as typeof import('../io/read-queries')).readQueries(
        cwd,
        workload.queries ?? [],
        schema.model,
        workload.statements,
        workload.tables,
      )
    : undefined;
  return {
    location,
    schema,
    config,
    plan: planModel(schema.model, config, loaded?.workload),
    notes: loaded?.notes ?? [],
    ...(loaded ? { workload: loaded.workload } : {}),
  };
}

/** Plans a model; malformed `///` annotations are bad input (exit 2), like a schema error. */
export function planModel(model: SchemaModel, config: Config, workload?: Workload): Plan {
  const enabled = rules.filter((r) => (config.rules[r.meta.id]?.severity ?? r.meta.defaultSeverity) !== 'off');
  const { annotations, errors } = parseAnnotations(model, { knownRuleIds: rules.map((r) => r.meta.id) });
  if (errors.length > 0) {
    throw new UserError(
      errors.map((e) => ({ file: e.span.file, line: e.span.line, column: e.span.column, message: e.message })),
    );
  }
  const problems = enabled.flatMap((rule) => {
    return rule.diagnoseWith(
      { model, tables: model.tables.filter((t) => t.kind !== 'view') },
      config.rules[rule.meta.id]?.options,
    );
  });
  if (problems.length > 0) {
    throw new UserError(
      problems.map((p) =>
        p.span
          ? { file: p.span.file, line: p.span.line, column: p.span.column, message: p.message }
          : { file: config.source, message: p.message },
      ),
    );
  }
  const { suppressions } = annotations;
  const plan = buildPlan({
    model,
    config,
    rules,
    ...(workload ? { workload } : {}),
    isSuppressed: (proposal) => {
      const s = isSuppressed(suppressions, proposal, model);
      return s ? `suppressed by \`/// idxgen-ignore ${s.rules.join(', ')} -- ${s.reason}\`` : undefined;
    },
  });
  const enabledIds = new Set(enabled.map((r) => r.meta.id));
  plan.unusedSuppressions = unusedSuppressions(suppressions, plan.findings, model)
    .filter((u) => enabledIds.has(u.ruleId))
    .map((u) => ({ ruleIds: [u.ruleId], reason: u.suppression.reason, span: u.suppression.span }));
  return plan;
}

/**
 * `plan` and `check`: drop from the plan what the project's migrations already create (a CHECK
 * constraint written by an earlier generate), the way generate finds the folder and reads it. The
 * folder is read only when the plan holds something a migration alone can settle, so a `check` on
 * a schema without such proposals reads nothing more.
 */
export async function settleWithMigrations(
  cwd: string,
  planned: Planned,
  relevant?: (entry: PlanEntry) => boolean,
): Promise<void> {
  if (!needsMigrations(planned.plan, relevant)) return;
  const datasourceFile = planned.schema.sources.find((s) =>
    /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m.test(s.content),
  )?.path;
  // plan and check take no --migrations: the folder Prisma (and generate without the flag) would use.
  const migrations = resolveMigrationsDir(cwd, planned.location, {
    datasourceFile,
    prismaVersion: readPrismaVersion(cwd),
  });
  const rel = path.relative(cwd, migrations.dir);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : migrations.dir;
  const folders = foldersFor(planned.plan, readMigrations(migrations.dir, shown).folders);
  // Only a folder that names one of those entries is parsed, and only then is the parser loaded.
  if (folders.length === 0) return;
  await sqlParser();
  settleByMigrations(planned.plan, replayMigrations(folders));
}

/**
 * After a run found its schema valid (or wrote one it had validated): the hint that lets the next
 * run of the same flags skip the validator worker (src/io/validation-cache.ts, `validatedBefore`).
 */
export function rememberValidSchema(io: CliIO, options: PlanInputOptions, location: SchemaLocation): void {
  if (options.cache)
    rememberValidated({ cwd: io.cwd, schema: options.schema, config: options.config }, io.env, location.files);
}

/** The flags of plan / check / generate that say what to plan: the schema, the config and the workload (`--queries`, `--database-url`). */
export interface PlanInputOptions extends WorkloadFlags {
  schema?: string;
  config?: string;
  /** Remembers schemas Prisma validated clean (see src/io/validation-cache.ts). */
  cache?: ValidationCache;
}

/**
 * Plan with the workload flags of plan / check / generate. Without `--queries` or
 * `--database-url` neither the SQL parser nor a database driver is loaded (check stays quick).
 */
export function planFor(io: CliIO, options: PlanInputOptions): Promise<Planned> {
  return planThen(io, options, (planned) => planned);
}

/**
 * `prepare(await planFor(io, options))`, except that `prepare` may run while Prisma's validator is
 * still at work on a worker thread (see `loadSchemaThen`): a command renders its report there, and
 * prints it once the schema is known to be valid. So `prepare` only reads; writing is left to the
 * caller, after this resolves.
 */
export async function planThen<P>(
  io: CliIO,
  options: PlanInputOptions,
  prepare: (planned: Planned) => P | Promise<P>,
): Promise<P> {
  if (options.databaseUrl === undefined && (options.queries?.length ?? 0) === 0) {
    // loadAndPlan, with Prisma's validator on a worker thread while this one plans.
    const config = readConfig(io.cwd, rules, options.config);
    const location = discoverSchema(io.cwd, options.schema);
    const prepared = await loadSchemaThen(readSchemaFiles(location.files, io.cwd), options.cache, (schema) =>
      prepare({ location, schema, config, plan: planModel(schema.model, config), notes: [] }),
    );
    rememberValidSchema(io, options, location);
    return prepared;
  }
  return prepare(
    await (require('./workload-input') as typeof import('./workload-input')).planWithWorkload(io, options),
  );
}
