import type Yargs from 'yargs';
import type { Argv } from 'yargs';
import { ExitCode, UserError, formatDiagnostic } from '../errors';
import { openValidationCache } from '../io/validation-cache';
import { discardValidatorWorker } from '../schema/prisma-wasm-worker';
import { processIO, type CliIO } from './io';
import { testFault } from './test-fault';
import type { PlanInputOptions } from './context';
import { FAST_SPECS, FORMATS, LEVELS, parseFast, type FastInvocation } from './fast-args';
import { prestartValidatorWorkerIfItPays } from './prestart';

type Format = (typeof FORMATS)[number];

interface CommonArgs {
  schema?: string;
  config?: string;
  cache: boolean;
}
type WorkloadFlags = {
  queries?: string[];
  'database-url'?: string;
  'top-statements'?: number;
  'scratch-copy'?: boolean;
};
type PlanArgs = CommonArgs & WorkloadFlags & { format: Format; verbose: boolean };
type CheckArgs = CommonArgs &
  WorkloadFlags & { format: Format; level: (typeof LEVELS)[number]; baseline?: string; 'update-baseline': boolean };
const QUERIES_OPTION = {
  type: 'array',
  string: true,
  describe:
    'the workload: a .sql file, Prisma Client query-event JSON lines, or the shapes idxgen/prisma recordQueryShapes writes: propose from the reads it makes',
} as const;
const DATABASE_URL_OPTION = {
  type: 'string',
  describe:
    'read the workload from this live database (pg_stat_statements, read-only) and judge proposals with its planner (hypopg); without a value: DATABASE_URL',
} as const;
const TOP_STATEMENTS_OPTION = {
  type: 'number',
  describe:
    'with --database-url: how many statements of pg_stat_statements (by total time) make the workload (default 500)',
} as const;

const SCRATCH_COPY_OPTION = {
  type: 'boolean',
  default: true,
  describe:
    'with --database-url and no hypopg on the server: plan the proposals on a scratch copy of their tables (an embedded PostgreSQL); --no-scratch-copy ranks them by measured time only',
} as const;

/** --database-url and --format of the commands that watch a database and report events (deploy, progress). */
const EVENTS_DATABASE_URL_OPTION = { type: 'string', describe: 'the database (default: DATABASE_URL)' } as const;
const EVENTS_FORMAT_OPTION = {
  choices: ['text', 'json'],
  default: 'text',
  describe: 'json: one object per event',
} as const;

/** --queries, --database-url, --top-statements and --scratch-copy, on the commands that plan (plan, check, generate). */
function withWorkloadOptions<T>(y: Argv<T>) {
  return y
    .option('queries', QUERIES_OPTION)
    .option('database-url', DATABASE_URL_OPTION)
    .option('top-statements', TOP_STATEMENTS_OPTION)
    .option('scratch-copy', SCRATCH_COPY_OPTION);
}

/** The workload flags, as the commands take them. */
function workloadArgs(args: WorkloadFlags): {
  queries?: string[];
  databaseUrl?: string;
  topStatements?: number;
  scratchCopy?: boolean;
} {
  const top = args['top-statements'];
  if (top !== undefined && (!Number.isInteger(top) || top < 1))
    throw new UsageError(`--top-statements ${String(top)}: expected a whole number of statements, 1 or more`);
  return {
    ...(args.queries ? { queries: args.queries } : {}),
    ...(args['database-url'] !== undefined ? { databaseUrl: args['database-url'] } : {}),
    ...(top !== undefined ? { topStatements: top } : {}),
    ...(args['scratch-copy'] === false ? { scratchCopy: false } : {}),
  };
}

/**
 * Parses argv, runs one command, returns the exit code. Never throws for user error. `parser`
 * 'yargs' skips the fast path (tests compare both).
 */
export async function main(
  argv: string[],
  io: CliIO = processIO(),
  parser: 'auto' | 'yargs' = 'auto',
): Promise<number> {
  const fast = parser === 'auto' ? parseFast(argv, FAST_SPECS) : undefined;
  prestartValidatorWorkerIfItPays(argv, io, { fast });
  try {
    return await parseAndRun(argv, io, fast);
  } finally {
    discardValidatorWorker();
  }
}

async function parseAndRun(argv: string[], io: CliIO, fast: FastInvocation | undefined): Promise<number> {
  const cache = (enabled: boolean) => (enabled ? openValidationCache(io.cwd, io.env) : undefined);
  /** What plan, check and generate plan from: --schema, --config, --cache and the workload flags. */
  const planInput = (args: CommonArgs & WorkloadFlags): PlanInputOptions => ({
    schema: args.schema,
    config: args.config,
    cache: cache(args.cache),
    ...workloadArgs(args),
  });
  const runPlan = (args: PlanArgs) =>
    (require('./commands/plan') as typeof import('./commands/plan')).planCommand(
      { ...planInput(args), format: args.format, verbose: args.verbose },
      io,
    );
  const runCheck = (args: CheckArgs) =>
    (require('./commands/check') as typeof import('./commands/check')).checkCommand(
      {
        ...planInput(args),
        format: args.format,
        level: args.level,
        baseline: args.baseline,
        updateBaseline: args['update-baseline'],
      },
      io,
    );
  if (fast) {
    try {
      testFault(io.env, fast.command);
      // parseFast filled every option of the spec with a value of its declared type.
      return fast.command === 'check'
        ? await runCheck(fast.values as unknown as CheckArgs)
        : await runPlan(fast.values as unknown as PlanArgs);
    } catch (error) {
      return reportError(error, io);
    }
  }
  return mainWithYargs(argv, io, cache, planInput, runPlan, runCheck);
}

async function mainWithYargs(
  argv: string[],
  io: CliIO,
  cache: (enabled: boolean) => ReturnType<typeof openValidationCache> | undefined,
  planInput: (args: CommonArgs & WorkloadFlags) => PlanInputOptions,
  runPlan: (args: PlanArgs) => Promise<number>,
  runCheck: (args: CheckArgs) => Promise<number>,
): Promise<number> {
  let code: number = ExitCode.clean;
  const run = (task: () => Promise<number>) => async () => {
    code = await task();
  };
  // Loaded only here: the fast path above does without it.
  const yargs = require('yargs') as typeof Yargs;
  const parser = yargs(argv)
    .scriptName('idxgen')
    .usage(
      '$0 <command> [options]\n\nPlans, generates and verifies the PostgreSQL indexes and CHECK constraints a Prisma schema needs.',
    )
    .option('schema', { type: 'string', describe: 'schema file or folder (default: as Prisma finds it)' })
    .option('config', {
      type: 'string',
      describe: 'config file (default: idxgen.config.json, .idxgenrc.json, package.json "idxgen")',
    })
    .option('cache', {
      type: 'boolean',
      default: true,
      describe:
        'remember schemas Prisma validated clean (node_modules/.cache/idxgen); --no-cache or IDXGEN_NO_CACHE=1 turns it off',
    })
    .command(
      'plan',
      'print every proposal with its reason',
      (y) =>
        withWorkloadOptions(
          y
            .option('format', { choices: FORMATS, default: 'text' as const, describe: 'output format' })
            .option('verbose', {
              type: 'boolean',
              default: false,
              describe: "text format: each proposal's cost, fix, evidence and SQL (default: one line each)",
            }),
        ),
      (args) => run(() => runPlan(args))(),
    )
    .command(
      'check',
      'pre-commit hook: file:line:col findings, exit 1 on error-level findings',
      (y) =>
        withWorkloadOptions(
          y
            .option('format', { choices: FORMATS, default: 'text' as const, describe: 'output format' })
            .option('level', {
              choices: LEVELS,
              default: 'error' as const,
              describe: 'lowest severity reported (and failing)',
            })
            .option('baseline', {
              type: 'string',
              describe:
                'fail only on findings not recorded in this file (default .idxgen-baseline.json); records them when it does not exist',
            })
            .option('update-baseline', {
              type: 'boolean',
              default: false,
              describe: "rewrite the baseline file with today's findings",
            }),
        ),
      (args) => run(() => runCheck(args))(),
    )
    .command(
      'generate',
      'write Prisma migration folders and schema declarations',
      (y) =>
        withWorkloadOptions(
          y
            .option('migrations', {
              type: 'string',
              describe: 'migrations folder (default: migrations/ beside the schema)',
            })
            .option('timestamp', {
              type: 'string',
              describe: 'migration timestamp (YYYYMMDDHHMMSS), for reproducible output',
            })
            .option('dry-run', {
              type: 'boolean',
              default: false,
              describe: 'print the files and the schema diff, write nothing',
            })
            .option('only', { type: 'array', string: true, describe: 'only these rule ids or table/model names' })
            .option('include-info', { type: 'boolean', default: false, describe: 'also generate info-level proposals' })
            .option('allow-drift', {
              type: 'boolean',
              default: false,
              describe:
                'also generate what Prisma cannot declare (INCLUDE indexes): the next migrate dev will want to drop them',
            })
            .option('preview-features', {
              type: 'boolean',
              default: false,
              describe: 'add preview features the declarations need (partialIndexes) to the generator',
            })
            .option('group', {
              choices: ['statement', 'table'] as const,
              default: 'statement' as const,
              describe: 'one folder per statement (any Prisma) or per table (Prisma >= 7.4)',
            })
            .option('format', {
              choices: ['text', 'markdown'] as const,
              default: 'text' as const,
              describe: 'summary format',
            }),
        ),
      (args) =>
        run(async () =>
          (require('./commands/generate') as typeof import('./commands/generate')).generateCommand(
            {
              ...planInput(args),
              migrations: args.migrations,
              timestamp: args.timestamp,
              dryRun: args['dry-run'],
              only: args.only,
              includeInfo: args['include-info'],
              allowDrift: args['allow-drift'],
              previewFeatures: args['preview-features'],
              group: args.group,
              format: args.format,
            },
            io,
          ),
        )(),
    )
    .command(
      'verify',
      'apply the result to a real PostgreSQL and prove it',
      (y) =>
        y
          .option('migrations', {
            type: 'string',
            describe: 'migrations folder (default: migrations/ beside the schema)',
          })
          .option('database-url', {
            type: 'string',
            describe: 'use this server (a scratch database is created and dropped) instead of an embedded one',
          })
          .option('format', { choices: ['text', 'json'] as const, default: 'text' as const })
          .option('queries', QUERIES_OPTION),
      (args) =>
        run(async () =>
          (require('./commands/verify') as typeof import('./commands/verify')).verifyCommand(
            {
              schema: args.schema,
              config: args.config,
              cache: cache(args.cache),
              queries: args.queries,
              migrations: args.migrations,
              databaseUrl: args['database-url'],
              format: args.format,
            },
            io,
          ),
        )(),
    )
    .command(
      'deploy',
      'apply pending migrations as prisma migrate deploy does, watching and recovering index builds',
      (y) =>
        y
          .option('database-url', EVENTS_DATABASE_URL_OPTION)
          .option('migrations', { type: 'string', describe: 'migrations folder (default: prisma/migrations)' })
          .option('format', EVENTS_FORMAT_OPTION)
          .option('interval', {
            type: 'number',
            describe: 'ms between progress readings (default 500 on a terminal, 5000 otherwise)',
          })
          .option('retries', {
            type: 'number',
            default: 2,
            describe: 'retries of a failed CONCURRENTLY build (cancel, deadlock, lock timeout)',
          })
          .option('lock-timeout', {
            type: 'number',
            default: 5000,
            describe: 'lock_timeout (ms) for steps that take an ACCESS EXCLUSIVE lock',
          })
          .option('lock-retries', {
            type: 'number',
            default: 5,
            describe: 'retries of such a step after a lock timeout',
          })
          .option('backoff', {
            type: 'number',
            default: 1000,
            describe: 'ms before the first retry, doubled each time',
          })
          .option('old-transaction', {
            type: 'number',
            default: 60,
            describe: 'list transactions open longer than this (s) before starting',
          })
          .option('build-rate', {
            type: 'number',
            default: 50,
            describe: 'MB of table per second assumed for the expected build time',
          }),
      (args) =>
        run(async () =>
          (require('./commands/deploy') as typeof import('./commands/deploy')).deployCommand(
            {
              databaseUrl: args['database-url'],
              migrations: args.migrations,
              format: args.format,
              interval: args.interval,
              retries: args.retries,
              lockTimeout: args['lock-timeout'],
              lockRetries: args['lock-retries'],
              backoff: args.backoff,
              oldTransaction: args['old-transaction'],
              buildRate: args['build-rate'],
            },
            io,
          ),
        )(),
    )
    .command(
      'progress',
      'show every index build running in the database until none is left',
      (y) =>
        y.option('database-url', EVENTS_DATABASE_URL_OPTION).option('format', EVENTS_FORMAT_OPTION).option('interval', {
          type: 'number',
          describe: 'ms between readings (default 500 on a terminal, 5000 otherwise)',
        }),
      (args) =>
        run(async () =>
          (require('./commands/progress') as typeof import('./commands/progress')).progressCommand(
            { databaseUrl: args['database-url'], format: args.format, interval: args.interval },
            io,
          ),
        )(),
    )
    .command(
      'inspect',
      'read a live database (read-only) and compare it with the schema: undeclared, INVALID, unused, duplicate indexes, unindexed FKs, sizes, bloat',
      (y) =>
        y
          .option('database-url', {
            type: 'array',
            string: true,
            describe:
              "the database (default: DATABASE_URL); repeat for replicas: their index scans are added to the primary's",
          })
          .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'output format' })
          .option('min-stats-age', {
            type: 'number',
            default: 7,
            describe: 'days of statistics needed before an unused index is proposed for dropping',
          })
          .option('statement-timeout', {
            type: 'number',
            default: 10000,
            describe: 'statement_timeout (ms) for each catalog query',
          }),
      (args) =>
        run(async () =>
          (require('./commands/inspect') as typeof import('./commands/inspect')).inspectCommand(
            {
              schema: args.schema,
              cache: cache(args.cache),
              databaseUrls: args['database-url'] ?? [],
              format: args.format,
              minStatsAgeDays: args['min-stats-age'],
              statementTimeoutMs: args['statement-timeout'],
            },
            io,
          ),
        )(),
    )
    // Before validation, once for every command: a single-valued option given twice is refused
    // (yargs would hand the command an array); then the tests' deliberate fault, if asked for.
    .middleware((argv) => {
      refuseRepeatedOptions(argv, declaredOptions(parser));
      testFault(io.env, String(argv._[0]));
    }, true)
    .demandCommand(1, 'name a command: plan, check, generate, verify, deploy, progress or inspect')
    .strict()
    .help()
    .version()
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      // Throwing stops yargs from running the command after a usage error.
      throw error ?? new UsageError(message);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error, io);
  }
  return code;
}

class UsageError extends Error {}

/**
 * `--format json --format text`, `--level error --level warn`: yargs collects a repeated option
 * into an array, which a single-valued option's command would misread (or crash on). Every option
 * not declared as an array must come once. Booleans are not collected (`--no-cache --cache`: the
 * last one wins, as in most CLIs).
 */
/** yargs' own record of the declared options (a public method its type declarations leave out). */
function declaredOptions(parser: object): { array: string[]; key: Record<string, unknown> } {
  return (parser as { getOptions(): { array: string[]; key: Record<string, unknown> } }).getOptions();
}

function refuseRepeatedOptions(
  argv: Record<string, unknown>,
  options: { array: string[]; key: Record<string, unknown> },
): void {
  const repeated = Object.keys(options.key).filter(
    (name) => !options.array.includes(name) && Array.isArray(argv[name]),
  );
  if (repeated.length > 0) {
    const name = repeated[0]!;
    const values = (argv[name] as unknown[]).map((v) => JSON.stringify(String(v))).join(', ');
    throw new UsageError(
      `--${name} was given ${(argv[name] as unknown[]).length} times (${values}); it takes one value`,
    );
  }
}

function reportError(error: unknown, io: CliIO): number {
  if (error instanceof UsageError) {
    io.stderr(`idxgen: ${error.message}\nRun \`idxgen --help\` for usage.\n`);
    return ExitCode.badInput;
  }
  if (error instanceof UserError) {
    io.stderr(error.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join(''));
    return ExitCode.badInput;
  }
  throw error;
}
