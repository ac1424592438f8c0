/**
 * `idxgen deploy`: applies the pending migration folders the way `prisma migrate deploy` does, with
 * Prisma's own schema engine, one folder at a time, watching each index build from a second
 * connection and recovering failed builds.
 *
 * How `_prisma_migrations` stays exactly as Prisma writes it: Prisma's engine writes every row.
 * For folder i we call the engine's applyMigrations with folders[0..i]: the earlier ones are
 * applied already, so the engine applies exactly folder i (checksum, logs, applied_steps_count
 * and timestamps are the engine's own). Its connections carry an application_name of their own,
 * so a second connection finds the build in pg_stat_progress_create_index and can cancel it.
 * After a failure the engine has recorded the folder as failed (as `migrate deploy` would); when
 * the folder is one statement (nothing else of it can have been applied), deploy drops the
 * INVALID index CONCURRENTLY and marks the folder rolled back through the engine
 * (`migrate resolve --rolled-back`), and the next applyMigrations runs it again.
 */
import { sqlParser } from '../workload/sql-parser';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Client } from 'pg';
import { connect, type DbTarget } from '../db/client';
import {
  openSchemaEngine,
  type EngineResult,
  type MigrationsInput,
  type SchemaEngineSession,
} from '../db/schema-engine';
import { deploySql } from '../render/deploy';
import { displayIdent } from '../sql/quote';
import { readBuilds, readOldTransactions, startPoller } from './monitor';
import { UserError } from '../errors';
import { onlyIndexes, type OnlyIndex } from './partition-coverage';
import { displayRelation, folderShape, regclassOf, type FolderShape, type RelationName } from './statements';
import type { DeployEvent, FailureKind, FolderResult, PlannedBuild, PlannedFolder } from './types';

export interface DeployOptions {
  target: DbTarget;
  migrations: MigrationsInput;
  /** How often the build's progress is read (ms). */
  pollMs: number;
  /** Retries of a failed CONCURRENTLY build (cancel, deadlock, lock timeout). */
  buildRetries: number;
  /** lock_timeout (ms) for folders whose statements take an ACCESS EXCLUSIVE lock. */
  lockTimeoutMs: number;
  /** Retries of such a folder after a lock timeout or deadlock. */
  lockRetries: number;
  /** First wait before a retry (ms); doubles with each retry. */
  backoffMs: number;
  /** Transactions older than this (s) are listed before the deploy starts. */
  oldTransactionSeconds: number;
  /** Build speed assumed for the expected build time (MB of table per second). */
  buildRateMBps: number;
  signal: AbortSignal;
  emit: (event: DeployEvent) => void;
}

export type DeployOutcome = 'applied' | 'nothing-pending' | 'failed' | 'interrupted';

/** The schema the engine is started with: migrate deploy only reads its datasource's provider. */
const ENGINE_SCHEMA = [{ path: 'schema.prisma', content: 'datasource db {\n  provider = "postgresql"\n}\n' }];

export class DeployError extends Error {}

function failureKind(sqlstate: string | null): FailureKind {
  switch (sqlstate) {
    case '57014':
      return 'cancelled';
    case '40P01':
      return 'deadlock';
    case '55P03':
      return 'lock-timeout';
    case '23505':
      return 'unique-violation';
    default:
      return 'other';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

interface InvalidIndex {
  index: string;
  table: string;
  is_unique: boolean;
  /** A partitioned table's index: INVALID until each partition has an index attached; not a failed build. */
  partitioned: boolean;
}

async function invalidIndexes(client: Client): Promise<InvalidIndex[]> {
  return (await client.query<InvalidIndex>(deploySql('invalid-indexes'))).rows;
}

interface IndexFacts {
  index: string;
  table: string;
  index_bytes: number;
  has_expressions: boolean;
  is_valid: boolean;
}

/** The index `name` (as the statement names it, unquoted) on `table`, in the table's schema. */
async function indexFacts(client: Client, name: string, table: RelationName): Promise<IndexFacts | null> {
  return (await client.query<IndexFacts>(deploySql('index-facts'), [name, regclassOf(table)])).rows[0] ?? null;
}

/** The ON ONLY indexes of the pending folders whose table has partitions the folders attach no index of (partition-coverage.ts). */
async function partitionsWithoutIndex(
  client: Client,
  folders: readonly { name: string; shape: FolderShape }[],
): Promise<{ only: OnlyIndex; partitions: string[] }[]> {
  const out: { only: OnlyIndex; partitions: string[] }[] = [];
  for (const only of onlyIndexes(folders)) {
    const rows = await client.query<{ partition: string }>(deploySql('partitions-without-index'), [
      regclassOf(only.table),
      only.covered.map(regclassOf),
    ]);
    if (rows.rows.length > 0) out.push({ only, partitions: rows.rows.map((r) => r.partition) });
  }
  return out;
}

/** Key values occurring more than once under the (INVALID) unique index `index`. */
async function duplicateKeys(client: Client, index: string): Promise<number | null> {
  const keys = (
    await client.query<{ table: string; keys: string[]; predicate: string | null }>(deploySql('index-keys'), [index])
  ).rows[0];
  if (!keys || keys.keys.length === 0) return null;
  const row = (
    await client.query<{ duplicate_keys: number }>(
      deploySql('duplicate-keys', { table: keys.table, keys: keys.keys, predicate: keys.predicate }),
    )
  ).rows[0];
  return row?.duplicate_keys ?? null;
}

async function planFolder(
  client: Client,
  folder: string,
  shape: FolderShape,
  rateMBps: number,
): Promise<PlannedFolder> {
  const builds: PlannedBuild[] = [];
  for (const b of shape.builds) {
    const row = (
      await client.query<{ table: string; table_bytes: number; row_estimate: number | null }>(
        deploySql('table-stats'),
        [regclassOf(b.table)],
      )
    ).rows[0];
    builds.push({
      index: b.index === null ? null : displayIdent(b.index),
      table: row?.table ?? displayRelation(b.table),
      unique: b.unique,
      tableBytes: row?.table_bytes ?? null,
      rowEstimate: row?.row_estimate ?? null,
      expectedSeconds: row ? Math.round((row.table_bytes / (rateMBps * 1024 * 1024)) * 10) / 10 : null,
    });
  }
  return {
    folder,
    builds,
    strongLocks: shape.strongLocks.map((s) => ({ table: displayRelation(s.table), action: s.action })),
    atomic: shape.atomic,
  };
}

const quotedArg = (s: string) => (/^[A-Za-z0-9_.\-/]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function deploy(opts: DeployOptions): Promise<DeployOutcome> {
  await sqlParser(); // each statement Prisma's engine will send is read by PostgreSQL's parser
  const { emit, signal } = opts;
  const monitor = await connect(opts.target);
  const results: FolderResult[] = [];
  const finish = async (outcome: DeployOutcome, state: string | null, next: string | null): Promise<DeployOutcome> => {
    for (const inv of await invalidIndexes(monitor).catch(() => []))
      emit({ event: 'invalid-index-left', index: inv.index, table: inv.table, partitioned: inv.partitioned });
    emit({ event: 'summary', outcome, folders: results, state, next });
    return outcome;
  };
  try {
    const diagnosis = await withEngine(opts.target, (engine) => engine.diagnoseMigrationHistory(opts.migrations));
    if (!diagnosis.ok) throw new DeployError(diagnosis.reason);
    const d = diagnosis.value;
    if (d.failedMigrationNames.length > 0) {
      const names = d.failedMigrationNames;
      return await finish(
        'failed',
        `_prisma_migrations records failed ${names.length === 1 ? 'migration' : 'migrations'} ${names.join(', ')}: Prisma applies nothing until ${names.length === 1 ? 'it is' : 'they are'} resolved.`,
        `check what the failed folder applied, then: npx prisma migrate resolve --rolled-back ${quotedArg(names[0]!)} (or --applied), and run idxgen deploy again`,
      );
    }
    if (d.editedMigrationNames.length > 0) {
      emit({
        event: 'summary',
        outcome: 'failed',
        folders: [],
        state: `applied migrations were edited since: ${d.editedMigrationNames.join(', ')} (checksum differs)`,
        next: 'restore the original migration.sql of those folders',
      });
      return 'failed';
    }
    const pendingNames = new Set(d.unappliedMigrationNames);
    const pending = opts.migrations.folders.filter((f) => pendingNames.has(f.name));
    const shapes = new Map(
      pending.map((f) => [
        f.name,
        folderShape(f.sql ?? '', path.join(opts.migrations.baseDir, f.name, 'migration.sql')),
      ]),
    );
    // A statement PostgreSQL would reject: bad input, before anything runs (Prisma would apply the folder half).
    const problems = [...shapes.values()].flatMap((s) => s.problems);
    if (problems.length > 0) throw new UserError(problems);
    const uncovered = await partitionsWithoutIndex(
      monitor,
      pending.map((f) => ({ name: f.name, shape: shapes.get(f.name)! })),
    );
    if (uncovered.length > 0) {
      const what = uncovered.map(
        (u) =>
          `${displayRelation(u.only.table)} has ${u.partitions.length === 1 ? 'a partition' : 'partitions'} the pending folders build no index on (${u.partitions.join(', ')}), so ${displayIdent(u.only.index)} (${u.only.folder}) would stay INVALID`,
      );
      return await finish(
        'failed',
        `${what.join('; ')}: created after idxgen generate read the database. Nothing was applied.`,
        `delete the pending folders of ${uncovered.map((u) => displayIdent(u.only.index)).join(', ')}, run idxgen generate --database-url again (it writes an index for every partition), then idxgen deploy`,
      );
    }
    const planned: PlannedFolder[] = [];
    for (const f of pending) planned.push(await planFolder(monitor, f.name, shapes.get(f.name)!, opts.buildRateMBps));
    const invalidBefore = await invalidIndexes(monitor);
    emit({
      event: 'plan',
      pending: planned,
      oldTransactions: await readOldTransactions(monitor, opts.oldTransactionSeconds),
      oldTransactionSeconds: opts.oldTransactionSeconds,
      buildRateMBps: opts.buildRateMBps,
      invalidIndexes: invalidBefore.map((i) => ({ index: i.index, table: i.table, partitioned: i.partitioned })),
    });
    if (pending.length === 0) return await finish('nothing-pending', null, null);

    for (const folder of pending) {
      if (signal.aborted)
        return await finish('interrupted', `stopped before ${folder.name}; nothing of it was applied`, 'idxgen deploy');
      const index = opts.migrations.folders.indexOf(folder);
      const prefix: MigrationsInput = { ...opts.migrations, folders: opts.migrations.folders.slice(0, index + 1) };
      const result = await applyFolder(opts, monitor, folder.name, shapes.get(folder.name)!, prefix);
      results.push(result.folder);
      if (result.folder.outcome !== 'applied') return await finish(result.folder.outcome, result.state, result.next);
    }
    return await finish('applied', null, null);
  } finally {
    await monitor.end().catch(() => undefined);
  }
}

/**
 * One engine call on a session of its own, closed right after. The engine takes Prisma's
 * advisory lock (pg_advisory_lock(72707369)) on its connection and keeps it while the connection
 * lives: a session kept open would make the next applyMigrations wait for that lock.
 */
async function withEngine<T>(
  target: DbTarget,
  call: (engine: SchemaEngineSession) => Promise<EngineResult<T>>,
): Promise<EngineResult<T>> {
  const engine = await openSchemaEngine({ schema: ENGINE_SCHEMA, target });
  if (!engine.ok) return engine;
  try {
    return await call(engine.value);
  } finally {
    await engine.value.close();
  }
}

interface FolderRun {
  folder: FolderResult;
  state: string | null;
  next: string | null;
}

async function applyFolder(
  opts: DeployOptions,
  monitor: Client,
  name: string,
  shape: FolderShape,
  prefix: MigrationsInput,
): Promise<FolderRun> {
  const { emit, signal } = opts;
  const started = performance.now();
  const takesStrongLocks = shape.strongLocks.length > 0;
  const lockTimeoutMs = takesStrongLocks ? opts.lockTimeoutMs : null;
  const maxRetries = shape.builds.length > 0 ? opts.buildRetries : opts.lockRetries;
  const result = (
    outcome: FolderResult['outcome'],
    attempts: number,
    indexes: FolderResult['indexes'] = [],
  ): FolderResult => ({
    folder: name,
    outcome,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    attempts,
    retries: attempts - 1,
    indexes,
  });
  // An INVALID index with the name this folder builds: IF NOT EXISTS would accept it as built.
  for (const b of shape.builds) {
    if (b.index === null) continue;
    const facts = await indexFacts(monitor, b.index, b.table).catch(() => null);
    if (facts && !facts.is_valid) await dropInvalid(monitor, name, facts.index, facts.table, emit);
  }
  for (let attempt = 1; ; attempt++) {
    emit({ event: 'folder-start', folder: name, attempt, lockTimeoutMs });
    const applicationName = `idxgen deploy ${randomBytes(4).toString('hex')}`;
    let dbError: { code: string; message: string } | null = null;
    const session = await openSchemaEngine({
      schema: ENGINE_SCHEMA,
      target: opts.target,
      session: { applicationName, ...(lockTimeoutMs ? { lockTimeoutMs } : {}), onDatabaseError: (e) => (dbError = e) },
    });
    if (!session.ok) throw new DeployError(session.reason);
    const invalidBefore = new Set((await invalidIndexes(monitor)).map((i) => i.index));
    const seen = new Set<number>();
    const poller =
      shape.builds.length > 0
        ? startPoller(monitor, applicationName, opts.pollMs, (builds) => {
            const now = new Set(builds.map((b) => b.pid));
            for (const pid of seen)
              if (!now.has(pid)) (seen.delete(pid), emit({ event: 'build-gone', folder: name, pid }));
            for (const build of builds) (seen.add(build.pid), emit({ event: 'progress', folder: name, build }));
          })
        : null;
    // Ctrl-C / SIGTERM: cancel the engine's running statement (never its bookkeeping on _prisma_migrations).
    let canceller: ReturnType<typeof setInterval> | undefined;
    const cancel = () => {
      const once = () =>
        void withSecondConnection(opts.target, async (c) => {
          const rows = (
            await c.query<{ pid: number; state: string; query: string }>(deploySql('backends'), [applicationName])
          ).rows;
          for (const r of rows)
            if (r.state === 'active' && !r.query.includes('_prisma_migrations'))
              await c.query(deploySql('cancel-backend'), [r.pid]);
        }).catch(() => undefined);
      once();
      canceller = setInterval(once, 250);
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    const applied = await session.value.applyMigrations(prefix);
    signal.removeEventListener('abort', cancel);
    if (canceller) clearInterval(canceller);
    await poller?.stop();
    await session.value.close();
    for (const pid of seen) emit({ event: 'build-gone', folder: name, pid });

    if (applied.ok) {
      const indexes: FolderResult['indexes'] = [];
      for (const b of shape.builds) {
        const facts = b.index === null ? null : await indexFacts(monitor, b.index, b.table);
        if (!facts) continue;
        let analyzed = false;
        if (facts.has_expressions) {
          await monitor.query(deploySql('analyze', { table: facts.table }));
          emit({ event: 'analyze', folder: name, table: facts.table, index: facts.index });
          analyzed = true;
        }
        indexes.push({ index: facts.index, bytes: facts.index_bytes, analyzed });
      }
      const done = result('applied', attempt, indexes);
      emit({ event: 'folder-done', result: done });
      return { folder: done, state: null, next: null };
    }

    const failedError = dbError as { code: string; message: string } | null;
    const sqlstate = failedError?.code ?? null;
    const failure = signal.aborted ? 'cancelled' : failureKind(sqlstate);
    // The INVALID indexes this attempt left: count duplicates first (the index names the keys), then drop.
    let duplicates: number | null = null;
    // A partitioned table's index is no failed build (and CONCURRENTLY cannot drop it): reported at the end.
    const leftovers = (await invalidIndexes(monitor)).filter((i) => !invalidBefore.has(i.index) && !i.partitioned);
    for (const inv of leftovers) {
      if (failure === 'unique-violation' && inv.is_unique)
        duplicates = await duplicateKeys(monitor, inv.index).catch(() => null);
      await dropInvalid(monitor, name, inv.index, inv.table, emit);
    }
    let markedRolledBack = false;
    if (shape.atomic) {
      const rb = await withEngine(opts.target, (engine) => engine.markMigrationRolledBack(name));
      markedRolledBack = rb.ok;
    }
    const retryable =
      shape.atomic &&
      markedRolledBack &&
      !signal.aborted &&
      (failure === 'cancelled' || failure === 'deadlock' || failure === 'lock-timeout');
    const retryInMs = retryable && attempt <= maxRetries ? opts.backoffMs * 2 ** (attempt - 1) : null;
    emit({
      event: 'folder-failed',
      folder: name,
      attempt,
      failure,
      sqlstate,
      message: failedError?.message ?? firstLine(applied.reason),
      duplicateKeys: duplicates,
      markedRolledBack,
      retryInMs,
    });
    if (retryInMs !== null) {
      await sleep(retryInMs, signal);
      if (!signal.aborted) continue;
    }
    const outcome = signal.aborted ? 'interrupted' : 'failed';
    const folder = result(outcome, attempt);
    if (markedRolledBack) {
      const why =
        failure === 'unique-violation'
          ? `${duplicates ?? 'some'} key ${duplicates === 1 ? 'value occurs' : 'values occur'} more than once`
          : signal.aborted
            ? 'interrupted'
            : `${failure} after ${attempt} ${attempt === 1 ? 'attempt' : 'attempts'}`;
      return {
        folder,
        state: `${name} is not applied (${why}); ${leftoverWords(leftovers.length)} and _prisma_migrations records it rolled back, so the next deploy runs it again.`,
        next:
          failure === 'unique-violation' ? 'remove the duplicate keys, then run idxgen deploy again' : 'idxgen deploy',
      };
    }
    return {
      folder,
      state: `${name} failed and holds more than one statement: some of it may be applied. _prisma_migrations records it failed.`,
      next: `compare the database with ${name}/migration.sql, finish or undo it by hand, then: npx prisma migrate resolve --applied ${quotedArg(name)} (or --rolled-back), and run idxgen deploy again`,
    };
  }
}

/** What the failed attempt left behind, as the summary says it (a build that never started leaves no index). */
function leftoverWords(dropped: number): string {
  if (dropped === 0) return 'it left no index behind';
  return dropped === 1 ? 'its INVALID index was dropped' : `its ${dropped} INVALID indexes were dropped`;
}

async function dropInvalid(
  monitor: Client,
  folder: string,
  index: string,
  table: string,
  emit: (e: DeployEvent) => void,
): Promise<void> {
  await monitor.query(deploySql('drop-invalid-index', { index }));
  emit({ event: 'invalid-index-dropped', folder, index, table });
}

async function withSecondConnection<T>(target: DbTarget, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await connect(target);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '' && l.trim() !== 'external connector error') ?? text;
}

/** `idxgen progress`: reads every build in the database until none is left. */
export async function watchBuilds(
  target: DbTarget,
  pollMs: number,
  signal: AbortSignal,
  emit: (event: DeployEvent) => void,
): Promise<number> {
  const client = await connect(target);
  try {
    const seen = new Set<number>();
    let total = 0;
    for (;;) {
      const builds = await readBuilds(client, null);
      const now = new Set(builds.map((b) => b.pid));
      for (const pid of seen) if (!now.has(pid)) (seen.delete(pid), emit({ event: 'build-gone', folder: null, pid }));
      for (const build of builds) {
        if (!seen.has(build.pid)) total++;
        seen.add(build.pid);
        emit({ event: 'progress', folder: null, build });
      }
      if (builds.length === 0 || signal.aborted) return total;
      await sleep(pollMs, signal);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
