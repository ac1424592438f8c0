/**
 * Step f, drift: Prisma's own `migrate diff --from-migrations --to-schema` (the schema engine as
 * WASM, replaying the migrations in a shadow database next to verify's scratch database) must be
 * empty. Migrations = the project's folders as they are on disk, or, when the base was
 * synthetic, `0_base` + idxgen's folders. When the engine cannot run, the step is skipped with
 * the reason, which fails the run: a proof that did not run is not a proof.
 */
import type { DbTarget } from '../db/client';
import { doubleQuoted } from '../sql/quote';
import { openSchemaEngine, type MigrationsInput } from '../db/schema-engine';
import type { SchemaSource } from '../schema/source';
import type { BaseScript } from './base';
import type { VerifyFolder } from './migrations';
import type { DriftDetails, PhaseTimer, StepStatus } from './types';

export interface DriftInput {
  sources: readonly SchemaSource[];
  /** The database the engine connects to; its shadow databases are created next to it. */
  target: DbTarget;
  migrationsDir: string;
  lockfile: string | null;
  /** The synthetic base, when the project has no folders before idxgen's; else null. */
  syntheticBase: BaseScript | null;
  folders: readonly VerifyFolder[];
  /**
   * The schema as it was before idxgen (its declarations taken out) and the base migrations: the
   * drift Prisma already reports between those two is the project's own, not idxgen's.
   */
  baseline?: { sources: readonly SchemaSource[]; migrations: readonly { name: string; sql: string }[] };
  /** Names of the indexes idxgen's folders create or drop: drift that names one is always idxgen's. */
  idxgenNames?: ReadonlySet<string>;
  /** Records the time of the engine's start, its replay and the baseline's replay. */
  phase?: PhaseTimer;
}

export interface DriftOutcome {
  status: StepStatus;
  summary: string;
  details: DriftDetails;
  problems: string[];
}

export function driftMigrations(
  input: Pick<DriftInput, 'migrationsDir' | 'lockfile' | 'syntheticBase' | 'folders'>,
): MigrationsInput {
  const folders = [
    ...(input.syntheticBase ? [{ name: input.syntheticBase.name, sql: input.syntheticBase.sql }] : []),
    ...input.folders.map((f) => ({ name: f.name, sql: f.sql })),
  ];
  return { baseDir: input.migrationsDir, lockfile: input.lockfile ?? 'provider = "postgresql"\n', folders };
}

/** The engine's message without its Rust backtrace (`   0: schema_engine_wasm::...`), whitespace folded. */
export function withoutBacktrace(reason: string): string {
  const cut = reason.search(/\n\s*0: /);
  return (cut < 0 ? reason : reason.slice(0, cut)).replace(/\s*\n\s*/g, ' ').trim();
}

export async function checkDrift(input: DriftInput): Promise<DriftOutcome> {
  const migrations = driftMigrations(input);
  const details: DriftDetails = { migrations: migrations.folders.map((f) => f.name), diff: '', engineVersion: null };
  const phase: PhaseTimer = input.phase ?? ((_, work) => work());
  const opened = await phase('drift-engine', () =>
    openSchemaEngine({
      schema: input.sources.map((s) => ({ path: s.path, content: s.content })),
      target: input.target,
    }),
  );
  if (!opened.ok) {
    return {
      status: 'skipped',
      summary: `skipped: Prisma's schema engine is not available (${opened.kind}): ${opened.reason}`,
      details,
      problems: [opened.reason],
    };
  }
  const session = opened.value;
  details.engineVersion = session.version;
  try {
    const diff = await phase('drift-replay', () => session.diffMigrationsToSchema(migrations));
    if (!diff.ok) {
      if (diff.kind === 'engine-error') {
        details.replayFailed = true;
        return {
          status: 'fail',
          summary: 'Prisma could not replay the migrations against the schema',
          details,
          problems: [withoutBacktrace(diff.reason)],
        };
      }
      return {
        status: 'skipped',
        summary: `skipped: Prisma's schema engine failed (${diff.kind}): ${diff.reason}`,
        details,
        problems: [diff.reason],
      };
    }
    details.diff = diff.value;
    if (diff.value.trim() === '')
      return {
        status: 'pass',
        summary: `no drift: Prisma's migrate diff from the ${migrations.folders.length} migration(s) to schema.prisma is empty`,
        details,
        problems: [],
      };
    const statements = diffStatements(diff.value);
    const preExisting = await phase('drift-baseline', () => baselineDrift(input));
    const touchesIdxgen = (statement: string) =>
      [...(input.idxgenNames ?? [])].some((name) => statement.includes(doubleQuoted(name)));
    const ours = statements.filter((s) => touchesIdxgen(s) || !preExisting.has(s));
    details.preExisting = statements.filter((s) => !ours.includes(s));
    if (ours.length === 0) {
      return {
        status: 'pass',
        summary: `no drift from idxgen: the ${statements.length} statement(s) Prisma's diff still wants were there before idxgen (the project's own drift)`,
        details,
        problems: [],
      };
    }
    return {
      status: 'fail',
      summary: 'drift: the next prisma migrate dev would change the database',
      details,
      problems: ours.map((s) => `prisma migrate dev would run: ${s}`),
    };
  } finally {
    await session.close();
  }
}

function diffStatements(diff: string): string[] {
  return diff
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('--'));
}

/** The statements Prisma's diff reports between the base migrations and the schema without idxgen. */
async function baselineDrift(input: DriftInput): Promise<Set<string>> {
  if (!input.baseline) return new Set();
  const opened = await openSchemaEngine({
    schema: input.baseline.sources.map((s) => ({ path: s.path, content: s.content })),
    target: input.target,
  });
  if (!opened.ok) return new Set();
  try {
    const migrations: MigrationsInput = {
      baseDir: input.migrationsDir,
      lockfile: input.lockfile ?? 'provider = "postgresql"\n',
      folders: input.baseline.migrations.map((m) => ({ name: m.name, sql: m.sql })),
    };
    const diff = await opened.value.diffMigrationsToSchema(migrations);
    return new Set(diff.ok ? diffStatements(diff.value) : []);
  } finally {
    await opened.value.close();
  }
}
