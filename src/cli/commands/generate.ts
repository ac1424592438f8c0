import * as path from 'node:path';
import { sqlParser } from '../../workload/sql-parser';
import { ExitCode, UserError } from '../../errors';
import { planGeneration } from '../../generate/generate';
import { mayEditSchema } from '../../generate/select';
import {
  renderDriftWarning,
  renderDryRun,
  renderMarkdown,
  renderSummary,
  type ReportContext,
} from '../../generate/report';
import { formatTimestamp, parseTimestamp } from '../../generate/timestamp';
import { onDisk } from '../../generate/schema-edit';
import type { GenerateInput, GroupMode } from '../../generate/types';
import { readMigrations, resolveMigrationsDir } from '../../io/read-migrations';
import {
  recoverInterrupted,
  WriteRefused,
  writeTree,
  type RecoveryNote,
  type WriteHooks,
  type WriteStep,
} from '../../io/write-tree';
import {
  capabilitiesOf,
  describePrisma,
  projectPrisma,
  readPrismaVersion,
  SPLITTING_SINCE,
  type PrismaCapabilities,
} from '../../compat/prisma-version';
import { allRules } from '../../rules/registry';
import type { LoadedSchema } from '../../schema/load';
import type { SchemaSource } from '../../schema/source';
import { startValidationWithPrismaMajor, validateWithPrismaMajor, validatorModule } from '../../schema/validate';
import { startValidatorThread } from '../../schema/validator-thread';
import { secondCoreLikelyFree, WORKER_MIN_SCHEMA_BYTES } from '../prestart';
import { planFor, rememberValidSchema, type PlanInputOptions } from '../context';
import { INTERRUPT_EXIT, type CliIO, type InterruptSignal } from '../io';

export interface GenerateCommandOptions extends PlanInputOptions {
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
  const why = `Prisma before ${SPLITTING_SINCE.major}.${SPLITTING_SINCE.minor} sends a migration.sql as one query, which PostgreSQL runs as one transaction, and CREATE INDEX CONCURRENTLY fails inside it (25001). Use the default --group statement (one statement per folder works with every Prisma version).`;
  if (!read) {
    throw new UserError(
      `${needs}, and this project's Prisma version is unknown (no node_modules/prisma, node_modules/@prisma/client or "prisma" in package.json). ${why}`,
    );
  }
  const caps = capabilitiesOf(projectPrisma(read, { warnings: [], previewFeatures: [] }));
  if (!caps.groupedFolders)
    throw new UserError(
      `${needs}, and this project uses ${read.major}.${read.minor}.${read.patch} (from ${read.source}). ${why}`,
    );
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

class Interrupted extends Error {
  constructor(readonly signal: InterruptSignal) {
    super(`interrupted by ${signal}`);
  }
}

/** One line per leftover of a killed run that `recoverInterrupted` found. */
function recoveryLine(note: RecoveryNote, shown: (absolute: string) => string, dryRun: boolean): string {
  const who = `an interrupted generate (pid ${note.pid})`;
  const list = (paths: string[]) =>
    paths.length <= 3
      ? paths.map(shown).join(', ')
      : `${paths.slice(0, 2).map(shown).join(', ')} and ${paths.length - 2} more`;
  const folders = (n: number) => `${n} migration ${n === 1 ? 'folder' : 'folders'}`;
  switch (note.action) {
    case 'removed':
      return `idxgen: ${dryRun ? 'would remove' : 'removed'} ${shown(note.path)}, left by ${who} before it committed anything`;
    case 'completed':
      return `idxgen: ${dryRun ? 'would complete' : 'completed'} ${who}: its schema edit was written${note.folders.length > 0 ? `; moved in ${folders(note.folders.length)} it had staged (${list(note.folders)})` : ''}`;
    case 'rolled-back': {
      const parts = [
        note.folders.length > 0
          ? `removed ${folders(note.folders.length)} it had moved in (${list(note.folders)})`
          : '',
        note.schemaFiles.length > 0 ? `restored ${list(note.schemaFiles)}` : '',
      ].filter(Boolean);
      return `idxgen: ${dryRun ? 'would roll back' : 'rolled back'} ${who}: ${parts.length > 0 ? parts.join(', ') : 'nothing of it had been committed'}`;
    }
    case 'left':
      return `idxgen: left ${shown(note.path)} of generate pid ${note.pid} alone: ${note.reason ?? ''}${note.schemaFiles.length > 0 ? ` (${list(note.schemaFiles)})` : ''}`;
  }
}

/**
 * Test-only: `IDXGEN_TEST_PAUSE_AT=<step kind>:<n>` stops before the n-th writer step of that kind,
 * says so on stderr and waits (up to a minute) for a signal, so a test can kill a real process at
 * a known point.
 */
function pauseHook(
  io: CliIO,
  interrupted: () => InterruptSignal | undefined,
): ((step: WriteStep) => Promise<void>) | undefined {
  const m = /^([a-z-]+):(\d+)$/.exec(io.env.IDXGEN_TEST_PAUSE_AT ?? '');
  if (!m) return undefined;
  let seen = 0;
  return async (step) => {
    if (step.kind !== m[1] || ++seen !== Number(m[2])) return;
    io.stderr(`idxgen-test: paused before ${step.kind} #${seen}\n`);
    for (let waited = 0; waited < 60_000 && !interrupted(); waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
  };
}

/**
 * What the disk refused (a file where a folder goes, a folder that cannot be written) is bad input:
 * exit 2 with the path and the reason. writeTree has already undone everything by then. Any
 * other error is a bug and stays one (exit 3).
 */
function writeFailure(error: unknown, shown: (file: string) => string): unknown {
  const nothing = 'nothing was written';
  if (error instanceof WriteRefused)
    return new UserError([{ file: shown(error.path), message: `${error.reason}; ${nothing}` }]);
  const e = error as NodeJS.ErrnoException & { dest?: string };
  if (
    !(error instanceof Error) ||
    typeof e.code !== 'string' ||
    typeof e.syscall !== 'string' ||
    typeof e.path !== 'string'
  )
    return error;
  // A rename names its source (in the staging folder) first; the target is what the user knows.
  const file = e.dest ?? e.path;
  const reason = /^[A-Z]+: ([^,]+),/.exec(e.message)?.[1];
  return new UserError([
    {
      file: shown(file),
      message: `cannot write here (${e.syscall}: ${e.code}${reason ? `, ${reason}` : ''}); ${nothing}`,
    },
  ]);
}

/**
 * `idxgen generate`: plan → new migration folders + schema declarations, written all-or-nothing.
 * `hooks` lets tests inject a failure into the writer.
 */
export async function generateCommand(
  options: GenerateCommandOptions,
  io: CliIO,
  hooks: WriteHooks = {},
): Promise<number> {
  // Flags first: a bad flag fails before anything is read.
  if (options.timestamp !== undefined && !parseTimestamp(options.timestamp)) {
    throw new UserError(
      `--timestamp ${JSON.stringify(options.timestamp)}: expected YYYYMMDDHHMMSS, a real date and time in UTC (e.g. 20250101120000)`,
    );
  }
  if (options.group === 'table') checkGroupAllowed(io.cwd);

  let { location, schema, plan, notes: inputNotes } = await planFor(io, options);
  for (const note of inputNotes) io.stderr(`idxgen: ${note}\n`);
  const datasourceFile = schema.sources.find((s) => /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m.test(s.content))?.path;
  const read = readPrismaVersion(io.cwd);
  let prisma = capabilitiesOf(projectPrisma(read, schema.model));
  const migrations = resolveMigrationsDir(io.cwd, location, {
    explicit: options.migrations,
    datasourceFile,
    prismaVersion: options.migrations === undefined ? read : undefined,
  });
  const migrationsShown = display(io.cwd, migrations.dir);
  // What a killed run left (staging folders, temp files, folders without their declarations).
  const notes = recoverInterrupted({
    migrationsDir: migrations.dir,
    schemaFiles: schema.sources.map((s) => path.resolve(io.cwd, s.path)),
    dryRun: options.dryRun,
  });
  for (const note of notes) io.stderr(`${recoveryLine(note, (p) => display(io.cwd, p), options.dryRun)}\n`);
  if (!options.dryRun && notes.some((n) => n.action === 'completed' || n.action === 'rolled-back')) {
    // The schema or the migrations changed: plan again from what is on disk now.
    ({ location, schema, plan } = await planFor(io, options));
    prisma = capabilitiesOf(projectPrisma(read, schema.model));
  }
  // Started now, it has loaded its validator by the time the edited schema is checked; not started
  // when no declaration can be written (a re-run with nothing new), where it would validate for nothing.
  const selection = { only: options.only?.map(String), includeInfo: options.includeInfo };
  const editChecks = mayEditSchema(plan.entries, selection)
    ? editCheckThread(prisma.validatorMajor, schema, io.env)
    : undefined;
  let result: ReturnType<typeof planGeneration>;
  try {
    const existing = readMigrations(migrations.dir, migrationsShown);
    await sqlParser(); // the existing migrations are read with PostgreSQL's parser
    result = planGeneration({
      plan,
      model: schema.model,
      sources: schema.sources,
      ruleIds: allRules.map((r) => r.meta.id),
      existing,
      timestamp: options.timestamp ?? formatTimestamp(io.now()),
      options: {
        group: options.group,
        ...selection,
        allowDrift: options.allowDrift,
        previewFeatures: options.previewFeatures,
      },
      prisma,
      // Prisma 7's check runs anyway (loadSchema); an older major's validator is loaded only here.
      validateForProject:
        prisma.validatorMajor === 5 || prisma.validatorMajor === 6
          ? (sources) => validateWithPrismaMajor(sources, prisma.validatorMajor as 5 | 6)
          : undefined,
      startProjectValidation: editChecks?.startProjectValidation,
      startValidation: editChecks?.startValidation,
      cache: options.cache,
    });
  } finally {
    editChecks?.end();
  }

  const ctx: ReportContext = {
    result,
    migrationsDir: migrationsShown,
    displayPath: (file) => display(io.cwd, path.resolve(io.cwd, file)),
    dryRun: options.dryRun,
  };
  if (!options.dryRun) {
    let code: number | undefined;
    try {
      code = await commit(io, hooks, {
        migrationsDir: migrations.dir,
        files: [...result.folders.flatMap((f) => f.files), ...(result.lockFile ? [result.lockFile] : [])],
        schemaWrites: result.schemaEdits.map((e) => ({
          file: path.resolve(io.cwd, e.path),
          before: onDisk(e, 'before'),
          after: onDisk(e, 'after'),
        })),
      });
    } catch (error) {
      throw writeFailure(error, (file) => display(io.cwd, file));
    }
    if (code !== undefined) return code;
    // The files on disk are now the edited ones, whose verdict the cache holds: the next check or
    // plan of them skips the validator worker too (see validatedBefore).
    if (result.schemaEdits.length > 0) rememberValidSchema(io, options, location);
  }
  const warning = renderDriftWarning(ctx);
  if (warning) io.stderr(warning);
  if (result.schemaEdits.length > 0 && prisma.validatorMajor !== 7)
    io.stderr(validatedWith(prisma, result.projectValidatorNotes));
  if (options.format === 'markdown') io.stdout(renderMarkdown(ctx));
  else io.stdout(options.dryRun ? renderDryRun(ctx) : renderSummary(ctx));
  return ExitCode.clean;
}

/**
 * A thread for generate's checks of the edited schema (src/schema/validator-thread.ts), when one
 * pays: for a schema of WORKER_MIN_SCHEMA_BYTES or more on a machine with a core to spare, like the
 * validator worker of every run (IDXGEN_VALIDATOR_WORKER=1 or 0 decides instead). It holds the
 * project's own Prisma 5/6 validator (`startProjectValidation`: this thread checks the edit with
 * Prisma 7 meanwhile), or for any other project Prisma 7's (`startValidation`: this thread rebuilds
 * the model meanwhile). It validates the files as read at once: it loads its validator and pays a
 * first validation's one-time costs while this thread plans, and has the answer for the unedited
 * files should the edited ones fail.
 */
function editCheckThread(
  major: 5 | 6 | 7 | null,
  schema: LoadedSchema,
  env: NodeJS.ProcessEnv,
): (Pick<GenerateInput, 'startProjectValidation' | 'startValidation'> & { end: () => void }) | undefined {
  if (env.IDXGEN_VALIDATOR_WORKER === '0') return undefined;
  const bytes = schema.sources.reduce((sum, s) => sum + s.content.length, 0);
  if (env.IDXGEN_VALIDATOR_WORKER !== '1' && (bytes < WORKER_MIN_SCHEMA_BYTES || !secondCoreLikelyFree()))
    return undefined;
  const validator = major === 5 || major === 6 ? major : 7;
  const thread = startValidatorThread(validatorModule(validator));
  if (!thread) return undefined;
  // Prisma 7 takes the files sanitized (a Prisma 5/6 datasource url blanked), as loadSchema hands them over.
  const asRead = validator === 7 ? schema.validated : schema.sources;
  const first = startValidationWithPrismaMajor([...asRead], validator, thread);
  const same = (sources: SchemaSource[]) =>
    sources.length === asRead.length &&
    sources.every((s, i) => s.path === asRead[i]!.path && s.content === asRead[i]!.content);
  const start = (sources: SchemaSource[]) =>
    same(sources) ? first : startValidationWithPrismaMajor(sources, validator, thread);
  return {
    ...(validator === 7 ? { startValidation: start } : { startProjectValidation: start }),
    end: () => thread.end(),
  };
}

/**
 * Writes, with SIGINT/SIGTERM turned into a rollback: the writer stops at its next step, undoes
 * what it committed, and the command exits 130/143. Undefined when the write went through.
 */
async function commit(
  io: CliIO,
  hooks: WriteHooks,
  input: Parameters<typeof writeTree>[0],
): Promise<number | undefined> {
  let signal: InterruptSignal | undefined;
  const unsubscribe = io.onInterrupt?.((s) => void (signal ??= s));
  const pause = pauseHook(io, () => signal);
  try {
    await writeTree(input, {
      beforeStep: async (step) => {
        await pause?.(step);
        if (signal) throw new Interrupted(signal);
        await hooks.beforeStep?.(step);
      },
    });
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    const schemas = input.schemaWrites.map((w) => display(io.cwd, w.file)).join(', ');
    io.stderr(
      `idxgen: interrupted by ${error.signal}: rolled back, nothing written (no migration folder added${schemas ? `, ${schemas} unchanged` : ''})\n`,
    );
    return INTERRUPT_EXIT[error.signal];
  } finally {
    unsubscribe?.();
  }
  return undefined;
}
