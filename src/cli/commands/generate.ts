import * as path from 'node:path';
import { ExitCode, UserError } from '../../errors';
import { planGeneration } from '../../generate/generate';
import { renderDriftWarning, renderDryRun, renderMarkdown, renderSummary, type ReportContext } from '../../generate/report';
import { formatTimestamp, parseTimestamp } from '../../generate/timestamp';
import type { GroupMode } from '../../generate/types';
import { readMigrations, resolveMigrationsDir } from '../../io/read-migrations';
import { WriteRefused, writeTree, type WriteHooks } from '../../io/write-tree';
import { capabilitiesOf, describePrisma, projectPrisma, readPrismaVersion, SPLITTING_SINCE, type PrismaCapabilities } from '../../compat/prisma-version';
import { allRules } from '../../rules/registry';
import { validateWithPrismaMajor, type ValidationCache } from '../../schema/validate';
import { loadAndPlan } from '../context';
import type { CliIO } from '../io';

export interface GenerateCommandOptions {
  schema?: string;
  config?: string;
  /** Remembers schemas Prisma validated clean (see src/io/validation-cache.ts). */
  cache?: ValidationCache;
  migrations?: string;
  timestamp?: string;
  dryRun: boolean;
  only?: (string | number)[];
  includeInfo: boolean;
  allowDrift: boolean;
  previewFeatures: boolean;
  group: GroupMode;
  format: 'text' | 'markdown';
}

/** `--group table` is only safe when the project's Prisma (read, never assumed) splits migration.sql into statements. */
function checkGroupAllowed(cwd: string): void {
  const read = readPrismaVersion(cwd);
  const needs = `--group table needs Prisma ${SPLITTING_SINCE.major}.${SPLITTING_SINCE.minor} or later`;
  const why =
    `Prisma before ${SPLITTING_SINCE.major}.${SPLITTING_SINCE.minor} sends a migration.sql as one query, which PostgreSQL runs as one transaction, and CREATE INDEX CONCURRENTLY fails inside it (25001). Use the default --group statement (one statement per folder works with every Prisma version).`;
  if (!read) {
    throw new UserError(`${needs}, and this project's Prisma version is unknown (no node_modules/prisma, node_modules/@prisma/client or "prisma" in package.json). ${why}`);
  }
  const caps = capabilitiesOf(projectPrisma(read, { warnings: [], previewFeatures: [] }));
  if (!caps.groupedFolders) throw new UserError(`${needs}, and this project uses ${read.major}.${read.minor}.${read.patch} (from ${read.source}). ${why}`);
}

/** One line: which Prisma validator checked the edited schema (and what it already disliked). */
function validatedWith(prisma: PrismaCapabilities, notes: readonly string[]): string {
  const who = describePrisma(prisma.prisma);
  const head =
    prisma.validatorMajor === null
      ? `idxgen: the edited schema was checked with Prisma 7's validator only: idxgen has no validator for ${who}\n`
      : notes.length === 0
        ? `idxgen: the edited schema validates with Prisma ${prisma.validatorMajor}'s validator (${who})\n`
        : `idxgen: idxgen's edits add no error for Prisma ${prisma.validatorMajor}'s validator (${who}); the schema already had these:\n`;
  return head + notes.map((n) => `  ${n}\n`).join('');
}

function display(cwd: string, absolute: string): string {
  const rel = path.relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absolute;
}

/**
 * What the disk refused (a file where a folder goes, a folder that cannot be written) is bad input:
 * exit 2 with the path and the reason. writeTree has already undone everything by then. Any
 * other error is a bug and stays one (exit 3).
 */
function writeFailure(error: unknown, shown: (file: string) => string): unknown {
  const nothing = 'nothing was written';
  if (error instanceof WriteRefused) return new UserError([{ file: shown(error.path), message: `${error.reason}; ${nothing}` }]);
  const e = error as NodeJS.ErrnoException & { dest?: string };
  if (!(error instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string' || typeof e.path !== 'string') return error;
  // A rename names its source (in the staging folder) first; the target is what the user knows.
  const file = e.dest ?? e.path;
  const reason = /^[A-Z]+: ([^,]+),/.exec(e.message)?.[1];
  return new UserError([{ file: shown(file), message: `cannot write here (${e.syscall}: ${e.code}${reason ? `, ${reason}` : ''}); ${nothing}` }]);
}

/**
 * `idxgen generate`: plan → new migration folders + schema declarations, written all-or-nothing.
 * `hooks` lets tests inject a failure into the writer.
 */
export async function generateCommand(options: GenerateCommandOptions, io: CliIO, hooks: WriteHooks = {}): Promise<number> {
  // Flags first: a bad flag fails before anything is read.
  if (options.timestamp !== undefined && !parseTimestamp(options.timestamp)) {
    throw new UserError(`--timestamp ${JSON.stringify(options.timestamp)}: expected YYYYMMDDHHMMSS, a real date and time in UTC (e.g. 20250101120000)`);
  }
  if (options.group === 'table') checkGroupAllowed(io.cwd);

  const { location, schema, plan } = loadAndPlan(io.cwd, { schema: options.schema, config: options.config, cache: options.cache });
  const datasourceFile = schema.sources.find((s) => /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m.test(s.content))?.path;
  const read = readPrismaVersion(io.cwd);
  const prisma = capabilitiesOf(projectPrisma(read, schema.model));
  const migrations = resolveMigrationsDir(io.cwd, location, {
    explicit: options.migrations,
    datasourceFile,
    prismaVersion: options.migrations === undefined ? read : undefined,
  });
  const migrationsShown = display(io.cwd, migrations.dir);
  const existing = readMigrations(migrations.dir, migrationsShown);

  const result = planGeneration({
    plan,
    model: schema.model,
    sources: schema.sources,
    ruleIds: allRules.map((r) => r.meta.id),
    existing,
    timestamp: options.timestamp ?? formatTimestamp(io.now()),
    options: {
      group: options.group,
      only: options.only?.map(String),
      includeInfo: options.includeInfo,
      allowDrift: options.allowDrift,
      previewFeatures: options.previewFeatures,
    },
    prisma,
    // Prisma 7's check runs anyway (loadSchema); an older major's validator is loaded only here.
    validateForProject: prisma.validatorMajor === 5 || prisma.validatorMajor === 6 ? (sources) => validateWithPrismaMajor(sources, prisma.validatorMajor as 5 | 6) : undefined,
  });

  const ctx: ReportContext = {
    result,
    migrationsDir: migrationsShown,
    displayPath: (file) => display(io.cwd, path.resolve(io.cwd, file)),
    dryRun: options.dryRun,
  };
  if (!options.dryRun) {
    try {
      writeTree(
        {
          migrationsDir: migrations.dir,
          files: [...result.folders.flatMap((f) => f.files), ...(result.lockFile ? [result.lockFile] : [])],
          schemaWrites: result.schemaEdits.map((e) => ({ file: path.resolve(io.cwd, e.path), before: e.before, after: e.after })),
        },
        hooks,
      );
    } catch (error) {
      throw writeFailure(error, (file) => display(io.cwd, file));
    }
  }
  const warning = renderDriftWarning(ctx);
  if (warning) io.stderr(warning);
  if (result.schemaEdits.length > 0 && prisma.validatorMajor !== 7) io.stderr(validatedWith(prisma, result.projectValidatorNotes));
  if (options.format === 'markdown') io.stdout(renderMarkdown(ctx));
  else io.stdout(options.dryRun ? renderDryRun(ctx) : renderSummary(ctx));
  return ExitCode.clean;
}
